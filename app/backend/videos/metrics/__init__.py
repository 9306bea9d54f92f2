"""Prometheus metrics for operators (docs/metrics.md), served at /metrics.

Two kinds:

- counted where things happen, in whichever process they happen: jobs ended (with their
  duration), upstream HTTP requests (duration), upstream errors by kind, open event streams,
  serve-mode requests. With PROMETHEUS_MULTIPROC_DIR set (several web processes, Celery
  workers) prometheus_client keeps them in files there, and /metrics adds up every process's;
  without it (the embedded single process) they live in this process's registry.
- read from the database when scraped: jobs by provider and status, and queue depth per
  provider. The database is the truth every process shares, so these need no bookkeeping.

Labels are providers, statuses, error codes and route names only: never prompts, user names
or ids. This module defines the counted ones and touches no database; what reads the jobs
(the scrape's gauges, a job's end) is in `videos/metrics/jobs.py`.
"""

from __future__ import annotations

import os
import re
import time

import httpx

# prometheus_client turns multiprocess mode on when the variable merely exists: app/.env's
# empty PROMETHEUS_MULTIPROC_DIR= means "off", so it goes before the library first loads.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip():
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    os.environ.pop("prometheus_multiproc_dir", None)
else:
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from prometheus_client import Counter, Gauge, Histogram

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")

JOB_BUCKETS = (1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600)
REQUEST_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180)

JOBS_ENDED = Counter(
    "studio_jobs_ended",
    "Jobs a worker ran to an end state, by provider and status (completed, failed, cancelled).",
    ["provider", "status"],
)
JOB_DURATION = Histogram(
    "studio_job_duration_seconds",
    "Seconds from a job's start (a worker took it) to its end state, by provider and status.",
    ["provider", "status"],
    buckets=JOB_BUCKETS,
)
UPSTREAM_REQUEST_DURATION = Histogram(
    "studio_upstream_request_duration_seconds",
    "Seconds from sending an HTTP request to an upstream until its answer's headers arrived, by "
    "provider and request kind (submit, poll, download, cancel).",
    ["provider", "request"],
    buckets=REQUEST_BUCKETS,
)
UPSTREAM_ERRORS = Counter(
    "studio_upstream_errors",
    "Failed attempts at a job's upstream or engine, by provider and kind (the job error code, e.g. "
    "upstream_busy, upstream_timeout, upstream_rejected, invalid_video); retried attempts count too.",
    ["provider", "kind"],
)
EVENT_STREAMS = Gauge(
    "studio_event_streams_open",
    "Live status (server-sent event) streams open now.",
    multiprocess_mode="livesum",
)
SERVE_REQUESTS = Counter(
    "studio_serve_requests",
    "Serve-mode (tt-media-server API) requests, by route and HTTP status.",
    ["route", "status"],
)


# --- hooks (each one call where the thing happens) ----------------------------------------


KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")


def upstream_error(provider: str, kind: str) -> None:
    """One failed attempt. `kind` is an error code; an upstream's own odd code counts as 'other'."""
    UPSTREAM_ERRORS.labels(provider, kind if KIND.fullmatch(kind) else "other").inc()


def stream_opened() -> None:
    EVENT_STREAMS.inc()


def stream_closed() -> None:
    EVENT_STREAMS.dec()


def serve_request(route: str, status: int) -> None:
    SERVE_REQUESTS.labels(route, str(status)).inc()


def time_requests(client: httpx.Client, provider: str) -> None:
    """Observe each of the client's requests (time to its answer's headers); once per client."""
    if any(getattr(hook, "studio_metrics", False) for hook in client.event_hooks["response"]):
        return

    def started(request: httpx.Request) -> None:
        request.extensions["studio_started"] = time.monotonic()

    def answered(response: httpx.Response) -> None:
        started_at = response.request.extensions.get("studio_started")
        if started_at is None:
            return
        request = response.request
        path = request.url.path
        if path.endswith(("/download", "/content")):  # tt-media-server's, OpenAI's
            kind = "download"
        elif path.endswith("/cancel") or request.method == "DELETE":
            kind = "cancel"
        elif request.method == "POST":
            kind = "submit"
        else:
            kind = "poll"
        UPSTREAM_REQUEST_DURATION.labels(provider, kind).observe(time.monotonic() - started_at)

    answered.studio_metrics = True  # type: ignore[attr-defined]
    client.event_hooks = {
        "request": [*client.event_hooks["request"], started],
        "response": [*client.event_hooks["response"], answered],
    }
