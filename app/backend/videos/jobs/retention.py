"""VIDEO_RETENTION_DAYS: finished videos are deleted, files and all, once their `expires_at`
has passed. Run by every worker's periodic recovery pass; 0 (the default) keeps everything."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from videos.jobs.service import delete_job
from videos.models import VideoJob

log = logging.getLogger(__name__)
BATCH = 100  # a pass deletes at most this many; the next pass goes on


def delete_expired() -> int:
    """Delete completed videos past their expiry; returns how many went."""
    if settings.VIDEO_RETENTION_DAYS <= 0:
        return 0
    cutoff = timezone.now() - timedelta(days=settings.VIDEO_RETENTION_DAYS)
    expired = VideoJob.objects.filter(status=VideoJob.Status.COMPLETED, completed_at__lt=cutoff)
    deleted = 0
    for job in expired.order_by("completed_at")[:BATCH]:
        delete_job(job)
        deleted += 1
    if deleted:
        log.info("deleted %d videos past VIDEO_RETENTION_DAYS=%g", deleted, settings.VIDEO_RETENTION_DAYS)
    return deleted
