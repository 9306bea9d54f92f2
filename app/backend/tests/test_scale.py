"""The scale-out path against the real services on this machine: Celery workers on Redis and
PostgreSQL shared by several studios (S3 storage: tests/test_scale_s3.py).

Every process is a real subprocess: studios (`manage.py runstudio`), workers (`run.py
worker`'s entry point), the loopback tt-cloud upstream. Redis or PostgreSQL being down is
a test failure with a clear message, never a skip (tests/support/scale_services.py).
"""

from __future__ import annotations

import collections
import time
import uuid

import pytest

from tests.support.cluster import create, job_rows, posts_for, wait_until, worker_pid
from tests.support.media import same_video
from tests.support.studio import StudioServer

pytestmark = pytest.mark.scale
pytest_plugins = ["tests.support.scale_services", "tests.support.scale_cluster"]  # services, the cluster


def test_twenty_jobs_two_studios_two_workers_each_runs_exactly_once(studios, start_workers, cloud, postgres_url):
    a, b = studios
    # The first jobs upstream run until released: every slot of both workers is busy at once,
    # however fast the machine sends, claims and finishes jobs.
    cloud.mode, cloud.delay, cloud.max_concurrent = "async_never", 0.0, 0
    workers = start_workers(2, "tt-cloud", concurrency=2)
    tag = uuid.uuid4().hex[:6]
    jobs = []
    with a.client() as ca, b.client() as cb:
        before = set(cloud.jobs)
        for i in range(20):
            jobs.append(create(ca if i % 2 else cb, model="tt-cloud", prompt=f"scale {tag} job {i}", seed=i))
        ids = [j["id"] for j in jobs]
        wait_until(
            lambda: sum(f"scale {tag} " in s.body["prompt"] for s in cloud.posts()) >= 4,
            30,
            "four jobs running upstream (2 workers x 2 slots)",
        )
        # Let them go; the rest run as they come (async, done at the first poll).
        cloud.mode = "async"  # no slot is free, so no job is submitted in between
        for job_id in set(cloud.jobs) - before:
            cloud.jobs[job_id].outcome = "completed"
        # Each job is followed through the studio that did not create it: one shared database.
        for i, job in enumerate(jobs):
            done = (a if i % 2 == 0 else b).wait_for(job["id"], timeout=60)
            assert done["status"] == "completed", done
            assert done["metadata"]["frames"] == 8

        # Content written by a worker is served by either studio, with Range.
        full = ca.get(f"/v1/videos/{ids[0]}/content")
        part = cb.get(f"/v1/videos/{ids[0]}/content", headers={"Range": "bytes=16-63"})
    # What is stored is the upstream's video signed by the studio (Content Credentials).
    assert full.status_code == 200 and same_video(full.content, cloud.video)
    assert part.status_code == 206 and part.content == full.content[16:64]

    per_prompt = collections.Counter(s.body["prompt"] for s in cloud.posts() if f"scale {tag} " in s.body["prompt"])
    assert len(per_prompt) == 20 and set(per_prompt.values()) == {1}, per_prompt  # the upstream saw each job once
    rows = job_rows(postgres_url, ids)
    assert {r["attempts"] for r in rows.values()} == {1}
    assert {r["status"] for r in rows.values()} == {"completed"}
    used = collections.Counter(worker_pid(r) for r in rows.values())
    assert set(used) == {w.pid for w in workers}, used  # spread over both workers
    # Concurrency is the upstream's capacity: 2 workers x 2 slots, never more at once.
    assert 2 <= cloud.max_concurrent <= 4


def test_worker_killed_mid_job_is_resumed_by_the_other_worker(studios, start_workers, cloud, postgres_url):
    a, b = studios
    # 202 + poll: the upstream job id survives the crash. The upstream job runs until released
    # below, so the kill always finds it running.
    cloud.mode, cloud.delay = "async_never", 0.0
    workers = start_workers(2, "tt-cloud", concurrency=1)
    prompt = f"kill -9 {uuid.uuid4().hex[:6]}"
    with a.client() as client:
        job = create(client, model="tt-cloud", prompt=prompt)
    row = wait_until(
        lambda: (r := job_rows(postgres_url, [job["id"]])[job["id"]])["upstream_id"] and r,
        20,
        "the job to start upstream",
    )
    assert isinstance(row, dict)
    victim = next(w for w in workers if w.pid == worker_pid(row))
    survivor = next(w for w in workers if w is not victim)
    victim.kill()
    cloud.jobs[row["upstream_id"]].outcome = "completed"  # done at the survivor's next poll

    done = b.wait_for(job["id"], timeout=30)
    assert done["status"] == "completed", (done, survivor.logs())
    row = job_rows(postgres_url, [job["id"]])[job["id"]]
    assert worker_pid(row) == survivor.pid and row["attempts"] == 2
    assert len(posts_for(cloud, prompt)) == 1  # resumed the upstream job, not resubmitted
    assert f"recovered job {job['id']}" in survivor.logs()


def test_cancel_through_one_studio_stops_a_job_running_on_a_worker(studios, start_workers, cloud, postgres_url):
    a, b = studios
    cloud.mode, cloud.delay = "async_never", 0.0  # upstream jobs run until cancelled
    (worker,) = start_workers(1, "tt-cloud", concurrency=1)
    tag = uuid.uuid4().hex[:6]
    with b.client() as cb, a.client() as ca:
        running = create(cb, model="tt-cloud", prompt=f"cancel running {tag}")
        wait_until(
            lambda: job_rows(postgres_url, [running["id"]])[running["id"]]["upstream_id"], 20, "the upstream job"
        )
        waiting = create(cb, model="tt-cloud", prompt=f"cancel queued {tag}")  # the worker's one slot is busy
        assert cb.get(f"/v1/videos/{waiting['id']}").json()["status"] == "queued"

        queued_cancel = ca.post(f"/v1/videos/{waiting['id']}/cancel")
        assert queued_cancel.status_code == 200 and queued_cancel.json()["status"] == "cancelled"
        started = time.monotonic()
        assert ca.post(f"/v1/videos/{running['id']}/cancel").status_code == 200
        done = b.wait_for(running["id"], timeout=10)
        assert done["status"] == "cancelled" and time.monotonic() - started < 10, done  # it would never end
    upstream_id = job_rows(postgres_url, [running["id"]])[running["id"]]["upstream_id"]
    assert cloud.jobs[upstream_id].cancelled  # the worker told the upstream to stop too
    # The revoked message is dropped by the worker once its slot frees; never sent upstream.
    wait_until(lambda: f"Discarding revoked task: videos.run_job[{waiting['id']}]" in worker.logs(), 10, "the revoke")
    assert posts_for(cloud, f"cancel queued {tag}") == []
    assert job_rows(postgres_url, [waiting["id"]])[waiting["id"]]["attempts"] == 0


def test_preview_jobs_go_to_their_own_queue(studios, start_workers, postgres_url, queue_prefix):
    a, _ = studios
    (worker,) = start_workers(1, "preview", concurrency=1)
    with a.client() as client:
        job = create(client, model="preview", prompt="preview through celery", size="64x64", num_frames=1)
    done = a.wait_for(job["id"], timeout=30)
    assert done["status"] == "completed" and done["metadata"]["width"] == 64, done
    assert worker_pid(job_rows(postgres_url, [job["id"]])[job["id"]]) == worker.pid
    assert f".> {queue_prefix}.preview " in worker.logs()  # it consumed only the preview queue


def test_job_whose_message_was_lost_is_resent_by_a_worker(shared_dir, cluster_settings, start_workers, postgres_url):
    """The broker was unreachable when the studio enqueued: the job stays queued, then runs."""
    cut_off = StudioServer(shared_dir, **{**cluster_settings, "CELERY_BROKER_URL": "redis://127.0.0.1:1/0"}).start()
    try:
        with cut_off.client() as client:
            job = create(client, model="preview", prompt="lost message", size="64x64", num_frames=1)
        assert "could not send job" in cut_off.logs()
        (worker,) = start_workers(1, "preview", concurrency=1)
        done = cut_off.wait_for(job["id"], timeout=20)
    finally:
        cut_off.stop()
    assert done["status"] == "completed", done
    assert "resent 1 queued job" in worker.logs()
    assert job_rows(postgres_url, [job["id"]])[job["id"]]["attempts"] == 1
