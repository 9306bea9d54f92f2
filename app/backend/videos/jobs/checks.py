"""A create request checked against its model: the provider is known and ready, and the steps,
size, length and images are ones it takes. The request's own shape is checked before, by
`jobs.request`; what passes here is a JobSpec the service stores."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, replace
from typing import Any

from videos.errors import InvalidRequest
from videos.files.images import InvalidImage, ReferenceImage, check_reference_image
from videos.jobs.request import DEFAULT_NEGATIVE, MAX_SEED, VideoCreate
from videos.models import VideoJob
from videos.providers.base import Provider, VideoParams
from videos.providers.registry import UnknownProvider, all_providers, default_provider_name, get_provider


@dataclass(frozen=True)
class JobSpec:
    """A create request checked against its model: what a new VideoJob is made from."""

    provider: str
    params: VideoParams
    preview: bool
    operation: str = "generate"
    added_seconds: int | None = None  # an extend's new part
    original_prompt: str = ""  # the person's own words when `params.prompt` is an enhanced version

    def new_job(self, owner: str = "", **origin: str) -> VideoJob:
        """An unsaved job; the CLI runs one in-process without storing it. `origin`: remixed_from,
        extended_from, edited_from, batch_id."""
        return VideoJob(
            owner=owner,
            provider=self.provider,
            preview=self.preview,
            operation=self.operation,
            added_seconds=self.added_seconds,
            original_prompt=self.original_prompt,
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
    check_sound(request.sound, provider)
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
        sound=bool(request.sound),
    )
    return JobSpec(provider.name, params, provider.preview, original_prompt=request.original_prompt or ""), reference


def check_sound(sound: bool | None, provider: Provider) -> None:
    """A soundtrack is asked only of a model that makes one."""
    if sound and not provider.capabilities.sound:
        raise InvalidRequest("sound", f"The {provider.name} model makes no sound; leave sound out.", "unsupported")


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
