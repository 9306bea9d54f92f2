"""Connection floods against a running studio, spoken as raw HTTP/1.1 over sockets.

Shared by bench/flood.py, bench/streams.py and tests/test_flood.py. Nothing here knows how
the studio serves: the floods, the /healthz sampler and the after-checks only open sockets to
127.0.0.1:<port>. Kinds of flood (each connection from its own loopback source address
127.0.x.y, x >= 1, so a per-address limit cannot hide a problem; the probes come from
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
import math
import queue
import resource
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.studio import StudioServer
    from tests.support.upstream import FakeUpstream

BACKEND = Path(__file__).resolve().parents[2]
KINDS = ("idle", "slowloris", "streams", "downloads")
SLOW_KINDS = ("idle", "slowloris", "downloads")  # clients the server is expected to time out
ASKING = ("streams", "downloads")  # kinds that send a whole request and expect an answer
HOST = "127.0.0.1"
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


# --- one request on a fresh connection (probes and after-checks) ---------------------------


@dataclass
class Answer:
    status: int | None
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str = ""

    def ok(self, within: float, status: int = 200) -> bool:
        return not self.error and self.status == status and self.seconds <= within

    def describe(self) -> str:
        if self.error:
            return f"{self.error} after {self.seconds * 1000:.0f} ms"
        return f"{self.status} in {self.seconds * 1000:.1f} ms ({len(self.body)} bytes)"


def _parse_head(raw: bytes) -> tuple[int, dict[str, str]]:
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError(f"not an HTTP status line: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


def _dechunk(body: bytes) -> bytes:
    out: list[bytes] = []
    pos = 0
    while True:
        end = body.index(b"\r\n", pos)
        size = int(body[pos:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(body[end + 2 : end + 2 + size])
        pos = end + 2 + size + 2


def http_request(
    port: int,
    path: str,
    timeout: float,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    headers_only: bool = False,
) -> Answer:
    """One request on a new connection from 127.0.0.1, read to the end of its body (or only to
    the end of its headers), all within `timeout` seconds (connecting included). Never raises
    for network trouble: see Answer.error."""
    start = time.monotonic()
    deadline = start + timeout
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    request = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n{extra}\r\n".encode()
    status: int | None = None
    head: dict[str, str] = {}
    body = b""
    error = ""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(request)
            data = b""
            while b"\r\n\r\n" not in data:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed before the answer's headers")
                data += chunk
            raw_head, _, first = data.partition(b"\r\n\r\n")
            status, head = _parse_head(raw_head)
            if headers_only:
                return Answer(status, time.monotonic() - start, head, first)
            length = int(head.get("content-length", "-1")) if method != "HEAD" else 0
            parts, got = [first], len(first)
            while length < 0 or got < length:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                chunk = sock.recv(1 << 20)
                if not chunk:
                    if length >= 0:
                        raise ConnectionError(f"closed after {got} of {length} body bytes")
                    break
                parts.append(chunk)
                got += len(chunk)
            body = b"".join(parts)
            if "chunked" in head.get("transfer-encoding", "").lower():
                body = _dechunk(body)
    except TimeoutError:
        error = f"no {'headers' if status is None else 'full body'} within {timeout:g} s"
    except (OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    return Answer(status, time.monotonic() - start, head, body, error)


def http_get(port: int, path: str, timeout: float, headers: dict[str, str] | None = None) -> Answer:
    return http_request(port, path, timeout, headers)


# --- /healthz sampled through a flood --------------------------------------------------------


@dataclass
class Sample:
    at: float  # time.monotonic() when it was sent
    status: int | None
    seconds: float
    error: str


class HealthSampler:
    """GET /healthz on a fresh connection every `interval` seconds (the next one starts on time,
    or at once when an answer took longer), each given `timeout` seconds."""

    def __init__(self, port: int, interval: float = 0.1, timeout: float = 1.0, path: str = "/healthz") -> None:
        self.port, self.interval, self.timeout, self.path = port, interval, timeout, path
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="healthz-sampler", daemon=True)

    def start(self) -> HealthSampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            sent = time.monotonic()
            answer = http_get(self.port, self.path, self.timeout)
            with self._cond:
                self.samples.append(Sample(sent, answer.status, answer.seconds, answer.error))
                self._cond.notify_all()
            next_at = max(next_at + self.interval, time.monotonic())
            self._stop.wait(next_at - time.monotonic())

    def wait_samples(self, count: int, after: float, timeout: float) -> int:
        """Block until `count` samples sent at or after `after` (monotonic) are in; returns how many."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                have = sum(1 for s in self.samples if s.at >= after)
                left = deadline - time.monotonic()
                if have >= count or left <= 0:
                    return have
                self._cond.wait(left)

    def stop(self) -> list[Sample]:
        self._stop.set()
        self._thread.join()
        return list(self.samples)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def bad_samples(samples: list[Sample], within: float) -> list[Sample]:
    return [s for s in samples if s.error or s.status != 200 or s.seconds > within]


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
                        conn.status, headers = _parse_head(conn.head[:end])
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


# --- the orchestrator's side -------------------------------------------------------------------


@dataclass
class FloodResult:
    kind: str
    attempted: int = 0
    opened: int = 0
    connect: collections.Counter[str] = field(default_factory=collections.Counter)
    connect_max_s: float = 0.0
    ready_after: float = float("nan")  # seconds from start until every connection was attempted
    closed: int = 0
    close_how: collections.Counter[str] = field(default_factory=collections.Counter)
    close_after: list[float] = field(default_factory=list)  # how long each closed connection lived
    closed_at: list[float] = field(default_factory=list)  # seconds after the flood's start
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    answer_after: list[float] = field(default_factory=list)
    no_answer: int = 0
    json_refusals: int = 0
    with_events: int = 0

    @property
    def not_opened(self) -> int:
        return sum(self.connect.values())

    @property
    def still_open(self) -> int:
        return self.opened - self.closed

    @property
    def unclear_answers(self) -> int:
        """Answers that are neither a success nor a JSON 429/503."""
        good = self.statuses.get("200", 0) + self.statuses.get("206", 0) + self.json_refusals
        return sum(self.statuses.values()) - good

    def add(self, part: dict[str, Any]) -> None:
        self.attempted += part["attempted"]
        self.opened += part["opened"]
        self.connect.update(part["connect"])
        self.connect_max_s = max(self.connect_max_s, part["connect_max_s"])
        self.closed += part["closed"]
        self.close_how.update(part["close_how"])
        self.close_after += part["close_after"]
        self.closed_at += part["closed_at"]
        self.statuses.update(part["statuses"])
        self.answer_after += part["answer_after"]
        self.no_answer += part["no_answer"]
        self.json_refusals += part["json_refusals"]
        self.with_events += part["with_events"]


class FloodClients:
    """`count` connections of one kind against 127.0.0.1:`port`, from client processes."""

    def __init__(
        self,
        port: int,
        kind: str,
        count: int,
        *,
        path: str = "/",
        per_process: int = 2500,
        connect_timeout: float = 10.0,
        connect_parallel: int = 1000,
        line_interval: float = 1.0,
        first_address: int = 0,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        self.port, self.kind, self.count, self.path = port, kind, count, path
        self.per_process = per_process
        self.connect_timeout, self.connect_parallel = connect_timeout, connect_parallel
        self.line_interval = line_interval
        self.first_address = first_address
        self.procs: list[subprocess.Popen[str]] = []
        self.messages: queue.Queue[tuple[int, str, dict[str, Any] | None]] = queue.Queue()
        self.open_now: dict[int, int] = {}  # from each process's latest progress report
        self.opened_now: dict[int, int] = {}
        self.answered_now: dict[int, int] = {}
        self.ready: dict[int, float] = {}
        self.results: dict[int, dict[str, Any]] = {}
        self.t0 = 0.0

    def start(self) -> FloodClients:
        self.t0 = time.monotonic()
        procs = max(1, math.ceil(self.count / self.per_process))
        shares = [self.count // procs + (1 if i < self.count % procs else 0) for i in range(procs)]
        first = self.first_address
        for i, share in enumerate(shares):
            plan = ClientPlan(
                port=self.port,
                kind=self.kind,
                first=first,
                count=share,
                t0=self.t0,
                path=self.path,
                connect_timeout=self.connect_timeout,
                connect_parallel=self.connect_parallel,
                rcvbuf=DOWNLOAD_RCVBUF if self.kind == "downloads" else 0,
                line_interval=self.line_interval,
            )
            first += share
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.support.flood", json.dumps(asdict(plan))],
                cwd=BACKEND,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            self.procs.append(proc)
            threading.Thread(target=self._read, args=(i, proc), daemon=True).start()
        return self

    def _read(self, index: int, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            tag, _, payload = line.partition(" ")
            try:
                self.messages.put((index, tag, json.loads(payload)))
            except ValueError:
                continue
        self.messages.put((index, "exit", None))

    def _next(self, deadline: float) -> bool:
        """Take one message (False when the deadline passed first)."""
        try:
            index, tag, payload = self.messages.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            return False
        if tag == "progress" and payload is not None:
            self.open_now[index] = payload["open"]
            self.opened_now[index] = payload["opened"]
            self.answered_now[index] = payload["answered"]
        elif tag == "ready" and payload is not None:
            self.ready[index] = payload["at"]
        elif tag == "result" and payload is not None:
            self.results[index] = payload
        elif tag == "exit" and index not in self.results:
            code = self.procs[index].wait()
            raise RuntimeError(f"flood client process {index} exited with {code} before reporting")
        return True

    def wait_ready(self, timeout: float) -> float:
        """Wait until every connection was attempted; returns seconds since start()."""
        deadline = time.monotonic() + timeout
        while len(self.ready) < len(self.procs):
            if not self._next(deadline):
                raise TimeoutError(f"the {self.kind} flood's connections were not all attempted in {timeout:g} s")
        return max(self.ready.values())

    def open_connections(self) -> int:
        return sum(self.open_now.values())

    def wait_all_closed(self, until: float, give_up: Callable[[], bool] | None = None) -> bool:
        """Wait until the server has closed every opened connection, or monotonic `until`, or
        `give_up()` is true (checked at each progress report, twice a second)."""
        while True:
            while self._next(time.monotonic()):  # drain what is already there
                pass
            if len(self.open_now) == len(self.procs) and self.open_connections() == 0:
                return True
            if (give_up is not None and give_up()) or not self._next(until):
                return False

    def wait_all_answered(self, until: float) -> bool:
        """Wait until every opened connection has had an answer's headers or was closed (streams,
        downloads), or monotonic `until`."""
        while True:
            while self._next(time.monotonic()):
                pass
            reported = len(self.answered_now) == len(self.procs)
            if reported and sum(self.answered_now.values()) >= sum(self.opened_now.values()):
                return True
            if not self._next(until):
                return False

    def stop(self, timeout: float = 60) -> FloodResult:
        """Tell the client processes to report and close their connections."""
        for proc in self.procs:
            assert proc.stdin is not None
            try:
                proc.stdin.write("stop\n")
                proc.stdin.close()
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        while len(self.results) < len(self.procs):
            if not self._next(deadline):
                raise TimeoutError(f"the {self.kind} flood's clients did not report within {timeout:g} s")
        for proc in self.procs:
            proc.wait(timeout)
        result = FloodResult(self.kind)
        result.ready_after = max(self.ready.values()) if len(self.ready) == len(self.procs) else float("nan")
        for index in sorted(self.results):
            result.add(self.results[index])
        return result

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    def __enter__(self) -> FloodClients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- a studio to flood: one finished MP4, one job kept running ----------------------------------


def padded_mp4(size: int) -> bytes:
    """A real MP4 of exactly `size` bytes: a small H.264 clip and a `free` box (players skip it)."""
    from tests.support.media import tiny_mp4

    clip = tiny_mp4(frames=16, width=320, height=240)
    pad = size - len(clip) - 8
    if pad < 0:
        raise ValueError(f"an MP4 of at least {len(clip) + 8} bytes")
    return clip + struct.pack(">I4s", pad + 8, b"free") + bytes(pad)


def flood_upstream(mp4: bytes) -> FakeUpstream:
    """A tt-cloud upstream that answers the first job with `mp4` and keeps later ones in_progress."""
    from tests.support.upstream import FakeUpstream

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
    finished: str  # a completed job whose MP4 is `mp4`
    running: str  # a job the upstream keeps in_progress
    mp4: bytes

    @property
    def content_path(self) -> str:
        return f"/v1/videos/{self.finished}/content"

    @property
    def events_path(self) -> str:
        return f"/v1/videos/{self.running}/events"

    def path_for(self, kind: str) -> str:
        return {"streams": self.events_path, "downloads": self.content_path}.get(kind, "/v1/videos")


def prepare_jobs(studio: StudioServer, mp4: bytes, timeout: float = 60) -> FloodJobs:
    """On a studio started with flood_settings(flood_upstream(mp4)): one finished job, one running."""
    with studio.client() as client:
        done = client.post("/v1/videos", json={"prompt": "a finished clip to download"}).json()
        video = studio.wait_for_as(client, done["id"], ("completed", "failed", "cancelled"), timeout)
        if video["status"] != "completed":
            raise RuntimeError(f"the finished job ended {video['status']}: {video.get('error')}")
        running = client.post("/v1/videos", json={"prompt": "a job that keeps running"}).json()
        studio.wait_for_as(client, running["id"], ("in_progress",), timeout)
    return FloodJobs(done["id"], running["id"], mp4)


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


if __name__ == "__main__":
    client_main(sys.argv[1])
