"""A hostile or unready upstream through the /v1 jobs API, against the real studio process.

Status answers that never end, trickle, or nest too deep must fail the job as `upstream_error`
/ `upstream_timeout` with bounded memory and time, and a cancel must land within a second or
two; a model that is warming up (405 "Model is not ready") keeps the job waiting with a visible
message; a cancelled job keeps its queue slot until the upstream has let go of it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.studio import StudioServer
from tests.support.upstream import FakeUpstream

COMMON = dict(
    CLOUD_VIDEO_GENERATION_POLL_INTERVAL=0.1,
    VIDEO_RATE_LIMIT_PER_MINUTE=0,
    VIDEO_MAX_ATTEMPTS=1,
    CLOUD_VIDEO_GENERATION_TIMEOUT=30,  # per read: longer than the job timeout, which must bound the whole poll
)
JOB_TIMEOUT = 3
WARMUP = 4


def _start(tmp: pytest.TempPathFactory, template: Path, name: str, **settings: object) -> Iterator[tuple]:
    upstream = FakeUpstream(mode="async")
    studio = StudioServer(
        tmp.mktemp(name),
        template,
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        **{**COMMON, **settings},  # type: ignore[arg-type]
    ).start()
    try:
        yield studio, upstream
    finally:
        studio.stop()
        upstream.close()


@pytest.fixture(scope="module")
def _short(tmp_path_factory, db_template) -> Iterator[tuple]:
    yield from _start(
        tmp_path_factory,
        db_template,
        "hostile-short",
        CLOUD_VIDEO_GENERATION_JOB_TIMEOUT=JOB_TIMEOUT,
        CLOUD_VIDEO_GENERATION_WARMUP_TIMEOUT=WARMUP,
    )


@pytest.fixture(scope="module")
def _long(tmp_path_factory, db_template) -> Iterator[tuple]:
    # A job waits 60 s for a warming model here: longer than any test holds one before it lets
    # the model warm up.
    yield from _start(
        tmp_path_factory,
        db_template,
        "hostile-long",
        CLOUD_VIDEO_GENERATION_JOB_TIMEOUT=60,
        CLOUD_VIDEO_GENERATION_WARMUP_TIMEOUT=60,
    )


def _reset(pair: tuple) -> tuple[StudioServer, FakeUpstream]:
    studio, up = pair
    up.mode, up.delay, up.poll_mode, up.stall, up.warmup_until, up.cancel_delay = "async", 0.0, "normal", 1.0, 0.0, 0.0
    up.script = []
    up.seen.clear()
    up.jobs.clear()
    up.max_concurrent = 0
    up.polled.clear()
    return studio, up


@pytest.fixture
def short(_short) -> tuple[StudioServer, FakeUpstream]:
    return _reset(_short)


@pytest.fixture
def long(_long) -> tuple[StudioServer, FakeUpstream]:
    return _reset(_long)


def _create(studio: StudioServer, prompt: str = "hostile") -> str:
    response = httpx.post(f"{studio.url}/v1/videos", json={"prompt": prompt, "model": "tt-cloud"}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def test_endless_status_answer_fails_the_job_with_bounded_memory(short) -> None:
    studio, up = short
    up.poll_mode = "endless"  # 300 MiB of one JSON status, as fast as loopback goes
    rss_before = _kib(studio.pid, "VmRSS")
    video = studio.wait_for(_create(studio), timeout=60)
    growth_mb = (_kib(studio.pid, "VmHWM") - rss_before) / 1024
    assert growth_mb < 200, f"studio peak RSS grew {growth_mb:.0f} MB reading one status answer"
    assert video["status"] == "failed", video
    assert video["error"]["code"] == "upstream_error", video["error"]
    assert "status answer over the 1 MiB cap" in video["error"]["message"]


def test_trickling_status_answer_ends_at_the_job_timeout(short) -> None:
    studio, up = short
    up.poll_mode = "trickle"  # one byte a second: never a read timeout, never an end
    start = time.monotonic()
    video = studio.wait_for(_create(studio), timeout=20)
    took = time.monotonic() - start
    assert video["status"] == "failed", video
    assert video["error"]["code"] == "upstream_timeout", video["error"]
    assert f"within {JOB_TIMEOUT} seconds" in video["error"]["message"]
    assert took < JOB_TIMEOUT + 4, f"the job ended {took:.1f} s after it was created"


def test_deep_json_status_fails_as_upstream_error(short) -> None:
    studio, up = short
    up.poll_mode = "deep"
    video = studio.wait_for(_create(studio), timeout=30)
    assert video["status"] == "failed", video
    assert video["error"]["code"] == "upstream_error", video["error"]
    assert "invalid JSON" in video["error"]["message"]
    assert "Traceback" not in studio.logs()


def test_cancel_lands_during_a_trickling_status_answer(long) -> None:
    studio, up = long
    up.poll_mode, up.stall = "trickle", 0.5
    video_id = _create(studio)
    assert up.polled.wait(30), "the studio never polled the upstream job"
    start = time.monotonic()
    with studio.client() as client:
        assert client.post(f"/v1/videos/{video_id}/cancel").status_code == 200
        video = studio.wait_for_as(client, video_id, timeout=20)
    took = time.monotonic() - start
    assert video["status"] == "cancelled", video
    assert took < 2.5, f"the cancel took {took:.1f} s to land"


def test_warming_model_keeps_the_job_waiting_then_completes(long) -> None:
    studio, up = long
    # 405 "Model is not ready" until the test has seen the job wait, then the model is ready.
    up.warmup_until = time.monotonic() + 600
    video_id = _create(studio)
    with studio.client() as client:
        waiting = studio.wait_for_as(client, video_id, ("in_progress", "completed", "failed"), timeout=20)
        deadline = time.monotonic() + 20
        while "warm up" not in (waiting.get("status_message") or "") and waiting["status"] == "in_progress":
            assert time.monotonic() < deadline, waiting
            time.sleep(0.1)
            waiting = client.get(f"/v1/videos/{video_id}").json()
        assert "Waiting for the model to warm up, retrying every 0.1 s" in (waiting["status_message"] or ""), waiting
        # The models list says so too (still ready: jobs are taken and wait).
        model = next(m for m in client.get("/v1/models").json()["data"] if m["id"] == "tt-cloud")
        assert model["ready"] and model["detail"].startswith("warming up"), model
        up.warmup_until = 0.0  # warmed up: the next try is accepted
        video = studio.wait_for_as(client, video_id, timeout=30)
        model = next(m for m in client.get("/v1/models").json()["data"] if m["id"] == "tt-cloud")
        assert not model["detail"].startswith("warming up"), model
    assert video["status"] == "completed", video
    assert len(up.posts()) >= 2  # refused at least once, then accepted
    assert len(up.jobs) == 1


def test_model_still_warming_after_the_warmup_timeout_fails_the_job(short) -> None:
    studio, up = short
    up.warmup_until = time.monotonic() + 600
    start = time.monotonic()
    video = studio.wait_for(_create(studio), timeout=30)
    took = time.monotonic() - start
    assert video["status"] == "failed", video
    assert video["error"]["code"] == "model_not_ready", video["error"]
    assert f"not ready after {WARMUP} seconds" in video["error"]["message"]
    assert WARMUP - 0.5 < took < WARMUP + 5


def test_cancel_holds_the_slot_until_the_upstream_has_let_go(long) -> None:
    studio, up = long
    # The first job runs until it is cancelled; a cancel takes 1.5 s upstream.
    up.script, up.cancel_delay = ["async_never"], 1.5
    first = _create(studio, "first")
    assert up.polled.wait(30), "the studio never polled the first job"
    up.delay = 0.3  # the queued job, once sent, finishes quickly
    second = _create(studio, "second")
    with studio.client() as client:
        assert client.get(f"/v1/videos/{second}").json()["status"] == "queued"  # concurrency 1
        assert client.post(f"/v1/videos/{first}/cancel").status_code == 200
        assert studio.wait_for_as(client, first, timeout=20)["status"] == "cancelled"
        assert studio.wait_for_as(client, second, timeout=30)["status"] == "completed"
    assert len(up.jobs) == 2
    assert up.max_concurrent == 1, "the next job was sent while the upstream was still cancelling the first"


def test_refused_connection_from_a_restarting_upstream_waits_for_it(tmp_path_factory, db_template) -> None:
    """An upstream that answered before and now refuses connections is restarting (loading its
    model): the job waits for it instead of failing."""
    for studio, up in _start(
        tmp_path_factory, db_template, "hostile-restart", CLOUD_VIDEO_GENERATION_WARMUP_TIMEOUT=30
    ):
        with studio.client() as client:
            assert studio.wait_for_as(client, _create(studio, "before"))["status"] == "completed"
            up.close()  # the model's server goes down: connections are refused
            video_id = _create(studio, "during")
            video = studio.wait_for_as(client, video_id, ("in_progress",), timeout=20)
            deadline = time.monotonic() + 20
            while "warm up" not in (video.get("status_message") or ""):
                assert video["status"] == "in_progress" and time.monotonic() < deadline, video
                time.sleep(0.1)
                video = client.get(f"/v1/videos/{video_id}").json()
            back = FakeUpstream(mode="async", port=up.server.server_address[1])  # up again, same address
            try:
                assert studio.wait_for_as(client, video_id, timeout=30)["status"] == "completed"
            finally:
                back.close()
            assert len(back.jobs) == 1
