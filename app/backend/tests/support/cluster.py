"""Looking at and driving a scale-out cluster in tests (tests/test_scale*.py): the jobs' rows
straight from PostgreSQL, the worker that ran a job, what the upstream was sent for a prompt,
waiting for a condition, studios booted side by side, and a job created through the API.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable

import httpx
import psycopg

from tests.support.studio import StudioServer
from tests.support.upstream import FakeUpstream, Seen


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
