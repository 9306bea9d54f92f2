"""A job's status answer is given again for up to a second without Django (serving/replay.py, SharedAnswers).

In-process: the real Edge in front of a stand-in for Django that counts its calls and marks its
answers shareable, so what reaches Django and what does not can be seen. Live: a studio whose
jobs change under a crowd of polls: every change is read at once, and an answer is never given
to another caller.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from serving import replay
from serving.edge import Edge
from serving.handoff import HANDOFF_HEADER, REPLAY, handoff_value
from serving.replay import SharedAnswers
from tests.support.asgi import request
from tests.support.upstream import FakeUpstream
from videos.models import VideoJob

STATUS = "/v1/videos/video_1"


class Django:
    """Answers each request with how many it has answered, marked shareable."""

    def __init__(self) -> None:
        self.calls = 0
        self.status = 200
        self.shareable = True
        self.set_cookie = False
        self.during: Any = None  # runs while "Django" reads the job

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.calls += 1
        await receive()
        if self.during is not None:
            self.during()
        headers = [(b"content-type", b"application/json"), (b"date", b"Thu, 01 Jan 2026 00:00:00 GMT")]
        if self.shareable:
            headers.append((HANDOFF_HEADER.lower().encode(), handoff_value(REPLAY).encode()))
        if self.set_cookie:
            headers.append((b"set-cookie", b"csrftoken=fresh"))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"answer": %d}' % self.calls})


def call(
    edge: Edge,
    cookie: bytes = b"session=alice",
    method: str = "GET",
    query: bytes = b"",
    client: str = "10.0.0.1",
) -> dict:
    scope = {
        "type": "http",
        "method": method,
        "path": STATUS,
        "query_string": query,
        "client": (client, 50000),
        "headers": [(b"host", b"studio"), (b"cookie", cookie)],
    }
    return request(edge, scope)


def make_edge(seconds: float = 5.0) -> tuple[Edge, Django]:
    django = Django()
    return Edge(django, {}, shared=SharedAnswers(seconds=seconds)), django


def test_the_same_question_again_is_answered_without_django():
    edge, django = make_edge()
    first = call(edge)
    again = call(edge)
    assert first["status"] == again["status"] == 200
    assert first["body"] == again["body"] == b'{"answer": 1}' and django.calls == 1
    assert again["headers"]["content-type"] == "application/json"
    for answer in (first, again):
        assert HANDOFF_HEADER.lower() not in answer["headers"]  # internal: never sent
    assert "date" not in again["headers"]  # the server dates each response itself


def test_another_caller_address_or_query_asks_django():
    edge, django = make_edge()
    call(edge)
    assert call(edge, cookie=b"session=mallory")["body"] == b'{"answer": 2}'
    assert call(edge, client="10.0.0.2")["body"] == b'{"answer": 3}'
    assert call(edge, query=b"x=1")["body"] == b'{"answer": 4}'
    assert call(edge, method="HEAD")["status"] == 200 and django.calls == 5
    assert call(edge)["body"] == b'{"answer": 1}' and django.calls == 5


def test_a_job_change_forgets_every_answer():
    edge, django = make_edge()
    call(edge)
    replay.forget_all()
    assert call(edge)["body"] == b'{"answer": 2}'
    assert call(edge)["body"] == b'{"answer": 2}' and django.calls == 2


def test_an_answer_read_while_a_job_changed_is_not_given_again():
    edge, django = make_edge()
    django.during = replay.forget_all  # the change lands while Django reads
    assert call(edge)["body"] == b'{"answer": 1}'
    django.during = None
    assert call(edge)["body"] == b'{"answer": 2}' and django.calls == 2


def test_an_answer_lasts_its_seconds_only():
    edge, django = make_edge(seconds=0.05)
    call(edge)
    time.sleep(0.1)
    assert call(edge)["body"] == b'{"answer": 2}' and django.calls == 2


@pytest.mark.parametrize("change", ["unmarked", "error", "cookie"])
def test_only_a_plain_marked_200_is_kept(change):
    edge, django = make_edge()
    django.shareable = change != "unmarked"
    django.status = 404 if change == "error" else 200
    django.set_cookie = change == "cookie"
    call(edge)
    answer = call(edge)
    assert answer["body"] == b'{"answer": 2}' and django.calls == 2
    if change == "cookie":
        assert answer["headers"]["set-cookie"] == "csrftoken=fresh"


@pytest.mark.django_db(transaction=True)
def test_a_change_inside_a_transaction_forgets_again_when_it_commits():
    from django.db import transaction

    job = VideoJob.objects.create(provider="preview", prompt="p", num_inference_steps=1, seed=1)
    with transaction.atomic():
        VideoJob.objects.filter(id=job.id).update(prompt="changed")
        during = replay.generation()
    assert replay.generation() != during  # an answer read before the commit is not kept


ALICE, BOB = "alice-key-aaaaaaaaaaaa", "bob-key-bbbbbbbbbbbbbb"


def test_live_every_change_is_read_at_once_and_only_by_its_caller(studio_factory):
    # The job stays in_progress until cancelled, and cancelling (the upstream slow to stop it) until
    # the test lets the cancel through: its cancel_requested cannot be over before it is read.
    upstream = FakeUpstream(mode="async_never", cancel_delay=3600.0)
    try:
        studio = studio_factory(
            STUDIO_AUTH_REQUIRED="true",
            STUDIO_API_KEYS=f"alice:{ALICE},bob:{BOB}",
            CLOUD_VIDEO_GENERATION_URL=upstream.url,
            CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        )
        alice = httpx.Client(base_url=studio.url, headers={"Authorization": f"Bearer {ALICE}"})
        bob = httpx.Client(base_url=studio.url, headers={"Authorization": f"Bearer {BOB}"})
        video = alice.post("/v1/videos", json={"prompt": "polled"}).json()
        path = f"/v1/videos/{video['id']}"
        deadline = time.monotonic() + 30
        while alice.get(path).json()["status"] != "in_progress":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        for _ in range(5):
            assert alice.get(path).json()["status"] == "in_progress"
        assert HANDOFF_HEADER.lower() not in alice.get(path).headers
        assert bob.get(path).status_code == 404  # alice's answer is alice's
        assert httpx.get(studio.url + path).status_code == 401

        assert alice.post(f"/v1/videos/{video['id']}", json={"favorite": True}).json()["favorite"] is True
        assert alice.get(path).json()["favorite"] is True  # read at once, not a second later
        cancelling = alice.post(f"/v1/videos/{video['id']}/cancel")
        assert cancelling.status_code == 200
        assert cancelling.json()["cancel_requested"] is True
        assert alice.get(path).json()["cancel_requested"] is True  # read at once
        upstream.cancel_delay = 0.0  # the upstream's job is cancelled at the studio's next look
        assert studio.wait_for_as(alice, video["id"])["status"] == "cancelled"
        assert alice.delete(path).status_code == 200
        assert alice.get(path).status_code == 404
    finally:
        upstream.close()
