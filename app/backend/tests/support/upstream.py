"""A loopback stand-in for the tt-cloud endpoint (and tt-media-server), for tests and benchmarks.

Real HTTP on 127.0.0.1. Its behaviour is set per test through `mode`; it records every
request it sees. With `serial=True` it makes one video at a time, like one accelerator.

Fault modes (tests/test_upstream_faults.py): `status:<code>` (JSON error; `retry_after`
adds a Retry-After header), `html_error:<code>` (a proxy's HTML error page), `html`,
`garbage`, `truncated`, `reset` (connection dropped mid-body), `slow_body` (headers at once,
then `slow_chunk` bytes every `stall` seconds), `chunked` (no Content-Length); `async`, `async_fail`,
`async_never`, `async_lost`, `async_bad_id`. `script` overrides `mode` for the next generation requests,
one entry each (e.g. ["status:503", "sync"]); `download_mode` applies a body fault to the
async download; `poll_script` answers the next job polls with these HTTP statuses.
Hostile status answers (tests/test_hostile_upstream.py): `poll_mode` `endless` (a chunked JSON
status that goes on for `endless_bytes`), `trickle` (one byte every `stall` seconds, until the
caller hangs up), `deep` (JSON nested 100,000 levels). `warmup_until` (a monotonic time):
generation requests before it answer 405 "Model is not ready", as tt-media-server does while it
warms up. `cancel_delay`: a cancelled async job stays `cancelling` this long. Async jobs count
towards `max_concurrent` while queued, in progress or cancelling; `polled` is set by each poll.
`held = True` holds generation answers until the test sets it False again (or closes the
upstream): a sync answer waits before its first byte, `slow_body` after its first chunk. A
time-out raced against it cannot lose, however slow the machine: the answer never comes first.
`kill()` stops it as a dead server: `close()` and its open keep-alive connections dropped.
`Blackhole` is an address whose connections are never accepted (a connect timeout).
tt-media-server's request validation, strictly (its 422s, pydantic's `detail` list): `{PATH}/i2v`
checks `image_prompts` (1 to 81 entries, decodable images, distinct frame_pos 0..80) and records
each request's anchors in `i2v_prompts` ([(frame_pos, image bytes), ...]); `i2v_only` makes
`{PATH}` refuse text-only requests with the server's 422; `aspect_ratios` / `durations` are the
shapes served (others: 422 naming them; `aspect_ratio` / `duration_seconds` sent to a server
with none configured: 422 too, as a strict deployment refuses unknown fields).
Those checks are tests/support/media_server_checks.py; the answers, faults included, are
written by tests/support/upstream_answers.py.

tt-media-server's maintenance routes at the server's root (discovery): with `runner` set (e.g.
"tt-wan2.2-i2v") `GET /tt-liveness` answers 200 `{"status": "alive", "model_ready", "queue_size",
"max_queue_size", "runner_in_use", ...}` and `GET /health` 200 `{}` (503 while `warmup_until`;
both 503 while `healthy` is False). `runner=None` (default) answers 404, as the seed's endpoint.
They are recorded in `liveness_seen`, not `seen`, and need no token. `queue_size` counts async
jobs not yet started; `queue_limit` enforces `max_queue_size` with a 429. With `serial=True`
async jobs take turns too (`queued` until the one before ends; `started` on the job); a job
cancelled while queued keeps its turn.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support.media import tiny_mp4
from tests.support.media_server_checks import I2V_ONLY, image_prompts_check, shape_problem
from tests.support.upstream_answers import client_gone, send_body, send_hostile_status, send_json, send_maintenance

PATH = "/video/generations"
# A held answer no test lets go would keep its handler thread for ever; it goes on after this.
MAX_HOLD_SECONDS = 300.0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: object
    at: float = field(default_factory=time.monotonic)  # when it arrived (retry spacing)


@dataclass
class UpstreamJob:
    id: str
    created: float
    seconds: float
    outcome: str = "completed"  # completed | failed | never
    status: str = "queued"
    cancelled: bool = False
    cancelled_at: float = 0.0
    started: float = 0.0  # when it begins on the accelerator (serial: after the job before it)


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog of 5 resets bursts of connects
    daemon_threads = True


@dataclass
class FakeUpstream:
    mode: str = "sync"
    token: str = "sentinel-token-7f3a9c"
    video: bytes = field(default_factory=tiny_mp4)
    delay: float = 0.0  # seconds before answering a generation (sync) / job run time (async)
    serial: bool = False  # one generation at a time, like one accelerator
    tls: tuple[str, str] | None = None  # (certfile, keyfile): serve HTTPS
    seen: list[Seen] = field(default_factory=list)
    jobs: dict[str, UpstreamJob] = field(default_factory=dict)
    busy_seconds: float = 0.0  # accelerator time spent generating
    wasted_seconds: float = 0.0  # generation time whose result nobody downloaded
    max_concurrent: int = 0
    _active: int = 0
    script: list[str] = field(default_factory=list)  # modes for the next generation requests
    download_mode: str = "sync"  # body mode of the async download
    poll_script: list[int] = field(default_factory=list)  # statuses for the next job polls
    retry_after: str | None = None  # Retry-After header on status:<code> answers
    stall: float = 3.0  # seconds between chunks in slow_body mode (and bytes in the trickle poll)
    slow_chunk: int = 1024  # bytes per chunk in slow_body mode
    poll_mode: str = "normal"  # normal | endless | trickle | deep: how job polls are answered
    endless_bytes: int = 300 * 1024 * 1024  # how much the endless status answer sends
    warmup_until: float = 0.0  # monotonic time; generation requests before it answer 405 "not ready"
    cancel_delay: float = 0.0  # seconds a cancelled job stays `cancelling`
    port: int = 0  # 0: any free port; a fixed one stands in for a server restarted at the same address
    i2v_images: list[bytes] = field(default_factory=list)  # first-frame images sent to {PATH}/i2v
    i2v_prompts: list[list[tuple[int, bytes]]] = field(default_factory=list)  # every i2v request's anchors
    i2v_only: bool = False  # an image-to-video deployment: text-only {PATH} answers 422
    aspect_ratios: tuple[str, ...] = ()  # shapes served; empty: aspect_ratio is refused
    durations: tuple[int, ...] = ()
    runner: str | None = None  # tt-media-server's runner_in_use; None: no /tt-liveness, /health (404)
    healthy: bool = True  # False: /tt-liveness and /health answer 503 (its workers are gone)
    max_queue_size: int = 64
    queue_limit: bool = False  # True: a generation request while max_queue_size jobs wait answers 429
    liveness_seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._gpu = threading.Lock()
        self._released = threading.Event()  # clear while answers are held (`held`)
        self._released.set()
        self._connections: set[socket.socket] = set()  # open client connections (kill() drops them)
        self._next_free = 0.0  # serial async: when the accelerator is free of the jobs sent so far
        self.polled = threading.Event()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                with upstream._lock:
                    upstream._connections.add(self.connection)

            def finish(self) -> None:
                with upstream._lock:
                    upstream._connections.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                upstream._handle(self, "POST")

            def do_GET(self) -> None:
                upstream._handle(self, "GET")

        self.server = _Server(("127.0.0.1", self.port), Handler)
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}{PATH}"

    @property
    def held(self) -> bool:
        """True: generation answers wait (a sync one before its first byte, slow_body after its
        first chunk) until this is set False again."""
        return not self._released.is_set()

    @held.setter
    def held(self, value: bool) -> None:
        if value:
            self._released.clear()
        else:
            self._released.set()

    def _wait_released(self) -> None:
        self._released.wait(MAX_HOLD_SECONDS)

    def close(self) -> None:
        self.held = False  # let held handlers go (their callers are gone)
        self.server.shutdown()
        self.server.server_close()

    def kill(self) -> None:
        """Stop as a dead server does: no new connections, and the open ones (keep-alive polls)
        dropped too (`close` alone lets a kept-alive connection go on being answered)."""
        self.close()
        with self._lock:
            open_ones = list(self._connections)
        for sock in open_ones:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def posts(self) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST" and s.path == PATH]

    # --- behaviour ------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("content-length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            body: object = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        if method == "GET" and h.path.split("?")[0] in ("/tt-liveness", "/health"):
            with self._lock:
                self.liveness_seen.append(Seen(method, h.path, dict(h.headers), body))
            return self._maintenance(h, h.path.split("?")[0])
        with self._lock:
            self.seen.append(Seen(method, h.path, dict(h.headers), body))
        if self.token and h.headers.get("authorization") != f"Bearer {self.token}":
            return send_json(h, 401, {"detail": "Invalid or missing token"})
        if method == "POST" and h.path == PATH:
            if self.i2v_only:
                return send_json(h, 422, {"detail": I2V_ONLY})
            shape = shape_problem(body, self.aspect_ratios, self.durations)
            if shape:
                return send_json(h, 422, {"detail": [shape]})
            return self._generate(h)
        if method == "POST" and h.path == PATH + "/i2v":
            problem = self._image_prompts_problem(body) or shape_problem(body, self.aspect_ratios, self.durations)
            if problem:  # tt-media-server's pydantic validation answers 422
                return send_json(h, 422, {"detail": [problem] if isinstance(problem, dict) else problem})
            return self._generate(h)
        rest = h.path[len(PATH) + 1 :].split("/") if h.path.startswith(PATH + "/") else []
        job = self.jobs.get(rest[0]) if rest else None
        if job is None or self.mode == "async_lost":
            return send_json(h, 404, {"detail": "job not found"})
        if method == "GET" and len(rest) == 1:
            with self._lock:
                code = self.poll_script.pop(0) if self.poll_script else 200
            self.polled.set()
            if code != 200:
                return send_json(h, code, {"detail": f"poll answered {code}"})
            if self.poll_mode != "normal":
                return send_hostile_status(h, job.id, self.poll_mode, self.endless_bytes, self.stall)
            return send_json(h, 200, self._job_view(job))
        if method == "GET" and rest[1:] == ["download"]:
            if self._job_view(job)["status"] != "completed":
                return send_json(h, 409, {"detail": "not finished"})
            return self._body(h, self.download_mode)
        if method == "POST" and rest[1:] == ["cancel"]:
            if not job.cancelled:
                job.cancelled, job.cancelled_at = True, time.monotonic()
            return send_json(h, 200, self._job_view(job))
        return send_json(h, 404, {"detail": "no such route"})

    def queue_size(self) -> int:
        """Async jobs sent and not yet started (serial mode's own queue)."""
        now = time.monotonic()
        with self._lock:
            return sum(1 for j in self.jobs.values() if not j.cancelled and j.started > now)

    def _maintenance(self, h: BaseHTTPRequestHandler, path: str) -> None:
        """tt-media-server's /tt-liveness and /health (open_ai_api/tt_maintenance_api.py)."""
        if self.runner is None:
            return send_json(h, 404, {"detail": "Not Found"})
        if not self.healthy:
            return send_json(h, 503, {"detail": "No workers available"})
        ready = time.monotonic() >= self.warmup_until
        return send_maintenance(h, path, self.runner, ready, self.queue_size(), self.max_queue_size)

    def _image_prompts_problem(self, body: object) -> list[dict] | None:
        """What tt-media-server's VideoI2VGenerateRequest refuses; the first frame is kept."""
        problems, anchors = image_prompts_check(body)
        if problems:
            return problems
        with self._lock:
            self.i2v_prompts.append(anchors)
            self.i2v_images.append(dict(anchors).get(0, anchors[0][1]))
        return None

    def _generate(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            mode = self.script.pop(0) if self.script else self.mode
        if mode.startswith("status:"):
            code = int(mode.split(":")[1])
            extra = {"Retry-After": self.retry_after} if self.retry_after is not None else None
            return send_json(
                h, code, {"detail": f"upstream says {code}", "echo": h.headers.get("authorization")}, extra
            )
        if time.monotonic() < self.warmup_until:  # tt-media-server while its model warms up
            return send_json(h, 405, {"detail": "Model is not ready"})
        if mode == "async_bad_id":  # a job id that would walk out of {url}/ in the next requests
            return send_json(h, 202, {"id": "../../../etc/passwd", "status": "queued"})
        if mode.startswith("async"):
            if self.queue_limit and self.queue_size() >= self.max_queue_size:
                return send_json(h, 429, {"detail": "Task queue is full"})
            outcome = {"async_fail": "failed", "async_never": "never"}.get(mode, "completed")
            now = time.monotonic()
            job = UpstreamJob(id=uuid.uuid4().hex, created=now, seconds=self.delay, outcome=outcome, started=now)
            with self._lock:
                if self.serial:  # one accelerator: it starts when the jobs before it are done
                    job.started = max(now, self._next_free)
                    self._next_free = float("inf") if outcome == "never" else job.started + self.delay
                self.jobs[job.id] = job
                active = sum(
                    self._job_view(j)["status"] in ("queued", "in_progress", "cancelling") for j in self.jobs.values()
                )
                self.max_concurrent = max(self.max_concurrent, active)
            return send_json(
                h, 202, {"id": job.id, "status": "queued", "created_at": int(time.time()), "model": "wan2.2"}
            )
        if mode != "slow_body":  # slow_body is held after its first chunk instead
            self._wait_released()
        self._busy(self.delay, h)
        if client_gone(h.connection):  # the caller gave up: that accelerator time was wasted
            with self._lock:
                self.wasted_seconds += self.delay
            return None
        return self._body(h, mode)

    def _body(self, h: BaseHTTPRequestHandler, mode: str) -> None:
        send_body(h, mode, self.video, self.slow_chunk, self.stall, self._wait_released)

    def _busy(self, seconds: float, h: BaseHTTPRequestHandler) -> None:
        """Spend `seconds` of 'accelerator' time; serial mode lets one request at a time in."""
        with self._gpu if self.serial else _nullcontext():
            with self._lock:
                self._active += 1
                self.max_concurrent = max(self.max_concurrent, self._active)
            start = time.monotonic()
            time.sleep(seconds)
            with self._lock:
                self._active -= 1
                self.busy_seconds += time.monotonic() - start

    def _job_view(self, job: UpstreamJob) -> dict:
        now = time.monotonic()
        elapsed = max(0.0, now - job.started)
        if job.cancelled:
            job.status = "cancelling" if now < job.cancelled_at + self.cancel_delay else "cancelled"
        elif now < job.started:
            job.status = "queued"
        elif job.outcome == "never" or elapsed < job.seconds:
            job.status = "in_progress"
        else:
            job.status = job.outcome
        view: dict = {
            "id": job.id,
            "status": job.status,
            "model": "wan2.2",
            "progress": min(100, int(100 * elapsed / max(job.seconds, 0.01))),
        }
        if job.status == "failed":
            view["error"] = {"code": "generation_failed", "message": "out of device memory"}
        return view


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


class Blackhole:
    """A loopback address that never accepts: its listen backlog is full, so the kernel drops
    new SYNs and a client's connect() times out (as with a firewalled or dead host)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self._fillers: list[socket.socket] = []
        for _ in range(3):  # fill the accept queue; these connections are never accepted
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(self.sock.getsockname())
            except BlockingIOError:
                pass
            self._fillers.append(filler)
        time.sleep(0.1)  # let the handshakes land in the queue

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}{PATH}"

    def close(self) -> None:
        for filler in self._fillers:
            filler.close()
        self.sock.close()


def save(video: bytes, path: Path) -> Path:
    path.write_bytes(video)
    return path
