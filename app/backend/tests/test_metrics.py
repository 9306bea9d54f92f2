"""/metrics on a live studio (through the server and its edge), parsed with prometheus_client's
own parser after jobs ran: the counts match what ran, no prompt or id is a label, access follows
the API's rule or STUDIO_METRICS_TOKEN, and several processes add up with PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.upstream import FakeUpstream

BACKEND = Path(__file__).resolve().parent.parent
SECRET_PROMPT = "a very secret prompt 8c1d"


def scrape(url: str, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = httpx.get(url + "/metrics", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    assert SECRET_PROMPT not in answer.text and "video_" not in answer.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_what_ran(studio_factory, upstream: FakeUpstream) -> None:
    upstream.mode = "async"
    upstream.script = ["async", "status:500"]
    studio = studio_factory(
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        CLOUD_VIDEO_GENERATION_POLL_INTERVAL="0.05",
        VIDEO_MAX_ATTEMPTS="1",
        VIDEO_SERVE_ENABLED="true",
        VIDEO_SERVE_TOKEN="serve-token-metrics",
    )
    before = scrape(studio.url)
    assert value(before, "studio_queue_depth", provider="preview") == 0
    assert value(before, "studio_queue_depth", provider="tt-cloud") == 0
    assert value(before, "studio_event_streams_open") == 0
    with studio.client() as client:
        small = {"prompt": SECRET_PROMPT, "model": "preview", "size": "64x64", "seconds": "1"}
        ids = [client.post("/v1/videos", json=small).json()["id"] for _ in range(2)]
        ids += [client.post("/v1/videos", json={"prompt": SECRET_PROMPT, "model": "tt-cloud"}).json()["id"]]
        ids += [client.post("/v1/videos", json={"prompt": SECRET_PROMPT, "model": "tt-cloud"}).json()["id"]]
        ends = [studio.wait_for(i)["status"] for i in ids]
        assert ends == ["completed", "completed", "completed", "failed"]
        serve = {"Authorization": "Bearer serve-token-metrics"}
        assert client.post("/v1/videos/generations", json={"prompt": "x"}, headers=serve).status_code == 202
        assert client.post("/v1/videos/generations", json={}, headers=serve).status_code == 422
        assert client.post("/v1/videos/generations", json={"prompt": "x"}).status_code == 401

        with client.stream("GET", "/v1/videos/events") as events:
            lines = events.iter_lines()  # scraped while it is read: leaving the loop closes it
            while next(lines) != "event: ready":
                pass
            during = scrape(studio.url)
        assert value(during, "studio_event_streams_open") == 1

    # The stream's slot is given back once the server notices it closed, and a job's end is
    # counted just after its row is saved (the runner's cleanup): wait for both.
    for _ in range(100):
        after = scrape(studio.url)
        if (
            value(after, "studio_event_streams_open") == 0
            and value(after, "studio_jobs", provider="preview", status="completed") == 3
            and value(after, "studio_jobs_ended_total", provider="preview", status="completed") == 3
        ):
            break
        time.sleep(0.05)
    assert value(after, "studio_event_streams_open") == 0
    assert value(after, "studio_jobs", provider="preview", status="completed") == 3  # with the served one
    assert value(after, "studio_jobs", provider="tt-cloud", status="completed") == 1
    assert value(after, "studio_jobs", provider="tt-cloud", status="failed") == 1
    assert value(after, "studio_queue_depth", provider="tt-cloud") == 0
    assert value(after, "studio_jobs_ended_total", provider="preview", status="completed") == 3
    assert value(after, "studio_jobs_ended_total", provider="tt-cloud", status="completed") == 1
    assert value(after, "studio_jobs_ended_total", provider="tt-cloud", status="failed") == 1
    assert value(after, "studio_job_duration_seconds_count", provider="preview", status="completed") == 3
    assert value(after, "studio_job_duration_seconds_count", provider="tt-cloud", status="failed") == 1
    assert value(after, "studio_upstream_request_duration_seconds_count", provider="tt-cloud", request="submit") == 2
    assert value(after, "studio_upstream_request_duration_seconds_count", provider="tt-cloud", request="download") == 1
    assert value(after, "studio_upstream_request_duration_seconds_count", provider="tt-cloud", request="poll") >= 1
    assert value(after, "studio_upstream_errors_total", provider="tt-cloud", kind="upstream_error") == 1
    assert value(after, "studio_serve_requests_total", route="submit", status="202") == 1
    assert value(after, "studio_serve_requests_total", route="submit", status="422") == 1
    assert value(after, "studio_serve_requests_total", route="submit", status="401") == 1


def test_metrics_access(studio_factory) -> None:
    token = "metrics-token-3a9f01"
    studio = studio_factory(STUDIO_METRICS_TOKEN=token)
    assert httpx.get(studio.url + "/metrics").status_code == 401
    assert httpx.get(studio.url + "/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    scrape(studio.url, Authorization=f"Bearer {token}")
    assert token not in studio.logs()

    key = "alice-key-0123456789abcdef"
    guarded = studio_factory(STUDIO_AUTH_REQUIRED="true", STUDIO_API_KEYS=f"alice:{key}")
    refused = httpx.get(guarded.url + "/metrics")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
    scrape(guarded.url, Authorization=f"Bearer {key}")


def test_several_processes_add_up(studio_factory, tmp_path: Path) -> None:
    """A worker process's counts (here: a separate process recording upstream errors, as a Celery
    worker would) appear in the web process's /metrics through PROMETHEUS_MULTIPROC_DIR."""
    shared = tmp_path / "prometheus"
    studio = studio_factory(PROMETHEUS_MULTIPROC_DIR=str(shared))
    with studio.client() as client:
        made = client.post("/v1/videos", json={"prompt": "x", "model": "preview", "size": "64x64", "seconds": "1"})
        assert studio.wait_for(made.json()["id"])["status"] == "completed"
    worker = "from videos import metrics\nfor _ in range(3): metrics.upstream_error('tt-cloud', 'upstream_busy')\n"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    subprocess.run([sys.executable, "-c", worker], cwd=BACKEND, env=env, check=True, timeout=60)
    samples = scrape(studio.url)
    assert value(samples, "studio_upstream_errors_total", provider="tt-cloud", kind="upstream_busy") == 3
    assert value(samples, "studio_jobs_ended_total", provider="preview", status="completed") == 1
    assert value(samples, "studio_jobs", provider="preview", status="completed") == 1
