"""The scale-out path against the real services on this machine: Celery workers on Redis,
PostgreSQL shared by several studios, and S3 storage (moto's S3 server on loopback).

Every process is a real subprocess: studios (`manage.py runstudio`), workers (`run.py
worker`'s entry point), the loopback tt-cloud upstream. Redis or PostgreSQL being down is
a test failure with a clear message, never a skip.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import httpx
import psycopg
import pytest
import redis

from tests.support.studio import BACKEND, StudioServer, free_port
from tests.support.upstream import FakeUpstream, Seen
from tests.support.worker import CeleryWorker

pytestmark = pytest.mark.scale

REDIS_URL = os.environ.get("STUDIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_ADMIN_URL = os.environ.get("STUDIO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
START_HINT = "`python3 run.py test` starts it when it is down; or start it by hand (see docs/scale.md)."


# --- services ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> str:
    problem = None
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # failed outside the handler, so the report is one clear line
        problem = exc
    if problem is not None:
        pytest.fail(
            f"Redis at {REDIS_URL} cannot be reached ({problem}); the scale tests need it. {START_HINT}", pytrace=False
        )
    return REDIS_URL


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated database for this test session; dropped afterwards."""
    admin, problem = None, None
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:
        problem = exc
    if admin is None:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_ADMIN_URL} cannot be reached ({problem}); the scale tests need it. {START_HINT}",
            pytrace=False,
        )
    name = f"studio_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        env = {**os.environ, "DATABASE_URL": url}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BACKEND, env=env, check=True
        )
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def queue_prefix(redis_url: str) -> Iterator[str]:
    """Queues of their own, so concurrent test runs on the same Redis never take each other's jobs."""
    prefix = f"studio-test-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}.*"):
        client.delete(key)


def job_rows(postgres_url: str, ids: list[str]) -> dict[str, dict]:
    """The jobs' rows straight from PostgreSQL (what no API shows: attempts, worker)."""
    with psycopg.connect(postgres_url) as conn:
        cur = conn.execute(
            "SELECT id, status, attempts, worker, upstream_id, error_code FROM videos_videojob WHERE id = ANY(%s)",
            (ids,),
        )
        return {
            r[0]: dict(zip(("id", "status", "attempts", "worker", "upstream_id", "error_code"), r, strict=True))
            for r in cur
        }


def worker_pid(row: dict) -> int:
    return int(row["worker"].rpartition(":")[2])


def posts_for(cloud: FakeUpstream, prompt: str) -> list[Seen]:
    return [s for s in cloud.posts() if isinstance(s.body, dict) and s.body.get("prompt") == prompt]


def wait_until(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def start_all(*studios: StudioServer) -> None:
    """Boot studios side by side (each start waits for /healthz)."""
    with concurrent.futures.ThreadPoolExecutor(len(studios)) as pool:
        for future in [pool.submit(studio.start) for studio in studios]:
            future.result()


def create(client: httpx.Client, **fields: object) -> dict:
    response = client.post("/v1/videos", json=fields)
    assert response.status_code == 201, response.text
    return response.json()


# --- a cluster: one PostgreSQL, one Redis, two studios, workers per test ----------------------


@pytest.fixture(scope="module")
def cloud() -> Iterator[FakeUpstream]:
    fake = FakeUpstream()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One host: local media is shared through one folder (on several hosts, S3 does this).
    return tmp_path_factory.mktemp("cluster")


@pytest.fixture(scope="module")
def cluster_settings(postgres_url: str, redis_url: str, queue_prefix: str, cloud: FakeUpstream) -> dict[str, str]:
    return {
        "DATABASE_URL": postgres_url,
        "VIDEO_JOB_BACKEND": "celery",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_QUEUE_PREFIX": queue_prefix,
        "CELERY_RECOVERY_INTERVAL": "0.5",
        "CLOUD_VIDEO_GENERATION_URL": cloud.url,
        "CLOUD_VIDEO_GENERATION_AUTH_TOKEN": cloud.token,
        "CLOUD_VIDEO_GENERATION_POLL_INTERVAL": "0.1",
    }


@pytest.fixture(scope="module")
def studios(shared_dir: Path, cluster_settings: dict[str, str]) -> Iterator[tuple[StudioServer, StudioServer]]:
    a = StudioServer(shared_dir, None, **cluster_settings)
    b = StudioServer(shared_dir, None, **cluster_settings)
    try:
        start_all(a, b)
        yield a, b
    finally:
        a.stop()
        b.stop()


@pytest.fixture
def start_workers(shared_dir: Path, cluster_settings: dict[str, str]) -> Iterator[Callable[..., list[CeleryWorker]]]:
    """start_workers(n, provider, concurrency) -> n running workers; all stopped after the test."""
    started: list[CeleryWorker] = []

    def start(count: int, provider: str = "tt-cloud", concurrency: int = 1, **extra: str) -> list[CeleryWorker]:
        workers = [CeleryWorker(shared_dir, provider, concurrency, **cluster_settings, **extra) for _ in range(count)]
        started.extend(workers)
        for worker in workers:
            worker.launch()
        return [worker.wait_ready() for worker in workers]

    yield start
    for worker in started:  # SIGTERM all first: their warm shutdowns then overlap
        if worker.proc and worker.proc.poll() is None:
            worker.proc.terminate()
    for worker in started:
        worker.stop()


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
    assert full.status_code == 200 and full.content == cloud.video
    assert part.status_code == 206 and part.content == cloud.video[16:64]

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


# --- S3 storage, against moto's S3 server on loopback -----------------------------------------


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    port = free_port()
    with open(
        tmp_path_factory.mktemp("moto") / "moto.log", "wb"
    ) as log:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: _port_open(port) or proc.poll() is not None, 30, "moto's S3 server")
        assert proc.poll() is None, "moto_server exited; see its log"
        settings = {
            "STUDIO_S3_BUCKET": "studio-media",
            "STUDIO_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "STUDIO_S3_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "test-key",
            "AWS_SECRET_ACCESS_KEY": "test-secret",
        }
        s3_client(settings).create_bucket(Bucket=settings["STUDIO_S3_BUCKET"])
        yield settings
    finally:
        proc.terminate()
        proc.wait(10)


def s3_client(settings: dict[str, str]):
    return boto3.client(
        "s3",
        endpoint_url=settings["STUDIO_S3_ENDPOINT_URL"],
        region_name=settings["STUDIO_S3_REGION"],
        aws_access_key_id=settings["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["AWS_SECRET_ACCESS_KEY"],
    )


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_s3_storage_presigned_redirect_and_proxied_range(tmp_path, s3, postgres_url, redis_url):
    common = {
        "DATABASE_URL": postgres_url,
        "VIDEO_JOB_BACKEND": "celery",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_QUEUE_PREFIX": f"studio-test-s3-{uuid.uuid4().hex[:6]}",
        **s3,
    }
    # Separate data folders: the only way a file gets from the worker to a studio is S3.
    worker = CeleryWorker(tmp_path / "worker", "preview", 1, **common)
    redirecting = StudioServer(tmp_path / "redirect", **common)
    proxying = StudioServer(tmp_path / "proxy", STUDIO_S3_PRESIGNED_REDIRECT="false", **common)
    with contextlib.ExitStack() as stack:
        for process in (worker, redirecting, proxying):
            stack.callback(process.stop)
        worker.launch()  # boots while the studios do
        start_all(redirecting, proxying)
        worker.wait_ready()
        with redirecting.client() as client:
            job = create(client, model="preview", prompt="stored in S3", size="64x64", num_frames=1)
            done = redirecting.wait_for(job["id"], timeout=30)
            assert done["status"] == "completed", (done, worker.logs())
            stored = (
                s3_client(s3).get_object(Bucket=s3["STUDIO_S3_BUCKET"], Key=f"videos/{job['id']}.mp4")["Body"].read()
            )
            assert len(stored) == done["metadata"]["bytes"]
            assert not list((tmp_path / "worker").glob("media/**/*.mp4"))  # nothing kept on the worker's disk

            hop = client.get(done["content_url"])
            assert hop.status_code == 302 and hop.headers["location"].startswith(s3["STUDIO_S3_ENDPOINT_URL"])
            assert "X-Amz-Signature=" in hop.headers["location"]
            part = httpx.get(hop.headers["location"], headers={"Range": "bytes=8-99"})
            assert part.status_code == 206 and part.content == stored[8:100]
            download = client.get(done["content_url"] + "?download=1")
            signed = httpx.get(download.headers["location"])
            assert signed.status_code == 200 and signed.content == stored
            assert signed.headers["content-disposition"].startswith("attachment")
            thumb = httpx.get(client.get(done["thumbnail_url"]).headers["location"])
            assert thumb.status_code == 200 and thumb.content[:3] == b"\xff\xd8\xff"  # JPEG

        with proxying.client() as client:
            full = client.get(done["content_url"])
            part = client.get(done["content_url"], headers={"Range": "bytes=8-99"})
            assert full.status_code == 200 and full.content == stored
            assert part.status_code == 206 and part.content == stored[8:100]
            assert part.headers["content-range"] == f"bytes 8-99/{len(stored)}"
            assert client.delete(f"/v1/videos/{job['id']}").json()["deleted"] is True
        listed = s3_client(s3).list_objects_v2(Bucket=s3["STUDIO_S3_BUCKET"]).get("Contents", [])
        assert [o["Key"] for o in listed if job["id"] in o["Key"]] == []  # deleted from the bucket too
