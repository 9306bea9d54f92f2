"""A storyboard's joined MP4 in storage: rendered once its shots are all made, by one process at
a time (a conditional UPDATE claims the board), again when a shot or a seam changes."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from videos.files import storage
from videos.models import Shot, Storyboard, VideoJob
from videos.runner.provenance import sign_composite
from videos.storyboards.render import Part, RenderError, render
from videos.webhooks import events as webhook_events

log = logging.getLogger(__name__)
RENDER_TIMEOUT = timedelta(minutes=10)  # a claim older than this was left by a process that died
Status = VideoJob.Status


def render_key(shots: Sequence[Shot]) -> str:
    """What a render depends on: each shot's video and seam (a changed one needs a new render)."""
    parts = [[shot.job_id, shot.join, shot.crossfade_frames] for shot in shots]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:40]


def renderable(shots: Sequence[Shot], jobs: Mapping[str, VideoJob]) -> bool:
    """Every shot completed with its current parameters (none waiting, stale or changed)."""
    return bool(shots) and all(
        shot.state == Shot.State.CURRENT
        and shot.job_id in jobs
        and jobs[shot.job_id].status == Status.COMPLETED
        and jobs[shot.job_id].video_file
        for shot in shots
    )


def is_rendered(board: Storyboard, shots: Sequence[Shot]) -> bool:
    return bool(board.video_file) and board.rendered_key == render_key(shots)


def ensure_rendered(board_id: str, wait: float = 0.0, retry_failed: bool = False) -> None:
    """Render the board if its shots are all made and its file is not of them; when another
    process is rendering it, wait up to `wait` seconds for that one. A render that failed is
    tried again only with `retry_failed` (a request for the file), not by every shot's end."""
    deadline = time.monotonic() + wait
    while True:
        board = Storyboard.objects.filter(id=board_id).first()
        if board is None:
            return
        shots = list(Shot.objects.filter(storyboard_id=board_id).order_by("index"))
        jobs = VideoJob.objects.in_bulk([shot.job_id for shot in shots if shot.job_id])
        key = render_key(shots)
        done = board.rendered_key == key and (bool(board.video_file) or not retry_failed)
        if not renderable(shots, jobs) or done:
            return  # nothing to render yet, or rendered (or failed to render) as it is
        now = timezone.now()
        free = Q(rendering_since__isnull=True) | Q(rendering_since__lt=now - RENDER_TIMEOUT)
        if Storyboard.objects.filter(Q(id=board_id) & free).update(rendering_since=now):
            _render(board, shots, jobs, key)
            retry_failed = False
            continue  # shots may have changed while it rendered
        if time.monotonic() >= deadline:
            return
        time.sleep(0.1)


def _render(board: Storyboard, shots: Sequence[Shot], jobs: Mapping[str, VideoJob], key: str) -> None:
    scratch = f"{board.id}-{uuid.uuid4().hex[:8]}"  # its own scratch names: another render may run
    fields: dict[str, object] = {"rendering_since": None, "rendered_key": key}
    try:
        parts = [
            Part(
                Path(storage.fetch_to_scratch(jobs[shot.job_id].video_file, scratch, number, ".shot")),
                shot.join,
                shot.crossfade_frames,
                _title(number, shot.prompt),
            )
            for number, shot in enumerate(shots)
        ]
        dest = storage.scratch_path(scratch, 0, ".joined.mp4")
        started = time.monotonic()
        result = render(parts, dest)
        made = [(jobs[shot.job_id], part.path) for shot, part in zip(shots, parts, strict=True)]
        sign_composite(dest, f"storyboard {board.id}", made, "joined", {"storyboard_id": board.id})
        name = storage.store(dest, f"storyboards/{board.id}-{key[:12]}.mp4")
        fields.update(video_file=name, render_info=result.as_dict(), render_error="")
        log.info("storyboard %s rendered: %d frames in %.1f s", board.id, result.frames, time.monotonic() - started)
    except RenderError as exc:
        fields.update(video_file="", render_error=str(exc))
    except Exception as exc:  # a missing file, a full disk: said on the board, not lost in a worker
        log.exception("storyboard %s: rendering failed", board.id)
        message = storage.STORAGE_FULL_MESSAGE if storage.is_storage_full(exc) else f"Rendering failed: {exc}"
        fields.update(video_file="", render_error=message)
    finally:
        storage.remove_scratch(scratch)
    old = board.video_file
    with transaction.atomic():  # the board's file and its event commit together or not at all
        Storyboard.objects.filter(id=board.id).update(**fields)
        _announce(board, key, bool(fields.get("video_file")))
    if old and old != fields.get("video_file"):
        storage.delete(old)


def _announce(board: Storyboard, key: str, rendered: bool) -> None:
    """storyboard.completed (or .failed: the render failed) for this render of the board. A bug
    here is logged and rolled back to a savepoint: it must not keep the board's file unrecorded."""
    try:
        with transaction.atomic():
            if rendered:
                webhook_events.announce(webhook_events.BOARD_DONE, board.id, f"|{key}", board.owner)
            else:
                webhook_events.announce(webhook_events.BOARD_FAILED, board.id, f"|render|{key}", board.owner)
    except DatabaseError:
        raise
    except Exception:
        log.exception("storyboard %s: could not write its webhook deliveries", board.id)


def _title(number: int, prompt: str) -> str:
    text = " ".join(prompt.split())
    return f"{number + 1}. {text[:60]}{'...' if len(text) > 60 else ''}"
