"""Queue backends: who runs queued jobs. Selected by VIDEO_JOB_BACKEND.

- `inprocess` (default): worker threads inside the studio process, no extra server.
- `celery`: Celery workers on a Redis broker, one queue per provider.
Both run the same `videos.runner.run`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from django.conf import settings

from videos.models import VideoJob


class JobQueue(Protocol):
    def enqueue(self, job: VideoJob) -> None: ...

    def cancel(self, job: VideoJob) -> None: ...

    def resumed(self, providers: list[str]) -> None:
        """A paused queue runs again: start its waiting jobs."""


@lru_cache(maxsize=1)
def get_queue() -> JobQueue:
    backend = settings.VIDEO_JOB_BACKEND
    if backend == "celery":
        from videos.queue.celery_queue import CeleryQueue

        return CeleryQueue()
    if backend == "inprocess":
        from videos.queue.inprocess import InProcessQueue

        return InProcessQueue.instance()
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"VIDEO_JOB_BACKEND must be 'inprocess' or 'celery', not {backend!r}.")
