"""The domain operations on jobs: create (with variations), remix, extend, edit, cancel,
retry, delete, wait.

Every entry point (the API, the seed's view, serve mode, the CLI) goes through here. The
request's own shape is checked by `jobs.request`; this module checks what depends on the
chosen model (its capabilities) and stores the job.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils import timezone

from videos.errors import InvalidRequest
from videos.files import storage
from videos.files.images import InvalidImage, ReferenceImage, check_reference_image
from videos.jobs.request import DEFAULT_NEGATIVE, MAX_SEED, VideoCreate, parse_create
from videos.jobs.sources import SourceClip
from videos.models import VideoJob
from videos.providers.base import Provider, VideoParams
from videos.providers.registry import UnknownProvider, all_providers, default_provider_name, get_provider
from videos.queue import get_queue

Status = VideoJob.Status


@dataclass(frozen=True)
class JobSpec:
    """A create request checked against its model: what a new VideoJob is made from."""

    provider: str
    params: VideoParams
    preview: bool
    operation: str = "generate"
    added_seconds: int | None = None  # an extend's new part

    def new_job(self, owner: str = "", **origin: str) -> VideoJob:
        """An unsaved job; the CLI runs one in-process without storing it. `origin`: remixed_from,
        extended_from, edited_from, batch_id."""
        return VideoJob(
            owner=owner,
            provider=self.provider,
            preview=self.preview,
            operation=self.operation,
            added_seconds=self.added_seconds,
            **asdict(self.params),
            **origin,
        )

    def with_params(self, **changes: Any) -> JobSpec:
        return replace(self, params=replace(self.params, **changes))


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


def random_seed() -> int:
    return secrets.randbelow(MAX_SEED + 1)


def validate(
    request: VideoCreate, image: object = None, *, draw_seed: bool = False
) -> tuple[JobSpec, ReferenceImage | None]:
    """Check a parsed request against its model's capabilities. A request without a seed gets
    seed 0 (the seed's endpoint, serve mode, the CLI) or, with `draw_seed` (the /v1 API), a
    random one."""
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
    frames, seconds = clip_length(request.num_frames, request.whole_seconds, provider)
    reference = None
    if image is not None:
        reference = checked_image("input_reference", image, caps.image_to_video, provider.name, "reference image")
    params = VideoParams(
        prompt=request.prompt,
        negative_prompt=DEFAULT_NEGATIVE if request.negative_prompt is None else request.negative_prompt,
        num_inference_steps=steps,
        seed=request.seed if request.seed is not None else (random_seed() if draw_seed else 0),
        width=width,
        height=height,
        num_frames=frames,
        seconds=seconds,
    )
    return JobSpec(provider.name, params, provider.preview), reference


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


def clip_length(num_frames: int | None, seconds: int | None, provider: Provider) -> tuple[int | None, int]:
    """(frames to ask the model for, or None for its default; the whole seconds that makes)."""
    caps = provider.capabilities
    if num_frames is None and seconds is None:
        return None, caps.default_seconds
    param = "num_frames" if num_frames is not None else "seconds"
    if caps.seconds_options is not None:  # the model makes a few fixed lengths (OpenAI's 4, 8, 12)
        if num_frames is not None:
            raise InvalidRequest(param, f"The {provider.name} model takes seconds, not num_frames.")
        asked = seconds or 0
        if asked not in caps.seconds_options:
            options = ", ".join(str(s) for s in caps.seconds_options)
            raise InvalidRequest(
                "seconds",
                f"The {provider.name} model makes clips of {options} seconds (the longest is "
                f"{max(caps.seconds_options)}); got {asked}.",
            )
        return None, asked
    if not caps.accepts_frames:
        raise InvalidRequest(
            param, f"The {provider.name} model decides the length itself; leave num_frames and seconds out."
        )
    low, high = caps.frames_range
    if num_frames is not None:
        if not low <= num_frames <= high:
            raise InvalidRequest("num_frames", f"num_frames must be between {low} and {high}; got {num_frames}.")
        return num_frames, max(1, round(num_frames / caps.fps))
    asked = seconds or 0
    frames = asked * caps.fps + 1  # Wan makes 4k+1 frames: 16 fps x whole seconds + 1 always is
    longest = (high - 1) // caps.fps
    if asked < 1 or frames > high:
        raise InvalidRequest(
            "seconds", f"The {provider.name} model makes clips of 1 to {longest} seconds; got {asked}."
        )
    return frames, asked


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


def checked_image(param: str, upload: object, allowed: bool, model: str, what: str) -> ReferenceImage:
    """An uploaded image the model takes (`allowed`), checked; a clear 400 naming `param` otherwise."""
    if not allowed:
        raise InvalidRequest(param, f"The {model} model does not take a {what}.", "unsupported")
    try:
        return check_reference_image(upload)
    except InvalidImage as exc:
        raise InvalidRequest(param, str(exc).replace("reference image", what)) from None


def check_images(provider_name: str, reference: ReferenceImage | None, last_frame: object) -> ReferenceImage | None:
    """A last-frame image needs a model that takes one; an image-only model needs an image."""
    caps = get_provider(provider_name).capabilities
    last = None
    if last_frame is not None:
        last = checked_image("last_frame", last_frame, caps.last_frame, provider_name, "last-frame image")
    if not caps.text_to_video and reference is None and last is None:
        raise InvalidRequest(
            "input_reference",
            f"The {provider_name} model makes videos from an image only: send input_reference (or last_frame).",
            "image_required",
        )
    return last


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
        if reference is not None:
            written.append(
                default_storage.save(f"references/{job.id}.{reference.extension}", ContentFile(reference.data))
            )
            job.reference_image = written[-1]
        elif reference_from:
            written.append(storage.copy(reference_from, f"references/{job.id}{_suffix(reference_from)}"))
            job.reference_image = written[-1]
        if last_frame is not None:
            written.append(
                default_storage.save(f"references/{job.id}.last.{last_frame.extension}", ContentFile(last_frame.data))
            )
            job.last_frame_image = written[-1]
        elif last_frame_from:
            written.append(storage.copy(last_frame_from, f"references/{job.id}.last{_suffix(last_frame_from)}"))
            job.last_frame_image = written[-1]
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


def retry_job(job: VideoJob) -> VideoJob:
    """The same job again: its model, settings, seed and input files (a reference image, the
    clip of an extend or edit, copied while the original still has them)."""
    return _again(job, job.prompt, {})


def remix_job(job: VideoJob, prompt: str) -> VideoJob:
    """OpenAI's remix: a new job with the source's model, settings and seed, and a new prompt."""
    if job.status != Status.COMPLETED:
        raise InvalidRequest(
            None,
            f"Only a completed video can be remixed; this one is {job.status.replace('_', ' ')}.",
            "video_not_completed",
            status=409,
        )
    return _again(job, prompt, {"remixed_from": job.id})


def _again(job: VideoJob, prompt: str, origin: dict[str, str]) -> VideoJob:
    checked = parse_create({"prompt": prompt})  # the prompt's own rules (length, control characters)
    provider = resolve_provider(job.provider)
    params = replace(job.params, prompt=checked.prompt)
    spec = JobSpec(provider.name, params, provider.preview, job.operation, job.added_seconds)
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
    with _refused_when_full():
        VideoJob.objects.filter(id=job.id).update(favorite=favorite)
    job.refresh_from_db()
    return job


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
