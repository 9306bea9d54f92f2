"""The `openai` provider's failures against a server that implements OpenAI's Videos API
strictly (tests/support/openai_strict.py): retries as the SDK makes them, upstream error codes
kept, and no upstream video ever left running once the studio's job has ended without it
(a failure, a cancel, a time-out, a failed download or delete).

Every test drives `generate()` directly (NullContext).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.openai_contract import Video
from tests.support.openai_runs import failure, provider_for, run
from tests.support.openai_strict import StrictOpenAI
from videos.providers.base import JobCancelled, NullContext


def in_thread(fn: Callable[[], object]) -> tuple[threading.Thread, dict]:
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, box


def wait_until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


# --- retries as the SDK makes them -----------------------------------------------------------


def test_one_500_on_create_and_one_on_a_poll_are_retried(strict: StrictOpenAI, tmp_path: Path) -> None:
    strict.inject("create", 500)
    strict.inject("retrieve", 500)
    dest = run(provider_for(strict), tmp_path)
    assert dest.read_bytes() == strict.outputs["create"]
    assert len(strict.requests("POST", "/videos")) == 2 and len(strict.videos) == 1
    assert strict.max_alive == 1 and strict.requests("DELETE", "/videos/*") == []


def test_retries_back_off_as_the_sdk_does(strict: StrictOpenAI, tmp_path: Path) -> None:
    strict.inject("create", 503, times=2)
    run(provider_for(strict, fast=False), tmp_path)
    first, second, third = (s.at for s in strict.requests("POST", "/videos"))
    assert 0.37 <= second - first < 2.0  # 0.5 s less up to 25 % jitter
    assert 0.74 <= third - second < 3.0  # then 1 s


def test_retry_headers_are_obeyed(strict: StrictOpenAI, tmp_path: Path) -> None:
    provider = provider_for(strict)
    strict.inject("create", 429, headers={"retry-after-ms": "400"})
    run(provider, tmp_path)
    first, second = (s.at for s in strict.requests("POST", "/videos"))
    assert second - first >= 0.39

    strict.seen.clear()
    strict.inject("create", 500, headers={"x-should-retry": "false"})
    error = failure(provider, tmp_path)
    assert error.code == "upstream_error" and not error.retryable
    assert len(strict.requests("POST", "/videos")) == 1

    strict.seen.clear()
    strict.inject("create", 400, headers={"x-should-retry": "true"})
    run(provider, tmp_path)
    assert len(strict.requests("POST", "/videos")) == 2

    strict.seen.clear()
    strict.inject("create", 503, headers={"retry-after": "600"})  # longer than the SDK waits: no retry
    assert failure(provider, tmp_path).upstream_status == 503
    assert len(strict.requests("POST", "/videos")) == 1


def test_a_persistent_500_on_polls_fails_the_job_and_deletes_the_upstream_video(
    strict: StrictOpenAI, tmp_path: Path
) -> None:
    strict.hold = True
    strict.inject("retrieve", 500, times=None)
    error = failure(provider_for(strict), tmp_path)
    assert error.code == "upstream_error" and "HTTP 500" in error.message
    assert not error.retryable  # the upstream video is gone: the runner must not poll it again
    [video_id] = strict.videos
    assert len(strict.requests("GET", f"/videos/{video_id}")) >= 3  # a poll and the SDK's 2 retries
    assert [s.path for s in strict.requests("DELETE", "/videos/*")] == [f"/v1/videos/{video_id}"]
    assert strict.visible() == [] and strict.alive() == []  # deleted before generate returned


def test_two_jobs_in_a_row_never_have_two_upstream_videos_alive(strict: StrictOpenAI, tmp_path: Path) -> None:
    """The first job fails on polls; its video takes a while to go once deleted, and the slot
    stays held (generate does not return) until it has, so the next job never overlaps it."""
    strict.hold, strict.delete_delay = True, 0.5
    strict.inject("retrieve", 500, times=3)  # one poll and its two retries
    provider = provider_for(strict)
    started = time.monotonic()
    failure(provider, tmp_path)
    assert time.monotonic() - started >= 0.5 and strict.alive() == []
    strict.hold = False
    run(provider, tmp_path)
    assert strict.max_alive == 1 and len(strict.videos) == 2


# --- upstream errors -------------------------------------------------------------------------


def test_a_moderation_block_keeps_its_code_and_message(strict: StrictOpenAI, tmp_path: Path) -> None:
    strict.fail_with = {"code": "moderation_blocked", "message": "Your request was blocked by our moderation system."}
    error = failure(provider_for(strict), tmp_path)
    assert error.code == "moderation_blocked"
    assert error.message == "The model failed to make the video: Your request was blocked by our moderation system."
    assert strict.visible() == []  # the failed upstream video is deleted too

    strict.fail_with = {"code": "Not A Code; DROP TABLE", "message": "x" * 5000}
    error = failure(provider_for(strict), tmp_path)
    assert error.code == "upstream_failed" and len(error.message) < 400


def test_a_4xx_error_envelope_on_create_keeps_its_code(strict: StrictOpenAI, tmp_path: Path) -> None:
    strict.inject("create", 400, code="billing_hard_limit_reached")
    error = failure(provider_for(strict), tmp_path)
    assert error.code == "billing_hard_limit_reached" and error.upstream_status == 400
    strict.inject("create", 401)  # no code in the envelope: the studio's own
    assert failure(provider_for(strict), tmp_path).code == "upstream_auth"


# --- never an orphan ---------------------------------------------------------------------------


def test_cancel_deletes_the_upstream_video_before_generate_returns(strict: StrictOpenAI, tmp_path: Path) -> None:
    strict.hold, strict.delete_delay = True, 0.3
    ctx = NullContext()
    thread, box = in_thread(lambda: run(provider_for(strict), tmp_path, ctx=ctx))
    wait_until(lambda: any(s.method == "GET" for s in strict.seen))
    ctx.cancel_requested = True
    thread.join(10)
    assert isinstance(box.get("error"), JobCancelled), box
    [video_id] = strict.videos
    assert [s.path for s in strict.requests("DELETE", "/videos/*")] == [f"/v1/videos/{video_id}"]
    assert strict.alive() == [] and strict.visible() == []


def test_cancel_during_the_create_still_deletes_the_video_it_made(
    strict: StrictOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    noticed = threading.Event()  # the provider has seen the cancel (while its create is unanswered)

    class Watched(NullContext):
        def cancelled(self) -> bool:
            if self.cancel_requested:
                noticed.set()
            return self.cancel_requested

    # The create's answer (its video already made) is held until the provider has seen the
    # cancel: the cancel lands during the create, however fast either side is.
    made = strict._made

    def answer_after_the_cancel(video: Video) -> tuple[int, object, dict[str, str]]:
        assert noticed.wait(10), "the provider never saw the cancel"
        return made(video)

    strict.hold = True
    monkeypatch.setattr(strict, "_made", answer_after_the_cancel)
    ctx = Watched()
    thread, box = in_thread(lambda: run(provider_for(strict), tmp_path, ctx=ctx))
    wait_until(lambda: strict.videos)
    ctx.cancel_requested = True
    thread.join(10)
    assert isinstance(box.get("error"), JobCancelled), box
    assert len(strict.requests("DELETE", "/videos/*")) == 1 and strict.visible() == []
    deleted = strict.requests("DELETE", "/videos/*")[0].at
    assert all(s.at > deleted for s in strict.requests("GET", "/videos/*"))  # never polled: cancelled in the create


def test_a_timeout_deletes_the_upstream_video(strict: StrictOpenAI, tmp_path: Path) -> None:
    strict.hold = True
    error = failure(provider_for(strict, job_timeout=0.4), tmp_path)
    assert error.code == "upstream_timeout"
    assert strict.visible() == []


def test_a_failed_download_deletes_the_upstream_video(strict: StrictOpenAI, tmp_path: Path) -> None:
    strict.inject("content", 502, times=None)
    error = failure(provider_for(strict), tmp_path)
    assert error.code == "upstream_error" and error.upstream_status == 502
    [video_id] = strict.videos
    assert len(strict.requests("GET", f"/videos/{video_id}/content")) == 3
    assert strict.visible() == []


def test_a_delete_that_fails_is_logged_and_said(
    strict: StrictOpenAI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    strict.inject("content", 500, times=None)
    strict.inject("delete", 500, times=None)
    with caplog.at_level(logging.WARNING):
        error = failure(provider_for(strict), tmp_path)
    [video_id] = strict.videos
    assert error.code == "upstream_error" and error.upstream_status == 500 and not error.retryable
    assert f"The upstream job {video_id} may still be running there" in error.message
    assert len(strict.requests("DELETE", "/videos/*")) == 3  # the SDK's retries
    assert video_id in caplog.text and "may still be running" in caplog.text
    assert strict.key not in caplog.text

    # A video the upstream failed is not running: its failed deletion is logged, not blamed.
    strict.clear_faults()
    strict.inject("delete", 500, times=None)
    strict.fail_with = {"code": "moderation_blocked", "message": "blocked"}
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        error = failure(provider_for(strict), tmp_path)
    assert error.code == "moderation_blocked" and "may still be running" not in error.message
    assert "could not delete upstream job" in caplog.text

    # A cancel says it too.
    strict.fail_with, strict.hold = None, True
    ctx = NullContext()
    thread, box = in_thread(lambda: run(provider_for(strict), tmp_path, ctx=ctx))

    def polled_the_third() -> bool:
        third = list(strict.videos)[2:]
        return bool(third and strict.requests("GET", f"/videos/{third[0]}"))

    wait_until(polled_the_third)
    ctx.cancel_requested = True
    thread.join(10)
    assert isinstance(box.get("error"), JobCancelled) and "may still be running" in str(box["error"])
    assert any("may still be running" in message for message in ctx.messages)
