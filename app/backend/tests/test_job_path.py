"""One job's path through the runner: what the provider reports is what the API shows,
cancel is an explicit check, and the CLI and the queue build the same request."""

from __future__ import annotations

from pathlib import Path

import pytest

from videos.jobs.checks import validate
from videos.jobs.presenter import video_object
from videos.jobs.request import parse_create
from videos.jobs.service import create_job
from videos.models import VideoJob
from videos.providers.base import Capabilities, GenerationRequest, JobCancelled, JobContext
from videos.queue.claim import claim
from videos.runner import run as runner
from videos.runner.context import DBJobContext

Status = VideoJob.Status
pytestmark = pytest.mark.django_db(transaction=True)


class Reporting:
    """A provider that reports a message per step and records what cancel looked like."""

    name = "preview"
    label = "Preview engine"
    preview = True
    keeps_upstream_jobs = False
    capabilities = Capabilities()
    messages_seen: list[str | None]

    def __init__(self, cancel_after: int | None = None) -> None:
        self.cancel_after = cancel_after
        self.messages_seen = []

    def generate(self, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
        from videos.providers.preview import PreviewProvider

        for step in range(1, 4):
            ctx.report(step * 20.0, f"denoising step {step}/3")
            job = VideoJob.objects.get(id=ctx.job_id)  # type: ignore[attr-defined]
            self.messages_seen.append(video_object(job)["status_message"])
            if self.cancel_after == step:
                VideoJob.objects.filter(id=job.id).update(cancel_requested=True)
                ctx.report(step * 20.0 + 1)  # recording progress never raises ...
                ctx.raise_if_cancelled()  # ... the explicit check does
        PreviewProvider().generate(request, dest, ctx)


def queued_job(**fields: object) -> VideoJob:
    body = {"prompt": "a path", "model": "preview", "size": "64x64", "num_frames": 3, **fields}
    job = create_job(body)
    claimed = claim(job.id)
    assert claimed is not None
    return claimed


def test_the_providers_progress_message_is_the_apis_status_message(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = Reporting()
    monkeypatch.setattr(runner, "get_provider", lambda name: provider)
    job = queued_job()
    runner.run(job)
    assert provider.messages_seen == ["denoising step 1/3", "denoising step 2/3", "denoising step 3/3"]
    done = VideoJob.objects.get(id=job.id)
    assert done.status == Status.COMPLETED and video_object(done)["status_message"] is None, done.error_message


def test_cancel_is_seen_by_the_explicit_check_and_ends_the_job_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = Reporting(cancel_after=2)
    monkeypatch.setattr(runner, "get_provider", lambda name: provider)
    job = queued_job()
    runner.run(job)
    done = VideoJob.objects.get(id=job.id)
    assert done.status == Status.CANCELLED and len(provider.messages_seen) == 2
    assert not done.video_file


def test_context_raise_if_cancelled() -> None:
    job = queued_job()
    ctx = DBJobContext(job)
    ctx.raise_if_cancelled()
    VideoJob.objects.filter(id=job.id).update(cancel_requested=True)
    ctx._last_check = 0.0  # skip the 0.3 s throttle of the database check
    with pytest.raises(JobCancelled):
        ctx.raise_if_cancelled()


def test_cli_and_queue_build_the_same_request_from_one_function() -> None:
    body = {"prompt": " same ", "model": "preview", "seed": 7, "size": "128x64", "num_frames": 5}
    spec, _ = validate(parse_create(body))
    unsaved = runner.request_for(spec.new_job())
    stored = runner.request_for(VideoJob.objects.get(id=create_job(body).id))
    assert unsaved == stored
    assert (stored.prompt, stored.seed, stored.width, stored.height, stored.num_frames) == ("same", 7, 128, 64, 5)


def test_a_failed_claim_of_a_job_this_process_runs_leaves_it_ours() -> None:
    """Two worker threads read the same queue order: the one that loses a claim must not drop a
    job the other is running from this process's active set, or recovery would requeue it
    as orphaned and it would run twice (seen with Celery's thread pool)."""
    running = queued_job()  # claimed: another thread of this process is running it
    assert running.id in runner.active_job_ids()
    assert claim(running.id) is None  # the second thread's attempt
    assert running.id in runner.active_job_ids()
    runner.release(running.id)
