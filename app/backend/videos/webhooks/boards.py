"""Which storyboards a job's end leaves failed: a shot failed or was cancelled and nothing of the
board can still run. Read inside the ending update's transaction (events.py), so the event is
written with the end that settles the board, before its continuations are marked blocked."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from videos.models import Shot, Storyboard, VideoJob

State, Join = Shot.State, Shot.Join
ENDED = ("failed", "cancelled", "blocked")
RUNNING = ("queued", "in_progress", "waiting")


def failed_boards(job_ids: Sequence[str]) -> list[tuple[str, str, str]]:
    """(board id, owner, key) of each board of these jobs now settled as failed. `key` names the
    board's shots' videos: a board re-rolled and failed again is a new event, the same end read
    twice (two shots ending together) the same one. Rows locked first (PostgreSQL), so of two
    shots ending at once the later transaction sees the earlier's end, as for sweeps."""
    if not job_ids:
        return []
    ids = sorted(set(Shot.objects.filter(job_id__in=list(job_ids)).values_list("storyboard_id", flat=True)))
    found = []
    for board in Storyboard.objects.select_for_update().filter(id__in=ids).order_by("id"):
        key = failed_key(board.id)
        if key is not None:
            found.append((board.id, board.owner, key))
    return found


def failed_key(board_id: str) -> str | None:
    """The key of the board's failure if it is settled as failed, else None."""
    shots = list(Shot.objects.filter(storyboard_id=board_id).order_by("index"))
    statuses = dict(VideoJob.objects.filter(id__in=[s.job_id for s in shots if s.job_id]).values_list("id", "status"))
    if not settled_failed(shots, statuses):
        return None
    return "|" + hashlib.sha256("|".join(s.job_id for s in shots).encode()).hexdigest()[:16]


def settled_failed(shots: Sequence[Shot], statuses: dict[str, str]) -> bool:
    """A shot ended without its video and none runs or can still start: a waiting shot that
    continues an ended one will be blocked (the board's next step), so it counts as ended."""
    seen: list[str] = []
    for number, shot in enumerate(shots):
        if shot.state in (State.WAITING, State.STARTING):
            before = seen[number - 1] if number else ""
            ends = shot.state == State.WAITING and shot.join == Join.CONTINUE and before in ENDED
            seen.append("blocked" if ends else "waiting")
        elif shot.state == State.CURRENT:
            seen.append(statuses.get(shot.job_id, "failed"))  # its video deleted since: failed
        else:
            seen.append(str(shot.state))  # blocked, stale or changed
    return not any(s in RUNNING for s in seen) and any(s in ENDED for s in seen)
