"""The operations on storyboards: create, change the shots, re-roll a shot, re-run the stale
ones, delete. Each checks first (plan.py) and then stores; `advance.advance_board` makes the
jobs that can start and renders the board once all are made."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet

from videos.errors import InvalidRequest
from videos.files import storage
from videos.files.images import ReferenceImage
from videos.jobs.checks import random_seed
from videos.jobs.service import cancel_job, storage_full_error
from videos.models import Shot, Storyboard, VideoJob
from videos.storyboards.advance import advance_board, board_settings, continuing
from videos.storyboards.plan import KEEP, PlannedShot, plan_board, shot_spec

State, Join = Shot.State, Shot.Join
UPDATE_FIELDS = ("shots", "rerun_stale")
REGENERATE_FIELDS = ("prompt", "seed")


def boards_of(owner: str | None) -> QuerySet[Storyboard]:
    """Everyone's boards on a personal studio (owner None); else only the owner's."""
    boards = Storyboard.objects.all()
    return boards if owner is None else boards.filter(owner=owner)


def create_board(body: Mapping[str, Any], owner: str = "") -> Storyboard:
    """Check every shot, store the board, and queue the shots that can start now."""
    unknown = sorted(set(body) - {"model", "size", "num_inference_steps", "negative_prompt", "sound", "shots"})
    if unknown:
        message = f"Unknown field {unknown[0][:40]!r}; a storyboard takes model, size and shots."
        raise InvalidRequest(unknown[0], message, "unknown_field")
    plan = plan_board(body)
    try:
        storage.ensure_free_space()
    except storage.StorageFull:
        raise storage_full_error() from None
    width, height = (int(side) for side in plan.size.split("x")) if plan.size else (None, None)
    with transaction.atomic():
        board = Storyboard.objects.create(
            owner=owner,
            provider=plan.model,
            width=width,
            height=height,
            num_inference_steps=plan.num_inference_steps,
            negative_prompt=plan.negative_prompt,
            sound=bool(plan.sound),
        )
        for number, planned in enumerate(plan.shots):
            shot = Shot(storyboard=board, index=number)
            _apply(shot, planned)
            shot.save()
    advance_board(board.id)
    return board


def _apply(shot: Shot, planned: PlannedShot) -> None:
    """A planned shot's fields on the shot, its images stored (a new one replaces the old)."""
    shot.prompt, shot.seconds, shot.seed = planned.prompt, planned.seconds, planned.seed
    shot.join, shot.crossfade_frames = planned.join, planned.crossfade_frames
    for field, image, tag in (
        ("input_reference", None if planned.join == Join.CONTINUE else planned.input_reference, "start"),
        ("last_frame", planned.last_frame, "end"),
    ):
        if image == KEEP:
            continue
        storage.delete(getattr(shot, field))
        name = ""
        if isinstance(image, ReferenceImage):
            name = default_storage.save(
                f"storyboards/{shot.storyboard_id}/{shot.id}.{tag}.{image.extension}", ContentFile(image.data)
            )
        setattr(shot, field, name)


def update_board(board: Storyboard, body: Mapping[str, Any]) -> None:
    """`shots`: the new list (existing shots by id); `rerun_stale`: re-run stale and changed shots."""
    unknown = sorted(set(body) - set(UPDATE_FIELDS))
    if unknown or not body:
        name = unknown[0] if unknown else None
        message = f"Unknown field {name[:40]!r}; " if name else "Nothing to change; "
        raise InvalidRequest(name, message + "a storyboard update takes shots and rerun_stale.", "unknown_field")
    rerun = body.get("rerun_stale", False)
    if not isinstance(rerun, bool):
        raise InvalidRequest("rerun_stale", "rerun_stale must be true or false.", "invalid_type")
    if "shots" in body:
        _replace_shots(board, body)
    if rerun:
        shots = list(Shot.objects.filter(storyboard_id=board.id).order_by("index"))
        again = [n for n, shot in enumerate(shots) if shot.state in (State.STALE, State.CHANGED)]
        _rerun(shots, again, stale_after=False)
    advance_board(board.id)


def _replace_shots(board: Storyboard, body: Mapping[str, Any]) -> None:
    plan = plan_board(body, board=board_settings(board))
    existing = {shot.id: shot for shot in Shot.objects.filter(storyboard_id=board.id).order_by("index")}
    order = list(existing)
    seen: set[str] = set()
    for number, planned in enumerate(plan.shots):
        if planned.id is not None and (planned.id not in existing or planned.id in seen):
            problem = "appears twice" if planned.id in seen else "is not a shot of this storyboard"
            raise InvalidRequest(f"shots[{number}].id", f"Shot id {planned.id[:40]!r} {problem}.", "not_found")
        if planned.id is not None:
            seen.add(planned.id)
    with transaction.atomic():
        kept: list[Shot] = []
        for number, planned in enumerate(plan.shots):
            if planned.id is None:
                shot = Shot(storyboard=board, index=number)
                _apply(shot, planned)
                shot.save()
                kept.append(shot)
                continue
            shot = existing[planned.id]
            before = order[order.index(shot.id) - 1] if order.index(shot.id) else None
            now_before = kept[-1].id if kept else None
            changed = _changes(shot, planned)
            _apply(shot, planned)
            shot.index = number
            has_video = bool(shot.job_id) and shot.state in (State.CURRENT, State.STALE, State.CHANGED)
            if changed and has_video:
                shot.state, shot.reason = State.CHANGED, f"Its {changed} changed since its video was made; re-roll it."
            elif shot.join == Join.CONTINUE and before != now_before and has_video and shot.state != State.CHANGED:
                shot.state = State.STALE
                shot.reason = "It was moved: its video continues a shot that is no longer before it."
            elif shot.state == State.BLOCKED and (shot.join != Join.CONTINUE or before != now_before):
                shot.state, shot.reason = State.WAITING, ""  # what blocked it is no longer before it
            shot.save()
            kept.append(shot)
        for gone in set(existing) - seen:
            _forget(existing[gone])


def _changes(shot: Shot, planned: PlannedShot) -> str:
    """What of a shot's video-making fields an update changes ("" for nothing)."""
    names = [
        name
        for name, differs in (
            ("prompt", planned.prompt != shot.prompt),
            ("seed", planned.seed != shot.seed),
            ("seconds", planned.seconds != shot.seconds),
            ("input_reference", planned.input_reference != KEEP and planned.join != Join.CONTINUE),
            ("last_frame", planned.last_frame != KEEP),
            ("join", planned.join == Join.CONTINUE and shot.join != Join.CONTINUE),
        )
        if differs
    ]
    return ", ".join(names)


def _forget(shot: Shot) -> None:
    """A shot taken off the board; its video stays in history."""
    for name in (shot.input_reference, shot.last_frame):
        storage.delete(name)
    shot.delete()


def regenerate_shot(board: Storyboard, index: int, body: Mapping[str, Any]) -> None:
    """A new job for one shot (a new seed unless given; a stale or changed shot keeps its own);
    the shots that continue from it are marked stale, every other shot keeps its video."""
    unknown = sorted(set(body) - set(REGENERATE_FIELDS))
    if unknown:
        message = f"Unknown field {unknown[0][:40]!r}; a re-roll takes prompt and seed."
        raise InvalidRequest(unknown[0], message, "unknown_field")
    shots = list(Shot.objects.filter(storyboard_id=board.id).order_by("index"))
    if not 0 <= index < len(shots):
        raise InvalidRequest("index", f"The storyboard has shots 0 to {len(shots) - 1}; got {index}.", "not_found", 404)
    shot = shots[index]
    seed = body.get("seed")
    if seed is None:
        seed = shot.seed if shot.state in (State.STALE, State.CHANGED) else random_seed()
    prompt = body.get("prompt")
    # Checked as a create's (a prompt that is no string is named as such there).
    spec = shot_spec(board_settings(board), shot.prompt if prompt is None else prompt, shot.seconds, seed)
    shot.prompt, shot.seed = spec.params.prompt, spec.params.seed
    _rerun(shots, [index], stale_after=True)
    advance_board(board.id)


def _rerun(shots: Sequence[Shot], numbers: Iterable[int], *, stale_after: bool) -> None:
    """New jobs for these shots (waiting until they can start); the shots continuing from them
    become stale (`stale_after`, a re-roll) or run again too (re-running the stale ones)."""
    again = set(numbers)
    if not stale_after:
        for number in list(again):
            again.update(shots.index(shot) for shot in continuing(shots, number))
    old: list[str] = []
    with transaction.atomic():
        for number in sorted(again):
            shot = shots[number]
            old.append(shot.job_id)
            shot.state, shot.job_id, shot.reason = State.WAITING, "", ""
            shot.save(update_fields=["prompt", "seed", "state", "job_id", "reason"])
            for after in continuing(shots, number) if stale_after else ():
                # Conditional: a shot another process is starting right now is left to it.
                same = Shot.objects.filter(id=after.id, state=after.state)
                if after.state == State.BLOCKED:
                    same.update(state=State.WAITING, reason="")  # it never ran: it waits for the new one
                elif after.state in (State.CURRENT, State.STALE) and after.job_id:
                    same.update(
                        state=State.STALE, reason=f"Shot {number + 1} was re-rolled; its video continues the old one."
                    )
    # The shots no longer point at their old jobs: ending these moves nothing on.
    for job in VideoJob.objects.filter(id__in=[job_id for job_id in old if job_id]):
        if not job.is_terminal:
            cancel_job(job)


def delete_board(board: Storyboard) -> None:
    """The board, its images and its joined file; its shots' videos stay in history."""
    for shot in Shot.objects.filter(storyboard_id=board.id):
        for name in (shot.input_reference, shot.last_frame):
            storage.delete(name)
    storage.delete(board.video_file)
    board.delete()
