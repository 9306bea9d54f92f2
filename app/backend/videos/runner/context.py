"""A provider's view of its running job, backed by the database (so cancel works across processes)."""

from __future__ import annotations

import threading
import time

from django.utils import timezone

from videos.models import VideoJob
from videos.providers.base import JobCancelled

Status = VideoJob.Status
HEARTBEAT_SECONDS = 5.0
CANCEL_CHECK_SECONDS = 0.3
MAX_MESSAGE = 200
_stopping = threading.Event()


class HandBack(BaseException):
    """Raised inside a running job when the studio stops: the job goes back to the queue.

    A BaseException on purpose: providers treat JobCancelled (and catch Exception) as "stop the
    upstream job too", while a hand back must leave the upstream job running so the next
    start resumes polling it instead of submitting again.
    """


def begin_hand_back() -> None:
    """From now on every running job of this process stops at its next check and is requeued."""
    _stopping.set()


def stopping() -> bool:
    return _stopping.is_set()


class DBJobContext:
    def __init__(self, job: VideoJob, hand_back_needs_upstream_id: bool = False) -> None:
        self.job_id = job.id
        # An upstream job whose id is not recorded yet cannot be resumed: keep waiting for it.
        self._hand_back_needs_upstream_id = hand_back_needs_upstream_id
        self._upstream_id = job.upstream_id or None
        self._last_progress = job.progress
        self._message = job.status_message
        self._last_write = 0.0
        self._last_check = 0.0
        self._cancelled = False

    def cancelled(self) -> bool:
        now = time.monotonic()
        if not self._cancelled and now - self._last_check >= CANCEL_CHECK_SECONDS:
            self._last_check = now
            self._cancelled = VideoJob.objects.filter(id=self.job_id, cancel_requested=True).exists()
            if now - self._last_write >= HEARTBEAT_SECONDS:
                self._write({})
        resumable = self._upstream_id or not self._hand_back_needs_upstream_id
        if not self._cancelled and _stopping.is_set() and resumable:
            raise HandBack()
        return self._cancelled

    def raise_if_cancelled(self) -> None:
        if self.cancelled():
            raise JobCancelled()

    def report(self, progress: float | None = None, message: str | None = None) -> None:
        fields: dict[str, object] = {}
        if message is not None and message[:MAX_MESSAGE] != self._message:
            self._message = fields["status_message"] = message[:MAX_MESSAGE]
        if progress is not None:
            progress = max(self._last_progress, min(100.0, float(progress)))
            now = time.monotonic()
            if progress - self._last_progress >= 1 or now - self._last_write >= 1 or progress >= 100:
                self._last_progress = progress
                fields["progress"] = round(progress, 1)
        if fields:
            self._write(fields)

    def _write(self, fields: dict[str, object]) -> None:
        self._last_write = time.monotonic()
        VideoJob.objects.filter(id=self.job_id, status=Status.IN_PROGRESS).update(heartbeat_at=timezone.now(), **fields)

    @property
    def upstream_id(self) -> str | None:
        return self._upstream_id

    def remember_upstream_id(self, upstream_id: str) -> None:
        self._upstream_id = upstream_id
        VideoJob.objects.filter(id=self.job_id).update(upstream_id=upstream_id[:200])
