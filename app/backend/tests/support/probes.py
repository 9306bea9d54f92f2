"""Plain HTTP/1.1 probes of a running studio over raw sockets, from 127.0.0.1: one request on a
fresh connection (the after-checks of a flood, and bench/serve.py's timings), and /healthz sampled
on a fresh connection every interval while a flood is held (tests/support/flood.py).

Stdlib only: the flood's client processes (python -m tests.support.flood) import it too.
"""

from __future__ import annotations

import math
import socket
import threading
import time
from dataclasses import dataclass, field

HOST = "127.0.0.1"


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


def parse_head(raw: bytes) -> tuple[int, dict[str, str]]:
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
            status, head = parse_head(raw_head)
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
