"""Helpers for tests of tt-cloud's discovery and fleet (tests/test_discovery.py, test_fleet.py):
a studio pointed at FakeUpstreams, waiting on what /v1/models says of its upstreams, and an
AV MP4 (h264 + AAC) such as tt-media-server's LTX-2.3 and MiniMax-H3 runners answer."""

from __future__ import annotations

import io
import time
from fractions import Fraction
from functools import lru_cache

import av
import numpy as np

from tests.support.upstream import FakeUpstream


def fleet_studio(studio_factory, *upstreams: FakeUpstream, **settings: str):
    """A studio using `upstreams` as tt-cloud, in order (tt-1, tt-2, ...), each with its own token,
    no mode or shape settings, reading liveness often."""
    return studio_factory(
        CLOUD_VIDEO_GENERATION_URL=",".join(u.url for u in upstreams),
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=",".join(u.token for u in upstreams),
        CLOUD_VIDEO_GENERATION_POLL_INTERVAL="0.05",
        CLOUD_VIDEO_GENERATION_LIVENESS_INTERVAL="0.2",
        VIDEO_MAX_ATTEMPTS="1",
        **settings,
    )


def tt_cloud_model(client) -> dict:
    return next(m for m in client.get("/v1/models").json()["data"] if m["id"] == "tt-cloud")


def upstream_views(client) -> dict[str, dict]:
    return {u["name"]: u for u in tt_cloud_model(client)["upstreams"]}


def wait_for_state(client, name: str, state: str, timeout: float = 60) -> dict:
    """Poll /v1/models until upstream `name` is in `state` (no timed assertion: the deadline only
    ends a test that would otherwise hang)."""
    deadline = time.monotonic() + timeout
    while True:
        view = upstream_views(client)[name]
        if view["state"] == state:
            return view
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} still {view['state']} ({view['detail']}) after {timeout}s")
        time.sleep(0.05)


def wait_until(check, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout}s")
        time.sleep(0.05)


@lru_cache(maxsize=2)
def av_mp4(seconds: float = 1.0, fps: int = 24, width: int = 64, height: int = 48) -> bytes:
    """An MP4 with an h264 picture and an AAC soundtrack (a 440 Hz tone), as LTX-2.3 answers."""
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = out.add_stream("aac", rate=48000)
        audio.layout = "stereo"
        rng = np.random.default_rng(7)
        for _ in range(int(seconds * fps)):
            picture = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
            for packet in video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        samples, at = int(seconds * 48000), 0
        while at < samples:
            n = min(1024, samples - at)
            t = (np.arange(at, at + n) / 48000).astype(np.float32)
            tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = 48000, at, Fraction(1, 48000)
            for packet in audio.encode(frame):
                out.mux(packet)
            at += n
        for packet in audio.encode():
            out.mux(packet)
    return buf.getvalue()


def has_audio(data: bytes) -> bool:
    with av.open(io.BytesIO(data), mode="r") as container:
        return bool(container.streams.audio)
