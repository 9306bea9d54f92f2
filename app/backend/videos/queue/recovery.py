"""Jobs left in_progress by a crash are requeued (resuming the upstream job when its id is
known) or, after too many attempts, failed with a clear reason. Never left stuck."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.dispatch import Signal
from django.utils import timezone

from videos.models import VideoJob
from videos.processes import pid_alive
from videos.queue.worker_id import worker_id
from videos.runner import run as runner
from videos.runner.context import HEARTBEAT_SECONDS

log = logging.getLogger(__name__)
# Sent after each periodic recovery pass, by whichever queue backend runs it: housekeeping that
# belongs to the layers above (deleting expired videos, videos/jobs/retention.py) is connected
# to it in VideosConfig.ready instead of the backends importing it.
housekeeping = Signal()
Status = VideoJob.Status
STALE_AFTER = timedelta(seconds=HEARTBEAT_SECONDS * 6)


def _is_orphan(job: VideoJob, now: datetime, active: frozenset[str]) -> bool:
    me = worker_id()
    host, _, pid = job.worker.rpartition(":")
    if job.worker == me:
        # Ours: running, or its end state is waiting for a database write; otherwise our own
        # thread gave up on it (an error escaped before its end state was written).
        return job.id not in active
    if host == me.rpartition(":")[0] and pid.isdigit() and not pid_alive(int(pid)):
        return True  # its process on this machine is gone
    return job.heartbeat_at is None or now - job.heartbeat_at > STALE_AFTER


def recover_interrupted() -> int:
    """Requeue or fail orphaned in-progress jobs; returns how many were touched."""
    runner.retry_unfinished()  # first: those jobs' own end states beat requeueing them
    now = timezone.now()
    touched = 0
    for job in VideoJob.objects.filter(status=Status.IN_PROGRESS):
        if not _is_orphan(job, now, runner.active_job_ids()):
            continue
        if job.cancel_requested:
            updated = VideoJob.objects.filter(id=job.id, status=Status.IN_PROGRESS, worker=job.worker).update(
                status=Status.CANCELLED, completed_at=now, error_code="cancelled", error_message="Cancelled."
            )
        elif job.attempts >= settings.VIDEO_MAX_ATTEMPTS:
            updated = VideoJob.objects.filter(id=job.id, status=Status.IN_PROGRESS, worker=job.worker).update(
                status=Status.FAILED,
                completed_at=now,
                error_code="interrupted",
                error_message=(
                    f"The studio stopped while making this video {job.attempts} times; giving up. Retry to try again."
                ),
            )
        else:
            updated = VideoJob.objects.filter(id=job.id, status=Status.IN_PROGRESS, worker=job.worker).update(
                status=Status.QUEUED, worker="", progress=0.0, status_message="resumed after the studio restarted"
            )
        if updated:
            touched += 1
            log.warning("recovered job %s left running by %s", job.id, job.worker or "an unknown worker")
    return touched
