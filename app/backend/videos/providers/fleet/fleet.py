"""The fleet: several upstreams used as one provider.

A job goes to an upstream that can make it (`routing.able`) and admits more work (ready, a free
slot), the least loaded first: the studio's own jobs on it plus its server's `queue_size`.
An upstream that stops answering or fails its health check is drained: nothing new goes there,
it is re-checked on a backoff (doubling from one second up to three liveness intervals) and
taken back once healthy. Warm-up holds only that upstream. A checker thread reads every
upstream's `/tt-liveness` at start and every `interval` seconds (drained ones on their backoff).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from videos.providers.base import GenerationRequest, JobCancelled, JobContext, ProviderError
from videos.providers.fleet import metrics
from videos.providers.fleet.member import DOWN, READY, WARMING, Member
from videos.providers.fleet.routing import able
from videos.providers.tt_liveness import Liveness
from videos.providers.tt_runners import RunnerProfile, profile_for

log = logging.getLogger(__name__)
WAIT_STEP = 0.25  # seconds between looks at a cancel while a job waits for an upstream


class Lease:
    """A job's hold on one upstream: counted in its load until released (or `generated`, once the
    video is made there and only the download is left, so the next job can be sent ahead)."""

    def __init__(self, fleet: Fleet, member: Member) -> None:
        self.fleet, self.member = fleet, member
        self._held = True

    def generated(self) -> None:
        self.release()

    def release(self) -> None:
        if self._held:
            self._held = False
            self.fleet.release(self.member)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class Fleet:
    def __init__(
        self,
        members: list[Member],
        read: Callable[[Member], Liveness],
        configured: Callable[[str | None], RunnerProfile],
        *,
        interval: float = 10.0,
        queue_ahead: int = 1,
        workers_sized: bool = False,
    ) -> None:
        self.members = members
        # Celery workers with one upstream: each worker's --concurrency is its share of that upstream
        # (docs/scale.md: capacity adds up across workers), which one process's count cannot see.
        self.ungated = workers_sized and len(members) == 1
        self._read = read  # one liveness reading of an upstream (never raises)
        self._configured = configured  # the profile of an upstream that does not say what it runs
        self.interval = max(0.05, interval)
        self.queue_ahead = max(0, queue_ahead)
        self._cond = threading.Condition()
        self._started = False
        self._stop = threading.Event()
        self._changed: list[Callable[[], None]] = []
        self._orphan_cancel: list[Callable[[Member, str], None]] = []

    # --- discovery -----------------------------------------------------------------------

    def on_change(self, callback: Callable[[], None]) -> None:
        self._changed.append(callback)

    def start(self) -> None:
        """Read every upstream once (in parallel, each bounded by its reading's timeout), then keep
        reading them in the background."""
        with self._cond:
            if self._started or not self.members:
                return
            self._started = True
        with ThreadPoolExecutor(max_workers=min(8, len(self.members))) as pool:
            readings = list(pool.map(self._read, self.members))
        for member, reading in zip(self.members, readings, strict=True):
            self.observe(member, reading)
        threading.Thread(target=self._check_loop, daemon=True, name="tt-cloud-liveness").start()

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()

    def _check_loop(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            due = [m for m in self.members if m.next_check <= now]
            for member in due:
                try:
                    self.observe(member, self._read(member))
                except Exception:  # a reading never raises; this keeps the thread alive if one did
                    log.exception("tt-cloud: reading %s failed", member.name)
            with self._cond:
                soonest = min(m.next_check for m in self.members)
                self._cond.wait(max(0.05, min(self.interval, soonest - time.monotonic())))

    def _backoff(self, member: Member) -> float:
        base = min(1.0, self.interval)
        return min(base * 2 ** max(0, member.failures - 1), 3 * self.interval)

    def observe(self, member: Member, reading: Liveness) -> None:
        """Take one reading: the upstream's state, load and (when it says) what it runs."""
        with self._cond:
            before = (member.state, member.profile)
            member.checked_at = time.monotonic()
            if reading.answered and reading.runner:
                known = profile_for(reading.runner)
                member.profile = known if known.known else self._configured(reading.runner)
                member.discovered = True
            elif reading.reachable and not reading.answered:
                member.profile, member.discovered = self._configured(None), False
            member.server_queue = reading.queue_size or 0
            member.max_queue = reading.max_queue_size
            if reading.healthy:
                member.state, member.failures = READY, 0
            else:
                member.state = WARMING if reading.warming else DOWN
                member.failures += 1
            member.detail = reading.detail
            member.next_check = member.checked_at + (self.interval if reading.healthy else self._backoff(member))
            changed = before != (member.state, member.profile)
            orphans = member.orphans[:] if member.state == READY else []
            self._cond.notify_all()
        metrics.observed(member)
        if changed:
            log.info("tt-cloud upstream %s: %s (%s)", member.name, member.state, member.detail)
            for callback in self._changed:
                callback()
        if orphans:
            self._cancel_orphans(member, orphans)

    def _cancel_orphans(self, member: Member, orphans: list[str]) -> None:
        """Jobs given up on while it was away and made again elsewhere: stop them there, so no
        video is made twice at once."""
        for job_id in orphans:
            for callback in self._orphan_cancel:
                callback(member, job_id)
            with self._cond:
                if job_id in member.orphans:
                    member.orphans.remove(job_id)

    def on_orphan(self, cancel: Callable[[Member, str], None]) -> None:
        self._orphan_cancel.append(cancel)

    # --- state changes from jobs -----------------------------------------------------------

    def mark(self, member: Member, state: str, detail: str) -> None:
        """A request to it failed (DOWN) or found its model loading (WARMING): nothing new goes
        there until a reading finds it healthy again."""
        with self._cond:
            if member.state == state:
                return
            member.state, member.detail = state, detail
            member.failures += 1
            member.next_check = time.monotonic() + self._backoff(member)
            self._cond.notify_all()
        metrics.observed(member)
        if state == DOWN:
            metrics.drained(member)
        log.warning("tt-cloud upstream %s drained: %s", member.name, detail)
        for callback in self._changed:
            callback()

    def serving(self, member: Member) -> None:
        """It accepted a job: take it back at once (its warm-up ended, its server is back)."""
        with self._cond:
            if member.state == READY:
                return
            member.state, member.detail, member.failures = READY, "ready", 0
            self._cond.notify_all()
        metrics.observed(member)
        for callback in self._changed:
            callback()

    def orphan(self, member: Member, job_id: str) -> None:
        with self._cond:
            member.orphans.append(job_id)

    # --- routing --------------------------------------------------------------------------

    def by_name(self, name: str) -> Member | None:
        return next((m for m in self.members if m.name == name), None)

    def able(self, request: GenerationRequest) -> list[Member]:
        return [m for m in self.members if able(m.profile, request)]

    def has_room(self) -> bool:
        with self._cond:
            return (
                self.ungated
                or any(m.admits(self.queue_ahead) for m in self.members)
                or all(m.state != READY for m in self.members)
            )

    def _pick(self, request: GenerationRequest, exclude: set[str]) -> Member | None:
        candidates = [
            m for m in self.able(request) if (self.ungated or m.admits(self.queue_ahead)) and m.name not in exclude
        ]
        return min(candidates, key=lambda m: (m.load, self.members.index(m)), default=None)

    def elsewhere(self, request: GenerationRequest, member: Member) -> bool:
        """Another upstream that can make this job admits it now."""
        with self._cond:
            return self._pick(request, {member.name}) is not None

    def acquire(self, request: GenerationRequest, ctx: JobContext) -> Lease:
        """Wait (cancellably) for an upstream that can make the job and has a free slot, the least
        loaded first. When every able one is drained or warming, the job goes to one of them anyway
        and meets its fault (or waits out its warm-up) there, as with a single upstream."""
        told = False
        with self._cond:
            while True:
                if ctx.cancelled():
                    raise JobCancelled()
                able_ones = self.able(request)
                if not able_ones:
                    raise ProviderError(
                        "unsupported",
                        "No configured tt-cloud upstream makes this video (its inputs, shape or sound).",
                    )
                member = self._pick(request, set())
                if member is None and all(m.state != READY for m in able_ones):
                    member = min(able_ones, key=lambda m: (m.state != WARMING, m.load, self.members.index(m)))
                if member is not None:
                    member.in_flight += 1
                    break
                if not told:
                    told = True
                    ctx.report(None, "Waiting for a free upstream.")
                self._cond.wait(WAIT_STEP)
        if told:
            ctx.report(None, "")
        metrics.observed(member)
        return Lease(self, member)

    def hold(self, member: Member) -> Lease:
        """Count a job resumed on `member` (its upstream job already exists) in its load."""
        with self._cond:
            member.in_flight += 1
        return Lease(self, member)

    def release(self, member: Member) -> None:
        with self._cond:
            member.in_flight = max(0, member.in_flight - 1)
            self._cond.notify_all()
        metrics.observed(member)

    def wait_back(self, member: Member, ctx: JobContext, until: float) -> bool:
        """Wait (cancellably) until a reading finds `member` ready again, or `until`."""
        with self._cond:
            while member.state != READY:
                if ctx.cancelled():
                    raise JobCancelled()
                left = until - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(WAIT_STEP, left))
        return True

    def views(self) -> list[dict[str, object]]:
        with self._cond:
            return [m.view() for m in self.members]

    def profiles(self) -> list[RunnerProfile]:
        with self._cond:
            return [m.profile for m in self.members]
