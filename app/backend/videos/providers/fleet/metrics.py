"""Prometheus metrics per upstream, labelled by its name (`tt-1`), never its URL or token
(docs/metrics.md). Each process that runs jobs keeps its own view of the upstreams; with
PROMETHEUS_MULTIPROC_DIR the scrape shows the largest (state, queue) or the sum (in flight)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from videos import metrics as _studio_metrics  # noqa: F401  (sets up multiprocess mode first)
from videos.providers.fleet.member import DOWN, READY, WARMING, Member

STATES = (READY, WARMING, DOWN)

UPSTREAM_STATE = Gauge(
    "studio_upstream_state",
    "1 for the state a tt-cloud upstream is in now (ready, warming_up, down), by upstream name.",
    ["upstream", "state"],
    multiprocess_mode="livemax",
)
UPSTREAM_IN_FLIGHT = Gauge(
    "studio_upstream_in_flight",
    "The studio's jobs on a tt-cloud upstream now (submitted, not yet finished there), by upstream name.",
    ["upstream"],
    multiprocess_mode="livesum",
)
UPSTREAM_QUEUE = Gauge(
    "studio_upstream_queue_size",
    "A tt-cloud upstream's own queue_size at its last /tt-liveness reading, by upstream name.",
    ["upstream"],
    multiprocess_mode="livemax",
)
UPSTREAM_DRAINED = Counter(
    "studio_upstream_drained",
    "Times a tt-cloud upstream was drained (stopped answering or failed a request), by upstream name.",
    ["upstream"],
)


def observed(member: Member) -> None:
    for state in STATES:
        UPSTREAM_STATE.labels(member.name, state).set(1 if member.state == state else 0)
    UPSTREAM_IN_FLIGHT.labels(member.name).set(member.in_flight)
    UPSTREAM_QUEUE.labels(member.name).set(member.server_queue)


def drained(member: Member) -> None:
    UPSTREAM_DRAINED.labels(member.name).inc()
