"""Steering the queue: pausing it, moving a queued job, editing one in place (`GET/POST
/v1/queue`, `POST /v1/videos/{id}`). The order itself lives in videos/queue/order.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from videos.errors import InvalidRequest
from videos.jobs.checks import validate
from videos.jobs.request import parse_create
from videos.models import PARAM_NAMES, VideoJob
from videos.providers.registry import all_providers
from videos.queue import get_queue, order

Status = VideoJob.Status
# What a queued job's owner may change in place: its parameters, checked as a create would be.
EDITABLE = ("prompt", "negative_prompt", "seed", "num_inference_steps", "size", "seconds", "num_frames")
MOVES = ("queue_position", "before")
# Sent with a new prompt that is an enhanced one; otherwise a new prompt is the person's own.
ORIGINAL = "original_prompt"


def set_paused(paused: Any, model: Any) -> None:
    if not isinstance(paused, bool):
        raise InvalidRequest("paused", "Send paused: true to pause the queue, or false to resume it.", "invalid_value")
    if model is not None and (not isinstance(model, str) or model not in {p.name for p in all_providers()}):
        known = ", ".join(p.name for p in all_providers())
        raise InvalidRequest("model", f"No model {str(model)[:40]!r} here; models: {known}.", "unknown_model")
    was = order.paused_models()
    order.set_paused(paused, model or order.ALL)
    if not paused:
        resumed = [p.name for p in all_providers() if not order.is_paused(p.name) and order.is_paused(p.name, was)]
        if resumed:
            get_queue().resumed(resumed)


def queue_state() -> dict[str, Any]:
    paused = order.paused_models()
    return {
        "paused": order.ALL in paused,
        "models": [{"model": p.name, "paused": order.is_paused(p.name, paused)} for p in all_providers()],
    }


def update_queued(
    job: VideoJob, data: Mapping[str, Any], before: VideoJob | None = None, admin: bool = False
) -> VideoJob:
    """Edit a queued job's parameters and/or move it; a job that has started is a 409."""
    unknown = sorted(set(data) - set(EDITABLE) - set(MOVES) - {ORIGINAL})
    if unknown:
        raise InvalidRequest(
            unknown[0],
            f"{unknown[0]!r} cannot be changed; a queued video takes {', '.join(EDITABLE + MOVES)}.",
            "unknown_parameter",
        )
    if not data:
        raise InvalidRequest(None, f"Nothing to change: send any of {', '.join(EDITABLE + MOVES)}.", "empty_update")
    _require_queued(job)
    edits = {name: data[name] for name in EDITABLE if name in data}
    if edits:
        if job.operation != "generate":
            message = f"An {job.operation} job's settings follow its source clip; cancel it and make a new one."
            raise InvalidRequest(None, message, "not_editable")
        checked, _ = validate(parse_create(_create_fields(job, edits)))
        changed: dict[str, Any] = {name: getattr(checked.params, name) for name in PARAM_NAMES}
        if "prompt" in edits:
            original = data.get(ORIGINAL) or ""
            if not isinstance(original, str) or len(original) > 2000:
                raise InvalidRequest(ORIGINAL, "original_prompt is the person's own text, at most 2000 characters.")
            changed[ORIGINAL] = original
        if not VideoJob.objects.filter(id=job.id, status=Status.QUEUED).update(**changed):
            _require_queued(VideoJob.objects.get(id=job.id))
    if "queue_position" in data or "before" in data:
        position = data.get("queue_position")
        if position is not None and (isinstance(position, bool) or not isinstance(position, int) or position < 1):
            raise InvalidRequest("queue_position", "queue_position is a whole number: 1 runs next.", "invalid_value")
        if "before" in data and before is None:
            raise InvalidRequest("before", "before names a queued video of the same model.", "invalid_value")
        if before is not None and (before.provider != job.provider or before.status != Status.QUEUED):
            raise InvalidRequest("before", "before names a queued video of the same model.", "invalid_value")
        order.move(job, position=position, before=before, anyone=admin)
    job.refresh_from_db()
    return job


def _require_queued(job: VideoJob) -> None:
    if job.status != Status.QUEUED or job.cancel_requested:
        raise InvalidRequest(
            None, f"Only a queued video can be changed; this one is {job.status.replace('_', ' ')}.", "not_queued", 409
        )


def _create_fields(job: VideoJob, edits: Mapping[str, Any]) -> dict[str, Any]:
    """The job's current settings as a create request, with `edits` over them."""
    fields: dict[str, Any] = {
        "model": job.provider,
        "prompt": job.prompt,
        "negative_prompt": job.negative_prompt,
        "num_inference_steps": job.num_inference_steps,
        "seed": job.seed,
    }
    if job.width and job.height:
        fields["size"] = f"{job.width}x{job.height}"
    if "seconds" in edits or "num_frames" in edits:
        pass  # the new length alone
    elif job.seconds:
        fields["seconds"] = str(job.seconds)
    elif job.num_frames:
        fields["num_frames"] = job.num_frames
    return {**fields, **edits}
