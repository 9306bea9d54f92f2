"""The order queued jobs run in, and the pauses that stop them starting.

The database holds both (VideoJob.queue_order, QueueState), so the in-process worker and Celery
workers follow the same order, and a pause or a move outlives a restart.

Fairness (VIDEO_QUEUE_FAIRNESS): `owners` (the default) takes jobs round-robin between the people
who queued them, each person's own order kept, so one person's batch of 32 does not hold
everyone else behind it; the person whose last job started longest ago goes first. `arrival`
is first come, first served. Without sign-in every job has the same (empty) owner: both are
plain order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from videos.models import QueueState, VideoJob, jobs_changed

Status = VideoJob.Status
ALL = QueueState.ALL
paused_models = QueueState.paused_models
is_paused = QueueState.is_paused


@dataclass(frozen=True)
class Queued:
    id: str
    owner: str
    order: float


def set_paused(paused: bool, model: str = ALL) -> None:
    QueueState.objects.update_or_create(model=model, defaults={"paused": paused})
    jobs_changed.send(sender=VideoJob)  # estimates, replayed answers and open pages follow at once


def by_owner_fairness() -> bool:
    return str(settings.VIDEO_QUEUE_FAIRNESS) == "owners"


def run_order(provider: str) -> list[str]:
    """The ids of a model's queued jobs, next first."""
    rows = (
        VideoJob.objects.filter(provider=provider, status=Status.QUEUED, cancel_requested=False)
        .order_by("queue_order", "created_at", "id")
        .values_list("id", "owner", "queue_order")
    )
    queued = [Queued(*row) for row in rows]
    if not by_owner_fairness() or len({job.owner for job in queued}) < 2:
        return [job.id for job in queued]
    lines: dict[str, list[Queued]] = {}
    for job in queued:
        lines.setdefault(job.owner, []).append(job)
    last_start = dict(
        VideoJob.objects.filter(provider=provider, owner__in=list(lines), started_at__isnull=False)
        .values("owner")
        .annotate(last=Max("started_at"))
        .values_list("owner", "last")
    )

    # Whoever started a job longest ago (or never) takes the next turn; ties by who queued first.
    def turn(owner: str) -> tuple[bool, Any, float]:
        return last_start.get(owner) is not None, last_start.get(owner), lines[owner][0].order

    turns = sorted(lines, key=turn)
    ordered: list[str] = []
    for round_ in range(max(len(line) for line in lines.values())):
        ordered += [lines[owner][round_].id for owner in turns if round_ < len(lines[owner])]
    return ordered


def move(job: VideoJob, position: int | None = None, before: VideoJob | None = None, anyone: bool = False) -> None:
    """Put a queued job at `position` (1: next) of its model's queue, or just before `before`.
    It moves within its owner's own line: past the owner's other jobs, never past another
    person's (except for an admin, `anyone`, with arrival fairness: then the line is everyone's).
    Round-robin between people still decides whose turn comes first."""
    with transaction.atomic():
        queued = VideoJob.objects.filter(provider=job.provider, status=Status.QUEUED).exclude(id=job.id)
        rows = list(queued.order_by("queue_order", "created_at", "id").values_list("id", "owner", "queue_order"))
        everyone = [Queued(*row) for row in rows]
        whole_queue = anyone and not by_owner_fairness()
        line = [other for other in everyone if whole_queue or other.owner == job.owner]
        if not line:
            return
        if before is not None:
            index = next((i for i, other in enumerate(line) if other.id == before.id), len(line))
        else:
            ahead = set(run_order(job.provider)[: max((position or 1) - 1, 0)])
            index = sum(1 for other in line if other.id in ahead)
        if index < len(line):  # just before line[index], after whatever precedes it in the queue
            anchor = everyone.index(line[index])
            previous = everyone[anchor - 1].order if anchor > 0 else line[index].order - 2.0
            new = (previous + line[index].order) / 2
        else:  # just after the line's last job
            anchor = everyone.index(line[-1])
            following = everyone[anchor + 1].order if anchor + 1 < len(everyone) else line[-1].order + 2.0
            new = (line[-1].order + following) / 2
        VideoJob.objects.filter(id=job.id, status=Status.QUEUED).update(queue_order=new)
        job.queue_order = new
    jobs_changed.send(sender=VideoJob)  # estimates, replayed answers and open pages follow at once
