#!/usr/bin/env python3
"""N open event streams against /healthz latency with none open, in the same studio.

The studio (`manage.py runstudio`, started as tests.support.studio.StudioServer does) has one
tt-cloud job that a loopback upstream keeps in_progress. The stream is the page's one stream,
`GET /v1/videos/events` (text/event-stream), when the studio has it; otherwise each stream is
`GET /v1/videos/{id}/events` on the running job (printed as the fallback).

1. /healthz on a new connection from 127.0.0.1 every 20 ms for --seconds, with no stream open;
2. --streams (1000) streams opened at once from client processes, each from its own source
   address 127.0.x.y, read as they come; once every stream has its answer (or after
   --answer-wait s), the same /healthz probe for --seconds while they stay open.

Printed: streams answered 200 / 429 / 503 / other / not at all, how many received events,
how many the server closed; /healthz p50/p99/max in both phases; whether the process stayed
up. Goal: /healthz p99 with the streams open within 2x its p99 with none open.

    .venv/bin/python bench/streams.py [--streams 1000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import threading
from pathlib import Path

from studio_setup import cloud_studio, held_job
from tests.support.flood_runner import FloodClients, FloodResult
from tests.support.flood_studio import last_error
from tests.support.probes import HealthSampler, Sample, http_request, percentile
from tests.support.upstream import FakeUpstream

PAGE_STREAM = "/v1/videos/events"
INTERVAL = 0.02  # seconds between /healthz probes
PROBE_TIMEOUT = 5.0


def probe(port: int, seconds: float) -> list[Sample]:
    sampler = HealthSampler(port, interval=INTERVAL, timeout=PROBE_TIMEOUT).start()
    threading.Event().wait(seconds)  # the measured window
    return sampler.stop()


def summary(samples: list[Sample]) -> tuple[str, float]:
    answered = [s.seconds for s in samples if s.status == 200 and not s.error]
    failed = len(samples) - len(answered)
    p99 = percentile([s.seconds for s in samples], 99)  # a failure counts with the time it took
    text = (
        f"{len(samples):6d} {percentile(answered, 50) * 1000:9.1f} {p99 * 1000:9.1f} "
        f"{max((s.seconds for s in samples), default=float('nan')) * 1000:9.1f} {failed:7d}"
    )
    return text, p99


def stream_path(port: int, running_id: str) -> tuple[str, str]:
    """The page stream when the studio has it, else the per-job stream; and a note saying which."""
    answer = http_request(port, PAGE_STREAM, 5, {"Accept": "text/event-stream"}, headers_only=True)
    ctype = answer.headers.get("content-type", "")
    if answer.status == 200 and ctype.startswith("text/event-stream"):
        return PAGE_STREAM, f"{PAGE_STREAM} (one stream per page)"
    seen = answer.error or f"HTTP {answer.status} {ctype}"
    fallback = f"/v1/videos/{running_id}/events"
    return fallback, f"/v1/videos/{{id}}/events on the running job (fallback: {PAGE_STREAM} answered {seen})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per phase")
    parser.add_argument("--answer-wait", type=float, default=30.0, help="seconds to wait for every stream's answer")
    parser.add_argument("--per-process", type=int, default=2500, help="streams per client process")
    args = parser.parse_args()

    upstream = FakeUpstream(mode="async_never")
    data = Path(tempfile.mkdtemp(prefix="bench-streams-"))
    studio = cloud_studio(upstream, data, CLOUD_VIDEO_GENERATION_POLL_INTERVAL=1.0)
    result: FloodResult | None = None
    log_error = ""
    try:
        studio.start()
        path, which = stream_path(studio.port, held_job(studio, "watched by many"))
        print(f"streams: {args.streams} x {which}; studio pid {studio.pid}, {os.cpu_count()} cores", flush=True)

        baseline = probe(studio.port, args.seconds)
        with FloodClients(studio.port, "streams", args.streams, path=path, per_process=args.per_process) as flood:
            flood.start()
            ready = flood.t0 + flood.wait_ready(timeout=120)
            all_answered = flood.wait_all_answered(until=ready + args.answer_wait)
            alive_open = studio.proc is not None and studio.proc.poll() is None
            loaded = probe(studio.port, args.seconds) if alive_open else []
            alive = studio.proc is not None and studio.proc.poll() is None
            result = flood.stop()
    finally:
        studio.stop()
        log_error = last_error(studio.logs())
        upstream.close()
        shutil.rmtree(data, ignore_errors=True)

    assert result is not None
    answers = ", ".join(f"{code}: {n}" for code, n in sorted(result.statuses.items())) or "none"
    refused = ", ".join(f"{n} {why}" for why, n in sorted(result.connect.items())) or "0 refused"
    print(f"connections: {result.opened} opened, {refused}")
    print(
        f"answers: {answers} (JSON 429/503: {result.json_refusals}); no answer: {result.no_answer}"
        + ("" if all_answered else f" after waiting {args.answer_wait:g} s")
        + (f"; answered within {max(result.answer_after):.2f} s of connecting" if result.answer_after else "")
        + f"; receiving events: {result.with_events}; closed by the server: {result.closed}"
    )
    print(
        f"\n{'/healthz on a new connection':34}{'samples':>6} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9} {'failed':>7}"
    )
    base_text, base_p99 = summary(baseline)
    print(f"{'no stream open':34}{base_text}")
    if loaded:
        load_text, load_p99 = summary(loaded)
        print(f"{f'{result.opened} streams open':34}{load_text}")
        ratio = load_p99 / base_p99
        print(f"p99 with streams / without: {ratio:.2f}x")
    else:
        ratio = float("inf")
        print("with the streams open: no probe (the studio process was gone)")
    print(f"process: {'stayed up' if alive else 'DIED'}" + (f" (log: {log_error})" if log_error else ""))
    met = alive and ratio <= 2.0
    print("goal (/healthz p99 with the streams open within 2x of none open):", "met" if met else "NOT met")


if __name__ == "__main__":
    main()
