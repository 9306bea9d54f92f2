"""Job ETAs over a history: the run-time aggregate gives the figures a scan of the completed jobs
gave (the same shape, the nearest size scaled, the most recent runs only), shape keys read back
as written, and a page's queue positions match one count per job.
"""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest
from django.db.models import Q
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from tests.support.history import AUTH, Status, add_history, call
from videos.jobs.eta import typical_run_seconds
from videos.models import VideoJob, parse_shape_key, shape_key

pytestmark = pytest.mark.django_db


def history_scan_reference(job: VideoJob) -> float | None:
    """What the ETA was before the aggregate: read straight from the completed jobs."""
    done = VideoJob.objects.filter(provider=job.provider, status=Status.COMPLETED, started_at__isnull=False)
    same = done.filter(
        num_inference_steps=job.num_inference_steps, width=job.width, height=job.height, num_frames=job.num_frames
    ).order_by("-completed_at")[:20]
    durations = [(j.completed_at - j.started_at).total_seconds() for j in same if j.completed_at and j.started_at]
    if durations:
        return statistics.median(durations)
    recent = done.order_by("-completed_at")[:20]
    per_step = [
        (j.completed_at - j.started_at).total_seconds() / max(j.num_inference_steps, 1)
        for j in recent
        if j.completed_at and j.started_at
    ]
    return statistics.median(per_step) * job.num_inference_steps if per_step else None


def finished(seconds: float, *, steps: int = 12, size: int = 64, ago: float = 0, provider: str = "preview") -> None:
    end = timezone.now() - timedelta(seconds=ago)
    VideoJob.objects.create(
        provider=provider, prompt="done", num_inference_steps=steps, seed=0, width=size, height=size,
        num_frames=17, status=Status.COMPLETED, started_at=end - timedelta(seconds=seconds), completed_at=end,
    )  # fmt: skip


def shape(steps: int = 12, size: int = 64, provider: str = "preview") -> VideoJob:
    return VideoJob(provider=provider, prompt="q", num_inference_steps=steps, seed=0, width=size, height=size,
                    num_frames=17)  # fmt: skip


def test_eta_aggregate_gives_the_same_figures_as_the_history() -> None:
    assert typical_run_seconds(shape()) is None  # nothing learned yet
    for seconds, ago in ((10, 50), (30, 40), (20, 30)):
        finished(seconds, ago=ago)
    finished(48, steps=24, ago=20)  # another shape: 2 s a step
    finished(100, provider="tt-cloud", ago=10)  # another provider: never counts
    cases = {
        "same shape": (shape(), 20.0),  # median of 10, 30, 20
        "other steps": (shape(steps=24), 48.0),
        # A size never run: the nearest shape's time scaled by area x frames x steps (not the
        # time per step alone, which said "about 1 s" for a clip ten times larger).
        "new size": (shape(size=128), 20.0 * 4),
        "new size and steps": (shape(steps=6, size=32), 20.0 / 4 / 2),
        "other provider": (shape(provider="local"), None),
    }
    for name, (job, want) in cases.items():
        assert typical_run_seconds(job) == pytest.approx(want) if want else typical_run_seconds(job) is None, name
        if name in ("same shape", "other steps", "other provider"):
            assert typical_run_seconds(job) == pytest.approx(history_scan_reference(job)), name
    # Shapes the model chose (no size): the time per step remains the estimate.
    unsized = VideoJob(provider="preview", prompt="q", num_inference_steps=6, seed=0)
    assert typical_run_seconds(unsized) == pytest.approx(6 * statistics.median([10 / 12, 30 / 12, 20 / 12, 2.0]))


def test_shape_keys_read_back_as_written() -> None:
    for shape in ((12, 64, 48, 17), (20, None, None, None), (6, 832, 480, None)):
        assert parse_shape_key(shape_key(*shape)) == shape
    for not_a_shape in ("", "12", "12/64/17", "x/64x48/17"):  # "": the per-step row
        assert parse_shape_key(not_a_shape) is None


def test_eta_keeps_only_the_most_recent_runs() -> None:
    for i in range(25):  # the five oldest took 1000 s: no longer in the last twenty
        finished(1000 if i < 5 else 10 + i, ago=100 - i)
    job = shape()
    assert typical_run_seconds(job) == pytest.approx(history_scan_reference(job))
    assert typical_run_seconds(job) == pytest.approx(statistics.median(range(15, 35)))


@pytest.mark.parametrize("owned", [False, True], ids=["everyone", "owner"])
def test_a_pages_queue_positions_match_one_count_per_job(owned: bool) -> None:
    add_history(30)
    for i in range(12):  # two providers' queues interleaved, two owners, one shared timestamp
        VideoJob.objects.create(
            owner=("alice", "bob")[i % 2], provider=("preview", "tt-cloud")[i % 3 == 0], prompt=f"waiting {i}",
            num_inference_steps=12, seed=i, status=Status.QUEUED,
        )  # fmt: skip
    last_two = VideoJob.objects.filter(status=Status.QUEUED).order_by("-created_at")[:2]
    VideoJob.objects.filter(id__in=[j.id for j in last_two]).update(queue_order=last_two[0].queue_order)
    # First come, first served (round-robin between owners: tests/test_queue_control.py).
    with override_settings(VIDEO_QUEUE_FAIRNESS="arrival", **(AUTH if owned else {})):
        body, _ = call(Client(), "GET", "/v1/videos?limit=8", owned)
    queued = [v for v in body["data"] if v["status"] == "queued"]
    assert len(queued) >= 4
    for video in queued:
        job = VideoJob.objects.get(id=video["id"])
        tie = Q(created_at__lt=job.created_at) | Q(created_at=job.created_at, id__lt=job.id)
        before = Q(queue_order__lt=job.queue_order) | (Q(queue_order=job.queue_order) & tie)
        ahead = VideoJob.objects.filter(provider=job.provider, status=Status.QUEUED).filter(before)
        assert video["queue_position"] == ahead.count(), video["prompt"]
