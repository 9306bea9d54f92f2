"""Live status and the serving edge, on the real studio: one event stream for all unfinished
jobs, stream caps, streams that hold no request thread, stalled readers dropped, request
bodies refused unread, and the page's assets compressed and cached."""

from __future__ import annotations

import asyncio
import json
import queue
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.studio import StudioServer
from tests.support.upstream import FakeUpstream
from videos.live.hub import CLOSE, Hub, Subscriber

Event = tuple[str, dict]


class EventReader:
    """Reads one SSE stream on a thread into a queue of (event, data)."""

    def __init__(self, url: str) -> None:
        self.events: queue.Queue[Event | None] = queue.Queue()
        self.status: int | None = None
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(url,), daemon=True)
        self._thread.start()
        assert self._opened.wait(10), "the stream did not open"

    def _read(self, url: str) -> None:
        with httpx.stream("GET", url, timeout=httpx.Timeout(30, read=60)) as response:
            self.status = response.status_code
            self._opened.set()
            name = "message"
            for line in response.iter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    self.events.put((name, json.loads(line[6:])))
                    name = "message"
        self.events.put(None)

    def until(self, wanted: str, video_id: str | None = None, status: str | None = None, timeout: float = 30) -> list:
        """Events up to and including the first that matches; fails on timeout or end of stream."""
        seen: list[Event] = []
        deadline = time.monotonic() + timeout
        while True:
            item = self.events.get(timeout=max(deadline - time.monotonic(), 0.01))
            assert item is not None, f"stream ended before {wanted} {video_id} {status}: {seen}"
            seen.append(item)
            name, data = item
            if name == wanted and video_id in (None, data.get("id")) and status in (None, data.get("status")):
                return seen


@pytest.fixture
def held_studio(studio_factory, upstream: FakeUpstream) -> StudioServer:
    """A tt-cloud studio (one job at a time) whose upstream holds every job in_progress until
    the test lets it finish (`release`)."""
    upstream.mode, upstream.delay = "async_never", 0.0
    return studio_factory(
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        CLOUD_VIDEO_GENERATION_POLL_INTERVAL=0.1,
        VIDEO_PREVIEW_ENABLED="false",
    )


def release(upstream: FakeUpstream, jobs: int) -> None:
    """Let the upstream's first `jobs` jobs finish (at their next poll), once it has that many."""
    deadline = time.monotonic() + 30
    while len(upstream.jobs) < jobs:
        assert time.monotonic() < deadline, f"the upstream has {len(upstream.jobs)} jobs, not {jobs}"
        time.sleep(0.02)
    for job in list(upstream.jobs.values())[:jobs]:
        job.outcome = "completed"


def test_one_stream_follows_every_unfinished_job_to_its_end(held_studio: StudioServer, upstream: FakeUpstream) -> None:
    studio = held_studio
    with studio.client() as client:
        first = client.post("/v1/videos", json={"prompt": "first"}).json()
        stream = EventReader(f"{studio.url}/v1/videos/events")
        opening = stream.until("ready")
        assert {data["id"] for name, data in opening if name == "video"} == {first["id"]}

        # Jobs created after the stream opened are on it too, queued behind the first.
        second = client.post("/v1/videos", json={"prompt": "second"}).json()
        doomed = client.post("/v1/videos", json={"prompt": "deleted while queued"}).json()
        assert stream.until("video", doomed["id"], "queued")
        assert client.delete(f"/v1/videos/{doomed['id']}").status_code == 200
        assert stream.until("deleted", doomed["id"])

        release(upstream, 1)
        seen = stream.until("video", first["id"], "completed")
        seen += stream.until("video", second["id"], "in_progress")  # held upstream: seen running
        release(upstream, 2)
        seen += stream.until("video", second["id"], "completed")
        second_states = [data["status"] for name, data in seen if name == "video" and data["id"] == second["id"]]
        assert "in_progress" in second_states and second_states[-1] == "completed"
        assert all(s in ("queued", "in_progress", "completed") for s in second_states)
        # A finished job is reported once; the stream stays open for the next one.
        third = client.post("/v1/videos", json={"prompt": "third"}).json()
        later = stream.until("video", third["id"])
        assert not [d for n, d in later if n == "video" and d["id"] in (first["id"], second["id"])]


def test_one_job_stream_ends_with_its_final_state(held_studio: StudioServer, upstream: FakeUpstream) -> None:
    with held_studio.client() as client:
        job = client.post("/v1/videos", json={"prompt": "one"}).json()
    stream = EventReader(f"{held_studio.url}/v1/videos/{job['id']}/events")
    opening = stream.until("video", job["id"])
    assert opening[-1][1]["status"] in ("queued", "in_progress")  # held: the stream follows it to its end
    release(upstream, 1)
    stream.until("video", job["id"], "completed")
    assert stream.events.get(timeout=10) is None  # the server ended the stream


def open_raw_stream(port: int, path: str = "/v1/videos/events") -> tuple[socket.socket, int, bytes]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        assert chunk, "closed before the headers"
        head += chunk
    return sock, int(head.split(b" ", 2)[1]), head


def test_stream_caps_answer_a_clear_429(studio_factory) -> None:
    studio = studio_factory(VIDEO_EVENTS_MAX_PER_CLIENT=2)
    held = [open_raw_stream(studio.port) for _ in range(2)]
    assert [status for _, status, _ in held] == [200, 200]
    refused = httpx.get(f"{studio.url}/v1/videos/events", timeout=10)
    assert refused.status_code == 429 and refused.headers["retry-after"]
    error = refused.json()["error"]
    assert error["code"] == "too_many_streams" and "limit 2" in error["message"]
    # Closing a stream gives its slot back.
    held[0][0].close()
    deadline = time.monotonic() + 10
    while True:
        sock, status, _ = open_raw_stream(studio.port)
        sock.close()
        if status == 200:
            break
        assert time.monotonic() < deadline, "the closed stream's slot never came back"
        time.sleep(0.1)
    held[1][0].close()


def test_head_on_a_stream_holds_no_slot(studio_factory) -> None:
    """HEAD answers a stream's headers and keeps nothing: many of them never lock the caller out."""
    studio = studio_factory(VIDEO_EVENTS_MAX_PER_CLIENT=2)
    with studio.client() as client:
        for path in ("/v1/videos/events", "/v1/videos/events") * 3:
            head = client.head(path)
            assert head.status_code == 200 and head.headers["content-type"].startswith("text/event-stream")
    held = [open_raw_stream(studio.port) for _ in range(2)]
    assert [status for _, status, _ in held] == [200, 200]
    for sock, _, _ in held:
        sock.close()


def test_open_streams_hold_no_request_thread(studio_factory) -> None:
    """300 streams on a studio that works on 4 requests at once: every stream opens, and the
    API still answers at once (a stream waiting in a request thread would block both)."""
    studio = studio_factory(STUDIO_MAX_CONCURRENT_REQUESTS=4, VIDEO_EVENTS_MAX_PER_CLIENT=1000)
    streams = [open_raw_stream(studio.port) for _ in range(300)]
    assert {status for _, status, _ in streams} == {200}
    assert studio.proc is not None
    threads = int(Path(f"/proc/{studio.proc.pid}/status").read_text().split("Threads:")[1].split()[0])
    assert threads < 100, f"{threads} threads for 300 streams"
    with studio.client(timeout=5) as client:
        started = time.monotonic()
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/videos").status_code == 200
        assert time.monotonic() - started < 1
    for sock, _, _ in streams:
        sock.close()


def completed_video(studio: StudioServer) -> dict:
    with studio.client() as client:
        job = client.post("/v1/videos", json={"prompt": "a file", "size": "64x64", "num_frames": 1}).json()
    return studio.wait_for(job["id"])


def test_a_reader_that_stops_reading_is_dropped(studio_factory) -> None:
    studio = studio_factory(STUDIO_WRITE_TIMEOUT_SECONDS=2)
    done = completed_video(studio)
    stored = studio.data_dir / "media" / "videos" / f"{done['id']}.mp4"
    stored.write_bytes(b"\0" * (48 * 1024**2))  # far more than the socket buffers hold
    for headers in ("", "Range: bytes=0-40000000\r\n"):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", studio.port))
        sock.sendall(f"GET {done['content_url']} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
        time.sleep(5)  # the stall itself: nothing is read for longer than the timeout
        sock.settimeout(10)
        received = 0
        try:
            while chunk := sock.recv(1 << 20):
                received += len(chunk)
        except ConnectionResetError:
            pass  # the kernel's TCP_USER_TIMEOUT reset it: dropped all the same
        sock.close()
        assert received < 40_000_000, "the server kept the stalled response going"
    with studio.client(timeout=5) as client:
        assert client.get("/healthz").status_code == 200


def test_a_chunked_body_over_the_limit_is_refused(studio_factory) -> None:
    studio = studio_factory()

    def body():  # no Content-Length: the server only learns the size by reading
        for _ in range(30):
            yield b"x" * 1024**2

    response = httpx.post(
        f"{studio.url}/v1/videos", content=body(), headers={"content-type": "application/json"}, timeout=30
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    with studio.client() as client:
        assert client.get("/v1/videos").json()["data"] == []  # nothing half-made


def test_page_assets_are_compressed_and_cached_as_immutable(studio_factory, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    script = "export const words = [" + ",".join(f'"word{i % 50}"' for i in range(20000)) + "];\n"
    (dist / "assets" / "index-Ab3_x-9Z.js").write_text(script)
    (dist / "index.html").write_text('<!doctype html><script src="/assets/index-Ab3_x-9Z.js"></script>')
    (dist / "robots.txt").write_text("User-agent: *\n" * 200)
    studio = studio_factory(STUDIO_FRONTEND_DIST=str(dist))
    with studio.client() as client:
        for encoding in ("br", "gzip"):
            asset = client.get("/assets/index-Ab3_x-9Z.js", headers={"accept-encoding": encoding})
            assert asset.headers["content-encoding"] == encoding
            assert int(asset.headers["content-length"]) < len(script) / 4
            assert asset.text == script  # httpx decodes it: the same bytes
            assert asset.headers["cache-control"] == "max-age=315360000, public, immutable"
        plain = client.get("/assets/index-Ab3_x-9Z.js", headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.text == script
        # Files without a content hash in their name are not cached for long, the page never.
        assert "immutable" not in client.get("/robots.txt").headers["cache-control"]
        assert client.get("/video-generation").headers["cache-control"] == "no-cache"


def test_a_stream_that_starts_after_the_stop_began_ends_at_once() -> None:
    """The stop ends every stream (hub.close_all); one that subscribes a moment later must end
    too, or it holds the stop for its whole time-out."""

    async def scenario() -> tuple[str, str]:
        hub = Hub()
        before = Subscriber(owner=None)
        hub.subscribe(before)
        hub.close_all()
        after = Subscriber(owner=None)
        hub.subscribe(after)
        first = await asyncio.wait_for(before.frames.get(), 1)
        while first != CLOSE:  # the whole current state may come first
            first = await asyncio.wait_for(before.frames.get(), 1)
        return first, await asyncio.wait_for(after.frames.get(), 1)

    assert asyncio.run(scenario()) == (CLOSE, CLOSE)
