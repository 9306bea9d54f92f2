"""Extend and edit: new jobs made from an existing clip (an upload or one of the caller's videos)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from videos.errors import InvalidRequest
from videos.jobs.checks import JobSpec, check_sound, clip_length, random_seed, resolve_provider
from videos.jobs.request import DEFAULT_NEGATIVE, parse_create
from videos.jobs.service import store_job
from videos.jobs.sources import SourceClip
from videos.models import VideoJob
from videos.providers.base import Capabilities, Provider, VideoParams
from videos.providers.registry import UnknownProvider, all_providers, default_provider_name, get_provider

# Taken from the source clip, so not accepted with it.
FROM_SOURCE = {"extend": ("size", "num_frames", "n"), "edit": ("size", "num_frames", "seconds", "n")}


def extend_job(fields: Mapping[str, Any], source: SourceClip, owner: str = "", source_model: str = "") -> VideoJob:
    """OpenAI's extend: the source clip plus `seconds` more, continued from its last frame."""
    try:
        provider, spec = _checked("extend", fields, source, source_model, lambda caps: caps.can_extend)
        assert source.info is not None
        # `seconds` checked as a create's (a whole number, as text on the wire)
        asked = parse_create({"prompt": spec.params.prompt, "seconds": fields.get("seconds") or None}).whole_seconds
        frames, added = clip_length(None, asked, provider)
        total = max(1, round(source.info.duration)) + added
        spec = replace(spec.with_params(num_frames=frames, seconds=total), added_seconds=added)
        return store_job(spec, owner, source=source, origin={"extended_from": source.video_id})
    finally:
        source.discard()


def edit_job(fields: Mapping[str, Any], source: SourceClip, owner: str = "", source_model: str = "") -> VideoJob:
    """OpenAI's edit: video-to-video on the source clip with a new prompt, same size and length."""
    try:
        provider, spec = _checked("edit", fields, source, source_model, lambda caps: caps.video_to_video)
        assert source.info is not None
        frames: int | None = None
        caps = provider.capabilities
        if caps.accepts_frames and caps.seconds_options is None:
            low, high = caps.frames_range
            frames = source.info.frames
            if not low <= frames <= high:
                raise InvalidRequest(
                    "video", f"The source clip has {frames} frames; the {provider.name} model edits {low} to {high}."
                )
        spec = spec.with_params(num_frames=frames)
        return store_job(spec, owner, source=source, origin={"edited_from": source.video_id})
    finally:
        source.discard()


def _checked(
    operation: str,
    fields: Mapping[str, Any],
    source: SourceClip,
    source_model: str,
    able: Callable[[Capabilities], bool],
) -> tuple[Provider, JobSpec]:
    for name in FROM_SOURCE[operation]:
        if fields.get(name) not in (None, ""):
            raise InvalidRequest(name, f"An {operation} takes {name} from its source clip; leave {name} out.")

    def able_models() -> list[str]:  # only when needed: a model's status may read the disk (local)
        return [p.name for p in all_providers() if able(p.capabilities) and p.status().ready]

    def usable(name: str) -> bool:
        try:
            provider = get_provider(name)
        except UnknownProvider:
            return False
        return able(provider.capabilities) and provider.status().ready

    model = fields.get("model") or source_model or None
    if model is None and not usable(default_provider_name()):
        model = next(iter(able_models()), None)  # an upload names no model: the default, or else the first that can
    request = parse_create({"prompt": fields.get("prompt"), **_optional(fields), "model": model})
    provider = resolve_provider(request.model)
    caps = provider.capabilities
    if not able(caps):
        can = able_models()
        hint = f"; models that can: {', '.join(can)}" if can else "; none of the configured models can"
        raise InvalidRequest("model", f"The {provider.name} model cannot {operation} a video{hint}.", "unsupported")
    assert source.info is not None
    width, height = source.info.width, source.info.height
    if caps.sizes is not None and (width, height) not in caps.sizes:
        allowed = ", ".join(f"{w}x{h}" for w, h in caps.sizes)
        raise InvalidRequest(
            "video", f"The source clip is {width}x{height}; the {provider.name} model makes only {allowed}."
        )
    if caps.sizes is None and (width % 16 or height % 16 or not (64 <= width <= 1920 and 64 <= height <= 1920)):
        raise InvalidRequest(
            "video",
            f"The source clip is {width}x{height}; the {provider.name} model makes sizes whose sides are "
            "multiples of 16 between 64 and 1920.",
        )
    params = VideoParams(
        prompt=request.prompt,
        negative_prompt=DEFAULT_NEGATIVE if request.negative_prompt is None else request.negative_prompt,
        num_inference_steps=request.num_inference_steps or caps.default_steps,
        seed=request.seed if request.seed is not None else random_seed(),
        width=width,
        height=height,
        num_frames=None,
        seconds=max(1, round(source.info.duration)),
        # Asked, or else as the source: an extend of a clip with sound continues it with sound.
        sound=bool(request.sound if request.sound is not None else source.info.audio and caps.sound),
    )
    check_sound(params.sound, provider)
    low, high = caps.steps_range
    if not low <= params.num_inference_steps <= high:
        raise InvalidRequest(
            "num_inference_steps",
            f"num_inference_steps must be between {low} and {high} for {provider.name}; "
            f"got {params.num_inference_steps}.",
        )
    spec = JobSpec(provider.name, params, provider.preview, operation, original_prompt=request.original_prompt or "")
    return provider, spec


def _optional(fields: Mapping[str, Any]) -> dict[str, Any]:
    names = ("negative_prompt", "num_inference_steps", "seed", "original_prompt", "sound")
    return {k: fields[k] for k in names if k in fields}
