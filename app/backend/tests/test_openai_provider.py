"""The `openai` provider against a server that implements OpenAI's Videos API strictly
(tests/support/openai_strict.py): capabilities from its settings, multipart requests with
OpenAI's sizes and lengths, extend and edit passed through, resume, `openai-poll-after-ms`, and
a studio job on the model end to end. Failures (retries, upstream errors, never an orphan) are
tests/test_openai_provider_failures.py.

Most tests drive `generate()` directly (NullContext); the last runs a live studio.
"""

from __future__ import annotations

import io
import itertools
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.support.media import same_video, tiny_mp4
from tests.support.openai_runs import failure, provider_for, run
from tests.support.openai_strict import StrictOpenAI
from videos.providers.base import NullContext
from videos.providers.openai_videos import OpenAIVideosProvider


def png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


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


# --- poll-after ------------------------------------------------------------------------------


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
        assert same_video(client.get(done["content_url"]).content, strict.outputs["create"])
    [create] = strict.requests("POST", "/videos")
    assert create.content_type == "multipart/form-data"
    assert create.fields == {"prompt": "Harbour at dusk", "model": "sora-2", "size": "1280x720", "seconds": "8"}
    assert strict.key not in studio.logs()
