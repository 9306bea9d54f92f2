"""Which jobs a caller may see: everyone's on a personal studio, only their own when sign-in is
on. Every route that takes a video id looks it up here."""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from videos.access.middleware import owner_of
from videos.jobs.lookup import find_job
from videos.models import VideoJob

ID_RE = re.compile(r"^video_[0-9a-f]{32}$")


def visible_jobs(request: HttpRequest) -> QuerySet[VideoJob]:
    """Everyone's videos on a personal studio; only the caller's own when auth is on."""
    jobs = VideoJob.objects.all()
    if settings.STUDIO_AUTH_REQUIRED or owner_of(request):
        jobs = jobs.filter(owner=owner_of(request))
    return jobs


def get_job(request: HttpRequest, video_id: str, *fields: str) -> VideoJob:
    """The caller's job (404 otherwise); with `fields`, only those columns are read."""
    if not ID_RE.match(video_id):
        raise Http404(f"No video with id {video_id[:60]!r}.")
    # As visible_jobs, by a lookup made once (the hottest query: every poll, every seek).
    owner = owner_of(request) if settings.STUDIO_AUTH_REQUIRED or owner_of(request) else None
    job = find_job(video_id, owner, fields)
    if job is None:
        raise Http404(f"No video with id {video_id!r}.")
    return job
