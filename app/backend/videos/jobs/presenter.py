"""The API's objects: a job as OpenAI's video object plus the studio's fields, a provider as a model."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from videos.jobs.eta import Estimator
from videos.models import QueueState, VideoJob
from videos.providers.base import Provider
from videos.providers.registry import UnknownProvider, all_providers, get_provider

Status = VideoJob.Status


def new_estimator() -> Estimator:
    return Estimator(concurrency={p.name: p.concurrency for p in all_providers()})


def _ts(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value else None


def _asked_or_default(job: VideoJob) -> tuple[str, str]:
    """(seconds, size) before the video is measured: what was asked, else the model's default."""
    try:
        caps = get_provider(job.provider).capabilities
    except UnknownProvider:
        caps = None
    seconds = job.seconds
    if seconds is None:  # jobs made before `seconds` was recorded
        if job.num_frames:
            seconds = max(1, round(job.num_frames / (caps.fps if caps else 16)))
        else:
            seconds = caps.default_seconds if caps else 0
    if job.width and job.height:
        return str(seconds), f"{job.width}x{job.height}"  # OpenAI's `seconds` is text on the wire
    default = caps.default_size if caps else None
    return str(seconds), f"{default[0]}x{default[1]}" if default else "unknown"


def expires_at(job: VideoJob) -> datetime | None:
    """When a finished video is deleted (VIDEO_RETENTION_DAYS); None: kept until deleted."""
    if settings.VIDEO_RETENTION_DAYS <= 0 or job.status != Status.COMPLETED or job.completed_at is None:
        return None
    return job.completed_at + timedelta(days=settings.VIDEO_RETENTION_DAYS)


def video_object(job: VideoJob, estimator: Estimator | None = None) -> dict[str, Any]:
    estimator = estimator or new_estimator()
    position = estimator.position(job)
    now = timezone.now()
    elapsed = ((job.completed_at or now) - (job.started_at or job.created_at)).total_seconds()
    done = job.status == Status.COMPLETED
    metadata = job.metadata if done else None
    seconds, size = _asked_or_default(job)
    if metadata and metadata.get("width") and metadata.get("height"):
        size = f"{metadata['width']}x{metadata['height']}"  # what was made, where the model chose
    base = f"/v1/videos/{job.id}/content"
    return {
        "id": job.id,
        "object": "video",
        "model": job.provider,
        "status": job.status,
        "progress": 100 if done else int(job.progress),
        "created_at": _ts(job.created_at),
        "started_at": _ts(job.started_at),
        "completed_at": _ts(job.completed_at),
        "expires_at": _ts(expires_at(job)),
        "seconds": seconds,
        "size": size,
        "remixed_from_video_id": job.remixed_from or None,
        "extended_from_video_id": job.extended_from or None,
        "edited_from_video_id": job.edited_from or None,
        "operation": job.operation,
        "batch_id": job.batch_id or None,
        "favorite": job.favorite,
        "prompt": job.prompt,
        "original_prompt": job.original_prompt or None,
        "negative_prompt": job.negative_prompt,
        "num_inference_steps": job.num_inference_steps,
        "seed": job.seed,
        "num_frames": job.num_frames,
        "has_reference_image": bool(job.reference_image),
        "preview": job.preview,
        "label": _output_label(job.provider),
        "queue_position": position,
        "eta_seconds": None if job.is_terminal else estimator.eta_seconds(job, position),
        "elapsed_seconds": round(max(elapsed, 0.0), 1),
        "status_message": (job.status_message or None) if job.status == Status.IN_PROGRESS else None,
        "cancel_requested": job.cancel_requested and not job.is_terminal,
        "error": {"code": job.error_code, "message": job.error_message} if job.status == Status.FAILED else None,
        "sound": job.sound,
        "has_audio": bool(metadata and metadata.get("audio")),
        "audio": metadata.get("audio") if metadata else None,
        "metadata": metadata,
        "content_url": base if done else None,
        "thumbnail_url": f"{base}?variant=thumbnail" if done else None,
        "spritesheet_url": f"{base}?variant=spritesheet" if done else None,
    }


def _output_label(name: str) -> str | None:
    try:
        return get_provider(name).output_label
    except UnknownProvider:
        return None


def _size(size: tuple[int, int] | None) -> str | None:
    return f"{size[0]}x{size[1]}" if size else None


def model_object(provider: Provider, default: str, paused: set[str]) -> dict[str, Any]:
    """`paused`: order.paused_models(), read once for the list."""
    state = provider.status()
    caps = provider.capabilities
    return {
        "id": provider.name,
        "object": "model",
        "owned_by": "video-studio",
        "label": provider.label,
        "ready": state.ready,
        "detail": state.detail,
        "preview": provider.preview,
        "runs_on": provider.runs_on,
        "typical_time": provider.typical_time,
        "default": provider.name == default,
        "concurrency": provider.concurrency,
        "queue_paused": QueueState.is_paused(provider.name, paused),
        "upstreams": provider.upstreams(),
        "capabilities": {
            "steps_range": list(caps.steps_range),
            "default_steps": caps.default_steps,
            "default_size": _size(caps.default_size),
            "sizes": [_size(s) for s in caps.sizes] if caps.sizes else None,
            "accepts_size": caps.accepts_size,
            "accepts_frames": caps.accepts_frames,
            "frames_range": list(caps.frames_range),
            "image_to_video": caps.image_to_video,
            "text_to_video": caps.text_to_video,
            "last_frame": caps.last_frame,
            "fps": caps.fps,
            "default_seconds": caps.default_seconds,
            "seconds": list(caps.seconds_options) if caps.seconds_options else None,
            "max_seconds": max(caps.seconds_options or [(caps.frames_range[1] - 1) // caps.fps]),
            "extend": caps.can_extend,
            "edit": caps.video_to_video,
            "remix": True,
            "sound": caps.sound,
        },
    }
