"""The edge answers a repeated file request from Django's answer of moments ago (serving/replay.py).

In-process: the real Edge and the real file sender in front of a stand-in for Django that
counts its calls and grants one file, so what is asked of Django and what is not can be seen.
Live: a studio with two users' API keys, where a grant made for one caller is never used for
another, and a deleted video stops at once.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import httpx

from serving.edge import Edge
from serving.handoff import HANDOFF_HEADER, handoff_value
from serving.replay import FileGrants
from serving.sending import send_file
from tests.support.asgi import request

CONTENT = "/v1/videos/video_1/content"


class Django:
    """Grants `path` to requests whose cookie is `allowed`; 401 to others."""

    def __init__(self, path: Path, allowed: bytes = b"session=alice") -> None:
        self.path, self.allowed, self.calls = path, allowed, 0
        self.set_cookie = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.calls += 1
        await receive()
        headers = dict(scope["headers"])
        if headers.get(b"cookie") != self.allowed:
            await send({"type": "http.response.start", "status": 401, "headers": []})
            await send({"type": "http.response.body", "body": b"no"})
            return
        size = self.path.stat().st_size
        value = handoff_value("sendfile", path=str(self.path), offset=0, length=size, size=size)
        answer = [(b"content-type", b"video/mp4"), (b"content-length", str(size).encode())]
        answer += [(b"cache-control", b"private, max-age=3600"), (HANDOFF_HEADER.lower().encode(), value.encode())]
        if self.set_cookie:
            answer.append((b"set-cookie", b"csrftoken=fresh"))
        await send({"type": "http.response.start", "status": 200, "headers": answer})
        await send({"type": "http.response.body", "body": b""})


def call(edge: Edge, cookie: bytes = b"session=alice", range_: str | None = None, method: str = "GET") -> dict:
    headers = [(b"host", b"studio"), (b"cookie", cookie)]
    if range_:
        headers.append((b"range", range_.encode()))
    scope = {"type": "http", "method": method, "path": CONTENT, "query_string": b"", "headers": headers}
    return request(edge, scope)


def make_edge(tmp_path: Path, seconds: float = 5.0, whole_files: bool = True) -> tuple[Edge, Django, bytes]:
    data = os.urandom(300_000)
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    django = Django(path)
    grants = FileGrants(seconds=seconds, whole_files=whole_files)
    return Edge(django, {"sendfile": send_file}, grants=grants), django, data


def test_a_seek_after_the_first_request_is_answered_without_django(tmp_path):
    edge, django, data = make_edge(tmp_path)
    first = call(edge)
    assert first["status"] == 200 and first["body"] == data and django.calls == 1

    for range_, (a, b) in (("bytes=1000-1999", (1000, 1999)), ("bytes=-500", (len(data) - 500, len(data) - 1))):
        sliced = call(edge, range_=range_)
        assert sliced["status"] == 206
        assert sliced["headers"]["content-range"] == f"bytes {a}-{b}/{len(data)}"
        assert sliced["headers"]["content-length"] == str(b - a + 1)
        assert sliced["headers"]["cache-control"] == "private, max-age=3600"
        assert sliced["body"] == data[a : b + 1]
    again = call(edge)
    assert again["status"] == 200 and again["body"] == data
    head = call(edge, method="HEAD")
    assert head["status"] == 200 and head["body"] == b"" and head["headers"]["content-length"] == str(len(data))
    assert django.calls == 1  # every one of them answered from the grant
    assert HANDOFF_HEADER.lower() not in again["headers"]


def test_whole_files_go_through_django_unless_nginx_sends_them(tmp_path):
    """Path-send returns before the bytes are out: whole files from grants could all start at once."""
    edge, django, data = make_edge(tmp_path, whole_files=False)
    call(edge)
    assert call(edge, range_="bytes=10-19")["body"] == data[10:20] and django.calls == 1
    assert call(edge)["body"] == data and django.calls == 2
    assert call(edge, range_="bytes=0-")["body"] == data and django.calls == 3  # the whole file too


def test_another_caller_or_an_unsatisfiable_range_asks_django(tmp_path):
    edge, django, _ = make_edge(tmp_path)
    call(edge)
    assert call(edge, cookie=b"session=mallory")["status"] == 401
    assert django.calls == 2
    past = call(edge, range_="bytes=999999999-")
    assert django.calls == 3 and past["status"] == 200  # the stand-in answers it; the real view says 416


def test_a_deleted_or_replaced_file_and_an_expired_grant_ask_django(tmp_path):
    edge, django, data = make_edge(tmp_path)
    call(edge)
    django.path.unlink()
    django.path.write_bytes(data[:1000])  # same name, other file
    assert call(edge)["body"] == data[:1000] and django.calls == 2

    short = tmp_path / "short"
    short.mkdir()
    edge, django, _ = make_edge(short, seconds=0.05)
    call(edge)
    time.sleep(0.1)
    call(edge)
    assert django.calls == 2


def test_a_cookie_django_set_is_never_replayed(tmp_path):
    edge, django, _ = make_edge(tmp_path)
    django.set_cookie = True
    assert call(edge)["headers"].get("set-cookie") == "csrftoken=fresh"
    assert "set-cookie" not in call(edge)["headers"] and django.calls == 1


ALICE, BOB = "alice-key-aaaaaaaaaaaa", "bob-key-bbbbbbbbbbbbbb"


def test_live_a_grant_serves_only_its_caller_and_ends_with_the_video(studio_factory):
    studio = studio_factory(STUDIO_AUTH_REQUIRED="true", STUDIO_API_KEYS=f"alice:{ALICE},bob:{BOB}")
    alice = httpx.Client(base_url=studio.url, headers={"Authorization": f"Bearer {ALICE}"})
    bob = httpx.Client(base_url=studio.url, headers={"Authorization": f"Bearer {BOB}"})
    video = alice.post("/v1/videos", json={"prompt": "granted", "size": "64x64", "num_frames": 1}).json()
    assert studio.wait_for_as(alice, video["id"])["status"] == "completed"
    path = f"/v1/videos/{video['id']}/content"

    whole = alice.get(path)
    assert whole.status_code == 200 and whole.content[4:8] == b"ftyp"
    sliced = alice.get(path, headers={"Range": "bytes=0-99"})  # from the grant
    assert sliced.status_code == 206 and sliced.content == whole.content[:100]
    assert sliced.headers["content-security-policy"] == whole.headers["content-security-policy"]

    assert bob.get(path, headers={"Range": "bytes=0-99"}).status_code == 404
    assert httpx.get(studio.url + path, headers={"Range": "bytes=0-99"}).status_code == 401
    assert alice.delete(f"/v1/videos/{video['id']}").status_code == 200
    assert alice.get(path, headers={"Range": "bytes=0-99"}).status_code == 404


def test_past_the_files_sent_at_once_django_and_its_admission_decide_again(tmp_path, monkeypatch):
    """A flood of downloads that never finish must not all start at once from grants."""
    import serving.edge

    monkeypatch.setattr(serving.edge, "GRANTED_AT_ONCE", 2)
    data = os.urandom(1000)
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    django = Django(path)
    release = asyncio.Event()
    started: list[int] = []

    async def stalled_send(params: dict, scope: Any, receive: Any, send: Any, start: Any) -> None:
        started.append(1)
        await send(start)
        await release.wait()  # a client that never reads: the send never ends

    edge = Edge(django, {"sendfile": stalled_send}, grants=FileGrants())

    async def request() -> None:
        headers = [(b"cookie", b"session=alice"), (b"range", b"bytes=0-99")]
        scope = {"type": "http", "method": "GET", "path": CONTENT, "query_string": b"", "headers": headers}

        async def receive() -> dict:
            await asyncio.Event().wait()
            return {}

        async def send(message: MutableMapping[str, Any]) -> None:
            pass

        await edge(scope, _first_then_wait(receive), send)

    async def flood() -> None:
        tasks = []
        for n in range(1, 7):  # one after another, each left sending
            tasks.append(asyncio.ensure_future(request()))
            while len(started) < n:
                await asyncio.sleep(0.01)
        release.set()
        await asyncio.gather(*tasks)

    asyncio.run(asyncio.wait_for(flood(), 10))
    # The first through Django made the grant; two more from it; the other three through Django.
    assert django.calls == 4


def _first_then_wait(receive: Any) -> Any:
    sent: list[int] = []

    async def first() -> dict:
        if not sent:
            sent.append(1)
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return first
