"""One upstream of the fleet: what it runs, its state and its load, kept in this process's
memory (each process that runs jobs reads the upstreams' liveness itself)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from videos.providers.fleet.config import UpstreamSpec
from videos.providers.tt_runners import RunnerProfile

READY, WARMING, DOWN = "ready", "warming_up", "down"


@dataclass
class Member:
    spec: UpstreamSpec
    profile: RunnerProfile  # discovered from /tt-liveness, else the configured shape
    discovered: bool = False  # the runner came from the server's own /tt-liveness
    state: str = READY  # until the first reading says otherwise, an upstream is taken as configured
    detail: str = "not checked yet"
    in_flight: int = 0  # the studio's jobs on it, submitted and not yet finished there
    server_queue: int = 0  # its own queue_size at the last reading
    max_queue: int | None = None
    failures: int = 0  # readings or requests in a row that failed: the re-check backoff
    next_check: float = 0.0
    checked_at: float | None = None
    orphans: list[str] = field(default_factory=list)  # its job ids given up on: cancelled when it is back

    @property
    def name(self) -> str:
        return self.spec.name

    def slots(self, queue_ahead: int) -> int:
        """Jobs it may hold at once: its concurrency, plus `queue_ahead` waiting in the server's own
        queue when it is a tt-media-server (it said so through /tt-liveness) with room there."""
        ahead = queue_ahead if self.discovered else 0
        if self.max_queue is not None:
            ahead = min(ahead, max(0, self.max_queue - self.server_queue))
        return self.spec.concurrency + ahead

    def admits(self, queue_ahead: int) -> bool:
        return self.state == READY and self.in_flight < self.slots(queue_ahead)

    @property
    def load(self) -> int:
        return self.in_flight + self.server_queue

    def view(self) -> dict[str, object]:
        """What the API shows: no URL, no token."""
        return {
            "name": self.name,
            "runner": self.profile.runner or None,
            "label": self.profile.label,
            "known": self.profile.known,
            "discovered": self.discovered,
            "state": self.state,
            "detail": self.detail,
            "in_flight": self.in_flight,
            "queue_size": self.server_queue,
            "concurrency": self.spec.concurrency,
            "sound": self.profile.sound,
            "checked_seconds_ago": None if self.checked_at is None else round(time.monotonic() - self.checked_at, 1),
        }
