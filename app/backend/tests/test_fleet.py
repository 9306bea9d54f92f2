"""Several tt-media-servers used as one (issue 29's "Done when"): a studio pointed at three
loopback upstreams (`tt-wan2.2`, `tt-wan2.2-i2v`, `tt-ltx-2.3-distilled` answering AV MP4s),
with no mode or shape settings, sends each job to one that can make it, the least loaded first;
drains a killed one and takes it back; resumes a job whose upstream comes back, or makes it
elsewhere (never twice at once); `GET /v1/models` and `/metrics` show each upstream by name.
Jobs are held with `async_never` (the upstream never finishes them until the test says), so
nothing races a clock."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from tests.support.fleet import av_mp4, fleet_studio, has_audio, upstream_views, wait_for_state, wait_until
from tests.support.upstream import PATH, FakeUpstream


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 160, 90)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def trio() -> Iterator[list[FakeUpstream]]:
    """tt-1 text (Wan 2.2), tt-2 image-only (Wan 2.2 I2V), tt-3 text with sound (LTX-2.3)."""
    servers = [
        FakeUpstream(mode="async", runner="tt-wan2.2", token="token-one"),
        FakeUpstream(mode="async", runner="tt-wan2.2-i2v", i2v_only=True, token="token-two"),
        FakeUpstream(mode="async", runner="tt-ltx-2.3-distilled", video=av_mp4(), token="token-three"),
    ]
    yield servers
    for server in servers:
        server.close()


def create(client: httpx.Client, prompt: str, image: bool = False) -> str:
    if image:
        made = client.post(
            "/v1/videos", data={"prompt": prompt, "model": "tt-cloud"}, files={"input_reference": ("a.png", png())}
        )
    else:
        made = client.post("/v1/videos", json={"prompt": prompt, "model": "tt-cloud"})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def prompts(server: FakeUpstream) -> list[str]:
    return [s.body["prompt"] for s in server.seen if s.method == "POST" and isinstance(s.body, dict)]


def test_three_upstreams_route_text_image_and_sound_by_what_each_runs(studio_factory, trio) -> None:
    wan, i2v, ltx = trio
    studio = fleet_studio(studio_factory, *trio)
    with studio.client() as client:
        views = upstream_views(client)
        assert [(v["runner"], v["state"], v["known"]) for v in views.values()] == [
            ("tt-wan2.2", "ready", True),
            ("tt-wan2.2-i2v", "ready", True),
            ("tt-ltx-2.3-distilled", "ready", True),
        ]
        assert [v["sound"] for v in views.values()] == [False, False, True]
        model = next(m for m in client.get("/v1/models").json()["data"] if m["id"] == "tt-cloud")
        caps = model["capabilities"]
        assert caps["text_to_video"] and caps["image_to_video"] and caps["last_frame"] and caps["sound"]
        text = json.dumps(model)
        for secret in ("token-one", "token-two", "token-three", "127.0.0.1", PATH):
            assert secret not in text

        # Held on tt-1: the next text job goes to the less loaded tt-3, the image job to tt-2.
        wan.mode = "async_never"
        first = create(client, "first text")
        wait_until(lambda: prompts(wan) == ["first text"], what="the first job on tt-1")
        second = studio.wait_for(create(client, "second text"))
        assert second["status"] == "completed", second["error"]
        assert prompts(ltx) == ["second text"]
        stored = client.get(f"/v1/videos/{second['id']}/content").content
        assert has_audio(stored)  # LTX's AV MP4 keeps its soundtrack

        image = studio.wait_for(create(client, "from a picture", image=True))
        assert image["status"] == "completed", image["error"]
        assert prompts(i2v) == ["from a picture"] and [s.path for s in i2v.seen if s.method == "POST"] == [
            PATH + "/i2v"
        ]
        # A job asking for sound goes to the upstream that makes it, however loaded.
        ltx.mode = "async_never"
        create(client, "held on tt-3")
        wait_until(lambda: "held on tt-3" in prompts(ltx), what="a held job on tt-3")
        sounding = client.post("/v1/videos", json={"prompt": "with sound", "model": "tt-cloud", "sound": True})
        assert sounding.status_code == 201, sounding.text
        wait_until(lambda: "with sound" in prompts(ltx), what="the sound job on tt-3")
        assert "with sound" not in prompts(wan)

        loads = upstream_views(client)
        assert loads["tt-1"]["in_flight"] == 1 and loads["tt-3"]["in_flight"] == 2
        metrics = client.get("/metrics").text
        assert 'studio_upstream_state{state="ready",upstream="tt-1"} 1.0' in metrics
        assert 'studio_upstream_in_flight{upstream="tt-3"} 2.0' in metrics
        assert "token-one" not in metrics and "127.0.0.1" not in metrics
        assert client.post(f"/v1/videos/{first}/cancel").status_code in (200, 202)


def test_a_killed_upstream_is_drained_then_taken_back(studio_factory) -> None:
    one = FakeUpstream(mode="async", runner="tt-wan2.2")
    two = FakeUpstream(mode="async", runner="tt-wan2.2")
    studio = fleet_studio(studio_factory, one, two)
    try:
        with studio.client() as client:
            port = one.server.server_address[1]
            one.kill()
            view = wait_for_state(client, "tt-1", "down")
            assert "not answering" in view["detail"]
            # Nothing new goes to the drained one: every job is made on tt-2.
            for n in range(3):
                done = studio.wait_for(create(client, f"while tt-1 is down {n}"))
                assert done["status"] == "completed", done["error"]
            assert len(prompts(two)) == 3

            one = FakeUpstream(mode="async", runner="tt-wan2.2", port=port)
            wait_for_state(client, "tt-1", "ready")
            back = studio.wait_for(create(client, "tt-1 is back"))  # both idle: the first in the list
            assert back["status"] == "completed", back["error"]
            assert prompts(one) == ["tt-1 is back"]
            assert "studio_upstream_drained_total" in client.get("/metrics").text
    finally:
        one.close()
        two.close()


def test_a_job_on_an_upstream_that_comes_back_is_resumed_there(studio_factory) -> None:
    one = FakeUpstream(mode="async_never", runner="tt-wan2.2")
    two = FakeUpstream(mode="async", runner="tt-wan2.2")
    studio = fleet_studio(studio_factory, one, two, CLOUD_VIDEO_GENERATION_RESUME_WAIT="600")
    try:
        with studio.client() as client:
            video = create(client, "survives a restart")
            wait_until(lambda: one.jobs and one.polled.is_set(), what="the job polled on tt-1")
            port, jobs = one.server.server_address[1], one.jobs
            one.kill()
            wait_for_state(client, "tt-1", "down")
            assert client.get(f"/v1/videos/{video}").json()["status"] == "in_progress"

            one = FakeUpstream(mode="async", runner="tt-wan2.2", port=port)
            for job in jobs.values():
                job.outcome = "completed"  # its server kept the job and finished it
            one.jobs = jobs
            done = studio.wait_for(video)
            assert done["status"] == "completed", done["error"]
            assert two.posts() == [] and len(one.posts()) == 0  # the one submit was before the restart
    finally:
        one.close()
        two.close()


def test_a_job_on_an_upstream_that_stays_away_is_made_elsewhere_once(studio_factory) -> None:
    one = FakeUpstream(mode="async_never", runner="tt-wan2.2")
    two = FakeUpstream(mode="async", runner="tt-wan2.2")
    studio = fleet_studio(studio_factory, one, two, CLOUD_VIDEO_GENERATION_RESUME_WAIT="0")
    try:
        with studio.client() as client:
            video = create(client, "moves on")
            wait_until(lambda: one.jobs and one.polled.is_set(), what="the job polled on tt-1")
            port, jobs = one.server.server_address[1], one.jobs
            one.kill()
            done = studio.wait_for(video)
            assert done["status"] == "completed", done["error"]
            assert prompts(two) == ["moves on"]
            # tt-1 comes back still holding the old job: the studio cancels it there, so the
            # video is not made twice at once.
            one = FakeUpstream(mode="async_never", runner="tt-wan2.2", port=port)
            one.jobs = jobs
            wait_until(lambda: all(job.cancelled for job in jobs.values()), what="the old job cancelled on tt-1")
    finally:
        one.close()
        two.close()


def test_warm_up_holds_only_that_upstream(studio_factory) -> None:
    one = FakeUpstream(mode="async", runner="tt-wan2.2", warmup_until=float("inf"))
    two = FakeUpstream(mode="async", runner="tt-wan2.2")
    studio = fleet_studio(studio_factory, one, two)
    try:
        with studio.client() as client:
            wait_for_state(client, "tt-1", "warming_up")
            for n in range(2):
                done = studio.wait_for(create(client, f"while tt-1 warms {n}"))
                assert done["status"] == "completed", done["error"]
            assert one.posts() == [] and len(two.posts()) == 2
            one.warmup_until = 0.0
            wait_for_state(client, "tt-1", "ready")
    finally:
        one.close()
        two.close()
