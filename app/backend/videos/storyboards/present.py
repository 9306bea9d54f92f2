"""A storyboard as the API shows it, and as a file (its create body, `?format=board`)."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.storage import default_storage

from videos.models import Shot, Storyboard, VideoJob
from videos.storyboards.advance import board_settings, shot_status
from videos.storyboards.joined import is_rendered, render_key

ACTIVE = ("queued", "in_progress", "waiting")
FAILED = ("failed", "cancelled", "blocked")


def load(board: Storyboard) -> tuple[list[Shot], dict[str, VideoJob]]:
    shots = list(Shot.objects.filter(storyboard_id=board.id).order_by("index"))
    return shots, VideoJob.objects.in_bulk([shot.job_id for shot in shots if shot.job_id])


def board_status(board: Storyboard, shots: Sequence[Shot], statuses: Sequence[str]) -> str:
    """queued (nothing started), in_progress (shots running, or rendering), failed (a shot
    failed, was cancelled or is blocked, and nothing else runs; or the render failed),
    needs_attention (stale or changed shots wait to be re-run), completed (rendered)."""
    if any(status in ACTIVE for status in statuses):
        return "queued" if all(status in ("queued", "waiting") for status in statuses) else "in_progress"
    if any(status in FAILED for status in statuses):
        return "failed"
    if any(status in ("stale", "changed") for status in statuses):
        return "needs_attention"
    if is_rendered(board, shots):
        return "completed"
    return "failed" if board.render_error and board.rendered_key == render_key(shots) else "in_progress"


def storyboard_object(board: Storyboard, shots: Sequence[Shot], jobs: Mapping[str, VideoJob]) -> dict[str, Any]:
    statuses = [shot_status(shot, jobs) for shot in shots]
    status = board_status(board, shots, statuses)
    rendered = is_rendered(board, shots)
    info = board.render_info or {}
    starts = info.get("starts") if rendered else None
    shown = [
        _shot(number, shot, jobs.get(shot.job_id), statuses[number], starts[number] if starts else None)
        for number, shot in enumerate(shots)
    ]
    done = sum(shot["progress"] for shot in shown) / max(len(shown), 1)
    return {
        "id": board.id,
        "object": "storyboard",
        "model": board.provider,
        "size": board_settings(board)["size"],
        "sound": board.sound,
        "status": status,
        "progress": 100 if rendered else min(99, int(done)),
        "created_at": int(board.created_at.timestamp()),
        "shots": shown,
        "error": _error(board, shown) if status == "failed" else None,
        "metadata": {key: info[key] for key in ("frames", "fps", "width", "height", "duration", "audio", "chapters")}
        if rendered
        else None,
        "content_url": f"/v1/storyboards/{board.id}/content" if rendered else None,
    }


def _shot(number: int, shot: Shot, job: VideoJob | None, status: str, start: float | None) -> dict[str, Any]:
    return {
        "id": shot.id,
        "index": number,
        "prompt": shot.prompt,
        "seconds": shot.seconds,
        "seed": shot.seed,
        "join": shot.join,
        "crossfade_frames": shot.crossfade_frames,
        "has_input_reference": bool(shot.input_reference),
        "has_last_frame": bool(shot.last_frame),
        "video_id": shot.job_id or None,
        "status": status,
        "progress": 100 if status == "completed" else int(job.progress) if job is not None and status in ACTIVE else 0,
        "reason": shot.reason or _reason(job, status) or None,
        "start_seconds": start,
    }


def _reason(job: VideoJob | None, status: str) -> str:
    if status not in FAILED:
        return ""
    if job is None:
        return "Its video was deleted."
    return job.error_message


def _error(board: Storyboard, shown: Sequence[dict[str, Any]]) -> dict[str, str]:
    for shot in shown:
        if shot["status"] in FAILED:
            reason = shot["reason"] or "no reason given."
            return {"code": f"shot_{shot['status']}", "message": f"Shot {shot['index'] + 1} {shot['status']}: {reason}"}
    return {"code": "render_failed", "message": board.render_error}


def board_file(board: Storyboard, shots: Sequence[Shot]) -> dict[str, Any]:
    """The board's create body (POST /v1/storyboards takes it back): images as data URLs."""
    body: dict[str, Any] = {key: value for key, value in board_settings(board).items() if value is not None}
    body["shots"] = []
    for shot in shots:
        entry: dict[str, Any] = {"prompt": shot.prompt, "seconds": shot.seconds, "seed": shot.seed, "join": shot.join}
        if shot.join == Shot.Join.CROSSFADE:
            entry["crossfade_frames"] = shot.crossfade_frames
        for field in ("input_reference", "last_frame"):
            name = getattr(shot, field)
            if name and default_storage.exists(name):
                entry[field] = _data_url(name)
        body["shots"].append(entry)
    return body


def _data_url(name: str) -> str:
    kind = mimetypes.guess_type(name)[0] or "image/png"
    with default_storage.open(name, "rb") as fh:
        return f"data:{kind};base64,{base64.b64encode(fh.read()).decode()}"
