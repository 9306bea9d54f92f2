"""The metrics read from the jobs (docs/metrics.md): jobs by provider and status and the queue
depth, counted from the database when scraped, and each job's end, counted by the worker that
ran it. The counters themselves are defined in `videos/metrics/__init__.py`."""

from __future__ import annotations

import atexit
import logging
import os
from collections.abc import Iterator

from django.db import DatabaseError
from django.db.models import Count
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from videos.metrics import JOB_DURATION, JOBS_ENDED, MULTIPROC_DIR, UPSTREAM_ERRORS
from videos.models import QueueState, VideoJob
from videos.providers.registry import all_providers

log = logging.getLogger("videos.metrics")

JOBS_HELP = "Jobs in the studio's history now, by provider and status."
QUEUE_HELP = "Jobs waiting for a worker now, by provider."
PAUSED_HELP = "1 while the provider's queue is paused (POST /v1/queue): it starts nothing new."


class DatabaseCollector(Collector):
    """Jobs by provider and status and the queue depth per provider, counted when scraped."""

    def describe(self) -> Iterator[Metric]:
        """What it yields, without a query (the registry asks when it is registered)."""
        yield GaugeMetricFamily("studio_jobs", JOBS_HELP, labels=["provider", "status"])
        yield GaugeMetricFamily("studio_queue_depth", QUEUE_HELP, labels=["provider"])
        yield GaugeMetricFamily("studio_queue_paused", PAUSED_HELP, labels=["provider"])

    def collect(self) -> Iterator[Metric]:
        jobs = GaugeMetricFamily("studio_jobs", JOBS_HELP, labels=["provider", "status"])
        queued = GaugeMetricFamily("studio_queue_depth", QUEUE_HELP, labels=["provider"])
        paused = GaugeMetricFamily("studio_queue_paused", PAUSED_HELP, labels=["provider"])
        try:
            rows = list(VideoJob.objects.values_list("provider", "status").annotate(n=Count("id")).order_by())
            pauses = QueueState.paused_models()
        except DatabaseError:
            log.warning("metrics: could not count jobs", exc_info=True)
            rows, pauses = [], set()
        for provider in all_providers():
            paused.add_metric([provider.name], 1 if QueueState.is_paused(provider.name, pauses) else 0)
        depth: dict[str, int] = {}
        for provider, status, count in rows:
            jobs.add_metric([provider, status], count)
            if status == VideoJob.Status.QUEUED:
                depth[provider] = depth.get(provider, 0) + count
        for provider in all_providers():
            depth.setdefault(provider.name, 0)
        for provider_name, count in sorted(depth.items()):
            queued.add_metric([provider_name], count)
        yield jobs
        yield queued
        yield paused


_database = DatabaseCollector()
if not MULTIPROC_DIR:
    REGISTRY.register(_database)
else:
    # A process that ends takes its live gauges (open streams) with it.
    atexit.register(lambda: multiprocess.mark_process_dead(os.getpid()))


def exposition() -> tuple[bytes, str]:
    """The Prometheus text for /metrics and its content type."""
    if not MULTIPROC_DIR:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_database)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def job_ended(job_id: str) -> None:
    """After a worker's run of a job: count its end state and duration. Never raises."""
    try:
        row = (
            VideoJob.objects.filter(id=job_id)
            .values("provider", "status", "started_at", "completed_at", "error_code")
            .first()
        )
        if row is None or row["status"] not in VideoJob.TERMINAL:
            return  # deleted, or handed back to the queue (the studio is stopping)
        JOBS_ENDED.labels(row["provider"], row["status"]).inc()
        if row["started_at"] and row["completed_at"]:
            seconds = max((row["completed_at"] - row["started_at"]).total_seconds(), 0.0)
            JOB_DURATION.labels(row["provider"], row["status"]).observe(seconds)
        if row["error_code"] == "invalid_video":  # the upstream's answer was no video
            UPSTREAM_ERRORS.labels(row["provider"], "invalid_video").inc()
    except Exception:
        log.warning("metrics: could not record job %s", job_id, exc_info=True)
