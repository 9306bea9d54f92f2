#!/usr/bin/env python3
"""Memory while relaying a 256 MB upstream MP4: the studio against a seed-style buffering proxy.

The upstream (loopback, synchronous tt-cloud form) answers a real MP4 of 256 MB: a small
H.264 clip (moov first) followed by a top-level `free` box that fills it to size. Players
and PyAV skip the padding, so the studio's probe and thumbnail pass and the job completes;
every byte still goes through the relay path (upstream -> scratch file -> storage).

- studio: POST /v1/videos (tt-cloud), wait until completed, then download the 256 MB back
  from /v1/videos/{id}/content; the studio process's RSS is sampled every 10 ms and its
  VmHWM (peak, reset through /proc/<pid>/clear_refs just before) read afterwards;
- seed-style proxy: what the seed's view does, in its own process: read the whole upstream
  answer into memory (`answer.content`), then send it; same sampling.

Both growths are against each process's RSS just before its run. Goal: studio < 32 MB.

    .venv/bin/python bench/relay_memory.py [--mb 256]
"""

from __future__ import annotations

import argparse
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from studio_setup import cloud_studio
from tests.support.studio import free_port
from tests.support.upstream import FakeUpstream

MB = 1024 * 1024

PROXY = r"""
import sys, httpx
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
upstream, token, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        answer = httpx.post(upstream, content=body, timeout=300,
                            headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        data = answer.content  # the seed: requests.post(...).content, then HttpResponse(content)
        self.send_response(answer.status_code)
        self.send_header("Content-Type", answer.headers.get("content-type", ""))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def big_mp4(size: int) -> bytes:
    from tests.support.media import tiny_mp4

    clip = tiny_mp4(frames=16, width=320, height=240)
    pad = size - len(clip) - 8
    return clip + struct.pack(">I4s", pad + 8, b"free") + bytes(pad)


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


class Sampler:
    """Peak VmRSS of a process, sampled every 10 ms, plus its VmHWM (reset at start)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False
        self.base = rss_kb(pid)
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_kb(self.pid))

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        hwm = rss_kb(self.pid, "VmHWM")
        peak = max(self.peak, hwm) if self.hwm_reset else self.peak
        return {
            "base_mb": self.base / 1024,
            "peak_mb": peak / 1024,
            "growth_mb": (peak - self.base) / 1024,
            "hwm_reset": self.hwm_reset,
        }


def drain(response: httpx.Response) -> int:
    total = 0
    for chunk in response.iter_raw(1 * MB):
        total += len(chunk)
    return total


def run_studio(upstream: FakeUpstream, size: int) -> dict:
    data = Path(tempfile.mkdtemp(prefix="bench-relay-"))
    studio = cloud_studio(upstream, data, CLOUD_VIDEO_GENERATION_TIMEOUT=300, VIDEO_RATE_LIMIT_PER_MINUTE=0).start()
    try:
        big = upstream.video
        # Warm-up with a small video: imports (PyAV, numpy) and first-use allocations are not growth.
        from tests.support.media import tiny_mp4

        upstream.video = tiny_mp4()
        with studio.client(timeout=300) as client:
            first = client.post("/v1/videos", json={"prompt": "warm up", "model": "tt-cloud"}).json()
            assert studio.wait_for(first["id"])["status"] == "completed"
            drain_small = client.get(f"/v1/videos/{first['id']}/content")
            assert drain_small.status_code == 200
            upstream.video = big
            time.sleep(0.5)
            sampler = Sampler(studio.pid)
            started = time.monotonic()
            job = client.post("/v1/videos", json={"prompt": "a big one", "model": "tt-cloud"}).json()
            done = studio.wait_for(job["id"], timeout=600)
            relay_s = time.monotonic() - started
            assert done["status"] == "completed", done
            with client.stream("GET", done["content_url"]) as response:
                served = drain(response)
            result = sampler.stop()
    finally:
        studio.stop()
    result.update(bytes=served, seconds=relay_s, stored=done["metadata"]["bytes"])
    assert served == size == done["metadata"]["bytes"], (served, size, done["metadata"])
    return result


def run_seed(upstream: FakeUpstream, size: int) -> dict:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", PROXY, upstream.url, upstream.token, str(port)])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        # Warm-up: the proxy's first request imports and allocates what any request needs.
        from tests.support.media import tiny_mp4

        big, upstream.video = upstream.video, tiny_mp4()
        httpx.post(f"http://127.0.0.1:{port}/", json={"prompt": "warm up"}, timeout=60).raise_for_status()
        upstream.video = big
        time.sleep(0.5)
        sampler = Sampler(proc.pid)
        started = time.monotonic()
        with httpx.stream("POST", f"http://127.0.0.1:{port}/", json={"prompt": "a big one"}, timeout=600) as response:
            served = drain(response)
        seconds = time.monotonic() - started
        result = sampler.stop()
    finally:
        proc.kill()
        proc.wait()
    assert served == size, (served, size)
    result.update(bytes=served, seconds=seconds)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=256, help="size of the upstream MP4 in MiB")
    args = parser.parse_args()
    size = args.mb * MB
    upstream = FakeUpstream(mode="sync", video=big_mp4(size))
    print(f"relay memory: one {args.mb} MiB MP4 from a loopback upstream, studio vs a seed-style buffering proxy")
    try:
        seed = run_seed(upstream, size)
        studio = run_studio(upstream, size)
    finally:
        upstream.close()
    print(f"{'':34}{'RSS before MB':>14}{'peak MB':>9}{'growth MB':>11}{'seconds':>9}")
    for name, r in (("seed-style proxy (buffers)", seed), ("studio (relay + serve back)", studio)):
        print(f"{name:34}{r['base_mb']:>14.1f}{r['peak_mb']:>9.1f}{r['growth_mb']:>11.1f}{r['seconds']:>9.1f}")
    ratio = seed["growth_mb"] / max(studio["growth_mb"], 0.1)
    print(f"peak growth seed/studio: {ratio:.1f}x; VmHWM reset available: {studio['hwm_reset']}")
    print("goal (studio growth < 32 MB):", "met" if studio["growth_mb"] < 32 else "NOT met")


if __name__ == "__main__":
    main()
