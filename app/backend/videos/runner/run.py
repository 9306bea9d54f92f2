"""Runs one claimed job: provider -> scratch file -> probe + thumbnail -> signed (C2PA) -> storage -> completed.

The same code runs under every queue backend. A finished file is only stored after it
decoded, so a partial file is never served.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.db.models import F
from django.utils import timezone

from videos import metrics
from videos.files import storage
from videos.files.media import InvalidVideo, probe, write_thumbnail
from videos.files.spritesheet import write_spritesheet
from videos.metrics import jobs as job_metrics
from videos.models import RunTimes, VideoJob
from videos.providers.base import GenerationRequest, JobCancelled, Provider, ProviderError
from videos.providers.registry import UnknownProvider, get_provider
from videos.runner.context import DBJobContext, HandBack
from videos.runner.operations import make_video
from videos.runner.provenance import sign_job_video

log = logging.getLogger(__name__)
Status = VideoJob.Status
MAX_RETRY_WAIT = 30.0
CANCELLED = ("cancelled", "Cancelled.")
STORAGE_FULL = ("storage_full", storage.STORAGE_FULL_MESSAGE)
INTERNAL_ERROR = ("internal_error", "The studio hit an internal error; see the server log.")

# Jobs this process runs (claimed, not yet ended in the database), and end states it could not
# write (a full disk fails SQLite's writes too): recovery leaves the first alone and treats any
# other job still marked as ours as orphaned; the second are written again by retry_unfinished.
_lock = threading.Lock()
_active: set[str] = set()
_unfinished: dict[str, tuple[str, dict[str, object]]] = {}


def mark_claiming(job_id: str) -> bool:
    """Called before the claim's UPDATE, so recovery never sees our fresh claim as orphaned.
    False: another thread of this process already runs it (its failed claim must not release it)."""
    with _lock:
        if job_id in _active:
            return False
        _active.add(job_id)
        return True


def release(job_id: str) -> None:
    with _lock:
        if job_id not in _unfinished:
            _active.discard(job_id)


def active_job_ids() -> frozenset[str]:
    with _lock:
        return frozenset(_active)


def retry_unfinished() -> int:
    """Write the end states that failed earlier; returns how many are still waiting."""
    with _lock:
        pending = list(_unfinished.items())
    for job_id, (status, fields) in pending:
        try:
            _update_end_state(job_id, status, dict(fields))
        except DatabaseError:
            continue  # still failing; logged when it first failed
        log.info("job %s: recorded its end state (%s) now that the database takes writes", job_id, status)
        with _lock:
            _unfinished.pop(job_id, None)
            _active.discard(job_id)
    with _lock:
        return len(_unfinished)


def request_for(
    job: VideoJob, image: Path | None = None, source: Path | None = None, last_image: Path | None = None
) -> GenerationRequest:
    """The one way from a job (stored, or unsaved for the CLI) to what its provider runs."""
    return GenerationRequest(
        **asdict(job.params),
        image_path=image,
        operation=job.operation,  # type: ignore[arg-type]  # one of Operation, set by the service
        video_path=source,
        last_image_path=last_image,
    )


def run(job: VideoJob) -> None:
    """Run a job already claimed by this worker to a terminal status (or back to the queue when
    the studio stops). Never raises: an end state the database refuses is kept for retry_unfinished."""
    with _lock:
        _active.add(job.id)
    try:
        try:
            provider = get_provider(job.provider)
        except UnknownProvider:
            _finish(job.id, Status.FAILED, error=("not_configured", f"Provider {job.provider!r} is not configured."))
            return
        _run(job, provider)
    except HandBack:
        _hand_back(job.id)
    except Exception as exc:  # the last guard: a bug or a full disk must fail the job, not leave it in_progress
        if storage.is_storage_full(exc):
            log.error("job %s failed: the disk is full (%s)", job.id, exc)
            _finish(job.id, Status.FAILED, error=STORAGE_FULL)
        else:
            log.exception("job %s crashed", job.id)
            _finish(job.id, Status.FAILED, error=INTERNAL_ERROR)
    finally:
        try:
            storage.remove_scratch(job.id)
        except OSError:
            log.warning("job %s: could not remove its scratch files", job.id, exc_info=True)
        job_metrics.job_ended(job.id)
        close_old_connections()
        release(job.id)


def _run(job: VideoJob, provider: Provider) -> None:
    storage.ensure_free_space()  # fail early and clearly, not mid-encode
    ctx = DBJobContext(job, hand_back_needs_upstream_id=provider.keeps_upstream_jobs)
    video_tmp = storage.scratch_path(job.id, job.attempts, ".mp4")
    thumb_tmp = storage.scratch_path(job.id, job.attempts, ".jpg")
    sheet_tmp = storage.scratch_path(job.id, job.attempts, ".sprites.jpg")
    image = storage.fetch_to_scratch(job.reference_image, job.id, job.attempts) if job.reference_image else None
    source = storage.fetch_to_scratch(job.source_video, job.id, job.attempts, ".source") if job.source_video else None
    last = job.last_frame_image
    last_image = storage.fetch_to_scratch(last, job.id, job.attempts, ".last") if last else None
    request = request_for(job, image, source, last_image)
    log.info("job %s started on %s (attempt %d)", job.id, job.provider, job.attempts)
    attempt = 0
    while True:
        attempt += 1
        try:
            make_video(provider, request, video_tmp, ctx)
            ctx.report(None, "checking the video")
            info = probe(video_tmp)
            write_thumbnail(video_tmp, thumb_tmp)
            write_spritesheet(video_tmp, sheet_tmp)
            ctx.report(None, "signing its Content Credentials")
            if sign_job_video(job, provider, video_tmp, info, source=source, image=image or last_image):
                info = replace(info, bytes=video_tmp.stat().st_size)  # the manifest's bytes are in the file
            break
        except JobCancelled as exc:
            # A provider may say more (its upstream job could not be stopped): keep it.
            _finish(job.id, Status.CANCELLED, error=("cancelled", str(exc) or CANCELLED[1]))
            log.info("job %s cancelled", job.id)
            return
        except InvalidVideo as exc:
            if storage.is_storage_full(exc):
                raise
            _finish(
                job.id, Status.FAILED, error=("invalid_video", f"The model's answer is not a playable video ({exc}).")
            )
            return
        except ProviderError as exc:
            if storage.is_storage_full(exc):
                raise  # the run's guard says storage_full: the upstream is not to blame
            metrics.upstream_error(job.provider, exc.code)
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
    video_name = thumb_name = sheet_name = ""
    try:
        video_name = storage.store(video_tmp, f"videos/{job.id}.mp4")
        thumb_name = storage.store(thumb_tmp, f"thumbnails/{job.id}.jpg")
        sheet_name = storage.store(sheet_tmp, f"spritesheets/{job.id}.jpg")
        completed_at = timezone.now()
        finished = _finish(
            job.id,
            Status.COMPLETED,
            video_file=video_name,
            thumbnail_file=thumb_name,
            spritesheet_file=sheet_name,
            metadata=info.as_dict(),
            progress=100.0,
            completed_at=completed_at,
        )
    except BaseException:
        # Not recorded as completed: no stored file may outlive that (a video without a job).
        for name in (video_name, thumb_name, sheet_name):
            storage.delete(name)
        raise
    if finished:
        _record_run_time(job, completed_at)
    else:  # cancelled or deleted while the file was being stored
        for name in (video_name, thumb_name, sheet_name):
            storage.delete(name)
    log.info("job %s completed (%d frames, %d bytes)", job.id, info.frames, info.bytes)


def _hand_back(job_id: str) -> None:
    """The studio is stopping: requeue the job, keeping its upstream id so the next start resumes
    the same upstream job. The claim's attempt is given back: a clean stop is not a failure."""
    try:
        VideoJob.objects.filter(id=job_id, status=Status.IN_PROGRESS).update(
            status=Status.QUEUED,
            worker="",
            progress=0.0,
            attempts=F("attempts") - 1,
            status_message="handed back when the studio stopped; resumes on the next start",
        )
        log.info("job %s handed back to the queue (the studio is stopping)", job_id)
    except DatabaseError:  # left in_progress: the next start's recovery requeues it
        log.warning("job %s: could not hand it back; the next start recovers it", job_id, exc_info=True)


def _wait_or_cancelled(seconds: float, ctx: DBJobContext) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if ctx.cancelled():
            return True
        time.sleep(0.2)
    return False


def _finish(job_id: str, status: str, *, error: tuple[str, str] | None = None, **fields: object) -> bool:
    """Move an in-progress job to a terminal status; False if it was no longer ours to finish.

    A failure or cancel the database refuses to record (a full disk) is kept and written by
    retry_unfinished once writes work again; a refused completion raises (its files go)."""
    if error:
        fields["error_code"], fields["error_message"] = error
    fields.setdefault("completed_at", timezone.now())
    try:
        return _update_end_state(job_id, status, fields)
    except DatabaseError as exc:
        if status == Status.COMPLETED:
            raise
        log.error("job %s: could not record %s (%s); retrying until the database takes writes", job_id, status, exc)
        with _lock:
            _unfinished[job_id] = (status, fields)
        return False


def _update_end_state(job_id: str, status: str, fields: dict[str, object]) -> bool:
    if status == Status.COMPLETED:
        # A cancel that arrived during the final store loses to the finished video: it's done.
        query = VideoJob.objects.filter(id=job_id, status=Status.IN_PROGRESS)
    else:
        query = VideoJob.objects.filter(id=job_id).exclude(status__in=VideoJob.TERMINAL)
    return bool(query.update(status=status, status_message="", **fields))


def _record_run_time(job: VideoJob, completed_at: datetime) -> None:
    """Feed the ETAs' aggregate; the video is already done, so a failure here only logs."""
    try:
        RunTimes.record(job, completed_at)
    except DatabaseError:
        log.warning("job %s: could not record its run time for ETAs", job.id, exc_info=True)
