"""The domain operations on jobs: create, cancel, retry, delete, wait.

Every entry point (the API, the seed's view, serve mode, the CLI) goes through here. The
request's own shape is checked by `jobs.request`; this module checks what depends on the
chosen model (its capabilities) and stores the job.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils import timezone

from videos.errors import InvalidRequest
from videos.files import storage
from videos.files.images import InvalidImage, ReferenceImage, check_reference_image
from videos.jobs.request import DEFAULT_NEGATIVE, VideoCreate, parse_create
from videos.models import VideoJob
from videos.providers.base import Provider
from videos.providers.registry import UnknownProvider, all_providers, default_provider_name, get_provider
from videos.queue import get_queue

Status = VideoJob.Status


@dataclass(frozen=True)
class JobSpec:
    """A create request checked against its model: the fields a new VideoJob is made from."""

    provider: str
    prompt: str
    negative_prompt: str
    num_inference_steps: int
    seed: int
    width: int | None
    height: int | None
    num_frames: int | None
    preview: bool

    def new_job(self, owner: str = "") -> VideoJob:
        """An unsaved job; the CLI runs one in-process without storing it."""
        return VideoJob(owner=owner, **asdict(self))


def resolve_provider(name: str | None) -> Provider:
    name = name or default_provider_name()
    try:
        provider = get_provider(name)
    except UnknownProvider:
        known = ", ".join(p.name for p in all_providers())
        raise InvalidRequest(
            "model", f"Unknown model {name[:40]!r}; choose one of: {known}.", "unknown_model"
        ) from None
    state = provider.status()
    if not state.ready:
        raise InvalidRequest(
            "model", f"The {provider.name} provider is not available: {state.detail}.", "not_configured", status=503
        )
    return provider


def validate(request: VideoCreate, image: object = None) -> tuple[JobSpec, ReferenceImage | None]:
    """Check a parsed request against its model's capabilities."""
    provider = resolve_provider(request.model)
    caps = provider.capabilities
    steps = request.num_inference_steps or caps.default_steps
    low, high = caps.steps_range
    if not low <= steps <= high:
        raise InvalidRequest(
            "num_inference_steps",
            f"num_inference_steps must be between {low} and {high} for {provider.name}; got {steps}.",
        )
    width, height = _size(request.size, provider)
    frames = _frames(request, provider)
    reference = None
    if image is not None:
        if not caps.image_to_video:
            raise InvalidRequest(
                "input_reference", f"The {provider.name} model does not take a reference image.", "unsupported"
            )
        try:
            reference = check_reference_image(image)
        except InvalidImage as exc:
            raise InvalidRequest("input_reference", str(exc)) from None
    spec = JobSpec(
        provider=provider.name,
        prompt=request.prompt,
        negative_prompt=DEFAULT_NEGATIVE if request.negative_prompt is None else request.negative_prompt,
        num_inference_steps=steps,
        seed=request.seed or 0,
        width=width,
        height=height,
        num_frames=frames,
        preview=provider.preview,
    )
    return spec, reference


def _size(size: str | None, provider: Provider) -> tuple[int | None, int | None]:
    if size is None:
        return None, None
    caps = provider.capabilities
    if not caps.accepts_size:
        raise InvalidRequest("size", f"The {provider.name} model decides the size itself; leave size out.")
    width, height = (int(side) for side in size.split("x"))  # VideoCreate checked its pattern
    if width % 16 or height % 16 or not (64 <= width <= 1920 and 64 <= height <= 1920):
        raise InvalidRequest("size", "width and height must be multiples of 16 between 64 and 1920.")
    if caps.sizes is not None and (width, height) not in caps.sizes:
        allowed = ", ".join(f"{w}x{h}" for w, h in caps.sizes)
        raise InvalidRequest("size", f"The {provider.name} model supports these sizes: {allowed}.")
    return width, height


def _frames(request: VideoCreate, provider: Provider) -> int | None:
    if request.num_frames is None and request.seconds is None:
        return None
    caps = provider.capabilities
    param = "num_frames" if request.num_frames is not None else "seconds"
    if not caps.accepts_frames:
        raise InvalidRequest(
            param, f"The {provider.name} model decides the length itself; leave num_frames and seconds out."
        )
    low, high = caps.frames_range
    if request.num_frames is not None:
        frames = request.num_frames
        if not low <= frames <= high:
            raise InvalidRequest("num_frames", f"num_frames must be between {low} and {high}; got {frames}.")
        return frames
    frames = int(request.seconds or 0) * caps.fps + 1
    if not low <= frames <= high:
        raise InvalidRequest("seconds", f"The {provider.name} model makes at most {high} frames.")
    return frames


def storage_full_error() -> InvalidRequest:
    return InvalidRequest(None, storage.STORAGE_FULL_MESSAGE, "storage_full", status=507)


@contextmanager
def _refused_when_full() -> Iterator[None]:
    """A write the full disk refuses answers JSON 507 storage_full, not Django's HTML 500."""
    try:
        yield
    except (DatabaseError, OSError) as exc:
        if not storage.is_storage_full(exc):
            raise
        raise storage_full_error() from None


def create_job(data: Mapping[str, Any], owner: str = "", image: object = None) -> VideoJob:
    """Validate a create body (JSON fields or form values) and queue the job."""
    spec, reference = validate(parse_create(data), image)
    try:
        storage.ensure_free_space()  # a job that would fail for want of space is refused now
    except storage.StorageFull:
        raise storage_full_error() from None
    job = spec.new_job(owner)
    try:
        job.save()
        if reference is not None:
            job.reference_image = default_storage.save(
                f"references/{job.id}.{reference.extension}", ContentFile(reference.data)
            )
            job.save(update_fields=["reference_image"])
    except Exception as exc:
        if not storage.is_storage_full(exc):
            raise
        # The disk filled between the check and the writes: nothing of the job may stay behind.
        _discard(job, f"references/{job.id}.{reference.extension}" if reference is not None else "")
        raise storage_full_error() from None
    transaction.on_commit(lambda: get_queue().enqueue(job))
    return job


def _discard(job: VideoJob, reference_name: str) -> None:
    try:
        VideoJob.objects.filter(id=job.id).delete()
    except Exception:  # the row was never written, or the database still refuses writes
        pass
    try:
        storage.delete(reference_name)
        storage.remove_scratch(job.id)
    except OSError:
        pass


def retry_job(job: VideoJob) -> VideoJob:
    if job.reference_image:
        raise InvalidRequest(
            None, "Videos made from a reference image cannot be retried; upload the image again.", "unsupported"
        )
    data = {
        "model": job.provider,
        "prompt": job.prompt,
        "negative_prompt": job.negative_prompt,
        "num_inference_steps": job.num_inference_steps,
        "seed": job.seed,
        "size": f"{job.width}x{job.height}" if job.width and job.height else None,
        "num_frames": job.num_frames,
    }
    return create_job(data, owner=job.owner)


def cancel_job(job: VideoJob) -> VideoJob:
    """A queued job is cancelled at once; a running one is flagged and its worker stops it."""
    if job.is_terminal:
        raise InvalidRequest(None, f"The video is already {job.status}.", "not_cancellable", status=409)
    now = timezone.now()
    with _refused_when_full():
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
    with _refused_when_full():
        VideoJob.objects.filter(id=job.id).delete()
    storage.delete(job.video_file)
    storage.delete(job.thumbnail_file)
    storage.delete(job.reference_image)
    storage.remove_scratch(job.id)


def wait_for(job_id: str, timeout: float, poll: float = 0.25) -> VideoJob:
    """Block until the job is terminal or the timeout passes; returns its latest state."""
    deadline = time.monotonic() + timeout
    while True:
        job = VideoJob.objects.get(id=job_id)
        if job.is_terminal or time.monotonic() >= deadline:
            return job
        time.sleep(poll)
