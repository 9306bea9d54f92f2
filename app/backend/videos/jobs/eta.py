"""Queue positions and ETAs, learned from how long earlier jobs really took."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from videos.models import VideoJob

Status = VideoJob.Status
SAMPLE = 20


def typical_run_seconds(job: VideoJob) -> float | None:
    """Median run time of recent completed jobs with the same provider and parameters,
    else of the same provider scaled by steps; None until there is a history to learn from."""
    done = VideoJob.objects.filter(provider=job.provider, status=Status.COMPLETED, started_at__isnull=False)
    same = done.filter(
        num_inference_steps=job.num_inference_steps, width=job.width, height=job.height, num_frames=job.num_frames
    )
    durations = _durations(same)
    if durations:
        return statistics.median(durations)
    rows = list(
        done.order_by("-completed_at").values_list("started_at", "completed_at", "num_inference_steps")[:SAMPLE]
    )
    per_step = [(end - start).total_seconds() / max(steps, 1) for start, end, steps in rows if start and end]
    if per_step:
        return statistics.median(per_step) * job.num_inference_steps
    return None


def _durations(query: QuerySet[VideoJob]) -> list[float]:
    rows = query.order_by("-completed_at").values_list("started_at", "completed_at")[:SAMPLE]
    return [(end - start).total_seconds() for start, end in rows if start and end]


@dataclass
class Estimator:
    """Per-request cache: a list of 20 jobs costs a few queries, not a few per job."""

    concurrency: dict[str, int]
    _typical: dict[tuple, float | None] = field(default_factory=dict)

    def typical(self, job: VideoJob) -> float | None:
        key = (job.provider, job.num_inference_steps, job.width, job.height, job.num_frames)
        if key not in self._typical:
            self._typical[key] = typical_run_seconds(job)
        return self._typical[key]

    def position(self, job: VideoJob) -> int | None:
        if job.status != Status.QUEUED:
            return None
        ahead = VideoJob.objects.filter(provider=job.provider, status=Status.QUEUED, created_at__lt=job.created_at)
        return ahead.count()

    def eta_seconds(self, job: VideoJob, position: int | None) -> float | None:
        now = timezone.now()
        if job.status == Status.IN_PROGRESS:
            elapsed = (now - (job.started_at or now)).total_seconds()
            if job.progress >= 5:
                # Real progress beats history: no history queries on the hot polling path.
                return round(elapsed * (100 - job.progress) / job.progress, 1)
            typical = self.typical(job)
            return round(max(typical - elapsed, 1.0), 1) if typical else None
        typical = self.typical(job) if job.status == Status.QUEUED else None
        if typical:
            slots = max(1, self.concurrency.get(job.provider, 1))
            running = VideoJob.objects.filter(provider=job.provider, status=Status.IN_PROGRESS).values_list(
                "started_at", flat=True
            )
            remaining = [max(typical - (now - s).total_seconds(), 0.0) for s in running if s]
            first_free = min(remaining) if len(remaining) >= slots else 0.0
            return round(first_free + typical * ((position or 0) // slots + 1), 1)
        return None
