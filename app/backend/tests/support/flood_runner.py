"""The orchestrator's side of a connection flood (tests/support/flood.py): FloodClients starts
the client processes (`python -m tests.support.flood PLAN`, up to `per_process` connections
each), reads their JSON lines, waits for their connections to be attempted, answered or closed,
and sums their reports into a FloodResult.
"""

from __future__ import annotations

import collections
import json
import math
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.support.flood import DOWNLOAD_RCVBUF, KINDS, ClientPlan

BACKEND = Path(__file__).resolve().parents[2]


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
