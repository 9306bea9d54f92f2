"""One place that watches jobs change and fans each change out to every open event stream.

Streams cost no thread: each is a coroutine waiting on its own queue. The hub reads the
database once per change for all of them — woken at once by a save in this process (the
in-process worker), and every `VIDEO_EVENTS_POLL_SECONDS` for changes made elsewhere
(Celery workers, a second studio process) — so a thousand streams on one job cost one query,
not a thousand polls.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.db.models import Q

from videos import metrics
from videos.jobs.presenter import new_estimator, video_object
from videos.models import VideoJob

log = logging.getLogger("studio")

UNFINISHED = (VideoJob.Status.QUEUED, VideoJob.Status.IN_PROGRESS)
QUEUE_LIMIT = 256  # frames a stream may fall behind before it is closed (the client reconnects)
CLOSE = ""  # the frame that ends a stream
READY = "event: ready\ndata: {}\n\n"
# Fields that change every second while a job waits or runs: streams get them at most every
# DRIFT_SECONDS (any other change goes out at once), so a thousand open streams are not all
# woken each second for a clock's tick.
DRIFTING = ("elapsed_seconds", "eta_seconds")
DRIFT_SECONDS = 5.0


@dataclass(eq=False)
class Subscriber:
    """One open stream: every unfinished job of `owner` (None: every owner's), or one job."""

    owner: str | None
    job_id: str | None = None
    fresh: bool = True  # the next tick sends the whole current state, not just what changed
    frames: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))

    def wants(self, job_id: str, owner: str) -> bool:
        if self.job_id is not None:
            return job_id == self.job_id
        return self.owner is None or owner == self.owner


@dataclass
class Snapshot:
    owner: str
    terminal: bool
    body: str
    key: str  # the body without the fields that drift every second (elapsed, ETA)
    sent_at: float = 0.0


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()  # reservations come from request threads
        self._per_client: Counter[str] = Counter()
        self._open = 0
        self._subscribers: set[Subscriber] = set()
        self._last: dict[str, Snapshot] = {}
        self._gone: dict[str, str] = {}  # deletions made here, reported at the next tick
        self._read_at = -1e9  # when _last was read (time.monotonic)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False  # the server is stopping: a stream that starts now ends at once

    # --- caps (called from the view, in a request thread) ----------------------------
    def reserve(self, client: str) -> str | None:
        """Take a stream slot for `client`; None when it may open one, else why not."""
        with self._lock:
            if self._open >= settings.VIDEO_EVENTS_MAX_STREAMS:
                return f"The studio has {self._open} live streams open, its limit; try again shortly."
            if self._per_client[client] >= settings.VIDEO_EVENTS_MAX_PER_CLIENT:
                return (
                    f"Too many live streams from one client (limit {settings.VIDEO_EVENTS_MAX_PER_CLIENT}); "
                    "close one or poll GET /v1/videos/{id} instead."
                )
            self._open += 1
            self._per_client[client] += 1
            metrics.stream_opened()
            return None

    def release(self, client: str) -> None:
        with self._lock:
            self._open -= 1
            metrics.stream_closed()
            self._per_client[client] -= 1
            if self._per_client[client] <= 0:
                del self._per_client[client]

    # --- streams (called on the event loop) ----------------------------------------------
    def subscribe(self, subscriber: Subscriber) -> None:
        if self._closing:  # it would hold the stop until its time-out; the client reconnects
            self._drop(subscriber)
            return
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._task is None or self._task.done():
            self._loop, self._wake = loop, asyncio.Event()
            self._task = loop.create_task(self._run())
        self._subscribers.add(subscriber)
        known = subscriber.job_id is None or subscriber.job_id in self._last
        if known and time.monotonic() - self._read_at < settings.VIDEO_EVENTS_POLL_SECONDS:
            # The last read is fresh enough: a crowd of new streams costs no query each.
            self._deliver(subscriber, _frames(subscriber, self._last, set(), {}))
        else:
            self._wake_now()

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def close_all(self) -> None:
        """End every stream (the server is stopping), and any that starts later; clients
        reconnect to the next start."""
        self._closing = True
        for subscriber in list(self._subscribers):
            self._drop(subscriber)

    def wake(self) -> None:
        """A job changed in this process: look now rather than at the next poll. Thread-safe."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_now)

    def deleted(self, job_id: str, owner: str) -> None:
        """A job was deleted in this process (even a finished one): tell its streams. Thread-safe."""
        with self._lock:
            self._gone[job_id] = owner
        self.wake()

    def _wake_now(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), settings.VIDEO_EVENTS_POLL_SECONDS)
            except TimeoutError:
                pass
            self._wake.clear()
            if not self._subscribers:
                self._last.clear()
                self._read_at = -1e9
                continue
            watched = self._watched()
            try:
                current = await asyncio.to_thread(_read, watched)
            except Exception:  # the database is briefly unreachable: keep streams, try again
                log.exception("live status: reading jobs failed")
                continue
            self._publish(current, watched)

    def _watched(self) -> set[str]:
        ids = {job_id for job_id, snap in self._last.items() if not snap.terminal}
        ids.update(s.job_id for s in self._subscribers if s.job_id is not None)
        return ids

    def _publish(self, current: dict[str, Snapshot], watched: set[str]) -> None:
        now = time.monotonic()
        changed: set[str] = set()
        for job_id, snap in current.items():
            last = self._last.get(job_id)
            drifted = last is not None and last.body != snap.body and now - last.sent_at >= DRIFT_SECONDS
            if last is None or last.key != snap.key or drifted:
                snap.sent_at = now
                changed.add(job_id)
            else:
                current[job_id] = last  # what streams last saw: later drift is measured from it
        # Only a job that was looked for and is gone was deleted (a finished one simply drops out).
        deleted = {job_id: self._last[job_id].owner for job_id in watched - current.keys() if job_id in self._last}
        with self._lock:
            deleted.update(self._gone)
            self._gone.clear()
        for subscriber in list(self._subscribers):
            self._deliver(subscriber, _frames(subscriber, current, changed, deleted))
        # A terminal state is reported once; the job then leaves the watch list.
        self._last = current
        self._read_at = time.monotonic()

    def _deliver(self, subscriber: Subscriber, frames: list[str]) -> None:
        for frame in frames:
            try:
                subscriber.frames.put_nowait(frame)
            except asyncio.QueueFull:
                log.info("live status: a stream fell %d frames behind and was closed", QUEUE_LIMIT)
                self._drop(subscriber)
                return

    def _drop(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)
        while True:  # make room for the closing frame
            try:
                subscriber.frames.put_nowait(CLOSE)
                return
            except asyncio.QueueFull:
                subscriber.frames.get_nowait()


def _frames(
    subscriber: Subscriber, current: dict[str, Snapshot], changed: set[str], deleted: dict[str, str]
) -> list[str]:
    """What one stream is told: everything it wants when it is new, else what changed."""
    frames: list[str] = []
    fresh = subscriber.fresh
    for job_id in current if fresh else changed:
        snap = current[job_id]
        if not subscriber.wants(job_id, snap.owner):
            continue
        if fresh and snap.terminal and subscriber.job_id is None:
            continue  # an all-jobs stream opens with the unfinished ones only
        frames.append(f"event: video\ndata: {snap.body}\n\n")
    if subscriber.job_id is None:
        frames.extend(_deleted(job_id) for job_id, owner in deleted.items() if subscriber.wants(job_id, owner))
        if fresh:
            frames.append(READY)  # the opening state is complete: anything not in it is finished
    elif subscriber.job_id not in current:
        frames += [_deleted(subscriber.job_id), CLOSE]
    elif current[subscriber.job_id].terminal:
        frames.append(CLOSE)  # one job's stream ends with its final state
    subscriber.fresh = False
    return frames


def _deleted(job_id: str) -> str:
    return f'event: deleted\ndata: {{"id": "{job_id}"}}\n\n'


def _read(watched: set[str]) -> dict[str, Snapshot]:
    """Every unfinished job plus the watched ones, as the API shows them (a worker thread)."""
    close_old_connections()
    estimator = new_estimator()
    jobs = VideoJob.objects.filter(Q(status__in=UNFINISHED) | Q(id__in=watched))
    out: dict[str, Snapshot] = {}
    for job in jobs:
        body: dict[str, Any] = video_object(job, estimator)
        key = json.dumps({name: value for name, value in body.items() if name not in DRIFTING})
        out[job.id] = Snapshot(job.owner, job.is_terminal, json.dumps(body), key)
    return out


hub = Hub()
