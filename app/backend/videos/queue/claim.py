"""Taking a queued job to run: a conditional UPDATE, so two workers never run the same job."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from videos.models import VideoJob
from videos.queue.order import is_paused, run_order
from videos.queue.worker_id import worker_id
from videos.runner import run as runner

Status = VideoJob.Status


def claim(job_id: str) -> VideoJob | None:
    now = timezone.now()
    if not runner.mark_claiming(job_id):
        return None  # running in another of this process's threads: not ours to claim or release
    try:
        taken = VideoJob.objects.filter(id=job_id, status=Status.QUEUED, cancel_requested=False).update(
            status=Status.IN_PROGRESS,
            started_at=now,
            heartbeat_at=now,
            worker=worker_id(),
            attempts=F("attempts") + 1,
            status_message="",
        )
        if taken:
            return VideoJob.objects.get(id=job_id)  # runner.run releases it when it ends
    except BaseException:
        runner.release(job_id)  # claimed but never run: recovery requeues it
        raise
    runner.release(job_id)
    return None


def claim_next(provider: str) -> VideoJob | None:
    """The next queued job of this provider (videos/queue/order.py), claimed; None when there is
    none or its queue is paused."""
    if is_paused(provider):
        return None
    for job_id in run_order(provider)[:5]:
        job = claim(job_id)
        if job is not None:
            return job
    return None
