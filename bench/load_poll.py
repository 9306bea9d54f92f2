#!/usr/bin/env python3
"""N clients poll one running job's status (GET /v1/videos/{id}) at 10 Hz each for D seconds:
first all as one caller (one app's workers: the same request), then each as a caller of its
own (people signed in apart: each client sends a cookie of its own).

The same load then goes to a trivial endpoint (/healthz) of the same studio in the same run,
as the baseline: the ratio shows what the status path costs over the server's own floor.
Reports p50/p99 latency, requests/s achieved and errors (non-200 answers, failed connections).
The polled job is a tt-cloud job held in_progress by a loopback upstream, so each answer Django
gives does the full status work (queue position, ETA); a caller asking again within a second
gets that answer without Django (serving/replay.py). Loopback only; it stops by itself.

    .venv/bin/python bench/load_poll.py [--clients 200] [--hz 10] [--seconds 60] [--client raw|httpx] [--slots N]

The default client is a minimal HTTP/1.1 keep-alive client on asyncio streams in 2 worker
processes: on a 2-core machine the load generator shares the cores with the studio, and
httpx's per-request CPU cost alone would cap the offered load below 200 x 10 Hz.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from studio_setup import cloud_studio, held_job
from tests.support.upstream import FakeUpstream

WARMUP = 2.0  # seconds of load not counted (connections opening, caches warming)


async def _raw_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _ticks(hz: float, start: float, stop: float) -> AsyncIterator[float]:
    """Yield send times at `hz` until `stop`; a late client does not burst to catch up."""
    next_at = start
    while True:
        now = time.monotonic()
        if now >= stop:
            return
        if next_at > now:
            await asyncio.sleep(next_at - now)
        sent = time.monotonic()
        next_at = max(next_at + 1 / hz, sent)
        yield sent


async def _client_raw(
    port: int, path: str, hz: float, start: float, stop: float, out: list, errors: list, cookie: str
) -> None:
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n{extra}\r\n".encode()
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    async for sent in _ticks(hz, start, stop):
        try:
            if reader is None or writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            status = await asyncio.wait_for(_raw_request(reader, writer, request), 30)
        except (TimeoutError, OSError, ConnectionError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:
            if sent >= start + WARMUP:
                errors.append(type(exc).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        if sent >= start + WARMUP:
            out.append(time.monotonic() - sent)
            if status != 200:
                errors.append(f"HTTP {status}")
    if writer is not None:
        writer.close()


async def _client_httpx(
    port: int, path: str, hz: float, start: float, stop: float, out: list, errors: list, cookie: str
) -> None:
    headers = {"Cookie": cookie} if cookie else {}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30, headers=headers) as client:
        async for sent in _ticks(hz, start, stop):
            try:
                status = (await client.get(path)).status_code
            except httpx.HTTPError as exc:
                if sent >= start + WARMUP:
                    errors.append(type(exc).__name__)
                continue
            if sent >= start + WARMUP:
                out.append(time.monotonic() - sent)
                if status != 200:
                    errors.append(f"HTTP {status}")


def _worker(args: tuple) -> tuple[list[float], list[str]]:
    port, path, clients, hz, start_wall, seconds, kind, first, own = args
    latencies: list[float] = []
    errors: list[str] = []

    async def main() -> None:
        # Wall clock to agree on a start across processes; monotonic from then on.
        await asyncio.sleep(max(0.0, start_wall - time.time()))
        start = time.monotonic()
        stop = start + WARMUP + seconds
        fn = _client_raw if kind == "raw" else _client_httpx
        # Spread the clients' phases over one period so they do not all fire together.
        await asyncio.gather(
            *(
                fn(port, path, hz, start + i / (clients * hz), stop, latencies, errors, cookie(first + i, own))
                for i in range(clients)
            )
        )

    asyncio.run(main())
    return latencies, errors


def cookie(client: int, own: bool) -> str:
    """Each client its own caller (as people signed in apart are), or all of them one."""
    return f"poller={client}" if own else ""


def run_load(
    port: int, path: str, clients: int, hz: float, seconds: float, kind: str, procs: int, own: bool = False
) -> dict:
    start_wall = time.time() + 1.0
    shares = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    firsts = [sum(shares[:i]) for i in range(procs)]
    work = [
        (port, path, n, hz, start_wall, seconds, kind, first, own) for n, first in zip(shares, firsts, strict=True) if n
    ]
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        parts = pool.map(_worker, work)
    latencies = sorted(x for part, _ in parts for x in part)
    errors = [e for _, part in parts for e in part]
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) >= 2 else [float("nan")] * 99
    return {
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50": q[49] * 1000,
        "p99": q[98] * 1000,
        "max": (latencies[-1] if latencies else float("nan")) * 1000,
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--hz", type=float, default=10.0, help="polls per second per client")
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="measured seconds per endpoint (after a 2 s warm-up)"
    )
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    parser.add_argument("--procs", type=int, default=2, help="load generator processes")
    parser.add_argument(
        "--slots", type=int, help="requests the studio works on at once (STUDIO_MAX_CONCURRENT_REQUESTS)"
    )
    args = parser.parse_args()

    upstream = FakeUpstream(mode="async_never")  # the job stays in_progress for the whole run
    studio = cloud_studio(
        upstream, Path(tempfile.mkdtemp(prefix="bench-load-")), CLOUD_VIDEO_GENERATION_POLL_INTERVAL=1.0
    )
    if args.slots:
        studio.settings["STUDIO_MAX_CONCURRENT_REQUESTS"] = str(args.slots)
    studio.start()
    try:
        path = f"/v1/videos/{held_job(studio, 'polled by many')}"
        offered = args.clients * args.hz
        print(
            f"load: {args.clients} clients x {args.hz:g} Hz = {offered:g} req/s offered, {args.seconds:g} s each, "
            f"{args.client} client in {args.procs} processes, studio pid {studio.pid}, {os.cpu_count()} cores"
        )
        load = (studio.port, path, args.clients, args.hz, args.seconds, args.client, args.procs)
        status = run_load(*load)
        apart = run_load(*load, own=True)
        baseline = run_load(studio.port, "/healthz", *load[2:])
        with studio.client() as client:
            still = client.get(path).json()["status"]
    finally:
        studio.stop()
        upstream.close()
    print(f"{'':28}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
    rows = (("status, one caller", status), ("status, a caller each", apart), ("GET /healthz (baseline)", baseline))
    for name, r in rows:
        print(
            f"{name:28}{r['requests']:>10}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['max']:>9.1f}{r['errors']:>8}"
            + (f"  {r['error_kinds']}" if r["errors"] else "")
        )
    print(f"polled job still {still}")
    for name, r in rows[:2]:
        ratio = r["rps"] / baseline["rps"]
        print(
            f"{name}: p50 {r['p50'] / baseline['p50']:.1f}x, p99 {r['p99'] / baseline['p99']:.1f}x, req/s {ratio:.2f}x;"
            f" goal (0 errors, req/s >= 0.8x /healthz's):",
            "met" if r["errors"] == 0 and ratio >= 0.8 else "NOT met",
        )


if __name__ == "__main__":
    main()
