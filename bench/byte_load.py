"""The load bench/serve.py offers: N keep-alive HTTP/1.1 clients in P processes on raw asyncio
sockets, each reading whole files or random Range slices into one buffer, so the client costs the
same against the studio and against nginx."""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import socket
import time
from dataclasses import dataclass, field

WARMUP = 0.5  # seconds of each run not counted
BUFFER = 1024 * 1024  # one read buffer per client


@dataclass
class Plan:
    port: int
    path: str
    clients: int
    start_wall: float
    seconds: float
    size: int
    range_size: int  # 0: full downloads
    seed: int


@dataclass
class Outcome:
    bytes: int = 0  # body bytes received inside the measured window
    requests: int = 0  # requests completed inside it
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def _fetch(
    loop: asyncio.AbstractEventLoop,
    sock: socket.socket,
    request: bytes,
    view: memoryview,
    count_from: float,
    stop: float,
) -> tuple[int, int, int] | None:
    """One request on a keep-alive connection: (status, Content-Length, body bytes counted), or
    None when the window closed mid-body. Bytes count when they arrive after `count_from`."""
    await loop.sock_sendall(sock, request)
    head = bytearray()
    while True:
        n = await loop.sock_recv_into(sock, view)
        if n == 0:
            raise ConnectionError("closed before the headers")
        head += view[:n]
        end = head.find(b"\r\n\r\n")
        if end >= 0:
            break
    lines = bytes(head[:end]).decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    got = len(head) - end - 4
    counted = got if time.monotonic() >= count_from else 0
    while got < length:
        n = await loop.sock_recv_into(sock, view[: min(len(view), length - got)])
        if n == 0:
            raise ConnectionError(f"closed after {got} of {length} bytes")
        got += n
        now = time.monotonic()
        if now >= stop:
            return None
        if now >= count_from:
            counted += n
    return status, length, counted


async def _one_client(plan: Plan, index: int, start: float, stop: float, out: Outcome) -> None:
    loop = asyncio.get_running_loop()
    rng = random.Random(plan.seed * 1000 + index)
    view = memoryview(bytearray(BUFFER))
    sock: socket.socket | None = None
    base = f"GET {plan.path} HTTP/1.1\r\nHost: 127.0.0.1:{plan.port}\r\n"
    count_from = start + WARMUP
    try:
        while time.monotonic() < stop:
            if plan.range_size:
                first = rng.randrange(0, plan.size - plan.range_size + 1)
                request = (base + f"Range: bytes={first}-{first + plan.range_size - 1}\r\n\r\n").encode()
                want = (206, plan.range_size)
            else:
                request, want = (base + "\r\n").encode(), (200, plan.size)
            sent = time.monotonic()
            try:
                if sock is None:
                    sock = socket.socket()
                    sock.setblocking(False)
                    await loop.sock_connect(sock, ("127.0.0.1", plan.port))
                answer = await _fetch(loop, sock, request, view, count_from, stop)
            except (OSError, ValueError, StopIteration, IndexError) as exc:
                out.errors.append(type(exc).__name__)
                if sock is not None:
                    sock.close()
                sock = None
                continue
            if answer is None:
                return  # the window closed mid-body
            status, length, counted = answer
            done = time.monotonic()
            out.bytes += counted
            if (status, length) != want:
                out.errors.append(f"HTTP {status}, {length} bytes")
            elif sent >= count_from and done < stop:
                out.requests += 1
                out.latencies.append(done - sent)
    finally:
        if sock is not None:
            sock.close()


def _worker(plan: Plan) -> Outcome:
    out = Outcome()

    async def main() -> None:
        await asyncio.sleep(max(0.0, plan.start_wall - time.time()))  # a common start across processes
        start = time.monotonic()
        stop = start + WARMUP + plan.seconds
        await asyncio.gather(*(_one_client(plan, i, start, stop, out) for i in range(plan.clients)))

    asyncio.run(main())
    return out


def run_load(port: int, path: str, size: int, clients: int, seconds: float, procs: int, range_size: int = 0) -> Outcome:
    procs = max(1, min(procs, clients))
    shares = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    start_wall = time.time() + 1.5
    plans = [Plan(port, path, n, start_wall, seconds, size, range_size, seed=i) for i, n in enumerate(shares)]
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        parts = pool.map(_worker, plans)
    total = Outcome()
    for part in parts:
        total.bytes += part.bytes
        total.requests += part.requests
        total.latencies += part.latencies
        total.errors += part.errors
    return total
