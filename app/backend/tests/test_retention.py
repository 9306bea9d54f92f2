"""VIDEO_RETENTION_DAYS: expires_at on finished videos, and the sweep that deletes them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from videos.jobs.presenter import video_object
from videos.jobs.retention import delete_expired
from videos.models import VideoJob

pytestmark = pytest.mark.django_db


def finished(days_ago: float) -> VideoJob:
    job = VideoJob.objects.create(provider="preview", prompt="old", num_inference_steps=1, seed=1)
    name = default_storage.save(f"videos/{job.id}.mp4", ContentFile(b"mp4"))
    done = timezone.now() - timedelta(days=days_ago)
    VideoJob.objects.filter(id=job.id).update(status="completed", completed_at=done, video_file=name)
    job.refresh_from_db()
    return job


def test_without_retention_nothing_expires(settings) -> None:
    settings.VIDEO_RETENTION_DAYS = 0
    job = finished(days_ago=400)
    assert video_object(job)["expires_at"] is None
    assert delete_expired() == 0 and VideoJob.objects.filter(id=job.id).exists()


def test_retention_sets_expires_at_and_the_sweep_deletes_expired_videos_and_files(settings) -> None:
    settings.VIDEO_RETENTION_DAYS = 7
    old, recent = finished(days_ago=8), finished(days_ago=1)
    queued = VideoJob.objects.create(provider="preview", prompt="waiting", num_inference_steps=1, seed=1)
    assert recent.completed_at is not None
    assert video_object(recent)["expires_at"] == int((recent.completed_at + timedelta(days=7)).timestamp())
    assert video_object(queued)["expires_at"] is None  # only a finished video's assets expire
    assert delete_expired() == 1
    assert not VideoJob.objects.filter(id=old.id).exists() and not default_storage.exists(old.video_file)
    assert VideoJob.objects.filter(id__in=[recent.id, queued.id]).count() == 2
    assert default_storage.exists(recent.video_file)
