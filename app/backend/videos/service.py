"""The domain operations on jobs: create (with validation), cancel, retry, delete, wait.

Every entry point (the API, the seed's view, the CLI) goes through here.
"""
from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from . import storage
from .images import InvalidImage, ReferenceImage, check_reference_image
from .models import VideoJob
from .providers.base import GenerationRequest, Provider
from .providers.registry import UnknownProvider, all_providers, default_provider_name, get_provider
from .queue import get_queue

Status = VideoJob.Status
MAX_PROMPT = 2000
MAX_SEED = 2**32 - 1
SIZE_RE = re.compile(r"^(\d{2,4})x(\d{2,4})$")


class InvalidRequest(Exception):
    def __init__(self, param: str | None, message: str, code: str = "invalid_value", status: int = 400) -> None:
        super().__init__(message)
        self.param, self.message, self.code, self.status = param, message, code, status


@dataclass(frozen=True)
class JobSpec:
    """Validated parameters of a new job."""

    provider: str
    prompt: str
    negative_prompt: str
    num_inference_steps: int
    seed: int
    width: int | None
    height: int | None
    num_frames: int | None
    image: ReferenceImage | None = None

    def generation_request(self) -> GenerationRequest:
        """What a provider needs to run this spec directly (the CLI's --in-process path)."""
        return GenerationRequest(
            prompt=self.prompt,
            negative_prompt=self.negative_prompt,
            num_inference_steps=self.num_inference_steps,
            seed=self.seed,
            width=self.width,
            height=self.height,
            num_frames=self.num_frames,
        )


def _text(value: object, param: str, *, required: bool, default: str = "") -> str:
    if value is None or value == "":
        if required:
            raise InvalidRequest(param, f"{param} must not be empty.", "missing")
        return default
    if not isinstance(value, str):
        raise InvalidRequest(param, f"{param} must be a string.", "invalid_type")
    text = value.strip()
    if required and not text:
        raise InvalidRequest(param, f"{param} must not be empty.", "missing")
    if len(text) > MAX_PROMPT:
        raise InvalidRequest(param, f"{param} is {len(text)} characters; the limit is {MAX_PROMPT}.", "too_long")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise InvalidRequest(param, f"{param} contains control characters.")
    return text


def _int(value: object, param: str, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise InvalidRequest(param, f"{param} must be a whole number.", "invalid_type")
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,12}\s*", value):
        value = int(value)
    if not isinstance(value, int):
        raise InvalidRequest(param, f"{param} must be a whole number.", "invalid_type")
    if not low <= value <= high:
        raise InvalidRequest(param, f"{param} must be between {low} and {high}; got {value}.")
    return value


def resolve_provider(name: object) -> Provider:
    if name is None or name == "":
        name = default_provider_name()
    if not isinstance(name, str):
        raise InvalidRequest("model", "model must be a string.", "invalid_type")
    try:
        provider = get_provider(name)
    except UnknownProvider:
        known = ", ".join(p.name for p in all_providers())
        raise InvalidRequest("model", f"Unknown model {name[:40]!r}; choose one of: {known}.", "unknown_model") from None
    state = provider.status()
    if not state.ready:
        raise InvalidRequest(
            "model", f"The {provider.name} provider is not available: {state.detail}.", "not_configured", status=503
        )
    return provider


def validate(data: dict) -> JobSpec:
    provider = resolve_provider(data.get("model"))
    caps = provider.capabilities
    prompt = _text(data.get("prompt"), "prompt", required=True)
    negative = _text(data.get("negative_prompt"), "negative_prompt", required=False, default="low quality")
    steps = _int(data.get("num_inference_steps"), "num_inference_steps", caps.default_steps, *caps.steps_range)
    seed = _int(data.get("seed"), "seed", 0, 0, MAX_SEED)

    width = height = None
    size = data.get("size")
    if size not in (None, ""):
        if not caps.accepts_size:
            raise InvalidRequest("size", f"The {provider.name} model decides the size itself; leave size out.")
        match = SIZE_RE.match(size) if isinstance(size, str) else None
        if not match:
            raise InvalidRequest("size", "size must look like 832x480 (width x height).")
        width, height = int(match[1]), int(match[2])
        if width % 16 or height % 16 or not (64 <= width <= 1920 and 64 <= height <= 1920):
            raise InvalidRequest("size", "width and height must be multiples of 16 between 64 and 1920.")
        if caps.sizes is not None and (width, height) not in caps.sizes:
            allowed = ", ".join(f"{w}x{h}" for w, h in caps.sizes)
            raise InvalidRequest("size", f"The {provider.name} model supports these sizes: {allowed}.")

    frames = None
    raw_frames, seconds = data.get("num_frames"), data.get("seconds")
    if raw_frames not in (None, "") or seconds not in (None, ""):
        if not caps.accepts_frames:
            raise InvalidRequest(
                "num_frames" if raw_frames not in (None, "") else "seconds",
                f"The {provider.name} model decides the length itself; leave num_frames and seconds out.",
            )
        if raw_frames not in (None, ""):
            frames = _int(raw_frames, "num_frames", 0, *caps.frames_range)
        else:
            secs = _int(seconds, "seconds", 0, 1, 60)
            frames = secs * caps.fps + 1
            if not caps.frames_range[0] <= frames <= caps.frames_range[1]:
                raise InvalidRequest("seconds", f"The {provider.name} model makes at most {caps.frames_range[1]} frames.")
    image = None
    if data.get("input_reference") is not None:
        if not caps.image_to_video:
            raise InvalidRequest(
                "input_reference", f"The {provider.name} model does not take a reference image.", "unsupported"
            )
        try:
            image = check_reference_image(data["input_reference"])
        except InvalidImage as exc:
            raise InvalidRequest("input_reference", str(exc)) from None
    return JobSpec(provider.name, prompt, negative, steps, seed, width, height, frames, image)


def create_job(data: dict, owner: str = "") -> VideoJob:
    spec = validate(data)
    provider = get_provider(spec.provider)
    job = VideoJob.objects.create(
        owner=owner,
        provider=spec.provider,
        prompt=spec.prompt,
        negative_prompt=spec.negative_prompt,
        num_inference_steps=spec.num_inference_steps,
        seed=spec.seed,
        width=spec.width,
        height=spec.height,
        num_frames=spec.num_frames,
        preview=provider.preview,
    )
    if spec.image is not None:
        job.reference_image = default_storage.save(
            f"references/{job.id}.{spec.image.extension}", ContentFile(spec.image.data)
        )
        job.save(update_fields=["reference_image"])
    transaction.on_commit(lambda: get_queue().enqueue(job))
    return job


def retry_job(job: VideoJob) -> VideoJob:
    if job.reference_image:
        raise InvalidRequest(None, "Videos made from a reference image cannot be retried; upload the image again.", "unsupported")
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
    VideoJob.objects.filter(id=job.id, status=Status.QUEUED).update(
        status=Status.CANCELLED, cancel_requested=True, completed_at=now, error_code="cancelled", error_message="Cancelled."
    )
    VideoJob.objects.filter(id=job.id, status=Status.IN_PROGRESS).update(cancel_requested=True)
    get_queue().cancel(job)
    job.refresh_from_db()
    return job


def delete_job(job: VideoJob) -> None:
    if not job.is_terminal:
        cancel_job(job)
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
