"""Connection floods against a running studio, spoken as raw HTTP/1.1 over sockets: the kinds
of flood and the client process that holds a flood's connections.

Shared by bench/flood.py, bench/streams.py and tests/test_flood.py, with the orchestrator's side
(tests/support/flood_runner.py: starts the client processes, sums their reports), the probes
(tests/support/probes.py: one request on a fresh connection, the /healthz sampler) and the
studio to flood (tests/support/flood_studio.py: its jobs, the checks after a flood). Nothing
here knows how the studio serves: the floods, the /healthz sampler and the after-checks only
open sockets to 127.0.0.1:<port>. Kinds of flood (each connection from its own loopback source
address 127.0.x.y, x >= 1, so a per-address limit cannot hide a problem; the probes come from
127.0.0.1, which no flood connection uses):

- `idle`: connect, send nothing;
- `slowloris`: send a request line, then one header line a second, never the blank line;
- `streams`: `GET <path>` as an EventSource does, and read whatever comes;
- `downloads`: `GET <path>` (an MP4), read the answer's headers, then never read again (the
  socket's receive buffer is made small, so the server's writes stall soon).

The flood runs in client processes (`python -m tests.support.flood PLAN`, stdlib only, asyncio
on raw non-blocking sockets), each holding up to `per_process` connections with its soft
RLIMIT_NOFILE raised to the hard limit. A client process writes one JSON line per event on
stdout: `ready` once every connection it was given is open (or refused / timed out) and its
request is sent, `progress` twice a second, `result` after it read `stop` on stdin.

"Closed by the server" is seen by the client as EOF or a reset; for `downloads`, which never
read, it is seen in /proc/net/tcp: the server's side of the connection is no longer
ESTABLISHED or CLOSE_WAIT (the server released it; what it had queued may still be in flight).
"""

from __future__ import annotations

import asyncio
import collections
import errno
import json
import resource
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from tests.support.probes import HOST, parse_head

KINDS = ("idle", "slowloris", "streams", "downloads")
SLOW_KINDS = ("idle", "slowloris", "downloads")  # clients the server is expected to time out
ASKING = ("streams", "downloads")  # kinds that send a whole request and expect an answer
DOWNLOAD_RCVBUF = 16 * 1024  # the kernel doubles it; keeps a stalled download's buffers small
_HELD_STATES = {"01", "08"}  # ESTABLISHED, CLOSE_WAIT: the server still holds its socket


def source_address(index: int) -> str:
    """The index-th flood connection's source address: 127.0.x.y with x and y in 1..254."""
    high, low = divmod(index, 254)
    if high >= 254:
        raise ValueError(f"no more than {254 * 254} flood connections")
    return f"127.0.{high + 1}.{low + 1}"


def raise_nofile() -> int:
    """Raise this process's soft RLIMIT_NOFILE to its hard limit; returns the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


# --- the flood's client processes --------------------------------------------------------------


@dataclass
class ClientPlan:
    port: int
    kind: str
    first: int  # index of this process's first connection (its source address)
    count: int
    t0: float  # time.monotonic() at the flood's start (CLOCK_MONOTONIC is system-wide)
    path: str = "/"
    connect_timeout: float = 10.0
    connect_parallel: int = 1000
    rcvbuf: int = 0
    line_interval: float = 1.0  # slowloris: seconds between header lines
    progress_interval: float = 0.5


class _Conn:
    __slots__ = ("answered_at", "closed_at", "ctype", "events", "head", "how", "key", "opened_at", "sock", "status")

    def __init__(self, sock: socket.socket, opened_at: float) -> None:
        self.sock = sock
        self.opened_at = opened_at
        self.head = b""
        self.status: int | None = None
        self.ctype = ""
        self.answered_at: float | None = None
        self.closed_at: float | None = None
        self.how = ""
        self.events = 0
        ip, port = sock.getsockname()[:2]
        # How /proc/net/tcp writes this address: the IPv4 word in host order, the port in hex.
        self.key = f"{struct.unpack('=I', socket.inet_aton(ip))[0]:08X}:{port:04X}"


def _emit(tag: str, payload: dict[str, Any]) -> None:
    sys.stdout.write(f"{tag} {json.dumps(payload)}\n")
    sys.stdout.flush()


class _Client:
    def __init__(self, plan: ClientPlan) -> None:
        self.plan = plan
        self.loop = asyncio.get_running_loop()
        self.conns: list[_Conn] = []
        self.connect = collections.Counter[str]()
        self.connect_max = 0.0
        self.closed = 0
        self.slow: collections.deque[tuple[float, _Conn]] = collections.deque()
        target = f"{HOST}:{plan.port}"
        if plan.kind == "slowloris":
            self.request = f"GET /v1/videos HTTP/1.1\r\nHost: {target}\r\n".encode()
        elif plan.kind == "streams":
            self.request = (
                f"GET {plan.path} HTTP/1.1\r\nHost: {target}\r\nAccept: text/event-stream\r\n"
                "Cache-Control: no-cache\r\n\r\n"
            ).encode()
        elif plan.kind == "downloads":
            self.request = f"GET {plan.path} HTTP/1.1\r\nHost: {target}\r\nAccept: */*\r\n\r\n".encode()
        else:
            self.request = b""

    async def run(self) -> dict[str, Any]:
        stop = asyncio.Event()
        threading.Thread(target=self._read_stdin, args=(stop,), daemon=True).start()
        gate = asyncio.Semaphore(self.plan.connect_parallel)
        watchers: set[asyncio.Task[None]] = set()
        opening: asyncio.Future[Any] = asyncio.ensure_future(
            asyncio.gather(
                *(self._open(i, gate, watchers) for i in range(self.plan.first, self.plan.first + self.plan.count))
            )
        )
        stopping: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
        await asyncio.wait({opening, stopping}, return_when=asyncio.FIRST_COMPLETED)
        side = [asyncio.ensure_future(self._progress())]
        if opening.done():
            _emit("ready", {"at": time.monotonic() - self.plan.t0, "opened": len(self.conns)})
            if self.plan.kind == "slowloris":
                side.append(asyncio.ensure_future(self._drip()))
            if self.plan.kind == "downloads":
                side.append(asyncio.ensure_future(self._watch_server_side()))
            await stopping
        result = self._result()
        for task in [opening, *side, *watchers]:
            task.cancel()
        await asyncio.gather(opening, *side, *watchers, return_exceptions=True)
        for conn in self.conns:
            conn.sock.close()
        return result

    def _read_stdin(self, stop: asyncio.Event) -> None:
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        self.loop.call_soon_threadsafe(stop.set)  # "stop", or the orchestrator went away

    async def _open(self, index: int, gate: asyncio.Semaphore, watchers: set[asyncio.Task[None]]) -> None:
        async with gate:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            if self.plan.rcvbuf:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.plan.rcvbuf)
            started = time.monotonic()
            try:
                sock.bind((source_address(index), 0))
                await asyncio.wait_for(self.loop.sock_connect(sock, (HOST, self.plan.port)), self.plan.connect_timeout)
            except TimeoutError:
                self.connect["connect timed out"] += 1
                sock.close()
                return
            except ConnectionRefusedError:
                self.connect["refused"] += 1
                sock.close()
                return
            except OSError as exc:
                self.connect[f"connect {errno.errorcode.get(exc.errno or 0, str(exc))}"] += 1
                sock.close()
                return
            now = time.monotonic()
            self.connect_max = max(self.connect_max, now - started)
            conn = _Conn(sock, now)
            self.conns.append(conn)
            if self.request:
                try:
                    await self.loop.sock_sendall(sock, self.request)
                except OSError:
                    self._closed(conn, "reset while sending")
                    return
            if self.plan.kind == "slowloris":
                self.slow.append((now + self.plan.line_interval * (0.5 + (index % 97) / 97), conn))
        task = asyncio.ensure_future(self._watch(conn))
        watchers.add(task)
        task.add_done_callback(watchers.discard)

    def _closed(self, conn: _Conn, how: str) -> None:
        if conn.closed_at is None:
            conn.closed_at, conn.how = time.monotonic(), how
            self.closed += 1

    async def _watch(self, conn: _Conn) -> None:
        """Read until the server closes; a download stops reading once it has the answer's headers."""
        try:
            while True:
                data = await self.loop.sock_recv(conn.sock, 65536)
                if not data:
                    self._closed(conn, "eof")
                    return
                if conn.status is None:
                    conn.head += data
                    end = conn.head.find(b"\r\n\r\n")
                    if end < 0:
                        if len(conn.head) > 65536:
                            conn.status = -1
                        continue
                    try:
                        conn.status, headers = parse_head(conn.head[:end])
                    except ValueError:
                        conn.status, headers = -1, {}
                    conn.ctype = headers.get("content-type", "")
                    conn.answered_at = time.monotonic()
                    data, conn.head = conn.head[end + 4 :], b""
                    if self.plan.kind == "downloads" and conn.status in (200, 206):
                        return  # hold it: never read the body
                if self.plan.kind == "streams":
                    conn.events += data.count(b"data:")
        except OSError as exc:
            self._closed(conn, "reset" if isinstance(exc, ConnectionResetError) else type(exc).__name__)

    async def _drip(self) -> None:
        """Slowloris: one more header line on each connection every `line_interval` seconds."""
        sent = 0
        while True:
            now = time.monotonic()
            while self.slow and self.slow[0][0] <= now:
                due, conn = self.slow.popleft()
                if conn.closed_at is not None or conn.status is not None:
                    continue
                sent += 1
                try:
                    conn.sock.send(f"X-Slow-{sent % 1000}: {sent}\r\n".encode())
                except BlockingIOError:
                    pass
                except OSError:
                    self._closed(conn, "reset while sending")
                    continue
                self.slow.append((due + self.plan.line_interval, conn))
            await asyncio.sleep(0.02)

    async def _watch_server_side(self) -> None:
        """Downloads: a held connection whose server side is gone from ESTABLISHED/CLOSE_WAIT
        was released by the server (timed out, or closed over a limit)."""
        local = f"0100007F:{self.plan.port:04X}"
        while True:
            held = [c for c in self.conns if c.closed_at is None and c.status in (200, 206)]
            if held:
                states = await self.loop.run_in_executor(None, _server_side_states, local)
                for conn in held:
                    state = states.get(conn.key)
                    if state not in _HELD_STATES:
                        self._closed(
                            conn, "released" if state is None else f"released ({_TCP_STATES.get(state, state)})"
                        )
            await asyncio.sleep(1.0)

    async def _progress(self) -> None:
        while True:
            answered = sum(1 for c in self.conns if c.status is not None or c.closed_at is not None)
            _emit("progress", {"open": len(self.conns) - self.closed, "opened": len(self.conns), "answered": answered})
            await asyncio.sleep(self.plan.progress_interval)

    def _result(self) -> dict[str, Any]:
        statuses = collections.Counter(str(c.status) for c in self.conns if c.status is not None)
        refusals = [c for c in self.conns if c.status in (429, 503)]
        return {
            "attempted": self.plan.count,
            "opened": len(self.conns),
            "connect": dict(self.connect),
            "connect_max_s": self.connect_max,
            "closed": self.closed,
            "close_how": dict(collections.Counter(c.how for c in self.conns if c.closed_at is not None)),
            "close_after": [c.closed_at - c.opened_at for c in self.conns if c.closed_at is not None],
            "closed_at": [c.closed_at - self.plan.t0 for c in self.conns if c.closed_at is not None],
            "statuses": dict(statuses),
            "answer_after": [c.answered_at - c.opened_at for c in self.conns if c.answered_at is not None],
            "no_answer": sum(1 for c in self.conns if c.status is None) if self.plan.kind in ASKING else 0,
            "json_refusals": sum(1 for c in refusals if "json" in c.ctype),
            "with_events": sum(1 for c in self.conns if c.events > 0),
        }


_TCP_STATES = {
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "06": "TIME_WAIT",
    "07": "CLOSE",
    "09": "LAST_ACK",
    "0B": "CLOSING",
}


def _server_side_states(local: str) -> dict[str, str]:
    """{remote address: state} of the sockets whose local address is `local` (the studio's)."""
    states: dict[str, str] = {}
    with open("/proc/net/tcp") as fh:
        next(fh)
        for line in fh:
            parts = line.split(None, 4)
            if len(parts) > 3 and parts[1] == local:
                states[parts[2]] = parts[3]
    return states


def client_main(plan_json: str) -> None:
    plan = ClientPlan(**json.loads(plan_json))
    raise_nofile()

    async def main() -> dict[str, Any]:
        return await _Client(plan).run()

    _emit("result", asyncio.run(main()))


if __name__ == "__main__":
    client_main(sys.argv[1])
