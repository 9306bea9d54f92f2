"""A loopback tt-media-server for bench/fleet.py: one mesh that makes one video at a time in a
fixed generation time, with the server's own job queue in front of it.

FakeUpstream (tests/support/upstream.py) gives the HTTP server, the token and the video; this
adds what the fleet bench needs and FakeUpstream's async mode lacks (its jobs all run at once):

- tt-media-server's async video API at `{PATH}`: POST -> 202 queued; the mesh takes jobs first
  come, first served, one at a time, each `seconds` long (queued -> in_progress -> completed);
  GET `{PATH}/{id}`, `/download` (409 until completed), POST `/cancel` (a queued job leaves the
  queue; a running one frees the mesh).
- `/tt-liveness` (`runner_in_use`, `model_ready`, `queue_size`: jobs waiting, not the running one)
  and `/health`, as the server answers them.
- The mesh's side of the accounting: each generation's window (prompt, start, end, finished)
  and each download, so busy time is measured where the accelerator is, not guessed from the
  studio.
- `kill()`: the server dies mid-burst: the running generation is lost, queued jobs never run,
  and every connection (kept-alive ones too) is refused or reset from then on.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import studio_setup  # noqa: F401  (puts app/backend, and so tests.support, on sys.path)
from tests.support.upstream import PATH, FakeUpstream
from tests.support.upstream_answers import send_json


@dataclass
class Run:
    """One generation on the mesh: [start, end); `finished` False if cut short (cancel, kill)."""

    prompt: str
    start: float
    end: float = 0.0
    finished: bool = False


@dataclass
class MeshJob:
    id: str
    prompt: str
    created: float
    status: str = "queued"  # queued | in_progress | completed | cancelled


@dataclass
class MeshUpstream(FakeUpstream):
    mode: str = "mesh"
    seconds: float = 0.3  # the fixed generation time of one video
    runner: str = "tt-wan2.2"
    name: str = "mesh"
    runs: list[Run] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)  # the prompt of each video downloaded
    mesh_jobs: dict[str, MeshJob] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._queue: deque[MeshJob] = deque()
        self._wake = threading.Condition()
        self._stop_run = threading.Event()  # cuts the running generation short (cancel, kill)
        self._running: MeshJob | None = None
        self.dead = False
        super().__post_init__()
        threading.Thread(target=self._mesh, daemon=True, name=f"mesh-{self.name}").start()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- the mesh -----------------------------------------------------------------------------

    def _mesh(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self.dead:
                    self._wake.wait()
                if self.dead:
                    return
                job = self._queue.popleft()
                job.status, self._running = "in_progress", job
                self._stop_run.clear()
                run = Run(job.prompt, time.monotonic())
                self.runs.append(run)
            cut = self._stop_run.wait(self.seconds)
            with self._wake:
                run.end, run.finished = time.monotonic(), not cut
                self._running = None
                if not cut:
                    job.status = "completed"

    def busy_seconds_between(self, start: float, end: float) -> float:
        """Seconds the mesh spent generating within [start, end) (a run still going counts to now)."""
        now = time.monotonic()
        return sum(max(0.0, min(r.end or now, end) - max(r.start, start)) for r in list(self.runs))

    def kill(self) -> None:
        """The server dies: the running video is lost, the queue never runs, nothing answers."""
        with self._wake:
            self.dead = True
            self._stop_run.set()
            self._wake.notify_all()
        self.server.shutdown()
        self.server.server_close()

    # --- HTTP ---------------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        if self.dead:  # a kept-alive connection to a dead server: reset, as the kernel would
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return None
        length = int(h.headers.get("content-length") or 0)
        raw = h.rfile.read(length) if length else b""
        if h.path in ("/tt-liveness", "/health"):
            return self._mesh_liveness(h)
        if self.token and h.headers.get("authorization") != f"Bearer {self.token}":
            return send_json(h, 401, {"detail": "Invalid or missing token"})
        if method == "POST" and h.path == PATH:
            return self._submit(h, json.loads(raw or b"{}"))
        rest = h.path[len(PATH) + 1 :].split("/") if h.path.startswith(PATH + "/") else []
        job = self.mesh_jobs.get(rest[0]) if rest else None
        if job is None:
            return send_json(h, 404, {"detail": "Job not found"})
        if method == "GET" and len(rest) == 1:
            return send_json(h, 200, self._view(job))
        if method == "GET" and rest[1:] == ["download"]:
            if job.status != "completed":
                return send_json(h, 409, {"detail": "not finished"})
            self.downloads.append(job.prompt)
            return self._body(h, "sync")
        if method == "POST" and rest[1:] == ["cancel"]:
            self._cancel(job)
            return send_json(h, 200, self._view(job))
        return send_json(h, 404, {"detail": "no such route"})

    def _mesh_liveness(self, h: BaseHTTPRequestHandler) -> None:
        if h.path == "/health":
            return send_json(h, 200, {})
        with self._wake:
            waiting = len(self._queue)
        liveness = {
            "status": "alive",
            "model_ready": True,
            "queue_size": waiting,
            "max_queue_size": 5000,
            "device_mesh_shape": [4, 8],
            "device": "galaxy",
            "worker_info": {"0": {"pid": None, "is_alive": True, "is_ready": True}},
            "runner_in_use": self.runner,
            "canary_alive": True,
            "canary_state": "disabled",
        }
        return send_json(h, 200, liveness)

    def _submit(self, h: BaseHTTPRequestHandler, body: dict) -> None:
        job = MeshJob(uuid.uuid4().hex, str(body.get("prompt", "")), time.time())
        with self._wake:
            self.mesh_jobs[job.id] = job
            self._queue.append(job)
            self._wake.notify()
        view = {"id": job.id, "object": "video", "status": "queued", "created_at": int(job.created), "model": "wan2.2"}
        return send_json(h, 202, view)

    def _cancel(self, job: MeshJob) -> None:
        with self._wake:
            if job.status == "queued":
                self._queue.remove(job)
            elif job is self._running:
                self._stop_run.set()
            if job.status in ("queued", "in_progress"):
                job.status = "cancelled"

    def _view(self, job: MeshJob) -> dict:
        progress = 100 if job.status == "completed" else 0
        if job.status == "in_progress" and self.runs:
            progress = min(99, int(100 * (time.monotonic() - self.runs[-1].start) / self.seconds))
        return {"id": job.id, "object": "video", "status": job.status, "progress": progress, "model": "wan2.2"}
