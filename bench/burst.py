#!/usr/bin/env python3
"""24 prompts at once against an upstream that makes one video at a time in T seconds.

Compares, in the same run, a seed-style blocking proxy (one synchronous upstream request
per prompt, timeout 180 s scaled to 3T) with the studio (jobs, a queue in the studio, a
concurrency limit of 1). Prints completed/submitted and the upstream seconds wasted on
videos whose requester had already given up.

    .venv/bin/python bench/burst.py [--prompts 24] [--seconds 0.5]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from studio_setup import cloud_studio
from tests.support.upstream import FakeUpstream


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog of 5 resets a burst of 24 connects
    daemon_threads = True


class SeedStyleProxy:
    """What the seed does: forward each prompt as one blocking request, give up at the timeout."""

    def __init__(self, upstream_url: str, token: str, timeout: float) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                try:
                    answer = httpx.post(
                        upstream_url,
                        content=body,
                        timeout=proxy.timeout,
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                    )
                    code, data, ctype = answer.status_code, answer.content, answer.headers.get("content-type", "")
                except httpx.TimeoutException:
                    code, data, ctype = 504, b'{"error": "timeout"}', "application/json"
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.timeout = timeout
        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run_seed(prompts: int, seconds: float) -> dict:
    upstream = FakeUpstream(mode="sync", delay=seconds, serial=True)
    proxy = SeedStyleProxy(upstream.url, upstream.token, timeout=3 * seconds)
    start = time.monotonic()

    def one(i: int) -> bool:
        try:
            response = httpx.post(proxy.url, json={"prompt": f"prompt {i}"}, timeout=600)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and response.headers.get("content-type") == "video/mp4"

    with ThreadPoolExecutor(prompts) as pool:
        completed = sum(pool.map(one, range(prompts)))
    client_wall = time.monotonic() - start
    _drain(upstream, prompts)  # the upstream keeps generating for requesters that left
    result = {
        "completed": completed,
        "wasted": upstream.wasted_seconds,
        "busy": upstream.busy_seconds,
        "wall": client_wall,
    }
    proxy.close()
    upstream.close()
    return result


def run_studio(prompts: int, seconds: float) -> dict:
    upstream = FakeUpstream(mode="sync", delay=seconds, serial=True)
    data = Path(tempfile.mkdtemp(prefix="bench-burst-"))
    studio = cloud_studio(
        upstream, data, CLOUD_VIDEO_GENERATION_TIMEOUT=3 * seconds, CLOUD_VIDEO_GENERATION_CONCURRENCY=1
    ).start()
    start = time.monotonic()
    try:
        with ThreadPoolExecutor(prompts) as pool:
            ids = list(
                pool.map(
                    lambda i: httpx.post(f"{studio.url}/v1/videos", json={"prompt": f"prompt {i}"}, timeout=30).json()[
                        "id"
                    ],
                    range(prompts),
                )
            )
        submit_wall = time.monotonic() - start
        statuses = [studio.wait_for(i, timeout=prompts * seconds * 4 + 30)["status"] for i in ids]
        wall = time.monotonic() - start
    finally:
        studio.stop()
    result = {
        "completed": statuses.count("completed"),
        "wasted": upstream.wasted_seconds,
        "busy": upstream.busy_seconds,
        "wall": wall,
        "submit": submit_wall,
        "max_concurrent": upstream.max_concurrent,
    }
    upstream.close()
    return result


def _drain(upstream: FakeUpstream, prompts: int) -> None:
    deadline = time.monotonic() + prompts * upstream.delay * 2 + 10
    while len(upstream.posts()) < prompts or upstream._active:
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    time.sleep(upstream.delay + 0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=0.5, help="T: upstream seconds per video")
    args = parser.parse_args()
    n, t = args.prompts, args.seconds
    print(f"burst: {n} prompts at once; upstream makes one video at a time in T={t:g}s; seed timeout 3T={3 * t:g}s")
    seed = run_seed(n, t)
    studio = run_studio(n, t)
    print(f"{'':24}{'completed':>12}{'wasted upstream s':>20}{'upstream busy s':>18}{'wall s':>9}")
    for name, r in (("seed-style proxy", seed), ("studio (jobs)", studio)):
        print(f"{name:24}{r['completed']:>7}/{n:<4}{r['wasted']:>20.1f}{r['busy']:>18.1f}{r['wall']:>9.1f}")
    ratio = studio["completed"] / max(seed["completed"], 1)
    print(
        f"completed ratio studio/seed: {ratio:.1f}x; studio accepted all {n} in {studio['submit']:.2f}s; "
        f"max concurrent upstream requests from the studio: {studio['max_concurrent']}"
    )
    goal = studio["completed"] == n and studio["wasted"] == 0
    print("goal (24/24 and 0 wasted for the studio):", "met" if goal else "NOT met")


if __name__ == "__main__":
    main()
