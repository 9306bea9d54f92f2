"""Keeping each accelerator busy (issue 29): the next job waits in a tt-media-server's own queue
before the current one ends (CLOUD_VIDEO_GENERATION_QUEUE_AHEAD, capped), a finished video
downloads while the next job is already sent, and a job is polled more often near the time this
upstream's jobs take. Jobs are held (`async_never`, a held download), never raced against a clock."""

from __future__ import annotations

import httpx

from tests.support.fleet import fleet_studio, upstream_views, wait_until
from tests.support.upstream import FakeUpstream
from videos.providers.tt_runners import profile_for
from videos.providers.tt_upstream import TTUpstream


def create(client: httpx.Client, prompt: str) -> str:
    made = client.post("/v1/videos", json={"prompt": prompt, "model": "tt-cloud"})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def test_one_job_waits_in_the_servers_queue_ahead_of_the_next_end(studio_factory) -> None:
    server = FakeUpstream(mode="async_never", runner="tt-wan2.2")
    studio = fleet_studio(studio_factory, server)
    try:
        with studio.client() as client:
            first, second, third = (create(client, f"job {n}") for n in range(3))
            # Concurrency 1 plus one ahead: two are sent while the first is still being made.
            wait_until(lambda: len(server.posts()) == 2, what="the second job sent ahead")
            assert upstream_views(client)["tt-1"]["in_flight"] == 2
            assert len(server.posts()) == 2  # the cap: the third waits in the studio
            server.mode = "async"
            assert client.post(f"/v1/videos/{first}/cancel").status_code == 200
            wait_until(lambda: len(server.posts()) == 3, what="the third job sent once a slot freed")
            assert studio.wait_for(third)["status"] == "completed"
            assert client.post(f"/v1/videos/{second}/cancel").status_code in (200, 409)
    finally:
        server.close()


def test_a_server_without_liveness_gets_no_job_ahead(studio_factory) -> None:
    """The seed's endpoint (no /tt-liveness) may not queue: it gets its concurrency, as before."""
    server = FakeUpstream(mode="async_never")
    studio = fleet_studio(studio_factory, server)
    try:
        with studio.client() as client:
            first = create(client, "one")
            create(client, "two")
            wait_until(lambda: len(server.posts()) == 1, what="the first job sent")
            wait_until(lambda: upstream_views(client)["tt-1"]["checked_seconds_ago"] is not None, what="a reading")
            assert len(server.posts()) == 1
            assert client.post(f"/v1/videos/{first}/cancel").status_code == 200
            wait_until(lambda: len(server.posts()) == 2, what="the second job after the first")
    finally:
        server.close()


def test_the_next_job_is_sent_while_the_last_video_downloads(studio_factory) -> None:
    server = FakeUpstream(mode="async", runner="tt-wan2.2", download_mode="slow_body", stall=0.0)
    server.slow_chunk = 4096
    server.held = True  # every download stops after its first chunk until the test lets go
    studio = fleet_studio(studio_factory, server, CLOUD_VIDEO_GENERATION_QUEUE_AHEAD="0")
    try:
        with studio.client() as client:
            first = create(client, "downloads slowly")
            wait_until(
                lambda: any(s.path.endswith("/download") for s in server.seen), what="the first video's download"
            )
            second = create(client, "sent meanwhile")
            wait_until(lambda: len(server.posts()) == 2, what="the second job sent during the download")
            assert client.get(f"/v1/videos/{first}").json()["status"] == "in_progress"
            server.held = False
            assert studio.wait_for(first)["status"] == "completed"
            assert studio.wait_for(second)["status"] == "completed"
    finally:
        server.close()


def test_a_job_is_polled_more_often_near_its_expected_end() -> None:
    upstream = TTUpstream("http://127.0.0.1:9/v", "", lambda: profile_for("tt-wan2.2"), timeout=5.0, poll_interval=2.0)

    def answer(job_id: str) -> httpx.Response:
        return httpx.Response(200, json={"id": job_id, "status": "in_progress"})

    assert upstream.poll_delay(answer("a")) is None  # nothing learnt yet: the usual interval
    upstream._started["a"] -= 30.0  # a job that took 30 s here
    upstream.finished("a", completed=True)
    assert upstream.poll_delay(answer("b")) == 2.0  # far from its end
    upstream._started["b"] -= 27.0  # 3 s before the expected end: within two intervals
    assert upstream.poll_delay(answer("b")) == 0.5
