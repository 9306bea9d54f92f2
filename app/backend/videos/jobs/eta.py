"""Queue positions and ETAs, learned from how long earlier jobs really took.

The run times come from RunTimes, a small aggregate the runner updates as each job completes:
an estimate costs one indexed lookup however long the history is.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from serving.replay import ReplayCache, forget_all
from videos.models import RunTimes, VideoJob, parse_shape_key, shape_key, shape_of
from videos.queue.order import run_order

Status = VideoJob.Status
SAMPLE = RunTimes.SAMPLE
# Run times and running jobs change when a job starts or ends, not per request: they are shared
# by every request of this process for up to a second (forgotten at once when a job changes
# here), so a crowd polling unfinished jobs does not read them once per poll.
_shared: ReplayCache[Any] = ReplayCache(seconds=1.0, limit=1000, follows_changes=True)


def queue_grew(provider: str) -> None:
    """A job was queued: the model's order is read again (every other shared value still holds)."""
    _shared.drop("", ("run-order", provider))


def typical_run_seconds(job: VideoJob) -> float | None:
    """Median run time of recent completed jobs with the same provider and parameters; for a
    shape never run, a nearest shape's scaled by the video's area x frames (and steps), else the
    provider's time per step; None until there is a history to learn from."""
    shape = shape_of(job)
    rows = {row.shape: row.seconds for row in RunTimes.objects.filter(provider=job.provider)}
    if rows.get(shape):
        return statistics.median(rows[shape])
    scaled = _scaled_from(job, rows)
    if scaled is not None:
        return scaled
    if rows.get(RunTimes.PER_STEP):
        return statistics.median(rows[RunTimes.PER_STEP]) * job.num_inference_steps
    return None


def _scaled_from(job: VideoJob, rows: dict[str, list[float]]) -> float | None:
    """A run of another size or length scaled to this one: a 10 s clip is not a 2 s one. The
    closest known shape wins (same steps first), so the scale is as small as it can be."""
    work = _work(job.width, job.height, job.num_frames)
    if work is None:
        return None
    best: tuple[bool, float, float] | None = None  # (other steps, |log ratio|, estimate)
    for key, seconds in rows.items():
        shape = parse_shape_key(key) if seconds else None
        known = _work(*shape[1:]) if shape else None
        if shape is None or known is None:  # the per-step row, or a side or length the model chose
            continue
        steps = shape[0]
        ratio = work / known * job.num_inference_steps / max(steps, 1)
        candidate = (steps != job.num_inference_steps, abs(math.log(ratio)), statistics.median(seconds) * ratio)
        if best is None or candidate[:2] < best[:2]:
            best = candidate
    return best[2] if best else None


def _work(width: int | None, height: int | None, frames: int | None) -> float | None:
    return float(width * height * frames) if width and height and frames else None


def rebuild_run_times() -> int:
    """Recompute RunTimes from the whole job history in one pass (after a bulk import, which
    sends no signals); returns the rows written."""
    samples: dict[tuple[str, str], list[list[float]]] = {}
    done = VideoJob.objects.filter(status=Status.COMPLETED, started_at__isnull=False, completed_at__isnull=False)
    rows = done.order_by("-completed_at").values_list(
        "provider", "num_inference_steps", "width", "height", "num_frames", "started_at", "completed_at"
    )
    for provider, steps, width, height, frames, started, completed in rows.iterator(chunk_size=2000):
        if started is None or completed is None:  # excluded above; the types do not know it
            continue
        seconds = (completed - started).total_seconds()
        shape = shape_key(steps, width, height, frames)
        for key, value in (((provider, shape), seconds), ((provider, RunTimes.PER_STEP), seconds / max(steps, 1))):
            kept = samples.setdefault(key, [])
            if len(kept) < SAMPLE:  # newest first already
                kept.append([completed.timestamp(), value])
    with transaction.atomic():
        RunTimes.objects.all().delete()
        RunTimes.objects.bulk_create(RunTimes(provider=p, shape=s, samples=v) for (p, s), v in samples.items())
    forget_all()
    return len(samples)


@dataclass
class Estimator:
    """Per-request cache: a list of 20 jobs costs a few queries, not a few per job."""

    concurrency: dict[str, int]
    _typical: dict[tuple, float | None] = field(default_factory=dict)
    _running: dict[str, list[datetime]] = field(default_factory=dict)
    _positions: dict[str, int] = field(default_factory=dict)

    def typical(self, job: VideoJob) -> float | None:
        key = (job.provider, job.num_inference_steps, job.width, job.height, job.num_frames)
        if key not in self._typical:
            self._typical[key] = _shared.value(("typical", *key), lambda: typical_run_seconds(job))
        return self._typical[key]

    def running_since(self, provider: str) -> list[datetime]:
        """When the provider's running jobs started: one query per provider and page."""
        if provider not in self._running:

            def read() -> list[datetime]:
                # Unordered: only the soonest to finish matters, and the default order would sort them.
                starts = VideoJob.objects.filter(provider=provider, status=Status.IN_PROGRESS).order_by()
                return [s for s in starts.values_list("started_at", flat=True) if s]

            self._running[provider] = _shared.value(("running", provider), read)
        return self._running[provider]

    def position(self, job: VideoJob) -> int | None:
        if job.status != Status.QUEUED:
            return None
        if job.id not in self._positions:
            self.load_positions([job])
        return self._positions[job.id]

    def load_positions(self, jobs: Iterable[VideoJob]) -> None:
        """Queue positions of a page's queued jobs: one read of each model's queue order
        (videos/queue/order.py), shared like the run times, so a crowd polling queued jobs or the
        first page reads the queue once a second."""
        providers = {job.provider for job in jobs if job.status == Status.QUEUED and job.id not in self._positions}
        lengths: dict[str, int] = {}
        for provider in providers:
            order: list[str] = _shared.value(("run-order", provider), partial(run_order, provider))
            self._positions.update((job_id, index) for index, job_id in enumerate(order))
            lengths[provider] = len(order)
        for job in jobs:
            if job.status == Status.QUEUED and job.id not in self._positions:
                # Queued since the order was read (a new job changes no shared estimate): behind it.
                self._positions[job.id] = lengths.get(job.provider, 0)

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
            running = self.running_since(job.provider)
            remaining = [max(typical - (now - s).total_seconds(), 0.0) for s in running]
            first_free = min(remaining) if len(remaining) >= slots else 0.0
            return round(first_free + typical * ((position or 0) // slots + 1), 1)
        return None
