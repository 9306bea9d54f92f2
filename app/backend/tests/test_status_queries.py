"""The status path (GET /v1/videos/{id}) is what every open page polls, many times a second
in total: keep its database work small (bench/load_poll.py measures it under load)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from videos.jobs.presenter import video_object
from videos.models import VideoJob

Status = VideoJob.Status
pytestmark = pytest.mark.django_db


def make(status: str, **fields) -> VideoJob:
    return VideoJob.objects.create(
        provider="preview", prompt="p", num_inference_steps=12, seed=0, status=status, **fields
    )


def test_running_job_with_progress_needs_no_history_queries(django_assert_num_queries) -> None:
    started = timezone.now() - timedelta(seconds=10)
    job = make(Status.IN_PROGRESS, started_at=started, progress=50.0)
    with django_assert_num_queries(0):
        video = video_object(job)
    assert 9 <= video["eta_seconds"] <= 12  # 10 s for the first half: about 10 s to go
    assert video["queue_position"] is None


def test_finished_job_needs_no_queries(django_assert_num_queries) -> None:
    job = make(Status.FAILED, completed_at=timezone.now(), error_code="x", error_message="y")
    with django_assert_num_queries(0):
        assert video_object(job)["eta_seconds"] is None


def test_eta_still_learned_from_history_for_queued_and_barely_started_jobs() -> None:
    now = timezone.now()
    for _ in range(3):  # earlier jobs took 20 s each
        make(Status.COMPLETED, started_at=now - timedelta(seconds=60), completed_at=now - timedelta(seconds=40))
    running = make(Status.IN_PROGRESS, started_at=now - timedelta(seconds=5), progress=1.0)
    queued = make(Status.QUEUED)
    assert 14 <= video_object(running)["eta_seconds"] <= 16  # 20 s typical, 5 s in
    later = video_object(queued)
    assert later["queue_position"] == 0
    assert 34 <= later["eta_seconds"] <= 36  # the running one's ~15 s, then its own 20 s


def test_a_crowd_polling_a_queued_job_counts_the_queue_once(django_assert_num_queries) -> None:
    """Position, run times and running jobs are shared for a second; a change here is seen at once."""
    ahead = make(Status.QUEUED)
    behind = make(Status.QUEUED)
    assert video_object(behind)["queue_position"] == 1
    with django_assert_num_queries(0):
        for _ in range(5):
            assert video_object(behind)["queue_position"] == 1
    # A new job reads its model's order once more (round-robin between people may place it ahead
    # of others: videos/queue/order.py); run times and running jobs are still shared.
    newest = make(Status.QUEUED)
    with django_assert_num_queries(1):
        assert video_object(behind)["queue_position"] == 1
    with django_assert_num_queries(0):
        assert video_object(newest)["queue_position"] == 2
    ahead.status = Status.IN_PROGRESS
    ahead.started_at = timezone.now()
    ahead.save()
    assert video_object(behind)["queue_position"] == 0


def test_pages_of_queued_jobs_read_the_queue_once(django_assert_num_queries) -> None:
    """The first page of a busy studio holds several queued jobs: their positions come from the
    queue read once a second, not per page load; a change here is seen at once."""
    from videos.jobs.presenter import new_estimator

    queued = [make(Status.QUEUED) for _ in range(3)]

    def positions() -> list[int | None]:
        estimator = new_estimator()
        estimator.load_positions(queued)
        return [estimator.position(job) for job in queued]

    assert positions() == [0, 1, 2]
    with django_assert_num_queries(0):
        assert positions() == [0, 1, 2]
    queued[0].status = Status.IN_PROGRESS
    queued[0].started_at = timezone.now()
    queued[0].save()
    queued[0].refresh_from_db()
    assert positions() == [None, 0, 1]
