"""A scale-out cluster for the tests (tests/test_scale*.py, test_webhooks_celery.py), as a pytest
plugin: one PostgreSQL, one Redis, two studios sharing a media folder, Celery workers per test.
A module lists it in `pytest_plugins` after tests.support.scale_services and may override
`cluster_extra` to add settings."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from tests.support.cluster import start_all
from tests.support.studio import StudioServer
from tests.support.upstream import FakeUpstream
from tests.support.worker import CeleryWorker


@pytest.fixture(scope="module")
def queue_prefix(redis_url: str) -> Iterator[str]:
    """Queues of their own, so concurrent test runs on the same Redis never take each other's jobs."""
    prefix = f"studio-test-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}.*"):
        client.delete(key)


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
def cluster_extra() -> dict[str, str]:
    """Settings a test module adds to the cluster's (override it in the module)."""
    return {}


@pytest.fixture(scope="module")
def cluster_settings(
    postgres_url: str, redis_url: str, queue_prefix: str, cloud: FakeUpstream, cluster_extra: dict[str, str]
) -> dict[str, str]:
    return {
        "DATABASE_URL": postgres_url,
        "VIDEO_JOB_BACKEND": "celery",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_QUEUE_PREFIX": queue_prefix,
        "CELERY_RECOVERY_INTERVAL": "0.5",
        "CLOUD_VIDEO_GENERATION_URL": cloud.url,
        "CLOUD_VIDEO_GENERATION_AUTH_TOKEN": cloud.token,
        "CLOUD_VIDEO_GENERATION_POLL_INTERVAL": "0.1",
        **cluster_extra,
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
