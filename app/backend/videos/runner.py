"""Runs one claimed job: provider -> scratch file -> probe + thumbnail -> storage -> completed.

The same code runs under every queue backend. A job is claimed with a conditional UPDATE,
so two workers never run the same job; a finished file is only stored after it decoded,
so a partial file is never served.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections
from django.db.models import F
from django.utils import timezone

from . import storage
from .media import InvalidVideo, probe, write_thumbnail
from .models import VideoJob
from .providers.base import GenerationRequest, JobCancelled, ProviderError
from .providers.registry import UnknownProvider, get_provider

log = logging.getLogger(__name__)
Status = VideoJob.Status

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
HEARTBEAT_SECONDS = 5.0
MAX_RETRY_WAIT = 30.0


class DBJobContext:
    """A provider's view of its job, backed by the database (so cancel works across processes)."""

    def __init__(self, job: VideoJob) -> None:
        self.job_id = job.id
        self._upstream_id = job.upstream_id or None
        self._last_progress = job.progress
        self._last_write = 0.0
        self._last_check = 0.0
        self._cancelled = False

    def cancelled(self) -> bool:
        now = time.monotonic()
        if not self._cancelled and now - self._last_check >= 0.3:
            self._last_check = now
            self._cancelled = VideoJob.objects.filter(id=self.job_id, cancel_requested=True).exists()
            if now - self._last_write >= HEARTBEAT_SECONDS:
                self._write({})
        return self._cancelled

    def report(self, progress: float | None = None, message: str | None = None) -> None:
        if progress is not None:
            progress = max(self._last_progress, min(100.0, float(progress)))
            now = time.monotonic()
            if progress - self._last_progress >= 1 or now - self._last_write >= 1 or progress >= 100:
                self._last_progress = progress
                self._write({"progress": round(progress, 1)})
        if self.cancelled():
            raise JobCancelled()

    def _write(self, fields: dict) -> None:
        self._last_write = time.monotonic()
        VideoJob.objects.filter(id=self.job_id, status=Status.IN_PROGRESS).update(
            heartbeat_at=timezone.now(), **fields
        )

    @property
    def upstream_id(self) -> str | None:
        return self._upstream_id

    def remember_upstream_id(self, upstream_id: str) -> None:
        self._upstream_id = upstream_id
        VideoJob.objects.filter(id=self.job_id).update(upstream_id=upstream_id[:200])


def claim(job_id: str) -> VideoJob | None:
    now = timezone.now()
    taken = VideoJob.objects.filter(id=job_id, status=Status.QUEUED, cancel_requested=False).update(
        status=Status.IN_PROGRESS,
        started_at=now,
        heartbeat_at=now,
        worker=WORKER_ID,
        attempts=F("attempts") + 1,
    )
    return VideoJob.objects.get(id=job_id) if taken else None


def claim_next(provider: str) -> VideoJob | None:
    """The oldest queued job of this provider, claimed; None when there is none."""
    for job_id in VideoJob.objects.filter(provider=provider, status=Status.QUEUED, cancel_requested=False).order_by(
        "created_at", "id"
    ).values_list("id", flat=True)[:5]:
        job = claim(job_id)
        if job is not None:
            return job
    return None


def request_for(job: VideoJob, image: Path | None = None) -> GenerationRequest:
    return GenerationRequest(
        prompt=job.prompt,
        negative_prompt=job.negative_prompt,
        num_inference_steps=job.num_inference_steps,
        seed=job.seed,
        width=job.width,
        height=job.height,
        num_frames=job.num_frames,
        image_path=image,
    )


def run(job: VideoJob) -> None:
    """Run a job already claimed by this worker to a terminal status. Never raises."""
    try:
        _run(job)
    except Exception:  # the last guard: a bug must fail the job, not leave it in_progress
        log.exception("job %s crashed", job.id)
        _finish(job.id, Status.FAILED, error=("internal_error", "The studio hit an internal error; see the server log."))
    finally:
        storage.remove_scratch(job.id)
        close_old_connections()


def _run(job: VideoJob) -> None:
    try:
        provider = get_provider(job.provider)
    except UnknownProvider:
        _finish(job.id, Status.FAILED, error=("not_configured", f"Provider {job.provider!r} is not configured."))
        return
    ctx = DBJobContext(job)
    video_tmp = storage.scratch_path(job.id, job.attempts, ".mp4")
    thumb_tmp = storage.scratch_path(job.id, job.attempts, ".jpg")
    image = storage.fetch_to_scratch(job.reference_image, job.id, job.attempts) if job.reference_image else None
    log.info("job %s started on %s (attempt %d)", job.id, job.provider, job.attempts)
    attempt = 0
    while True:
        attempt += 1
        try:
            provider.generate(request_for(job, image), video_tmp, ctx)
            info = probe(video_tmp)
            write_thumbnail(video_tmp, thumb_tmp)
            break
        except JobCancelled:
            _finish(job.id, Status.CANCELLED, error=("cancelled", "Cancelled."))
            log.info("job %s cancelled", job.id)
            return
        except InvalidVideo as exc:
            _finish(job.id, Status.FAILED, error=("invalid_video", f"The model's answer is not a playable video ({exc})."))
            return
        except ProviderError as exc:
            if exc.retryable and attempt < settings.VIDEO_MAX_ATTEMPTS and not ctx.cancelled():
                wait = min(exc.retry_after if exc.retry_after is not None else 2.0 * attempt, MAX_RETRY_WAIT)
                log.warning("job %s: %s; retrying in %.1fs", job.id, exc.code, wait)
                if _wait_or_cancelled(wait, ctx):
                    _finish(job.id, Status.CANCELLED, error=("cancelled", "Cancelled."))
                    return
                ctx = DBJobContext(VideoJob.objects.get(id=job.id))
                continue
            _finish(job.id, Status.FAILED, error=(exc.code, exc.message))
            log.info("job %s failed: %s", job.id, exc.code)
            return
    video_name = storage.store(video_tmp, f"videos/{job.id}.mp4")
    thumb_name = storage.store(thumb_tmp, f"thumbnails/{job.id}.jpg")
    finished = _finish(
        job.id, Status.COMPLETED, video_file=video_name, thumbnail_file=thumb_name, metadata=info.as_dict(), progress=100.0
    )
    if not finished:  # cancelled or deleted while the file was being stored
        storage.delete(video_name)
        storage.delete(thumb_name)
    log.info("job %s completed (%d frames, %d bytes)", job.id, info.frames, info.bytes)


def _wait_or_cancelled(seconds: float, ctx: DBJobContext) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if ctx.cancelled():
            return True
        time.sleep(0.2)
    return False


def _finish(job_id: str, status: str, *, error: tuple[str, str] | None = None, **fields: object) -> bool:
    """Move an in-progress job to a terminal status; False if it was no longer ours to finish."""
    if error:
        fields["error_code"], fields["error_message"] = error
    if status == Status.COMPLETED:
        # A cancel that arrived during the final store loses to the finished video: it's done.
        query = VideoJob.objects.filter(id=job_id, status=Status.IN_PROGRESS)
    else:
        query = VideoJob.objects.filter(id=job_id).exclude(status__in=VideoJob.TERMINAL)
    return bool(query.update(status=status, completed_at=timezone.now(), **fields))
