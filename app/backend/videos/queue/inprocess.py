"""The embedded worker: per provider, as many threads as that upstream can take at once.

The database is the queue, so a restart loses nothing: threads claim the oldest queued
job of their provider with a conditional UPDATE. Jobs submitted by another process
(the CLI, a second studio on the same database) are picked up by the periodic wake-up.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

from videos.models import VideoJob
from videos.providers.registry import all_providers, get_provider
from videos.queue.claim import claim_next
from videos.queue.recovery import housekeeping, recover_interrupted
from videos.runner import run as runner
from videos.runner.context import begin_hand_back
from videos.webhooks import worker as webhooks

log = logging.getLogger(__name__)
IDLE_WAKE_SECONDS = 2.0
ROOM_WAKE_SECONDS = 0.25  # a full upstream frees a slot without telling the queue: look again soon
RECOVERY_EVERY_SECONDS = 15.0


class InProcessQueue:
    _instance: InProcessQueue | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self._wake: dict[str, threading.Condition] = {}
        self._started = False
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @classmethod
    def instance(cls) -> InProcessQueue:
        with cls._lock:
            if cls._instance is None:
                cls._instance = InProcessQueue()
            return cls._instance

    def start(self) -> None:
        """Start the worker threads (only the serving process calls this)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        recover_interrupted()
        for provider in all_providers():
            condition = self._wake.setdefault(provider.name, threading.Condition())
            for slot in range(provider.concurrency):
                thread = threading.Thread(
                    target=self._work,
                    args=(provider.name, condition),
                    daemon=True,
                    name=f"worker-{provider.name}-{slot}",
                )
                thread.start()
                self._threads.append(thread)
        webhooks.start()  # this process sends the deliveries it and others wrote (videos/webhooks/)
        recovery = threading.Thread(target=self._recover_loop, daemon=True, name="worker-recovery")
        recovery.start()
        self._threads.append(recovery)
        log.info("in-process worker started: %s", ", ".join(f"{p.name}x{p.concurrency}" for p in all_providers()))

    def begin_stop(self) -> None:
        """Claim nothing more, and have running jobs hand themselves back at their next check."""
        self._stop.set()
        webhooks.stop()
        begin_hand_back()
        for condition in self._wake.values():
            with condition:
                condition.notify_all()

    def stop(self, timeout: float = 0.0) -> list[str]:
        """Stop and wait up to `timeout` seconds for the worker threads; returns the ids of jobs
        still running then (left in_progress: the next start's recovery requeues them)."""
        self.begin_stop()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return sorted(runner.active_job_ids())

    def enqueue(self, job: VideoJob) -> None:
        condition = self._wake.get(job.provider)
        if condition is not None:
            with condition:
                condition.notify()

    def cancel(self, job: VideoJob) -> None:
        """Nothing to do: the running worker polls the job's cancel flag."""

    def resumed(self, providers: list[str]) -> None:
        for provider in providers:
            condition = self._wake.get(provider)
            if condition is not None:
                with condition:
                    condition.notify_all()

    def _work(self, provider: str, condition: threading.Condition) -> None:
        failing = False  # log a failure that repeats (a full disk, a locked database) once
        while not self._stop.is_set():
            try:
                runner.retry_unfinished()
                # Several upstreams: claim only while one has a free slot (capacity follows the
                # healthy ones), so queued jobs wait in the studio's queue, not on a busy upstream.
                job = claim_next(provider) if get_provider(provider).has_room() else None
                if job is not None:
                    runner.run(job)  # never raises; the guard around it is for what escapes anyway
                failing = False
            except Exception:
                if not failing:
                    log.exception("the %s worker hit an error; it goes on", provider)
                failing, job = True, None
            if job is not None:
                continue
            try:
                close_old_connections()
            except Exception:
                pass  # the next claim reports a database that stays broken
            with condition:
                condition.wait(IDLE_WAKE_SECONDS if get_provider(provider).has_room() else ROOM_WAKE_SECONDS)

    def _recover_loop(self) -> None:
        failing = False
        while not self._stop.wait(RECOVERY_EVERY_SECONDS):
            try:
                if recover_interrupted():
                    for condition in self._wake.values():
                        with condition:
                            condition.notify_all()
                housekeeping.send(sender=self.__class__)
                failing = False
            except Exception:
                if not failing:
                    log.exception("recovery pass failed")
                failing = True
            finally:
                try:
                    close_old_connections()
                except Exception:
                    pass
