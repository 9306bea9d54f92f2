"""The `openai` provider against a server that implements OpenAI's Videos API strictly
(tests/support/openai_strict.py): multipart requests, OpenAI's sizes and lengths, the SDK's
retries, `openai-poll-after-ms`, upstream error codes kept, extend and edit passed through, and
no upstream video ever left running once the studio's job has ended without it.

Most tests drive `generate()` directly (NullContext); the last runs a live studio.
"""

from __future__ import annotations

import io
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.support.media import tiny_mp4
from tests.support.openai_strict import StrictOpenAI, Video
from videos.providers.base import GenerationRequest, JobCancelled, NullContext, ProviderError
from videos.providers.openai_videos import OpenAIVideosProvider
from videos.providers.upstream_faults import RetryPolicy

FAST = RetryPolicy(initial_delay=0.02, max_delay=0.05)  # the SDK's rules, shorter waits


@pytest.fixture
def strict() -> Iterator[StrictOpenAI]:
    server = StrictOpenAI(run_seconds=0.2)
    yield server
    server.close()


def provider_for(server: StrictOpenAI, *, fast: bool = True, **options: object) -> OpenAIVideosProvider:
    settings: dict = {"timeout": 5.0, "job_timeout": 20.0, "poll_interval": 0.05, **options}
    provider = OpenAIVideosProvider(server.url, server.key, **settings)
    if fast:
        provider.retry = FAST
    return provider


def run(provider: OpenAIVideosProvider, tmp_path: Path, ctx: NullContext | None = None, **fields: object) -> Path:
    dest = tmp_path / "out.mp4"
    request = GenerationRequest(**{"prompt": "A lighthouse at dawn", **fields})  # type: ignore[arg-type]
    provider.generate(request, dest, ctx or NullContext())
    return dest


def failure(provider: OpenAIVideosProvider, tmp_path: Path, **fields: object) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        run(provider, tmp_path, None, **fields)
    return caught.value


def png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


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


# --- capabilities from settings ------------------------------------------------------------


def test_capabilities_state_the_upstreams_sizes_and_lengths() -> None:
    caps = OpenAIVideosProvider("http://127.0.0.1:9/v1", "k").capabilities
    assert caps.sizes == ((720, 1280), (1280, 720), (1024, 1792), (1792, 1024))
    assert caps.default_size == (720, 1280) and (832, 480) not in caps.sizes
    assert caps.seconds_options == (4, 8, 12) and caps.default_seconds == 4
    assert caps.accepts_size and not caps.accepts_frames
    assert caps.image_to_video and caps.native_extend and caps.video_to_video

    custom = OpenAIVideosProvider("http://127.0.0.1:9/v1", sizes=" 1280x720,720x1280 ", seconds="8, 4").capabilities
    assert custom.sizes == ((1280, 720), (720, 1280)) and custom.default_size == (1280, 720)
    assert custom.seconds_options == (8, 4) and custom.default_seconds == 8


@pytest.mark.parametrize(
    ("setting", "value"),
    [("sizes", "1280by720"), ("sizes", ""), ("sizes", "1280x720,"), ("seconds", "four"), ("seconds", "0")],
)
def test_malformed_settings_make_the_provider_not_ready(setting: str, value: str, tmp_path: Path) -> None:
    provider = OpenAIVideosProvider("http://127.0.0.1:9/v1", "k", **{setting: value})  # type: ignore[arg-type]
    state = provider.status()
    assert not state.ready and f"OPENAI_VIDEO_{setting.upper()}" in state.detail, state
    error = failure(provider, tmp_path)
    assert error.code == "not_configured" and f"OPENAI_VIDEO_{setting.upper()}" in error.message


# --- requests as OpenAI documents them -----------------------------------------------------


def test_text_only_create_is_multipart_and_completes(strict: StrictOpenAI, tmp_path: Path) -> None:
    provider = provider_for(strict)
    dest = run(provider, tmp_path, width=1280, height=720, seconds=8)
    assert dest.read_bytes() == strict.outputs["create"]
    [create] = strict.requests("POST", "/videos")
    assert create.content_type == "multipart/form-data"
    assert create.fields == {"prompt": "A lighthouse at dawn", "model": "sora-2", "size": "1280x720", "seconds": "8"}
    assert create.files == {} and create.headers["authorization"] == f"Bearer {strict.key}"
    assert strict.requests("DELETE", "/videos/*") == []  # a finished video is the user's, not deleted

    # Nothing asked: nothing sent, the upstream decides.
    run(provider, tmp_path)
    assert strict.requests("POST", "/videos")[-1].fields == {"prompt": "A lighthouse at dawn", "model": "sora-2"}


def test_a_size_the_upstream_does_not_make_fails_with_its_error_code(strict: StrictOpenAI, tmp_path: Path) -> None:
    """The studio refuses 832x480 before queueing (capabilities); sent anyway, the strict server
    answers OpenAI's 400 envelope, whose code the job keeps, and a 400 is not retried."""
    error = failure(provider_for(strict), tmp_path, width=832, height=480)
    assert error.code == "invalid_value" and error.upstream_status == 400
    assert "Invalid value: '832x480'" in error.message and not error.retryable
    assert len(strict.requests("POST", "/videos")) == 1 and strict.videos == {}


def test_image_to_video_sends_the_reference_at_the_videos_size(strict: StrictOpenAI, tmp_path: Path) -> None:
    image = tmp_path / "ref.png"
    image.write_bytes(png((64, 48)))
    run(provider_for(strict), tmp_path, width=1280, height=720, image_path=image)
    [create] = strict.requests("POST", "/videos")
    reference = create.files["input_reference"]
    assert reference.content_type == "image/png"
    assert Image.open(io.BytesIO(reference.data)).size == (1280, 720)
    # No size asked: the reference is fitted to the default size, which is then named.
    run(provider_for(strict), tmp_path, image_path=image)
    create = strict.requests("POST", "/videos")[-1]
    assert create.fields["size"] == "720x1280"
    assert Image.open(io.BytesIO(create.files["input_reference"].data)).size == (720, 1280)


def test_extra_fields_are_sent_only_when_asked_for(strict: StrictOpenAI, tmp_path: Path) -> None:
    error = failure(provider_for(strict, extra_fields=True), tmp_path, seed=7)
    assert error.code == "unknown_parameter"  # a strict OpenAI server refuses them
    fields = strict.requests("POST", "/videos")[-1].fields
    assert fields["seed"] == "7" and fields["negative_prompt"] == "low quality"


def test_extend_uploads_the_source_and_returns_the_upstreams_stitched_video(
    strict: StrictOpenAI, tmp_path: Path
) -> None:
    source = tmp_path / "source.mp4"
    source.write_bytes(tiny_mp4(6))
    dest = run(provider_for(strict), tmp_path, operation="extend", video_path=source, seconds=8, prompt="and on")
    assert dest.read_bytes() == strict.outputs["extend"]
    [extend] = strict.requests("POST", "/videos/extensions")
    assert extend.content_type == "multipart/form-data"
    assert extend.fields == {"prompt": "and on", "seconds": "8"}
    assert extend.files["video"].data == source.read_bytes()
    assert extend.files["video"].content_type == "video/mp4"
    assert strict.requests("POST", "/videos") == []
    # OpenAI requires the extension's length: without one, the default goes.
    run(provider_for(strict), tmp_path, operation="extend", video_path=source)
    assert strict.requests("POST", "/videos/extensions")[-1].fields["seconds"] == "4"


def test_edit_uploads_the_source_and_returns_the_upstreams_video(strict: StrictOpenAI, tmp_path: Path) -> None:
    source = tmp_path / "source.mp4"
    source.write_bytes(tiny_mp4(6))
    dest = run(provider_for(strict), tmp_path, operation="edit", video_path=source, prompt="in winter")
    assert dest.read_bytes() == strict.outputs["edit"]
    [edit] = strict.requests("POST", "/videos/edits")
    assert edit.fields == {"prompt": "in winter"} and edit.files["video"].data == source.read_bytes()


def test_resume_polls_the_remembered_upstream_video_without_creating(strict: StrictOpenAI, tmp_path: Path) -> None:
    provider = provider_for(strict)
    first = NullContext()
    run(provider, tmp_path, ctx=first)
    resumed = NullContext(_upstream_id=first.upstream_id)
    dest = run(provider, tmp_path, ctx=resumed)
    assert dest.read_bytes() == strict.outputs["create"]
    assert len(strict.requests("POST", "/videos")) == 1


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


# --- upstream errors and poll-after --------------------------------------------------------


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


def test_poll_after_ms_sets_the_poll_pace(
    strict: StrictOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Slower than the poll interval: a few polls instead of dozens. The video is held in
    # progress until the server has answered its second poll, so the third finds it done,
    # however the polls are timed (none finds it done early, none late).
    strict.hold, strict.poll_after_ms = True, 400
    answer_pace = strict._poll_after  # called once a poll's answer is made, for its header

    def pace_then_release() -> dict[str, str]:
        if len(strict.requests("GET", "/videos/*")) >= 2:
            strict.hold = False
        return answer_pace()

    monkeypatch.setattr(strict, "_poll_after", pace_then_release)
    run(provider_for(strict, poll_interval=0.02), tmp_path)
    monkeypatch.undo()
    [video_id] = strict.videos
    polls = [s.at for s in strict.requests("GET", f"/videos/{video_id}")]
    create = strict.requests("POST", "/videos")[0].at
    assert 2 <= len(polls) <= 4, len(polls)
    assert polls[0] - create >= 0.35  # the create's header counts too
    assert all(b - a >= 0.35 for a, b in itertools.pairwise(polls))
    # Faster than the poll interval: done long before one interval would have passed.
    strict.run_seconds, strict.poll_after_ms = 0.2, 50
    started = time.monotonic()
    run(provider_for(strict, poll_interval=30), tmp_path)
    assert time.monotonic() - started < 5


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


# --- end to end through a live studio ------------------------------------------------------


def test_a_studio_job_on_the_openai_model_end_to_end(strict: StrictOpenAI, studio_factory) -> None:
    studio = studio_factory(
        OPENAI_VIDEO_BASE_URL=strict.url,
        OPENAI_VIDEO_API_KEY=strict.key,
        OPENAI_VIDEO_POLL_INTERVAL=0.05,
        VIDEO_RATE_LIMIT_PER_MINUTE=0,
    )
    with studio.client() as client:
        models = {m["id"]: m for m in client.get("/v1/models").json()["data"]}
        assert models["openai"]["ready"], models["openai"]
        refused = client.post("/v1/videos", json={"prompt": "x", "model": "openai", "size": "832x480"})
        assert refused.status_code == 400 and "1280x720" in refused.json()["error"]["message"], refused.text
        created = client.post(
            "/v1/videos", json={"prompt": "Harbour at dusk", "model": "openai", "size": "1280x720", "seconds": "8"}
        )
        assert created.status_code == 201, created.text
        done = studio.wait_for(created.json()["id"])
        assert done["status"] == "completed", done
        assert client.get(done["content_url"]).content == strict.outputs["create"]
    [create] = strict.requests("POST", "/videos")
    assert create.content_type == "multipart/form-data"
    assert create.fields == {"prompt": "Harbour at dusk", "model": "sora-2", "size": "1280x720", "seconds": "8"}
    assert strict.key not in studio.logs()
