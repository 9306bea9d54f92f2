"""The domain operations on jobs: create (with variations), remix, extend, edit, cancel,
retry, delete, wait.

Every entry point (the API, the seed's view, serve mode, the CLI) goes through here. The
request's own shape is checked by `jobs.request`, what depends on the chosen model by
`jobs.checks`; this module stores the job and runs its life.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils import timezone

from videos.errors import InvalidRequest
from videos.files import storage
from videos.files.images import ReferenceImage
from videos.jobs.checks import JobSpec, check_images, random_seed, resolve_provider, validate
from videos.jobs.request import MAX_SEED, parse_create
from videos.jobs.sources import SourceClip
from videos.models import VideoJob
from videos.queue import get_queue

Status = VideoJob.Status


def storage_full_error() -> InvalidRequest:
    return InvalidRequest(None, storage.STORAGE_FULL_MESSAGE, "storage_full", status=507)


@contextmanager
def refused_when_full() -> Iterator[None]:
    """A write the full disk refuses answers JSON 507 storage_full, not Django's HTML 500."""
    try:
        yield
    except (DatabaseError, OSError) as exc:
        if not storage.is_storage_full(exc):
            raise
        raise storage_full_error() from None


def create_job(data: Mapping[str, Any], owner: str = "", image: object = None, last_frame: object = None) -> VideoJob:
    """Validate a create body (JSON fields or form values) and queue one job, seed 0 unless given
    (the seed's endpoint, serve mode)."""
    data, last_frame = _last_frame_field(data, last_frame)
    request = parse_create(data)
    if (request.n or 1) > 1:
        raise InvalidRequest("n", "Variations (n) are made through POST /v1/videos.")
    spec, reference = validate(request, image)
    last = check_images(spec.provider, reference, last_frame)
    return store_job(spec, owner, reference=reference, last_frame=last)


def create_jobs(data: Mapping[str, Any], owner: str = "", image: object = None) -> list[VideoJob]:
    """POST /v1/videos: one job, or `n` variations sharing a batch_id, each with its own seed
    (random unless a seed is given; then seed, seed+1, ...)."""
    data, last_frame = _last_frame_field(data, None)
    request = parse_create(data)
    spec, reference = validate(request, image, draw_seed=True)
    last = check_images(spec.provider, reference, last_frame)
    count = request.n or 1
    if count == 1:
        return [store_job(spec, owner, reference=reference, last_frame=last)]
    batch = f"batch_{uuid.uuid4().hex}"
    seeds = [
        (request.seed + index) % (MAX_SEED + 1) if request.seed is not None else random_seed() for index in range(count)
    ]
    return [
        store_job(spec.with_params(seed=seed), owner, reference=reference, last_frame=last, origin={"batch_id": batch})
        for seed in seeds
    ]


def _last_frame_field(data: Mapping[str, Any], last_frame: object) -> tuple[Mapping[str, Any], object]:
    """The studio's extension of the create request: a multipart `last_frame` image (the frame
    the clip should end on), taken out of the fields before they are parsed."""
    if "last_frame" not in data:
        return data, last_frame
    rest = dict(data)
    return rest, rest.pop("last_frame")


def store_job(
    spec: JobSpec,
    owner: str,
    *,
    reference: ReferenceImage | None = None,
    reference_from: str = "",
    last_frame: ReferenceImage | None = None,
    last_frame_from: str = "",
    source: SourceClip | None = None,
    origin: Mapping[str, str] | None = None,
) -> VideoJob:
    """Save a job and its input files, then queue it. `reference_from`: a stored reference image
    to copy (a remix or retry of an image-to-video job)."""
    try:
        storage.ensure_free_space()  # a job that would fail for want of space is refused now
    except storage.StorageFull:
        raise storage_full_error() from None
    job = spec.new_job(owner, **(origin or {}))
    written: list[str] = []
    # The files first, under the job's id (known before it is saved), then the row once: a
    # worker or a list request never sees the job without its inputs.
    try:
        for field, stem, image, stored in (
            ("reference_image", f"references/{job.id}", reference, reference_from),
            ("last_frame_image", f"references/{job.id}.last", last_frame, last_frame_from),
        ):
            if image is not None:  # an upload, or a stored image copied (a remix or retry)
                written.append(default_storage.save(f"{stem}.{image.extension}", ContentFile(image.data)))
            elif stored:
                written.append(storage.copy(stored, f"{stem}{_suffix(stored)}"))
            else:
                continue
            setattr(job, field, written[-1])
        if source is not None:
            written.append(source.store(f"sources/{job.id}.mp4"))
            job.source_video = written[-1]
        job.save()
    except Exception as exc:
        # Nothing of a job that could not be stored may stay behind (a row without its files).
        _discard(job, written)
        if not storage.is_storage_full(exc):
            raise
        raise storage_full_error() from None
    transaction.on_commit(lambda: get_queue().enqueue(job))
    return job


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:] if dot > name.rfind("/") else ""


def _discard(job: VideoJob, names: list[str]) -> None:
    try:
        VideoJob.objects.filter(id=job.id).delete()
    except Exception:  # the row was never written, or the database still refuses writes
        pass
    try:
        for name in names:
            storage.delete(name)
        storage.remove_scratch(job.id)
    except OSError:
        pass


def require_completed(job: VideoJob, refusal: str, code: str, status: int) -> None:
    """Refuse what only a completed video allows: `refusal` with the job's `{status}` in words."""
    if job.status != Status.COMPLETED:
        raise InvalidRequest(None, refusal.format(status=job.status.replace("_", " ")), code, status=status)


def retry_job(job: VideoJob) -> VideoJob:
    """The same job again: its model, settings, seed and input files (a reference image, the
    clip of an extend or edit, copied while the original still has them)."""
    return _again(job, job.prompt, {})


def remix_job(job: VideoJob, prompt: str) -> VideoJob:
    """OpenAI's remix: a new job with the source's model, settings and seed, and a new prompt."""
    require_completed(job, "Only a completed video can be remixed; this one is {status}.", "video_not_completed", 409)
    return _again(job, prompt, {"remixed_from": job.id})


def _again(job: VideoJob, prompt: str, origin: dict[str, str]) -> VideoJob:
    checked = parse_create({"prompt": prompt})  # the prompt's own rules (length, control characters)
    provider = resolve_provider(job.provider)
    params = replace(job.params, prompt=checked.prompt)
    # A retry keeps the person's own words beside the enhanced prompt; a remix's new prompt has none.
    original = job.original_prompt if params.prompt == job.prompt else ""
    spec = JobSpec(provider.name, params, provider.preview, job.operation, job.added_seconds, original)
    source = SourceClip.from_storage(job.source_video) if job.source_video else None
    for name in ("remixed_from", "extended_from", "edited_from"):
        origin.setdefault(name, getattr(job, name))
    return store_job(
        spec,
        job.owner,
        reference_from=job.reference_image,
        last_frame_from=job.last_frame_image,
        source=source,
        origin=origin,
    )


def set_favorite(job: VideoJob, favorite: bool) -> VideoJob:
    with refused_when_full():
        VideoJob.objects.filter(id=job.id).update(favorite=favorite)
    job.refresh_from_db()
    return job


def cancel_job(job: VideoJob) -> VideoJob:
    """A queued job is cancelled at once; a running one is flagged and its worker stops it."""
    if job.is_terminal:
        raise InvalidRequest(None, f"The video is already {job.status}.", "not_cancellable", status=409)
    now = timezone.now()
    with refused_when_full():
        VideoJob.objects.filter(id=job.id, status=Status.QUEUED).update(
            status=Status.CANCELLED,
            cancel_requested=True,
            completed_at=now,
            error_code="cancelled",
            error_message="Cancelled.",
        )
        VideoJob.objects.filter(id=job.id, status=Status.IN_PROGRESS).update(cancel_requested=True)
    get_queue().cancel(job)
    job.refresh_from_db()
    return job


def delete_job(job: VideoJob) -> None:
    if not job.is_terminal:
        cancel_job(job)
    with refused_when_full():
        VideoJob.objects.filter(id=job.id).delete()
    inputs = (job.reference_image, job.last_frame_image, job.source_video)
    for name in (job.video_file, job.thumbnail_file, job.spritesheet_file, *inputs):
        storage.delete(name)
    storage.remove_scratch(job.id)


def wait_for(job_id: str, timeout: float, poll: float = 0.25) -> VideoJob:
    """Block until the job is terminal or the timeout passes; returns its latest state."""
    deadline = time.monotonic() + timeout
    while True:
        job = VideoJob.objects.get(id=job_id)
        if job.is_terminal or time.monotonic() >= deadline:
            return job
        time.sleep(poll)
