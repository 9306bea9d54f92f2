"""The API's objects: a job as OpenAI's video object plus the studio's fields, a provider as a model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from videos.jobs.eta import Estimator
from videos.models import VideoJob
from videos.providers.base import Provider
from videos.providers.preview import PREVIEW_LABEL
from videos.providers.registry import all_providers

Status = VideoJob.Status


def new_estimator() -> Estimator:
    return Estimator(concurrency={p.name: p.concurrency for p in all_providers()})


def _ts(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value else None


def video_object(job: VideoJob, estimator: Estimator | None = None) -> dict[str, Any]:
    estimator = estimator or new_estimator()
    position = estimator.position(job)
    now = timezone.now()
    elapsed = ((job.completed_at or now) - (job.started_at or job.created_at)).total_seconds()
    done = job.status == Status.COMPLETED
    metadata = job.metadata if done else None
    width = (metadata or {}).get("width") or job.width
    height = (metadata or {}).get("height") or job.height
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
        "seconds": f"{metadata['duration']:.2f}" if metadata else None,
        "size": f"{width}x{height}" if width and height else None,
        "prompt": job.prompt,
        "negative_prompt": job.negative_prompt,
        "num_inference_steps": job.num_inference_steps,
        "seed": job.seed,
        "num_frames": job.num_frames,
        "has_reference_image": bool(job.reference_image),
        "preview": job.preview,
        "label": PREVIEW_LABEL if job.preview else None,
        "queue_position": position,
        "eta_seconds": None if job.is_terminal else estimator.eta_seconds(job, position),
        "elapsed_seconds": round(max(elapsed, 0.0), 1),
        "status_message": (job.status_message or None) if job.status == Status.IN_PROGRESS else None,
        "cancel_requested": job.cancel_requested and not job.is_terminal,
        "error": {"code": job.error_code, "message": job.error_message} if job.status == Status.FAILED else None,
        "metadata": metadata,
        "content_url": base if done else None,
        "thumbnail_url": f"{base}?variant=thumbnail" if done else None,
    }


def _size(size: tuple[int, int] | None) -> str | None:
    return f"{size[0]}x{size[1]}" if size else None


def model_object(provider: Provider, default: str) -> dict[str, Any]:
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
        "default": provider.name == default,
        "concurrency": provider.concurrency,
        "capabilities": {
            "steps_range": list(caps.steps_range),
            "default_steps": caps.default_steps,
            "default_size": _size(caps.default_size),
            "sizes": [_size(s) for s in caps.sizes] if caps.sizes else None,
            "accepts_size": caps.accepts_size,
            "accepts_frames": caps.accepts_frames,
            "frames_range": list(caps.frames_range),
            "image_to_video": caps.image_to_video,
            "fps": caps.fps,
        },
    }
