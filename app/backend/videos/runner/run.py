"""Runs one claimed job: provider -> scratch file -> probe + thumbnail -> storage -> completed.

The same code runs under every queue backend. A finished file is only stored after it
decoded, so a partial file is never served.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from videos.files import storage
from videos.files.media import InvalidVideo, probe, write_thumbnail
from videos.models import RunTimes, VideoJob
from videos.providers.base import GenerationRequest, JobCancelled, Provider, ProviderError
from videos.providers.registry import UnknownProvider, get_provider
from videos.runner.context import DBJobContext

log = logging.getLogger(__name__)
Status = VideoJob.Status
MAX_RETRY_WAIT = 30.0
CANCELLED = ("cancelled", "Cancelled.")


def request_for(job: VideoJob, image: Path | None = None) -> GenerationRequest:
    """The one way from a job (stored, or unsaved for the CLI) to what its provider runs."""
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
        try:
            provider = get_provider(job.provider)
        except UnknownProvider:
            _finish(job.id, Status.FAILED, error=("not_configured", f"Provider {job.provider!r} is not configured."))
            return
        _run(job, provider)
    except Exception:  # the last guard: a bug must fail the job, not leave it in_progress
        log.exception("job %s crashed", job.id)
        _finish(
            job.id, Status.FAILED, error=("internal_error", "The studio hit an internal error; see the server log.")
        )
    finally:
        storage.remove_scratch(job.id)
        close_old_connections()


def _run(job: VideoJob, provider: Provider) -> None:
    ctx = DBJobContext(job)
    video_tmp = storage.scratch_path(job.id, job.attempts, ".mp4")
    thumb_tmp = storage.scratch_path(job.id, job.attempts, ".jpg")
    image = storage.fetch_to_scratch(job.reference_image, job.id, job.attempts) if job.reference_image else None
    request = request_for(job, image)
    log.info("job %s started on %s (attempt %d)", job.id, job.provider, job.attempts)
    attempt = 0
    while True:
        attempt += 1
        try:
            provider.generate(request, video_tmp, ctx)
            ctx.report(None, "checking the video")
            info = probe(video_tmp)
            write_thumbnail(video_tmp, thumb_tmp)
            break
        except JobCancelled:
            _finish(job.id, Status.CANCELLED, error=CANCELLED)
            log.info("job %s cancelled", job.id)
            return
        except InvalidVideo as exc:
            _finish(
                job.id, Status.FAILED, error=("invalid_video", f"The model's answer is not a playable video ({exc}).")
            )
            return
        except ProviderError as exc:
            if exc.retryable and attempt < settings.VIDEO_MAX_ATTEMPTS and not ctx.cancelled():
                wait = min(exc.retry_after if exc.retry_after is not None else 2.0 * attempt, MAX_RETRY_WAIT)
                log.warning("job %s: %s; retrying in %.1fs", job.id, exc.code, wait)
                ctx.report(None, f"{exc.message} Retrying in {wait:.0f} s.")
                if _wait_or_cancelled(wait, ctx):
                    _finish(job.id, Status.CANCELLED, error=CANCELLED)
                    return
                continue
            _finish(job.id, Status.FAILED, error=(exc.code, exc.message))
            log.info("job %s failed: %s", job.id, exc.code)
            return
    video_name = storage.store(video_tmp, f"videos/{job.id}.mp4")
    thumb_name = storage.store(thumb_tmp, f"thumbnails/{job.id}.jpg")
    completed_at = timezone.now()
    finished = _finish(
        job.id,
        Status.COMPLETED,
        video_file=video_name,
        thumbnail_file=thumb_name,
        metadata=info.as_dict(),
        progress=100.0,
        completed_at=completed_at,
    )
    if finished:
        _record_run_time(job, completed_at)
    else:  # cancelled or deleted while the file was being stored
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
    fields.setdefault("completed_at", timezone.now())
    return bool(query.update(status=status, status_message="", **fields))


def _record_run_time(job: VideoJob, completed_at: datetime) -> None:
    """Feed the ETAs' aggregate; the video is already done, so a failure here only logs."""
    try:
        RunTimes.record(job, completed_at)
    except DatabaseError:
        log.warning("job %s: could not record its run time for ETAs", job.id, exc_info=True)
