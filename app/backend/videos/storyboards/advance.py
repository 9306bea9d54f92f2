"""Moving a storyboard on: its waiting shots get their jobs (a `continue` shot once the shot
before it has completed, from that shot's last frame), shots after a failed or cancelled one
are blocked, and the board is rendered once every shot is made.

`on_jobs_ended` is connected to `models.job_ended` in VideosConfig.ready: it runs in the process
where a job ended (a studio's worker thread, a Celery worker, a request that cancelled a queued
job), so both queue backends move boards on. `on_housekeeping` catches up on what a process that
died between a job's end and its board's step left undone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef

from videos.errors import InvalidRequest
from videos.files import storage
from videos.files.images import ReferenceImage
from videos.files.media import InvalidVideo, save_last_frame
from videos.jobs.service import store_job
from videos.models import Shot, Storyboard, VideoJob
from videos.storyboards.joined import ensure_rendered, renderable
from videos.storyboards.plan import shot_spec
from videos.webhooks.events import announce_failed_board

log = logging.getLogger(__name__)
State, Join, Status = Shot.State, Shot.Join, VideoJob.Status
ENDED = ("failed", "cancelled", "blocked")
CHUNK = 500  # ids per IN (): SQLite's limit on a statement's variables


def board_settings(board: Storyboard) -> dict[str, Any]:
    """The board's fields every shot's create request shares."""
    size = f"{board.width}x{board.height}" if board.width and board.height else None
    return {
        "model": board.provider,
        "size": size,
        "num_inference_steps": board.num_inference_steps,
        "negative_prompt": board.negative_prompt,
        "sound": board.sound or None,  # left out of a board file when not asked
    }


def shot_status(shot: Shot, jobs: Mapping[str, VideoJob]) -> str:
    """waiting, blocked, stale or changed from the shot itself; else its job's status (a job
    deleted from history since: failed)."""
    if shot.state in (State.WAITING, State.STARTING):
        return "waiting"
    if shot.state != State.CURRENT:
        return str(shot.state)
    job = jobs.get(shot.job_id)
    return str(job.status) if job is not None else "failed"


def on_jobs_ended(ids: list[str] | None = None, **kwargs: object) -> None:
    """models.job_ended: move on the boards whose current shots just ended. Never raises: it runs
    inside the worker that ended the job."""

    def work() -> None:
        try:
            if ids is None:
                boards: Iterable[str] = _unfinished_boards()
            else:
                found: set[str] = set()
                for start in range(0, len(ids), CHUNK):
                    chunk = ids[start : start + CHUNK]
                    found.update(Shot.objects.filter(job_id__in=chunk).values_list("storyboard_id", flat=True))
                boards = sorted(found)
            for board_id in boards:
                advance_board(board_id)
        except Exception:
            log.exception("storyboards: moving on after jobs %s ended failed", (ids or [])[:5])

    transaction.on_commit(work)  # at once outside a transaction; after the end is visible inside one


def on_housekeeping(**kwargs: object) -> None:
    try:
        for board_id in _unfinished_boards():
            advance_board(board_id)
    except Exception:
        log.exception("storyboards: housekeeping failed")


def _unfinished_boards() -> list[str]:
    """Boards with a shot waiting for its predecessor, or all made and not yet rendered."""
    waiting = Shot.objects.filter(state=State.WAITING).values_list("storyboard_id", flat=True)
    unsettled = Shot.objects.filter(storyboard_id=OuterRef("id")).exclude(state=State.CURRENT)
    unrendered = (
        Storyboard.objects.filter(video_file="", render_error="")
        .exclude(Exists(unsettled))
        .values_list("id", flat=True)
    )
    return sorted(set(waiting) | set(unrendered))


def advance_board(board_id: str, *, render: bool = True) -> None:
    """Give waiting shots their jobs where they can start, block those that cannot, and render
    the board once every shot is made. Safe to call at any time, from any process."""
    board = Storyboard.objects.filter(id=board_id).first()
    if board is None:
        return
    shots = list(Shot.objects.filter(storyboard_id=board_id).order_by("index"))
    jobs = VideoJob.objects.in_bulk([shot.job_id for shot in shots if shot.job_id])
    for number, shot in enumerate(shots):
        if shot.state != State.WAITING:
            continue
        before = shots[number - 1] if number else None
        if shot.join != Join.CONTINUE or before is None:
            _start(board, shot, None, jobs)
            continue
        status = shot_status(before, jobs)
        if status == "completed" and before.state == State.CURRENT:
            _start(board, shot, jobs[before.job_id], jobs)
        elif status in ENDED:
            why = before.reason if status == "blocked" else _job_reason(jobs.get(before.job_id))
            _set(shot, State.BLOCKED, f"Shot {number} (the one it continues) {status}: {why}")
    if any(shot.state == State.BLOCKED for shot in shots):
        announce_failed_board(board_id)  # once: a shot that could not be queued ends no job
    if render and renderable(shots, jobs):
        ensure_rendered(board_id)


def _job_reason(job: VideoJob | None) -> str:
    if job is None:
        return "its video was deleted."
    return job.error_message or "no reason given."


def _set(shot: Shot, state: str, reason: str = "") -> bool:
    """Move a shot on from the state it was read in (False: someone else moved it first)."""
    moved = Shot.objects.filter(id=shot.id, state=shot.state).update(state=state, reason=reason)
    if moved:
        shot.state, shot.reason = state, reason
    return bool(moved)


def _start(board: Storyboard, shot: Shot, before: VideoJob | None, jobs: dict[str, VideoJob]) -> None:
    """Make the shot's job (from `before`'s last frame for a continue shot), once: the shot is
    claimed by moving it from waiting to starting."""
    if not _set(shot, State.STARTING):
        return
    try:
        job = make_job(board, shot, before)
    except (InvalidRequest, InvalidVideo, OSError) as exc:
        message = exc.message if isinstance(exc, InvalidRequest) else f"its start image could not be made ({exc})."
        _set(shot, State.BLOCKED, f"Its video could not be queued: {message}")
        return
    except Exception:
        log.exception("storyboard %s: shot %s could not be queued", board.id, shot.id)
        _set(shot, State.BLOCKED, "Its video could not be queued: the studio hit an internal error.")
        return
    if Shot.objects.filter(id=shot.id, state=State.STARTING).update(job_id=job.id, state=State.CURRENT, reason=""):
        shot.job_id, shot.state, shot.reason = job.id, State.CURRENT, ""
        jobs[job.id] = job


def make_job(board: Storyboard, shot: Shot, before: VideoJob | None) -> VideoJob:
    """Queue the shot's job as a create would: its own start and end images, or (continuing)
    the last frame of `before`'s video as its start image."""
    spec = shot_spec(board_settings(board), shot.prompt, shot.seconds, shot.seed)
    reference = _last_frame(before, board.id) if before is not None else None
    return store_job(
        spec,
        board.owner,
        reference=reference,
        reference_from="" if reference is not None else shot.input_reference,
        last_frame_from=shot.last_frame,
    )


def _last_frame(job: VideoJob, board_id: str) -> ReferenceImage:
    """The last frame of a completed video as a PNG (lossless: the next shot starts on it)."""
    scratch = f"{board_id}-{uuid.uuid4().hex[:8]}"
    try:
        video = storage.fetch_to_scratch(job.video_file, scratch, 0, ".source")
        png = storage.scratch_path(scratch, 0, ".last.png")
        save_last_frame(video, png)
        return ReferenceImage(png.read_bytes(), "png")
    finally:
        storage.remove_scratch(scratch)


def continuing(shots: Sequence[Shot], number: int) -> list[Shot]:
    """The shots after `number` that continue it, directly or through each other."""
    chain: list[Shot] = []
    for shot in shots[number + 1 :]:
        if shot.join != Join.CONTINUE:
            break
        chain.append(shot)
    return chain
