"""A studio to flood (tests/support/flood.py): one finished MP4 to download, one job the
loopback upstream keeps running (its event stream), and the checks after a flood (/healthz,
GET /v1/videos and the MP4, byte for byte) with the studio log's last error.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tests.support.media import tiny_mp4
from tests.support.probes import Answer, http_get
from tests.support.studio import StudioServer
from tests.support.upstream import FakeUpstream


def padded_mp4(size: int) -> bytes:
    """A real MP4 of exactly `size` bytes: a small H.264 clip and a `free` box (players skip it)."""
    clip = tiny_mp4(frames=16, width=320, height=240)
    pad = size - len(clip) - 8
    if pad < 0:
        raise ValueError(f"an MP4 of at least {len(clip) + 8} bytes")
    return clip + struct.pack(">I4s", pad + 8, b"free") + bytes(pad)


def flood_upstream(mp4: bytes) -> FakeUpstream:
    """A tt-cloud upstream that answers the first job with `mp4` and keeps later ones in_progress."""
    return FakeUpstream(mode="async_never", script=["sync"], video=mp4)


def flood_settings(upstream: FakeUpstream) -> dict[str, str | int | float]:
    return {
        "CLOUD_VIDEO_GENERATION_URL": upstream.url,
        "CLOUD_VIDEO_GENERATION_AUTH_TOKEN": upstream.token,
        "CLOUD_VIDEO_GENERATION_POLL_INTERVAL": 1.0,
        "STUDIO_LOG_LEVEL": "WARNING",
    }


@dataclass
class FloodJobs:
    finished: str  # a completed job whose stored MP4 is `mp4`
    running: str  # a job the upstream keeps in_progress
    mp4: bytes  # as stored: the studio signs what it stores (Content Credentials), so not the upstream's bytes

    @property
    def content_path(self) -> str:
        return f"/v1/videos/{self.finished}/content"

    @property
    def events_path(self) -> str:
        return f"/v1/videos/{self.running}/events"

    def path_for(self, kind: str) -> str:
        return {"streams": self.events_path, "downloads": self.content_path}.get(kind, "/v1/videos")


def prepare_jobs(studio: StudioServer, timeout: float = 60) -> FloodJobs:
    """On a studio started with flood_settings(flood_upstream(mp4)): one finished job, one running."""
    with studio.client() as client:
        done = client.post("/v1/videos", json={"prompt": "a finished clip to download"}).json()
        video = studio.wait_for_as(client, done["id"], ("completed", "failed", "cancelled"), timeout)
        if video["status"] != "completed":
            raise RuntimeError(f"the finished job ended {video['status']}: {video.get('error')}")
        stored = client.get(f"/v1/videos/{done['id']}/content")
        stored.raise_for_status()
        running = client.post("/v1/videos", json={"prompt": "a job that keeps running"}).json()
        studio.wait_for_as(client, running["id"], ("in_progress",), timeout)
    return FloodJobs(done["id"], running["id"], stored.content)


def after_checks(port: int, jobs: FloodJobs, timeout: float) -> dict[str, Answer]:
    return {
        "/healthz": http_get(port, "/healthz", timeout),
        "GET /v1/videos": http_get(port, "/v1/videos", timeout),
        "MP4 download": http_get(port, jobs.content_path, timeout),
    }


def after_problems(answers: dict[str, Answer], jobs: FloodJobs, within: float) -> list[str]:
    problems = [f"{name}: {a.describe()}" for name, a in answers.items() if not a.ok(within)]
    download = answers["MP4 download"]
    if download.ok(within) and download.body != jobs.mp4:
        problems.append(f"MP4 download: {len(download.body)} bytes, not the {len(jobs.mp4)}-byte file")
    return problems


def last_error(log: str) -> str:
    """The last exception line of a studio log ('' when there is none)."""
    for line in reversed(log.splitlines()):
        head = line.split(":", 1)[0].strip()
        if head.endswith(("Error", "Exception", "Exit", "Interrupt")) and " " not in head:
            return line.strip()[:200]
    return ""
