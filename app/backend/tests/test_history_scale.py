"""A long history must not slow the hot paths: list pages walk an index in order (no sort of
every older row), and creating a job or listing a page runs a fixed set of queries, each
bounded by an index (bench/history.py times them at 100k jobs)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from tests.support.history import AUTH, T0, Status, add_history, call
from videos.jobs.eta import rebuild_run_times
from videos.models import VideoJob

pytestmark = pytest.mark.django_db


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def page_query(sqls: list[str]) -> str:
    (sql,) = [s for s in sqls if 'ORDER BY "created_at"' in s and s.endswith("LIMIT 21")]
    return sql


@pytest.fixture
def as_alice() -> Iterator[None]:
    with override_settings(**AUTH):
        yield


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("owned", [False, True], ids=["everyone", "owner"])
@pytest.mark.parametrize("cursor", [False, True], ids=["first-page", "after"])
def test_list_pages_walk_an_index_in_order(order: str, owned: bool, cursor: bool) -> None:
    jobs = add_history(200, queued=3)
    alices = [j for j in jobs if j.owner == "alice"]
    path = f"/v1/videos?order={order}&limit=20"
    if cursor:
        path += f"&after={alices[len(alices) // 2].id}"
    with override_settings(**(AUTH if owned else {})):
        body, sqls = call(Client(), "GET", path, owned)
    assert len(body["data"]) == 20
    query_plan = plan(page_query(sqls))
    assert "TEMP B-TREE" not in query_plan, query_plan
    index = "videojob_owner_created_id" if owned else "videojob_created_id"
    assert f"INDEX {index}" in query_plan, query_plan


STATUS = ("videojob_status_created_id", "videojob_owner_status_created")  # (everyone's, an owner's)
MODEL = ("videojob_model_created_id", "videojob_owner_model_created")
STARRED = ("videojob_fav_created_id", "videojob_owner_fav_created")
ANY: tuple[str, str] = ("videojob_", "videojob_owner_")
FILTERS = {  # a filter -> the index each of its page queries must walk
    "status=failed": [STATUS],
    "status=failed,cancelled,queued": [STATUS] * 3,
    "model=preview": [MODEL],
    "favorite=true": [STARRED],
    "model=preview&status=completed&favorite=true": [ANY],  # one of theirs: the database chooses
}


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("owned", [False, True], ids=["everyone", "owner"])
@pytest.mark.parametrize("query", list(FILTERS))
def test_filtered_pages_walk_an_index_in_order(query: str, order: str, owned: bool) -> None:
    """Each filter has an index in the list's order: a page reads its rows, neither sorting every
    match nor walking past every row it skips (several statuses: one walk each, merged)."""
    jobs = add_history(200, queued=3)
    VideoJob.objects.filter(id__in=[j.id for j in jobs[::7]]).update(favorite=True)
    VideoJob.objects.filter(id__in=[j.id for j in jobs[::11]]).update(status=Status.FAILED)
    with override_settings(**(AUTH if owned else {})):
        body, sqls = call(Client(), "GET", f"/v1/videos?order={order}&limit=20&{query}", owned)
    assert body["data"], query
    pages = [s for s in sqls if 'ORDER BY "created_at"' in s and s.endswith("LIMIT 21")]
    wanted = [names[owned] for names in FILTERS[query]]
    assert len(pages) == len(wanted), sqls
    for sql, index in zip(pages, wanted, strict=True):
        query_plan = plan(sql)
        assert "TEMP B-TREE" not in query_plan, query_plan
        assert re.search(rf"USING INDEX {index}\w*( |$)", query_plan), query_plan


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("owned", [False, True], ids=["everyone", "owner"])
def test_cursor_pages_match_a_plain_sort(order: str, owned: bool) -> None:
    """Ties on created_at are broken by id, in the same direction as the order."""
    jobs = add_history(30)
    tied = jobs[10:16]  # six jobs created in the same microsecond: only the id orders them
    VideoJob.objects.filter(id__in=[j.id for j in tied]).update(created_at=tied[0].created_at)
    expected: QuerySet[VideoJob] = VideoJob.objects.all()
    if owned:
        expected = expected.filter(owner="alice")
    sign = "" if order == "asc" else "-"
    want = list(expected.order_by(f"{sign}created_at", f"{sign}id").values_list("id", flat=True))
    got: list[str] = []
    after = ""
    client = Client()
    with override_settings(**(AUTH if owned else {})):
        while True:
            body, _ = call(client, "GET", f"/v1/videos?order={order}&limit=4{after}", owned)
            got += [v["id"] for v in body["data"]]
            if not body["has_more"]:
                break
            after = f"&after={body['last_id']}"
    assert got == want


def bounded(sqls: list[str]) -> list[str]:
    """The plans of queries that read the history without an index bound or sort every row."""
    bad = []
    for sql in sqls:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        query_plan = plan(sql)
        scans = [line for line in query_plan.splitlines() if line.startswith("SCAN") and "INDEX" not in line]
        if "TEMP B-TREE" in query_plan or any("videos_videojob" in line for line in scans):
            bad.append(f"{sql}\n  -> {query_plan}")
    return bad


@pytest.mark.parametrize("owned", [False, True], ids=["everyone", "owner"])
def test_create_and_list_cost_does_not_grow_with_history(owned: bool) -> None:
    client = Client()
    with override_settings(**(AUTH if owned else {})):
        counts: list[tuple[int, int, int]] = []
        start = 0
        for size in (10, 2000):
            add_history(size - start, start=start)
            rebuild_run_times()  # bulk_create sends no signals: learn the run times in one pass
            start = size
            # A running job, queued ones at the top: the ETA path does all of its work.
            VideoJob.objects.filter(status=Status.QUEUED).delete()
            VideoJob.objects.create(
                owner="alice", provider="preview", prompt="running", num_inference_steps=12, seed=1,
                width=64, height=64, num_frames=17, status=Status.IN_PROGRESS, started_at=timezone.now(),
            )  # fmt: skip
            create = {"model": "preview", "prompt": "a new one", "size": "64x64", "num_frames": 17}
            call(client, "POST", "/v1/videos", owned, **create)  # the first create may warm caches
            _, created = call(client, "POST", "/v1/videos", owned, **create)
            first, listed = call(client, "GET", "/v1/videos", owned)
            assert first["data"][0]["eta_seconds"] is not None
            middle = VideoJob.objects.filter(status=Status.COMPLETED).order_by("created_at")[size // 2]
            if owned:
                middle = VideoJob.objects.filter(owner="alice", created_at__gte=middle.created_at).earliest(
                    "created_at"
                )
            _, paged = call(client, "GET", f"/v1/videos?after={middle.id}", owned)
            assert bounded(created) == [] and bounded(listed) == [] and bounded(paged) == []
            counts.append((len(created), len(listed), len(paged)))
    assert counts[0] == counts[1], counts


def test_the_job_lookup_gives_what_the_orm_gives() -> None:
    """videos/jobs/lookup.py writes its SELECT once; the instance must be the ORM's, field for field."""
    from videos.jobs.lookup import find_job

    job = VideoJob.objects.create(
        owner="alice",
        provider="preview",
        prompt="looked up",
        num_inference_steps=12,
        seed=7,
        width=64,
        height=64,
        num_frames=8,
        status=Status.COMPLETED,
        favorite=True,
        metadata={"duration_seconds": 0.5, "nested": [1, "two"]},
        started_at=T0,
        completed_at=T0 + timedelta(seconds=20),
    )
    expected = VideoJob.objects.get(id=job.id)
    found = find_job(job.id, "alice")
    assert found is not None
    fields = VideoJob._meta.concrete_fields
    assert {f.attname: getattr(found, f.attname) for f in fields} == {
        f.attname: getattr(expected, f.attname) for f in fields
    }
    assert found.created_at.tzinfo is not None and found.favorite is True
    assert (found.metadata or {})["nested"] == [1, "two"]
    assert find_job(job.id, "bob") is None and find_job("video_none", None) is None
    assert find_job(job.id, None) is not None  # a personal studio: anyone's

    some = find_job(job.id, None, ("status", "video_file"))
    assert some is not None and some.status == Status.COMPLETED
    assert "prompt" in some.get_deferred_fields() and "status" not in some.get_deferred_fields()
    assert some.prompt == "looked up"  # a deferred field still loads, as with .only()
    some.favorite = False
    some.save(update_fields=["favorite"])
    assert VideoJob.objects.get(id=job.id).favorite is False


@pytest.mark.parametrize("descending", [True, False], ids=["desc", "asc"])
def test_a_page_read_gives_what_the_orm_gives(descending: bool) -> None:
    """read_page writes the SELECT and ORDER BY itself and lets the ORM compile the filters."""
    from django.db.models import Q

    from videos.jobs.lookup import read_page

    jobs = add_history(40, queued=4)
    VideoJob.objects.filter(id__in=[j.id for j in jobs[::3]]).update(favorite=True, prompt="100% o'clock_shadow")
    tie = jobs[20].created_at
    filters: dict[str, Q] = {
        "none": Q(),
        "owner": Q(owner="alice"),
        "text, any case": Q(prompt__icontains="O'CLOCK_S"),
        "text with LIKE's own characters": Q(prompt__icontains="100%"),
        "statuses and favorite": Q(status__in=["queued", "completed"], favorite=True),
        "keyset": Q(created_at__lte=tie) & ~Q(created_at=tie, id__gte=jobs[20].id),
        "no status at all": Q(status__in=[]),
    }
    way = "-" if descending else ""
    fields = [f.attname for f in VideoJob._meta.concrete_fields]
    several = [Q(status="queued"), Q(status="completed", favorite=True), Q(status="failed")]  # merged pages
    cases: list[tuple[str, list[Q]]] = [(name, [where]) for name, where in filters.items()]
    for name, alternatives in [*cases, ("several statuses", several)]:
        union = Q()
        for one in alternatives:
            union |= one
        queryset = VideoJob.objects.filter(union)
        expected = list(queryset.order_by(f"{way}created_at", f"{way}id")[:7])
        got = read_page([VideoJob.objects.filter(one) for one in alternatives], descending=descending, limit=7)
        rows = [[getattr(job, f) for f in fields] for job in got]
        assert rows == [[getattr(job, f) for f in fields] for job in expected], name
        assert bool(got) == (name != "no status at all"), name  # each filter keeps some, but one


PROMPTS = [
    "A lighthouse at dusk",
    "lighthouse keeper's CAT",
    "100% o'clock_shadow",
    'the "quoted" word',
    "Élan vital, élan",
    "a rare kumquat",
]


@pytest.mark.parametrize("owned", [False, True], ids=["everyone", "owner"])
def test_text_search_finds_what_icontains_finds_and_narrows_by_the_index(owned: bool) -> None:
    """q= goes through the trigram index (migration 0007) where it can; the answer is icontains'."""
    from videos.jobs import text_search

    jobs = add_history(300)
    for i, prompt in enumerate(PROMPTS * 3):
        VideoJob.objects.filter(id=jobs[i * 7].id).update(prompt=prompt)
    searches = ["KUMQUAT", "lighthouse", "o'clock_s", "100%", '"quoted"', "élan", "ÉLAN", "at", "nowhere at all"]
    for q in searches:
        with override_settings(**(AUTH if owned else {})):
            body, sqls = call(Client(), "GET", f"/v1/videos?limit=100&q={quote(q)}", owned)
        visible = VideoJob.objects.filter(owner="alice") if owned else VideoJob.objects.all()
        expected = list(visible.filter(prompt__icontains=q).order_by("-created_at", "-id").values_list("id", flat=True))
        assert [v["id"] for v in body["data"]] == expected[:100], q
        pages = [s for s in sqls if 'ORDER BY "created_at"' in s and s.endswith("LIMIT 101")]
        if len(q) >= text_search.MIN_LENGTH:
            # Narrowed by the index to rowid lookups (or to nothing: no page query at all).
            plans = [plan(page) for page in pages]
            assert all(".rowid IN (" in page for page in pages), q
            assert all("INTEGER PRIMARY KEY" in p for p in plans), (q, plans)
        else:
            assert pages and ".rowid IN (" not in pages[0], q  # "at": no trigram, the walk finds it


def test_text_search_index_follows_every_change(monkeypatch: pytest.MonkeyPatch) -> None:
    from videos.jobs import text_search

    jobs = add_history(20)
    ids = lambda q: [v["id"] for v in call(Client(), "GET", f"/v1/videos?q={quote(q)}", False)[0]["data"]]  # noqa: E731
    job = jobs[3]
    job.prompt = "a purple elephant"
    job.save()
    assert ids("purple eleph") == [job.id]
    VideoJob.objects.filter(id=job.id).update(prompt="a green giraffe")
    assert ids("purple eleph") == [] and ids("GREEN GIR") == [job.id]
    VideoJob.objects.filter(id=job.id).delete()
    assert ids("green gir") == []
    # More matches than the index narrows to: the list's index walk, same answer.
    monkeypatch.setattr(text_search, "MAX_CANDIDATES", 5)
    body, sqls = call(Client(), "GET", "/v1/videos?q=history", False)
    assert [v["id"] for v in body["data"]] == [j.id for j in reversed(jobs) if j.id != job.id]
    assert not any(".rowid IN (" in s for s in sqls)
