"""The video object of the API (OpenAI's shape plus the studio's fields)."""
from __future__ import annotations

from django.utils import timezone

from .eta import Estimator
from .models import VideoJob
from .providers.preview import PREVIEW_LABEL
from .providers.registry import all_providers

Status = VideoJob.Status


def new_estimator() -> Estimator:
    return Estimator(concurrency={p.name: p.concurrency for p in all_providers()})


def _ts(value) -> int | None:
    return int(value.timestamp()) if value else None


def video_object(job: VideoJob, estimator: Estimator | None = None) -> dict:
    estimator = estimator or new_estimator()
    position = estimator.position(job)
    now = timezone.now()
    if job.started_at:
        elapsed = ((job.completed_at or now) - job.started_at).total_seconds()
    else:
        elapsed = ((job.completed_at or now) - job.created_at).total_seconds()
    metadata = job.metadata if job.status == Status.COMPLETED else None
    width = (metadata or {}).get("width") or job.width
    height = (metadata or {}).get("height") or job.height
    base = f"/v1/videos/{job.id}/content"
    return {
        "id": job.id,
        "object": "video",
        "model": job.provider,
        "status": job.status,
        "progress": int(job.progress) if job.status != Status.COMPLETED else 100,
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
        "cancel_requested": job.cancel_requested and not job.is_terminal,
        "error": {"code": job.error_code, "message": job.error_message} if job.status == Status.FAILED else None,
        "metadata": metadata,
        "content_url": base if job.status == Status.COMPLETED else None,
        "thumbnail_url": f"{base}?variant=thumbnail" if job.status == Status.COMPLETED else None,
    }
