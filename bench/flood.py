#!/usr/bin/env python3
"""Never down under a flood: four connection floods, each against a fresh studio.

Each flood starts a studio as tests.support.studio.StudioServer does (`manage.py runstudio`
on a free loopback port), with a loopback tt-cloud upstream that gave it one finished MP4
(--mp4-mb) and keeps a second job in_progress. Then, from client processes, every connection
from its own source address 127.0.x.y (so per-address limits cannot hide anything):

- idle:      --idle (10000) connections that send nothing;
- slowloris: --slowloris (10000) connections sending a request line, then a header line a second;
- streams:   --streams (5000) `GET /v1/videos/{id}/events` on the running job, read as they come;
- downloads: --downloads (5000) `GET /v1/videos/{id}/content` of the MP4, headers read, body never
             (a 16 KiB receive buffer, so the server's writes stall).

All connections are opened at once (--parallel per client process) and held --hold seconds
after the last was attempted; idle, slowloris and download connections are then held up to
--max-wait seconds, until the server has closed them all. Meanwhile /healthz is asked every
100 ms on a new connection from 127.0.0.1. Then the clients close everything and /healthz,
GET /v1/videos and the MP4 download are asked once each. Printed per flood: connections
opened / refused / closed by the server, /healthz p50/p99/max during the flood, whether the
process stayed up, the after-checks, and each goal met / NOT met:

- the process stays up;
- /healthz answers 200 within 1 s throughout the flood;
- afterwards /healthz, GET /v1/videos and the MP4 download answer 200 within 1 s;
- nothing hangs: no connect left pending (--connect-timeout), every stream / download
  answered, and answers other than 200/206 are JSON 429 or 503;
- slow clients (idle, slowloris, stalled downloads) are closed by the server within --max-wait s.

    .venv/bin/python bench/flood.py [--only idle,slowloris] [--idle 10000] [--slowloris 10000]
        [--streams 5000] [--downloads 5000] [--hold 20] [--max-wait 60] [--mp4-mb 4]

Loopback only; it stops by itself (about 3-5 minutes at full size). The client processes raise
their soft RLIMIT_NOFILE to the hard limit; the studio keeps the limit it inherits.
"""

from __future__ import annotations

import argparse
import collections
import math
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import studio_setup  # noqa: F401  (first: app/backend on sys.path)
from tests.support.flood import KINDS, SLOW_KINDS
from tests.support.flood_runner import FloodClients, FloodResult
from tests.support.flood_studio import (
    after_checks,
    after_problems,
    flood_settings,
    flood_upstream,
    last_error,
    padded_mp4,
    prepare_jobs,
)
from tests.support.probes import Answer, HealthSampler, Sample, bad_samples, percentile
from tests.support.studio import StudioServer, migrated_template

WITHIN = 1.0  # seconds: the goal for /healthz during the flood and every call after it
WHAT = {
    "idle": "idle connections (nothing sent)",
    "slowloris": "slowloris connections (a header line a second)",
    "streams": "open event streams on one running job",
    "downloads": "slow MP4 downloads (headers read, body never)",
}


@dataclass
class Report:
    kind: str
    count: int
    flood: FloodResult | None = None
    samples: list[Sample] = field(default_factory=list)
    alive_during: bool = True
    alive_after: bool = True
    after: dict[str, Answer] = field(default_factory=dict)
    after_problems: list[str] = field(default_factory=list)
    log_error: str = ""
    note: str = ""
    seconds: float = 0.0

    def goals(self, max_wait: float) -> list[tuple[str, bool]]:
        bad = bad_samples(self.samples, WITHIN)
        goals = [
            ("process stays up", self.alive_during and self.alive_after),
            (f"/healthz 200 within {WITHIN:g} s throughout", bool(self.samples) and not bad),
            (f"/healthz, list, download within {WITHIN:g} s after", bool(self.after) and not self.after_problems),
        ]
        f = self.flood
        if f is not None:
            hanging = f.connect.get("connect timed out", 0) + f.no_answer + f.unclear_answers
            goals.append(("nothing hangs; over-cap answers are JSON 429/503", hanging == 0))
            if self.kind in SLOW_KINDS:
                timed_out = f.still_open == 0 and self.alive_during  # closed by a crash does not count
                goals.append((f"slow clients closed by the server within {max_wait:g} s", timed_out))
        return goals


def studio_alive(studio: StudioServer) -> bool:
    return studio.proc is not None and studio.proc.poll() is None


def _ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f} ms"


def _spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"first {min(values):.1f} s, median {percentile(values, 50):.1f} s, last {max(values):.1f} s"


def run_flood(kind: str, count: int, args: argparse.Namespace, template: Path) -> Report:
    report = Report(kind, count)
    started = time.monotonic()
    mp4 = padded_mp4(int(args.mp4_mb * 1024 * 1024))
    upstream = flood_upstream(mp4)
    data = Path(tempfile.mkdtemp(prefix=f"bench-flood-{kind}-"))
    studio = StudioServer(data, template, **flood_settings(upstream))
    try:
        studio.start()
        jobs = prepare_jobs(studio)
        print(f"\n== {kind}: {count} {WHAT[kind]}; studio pid {studio.pid}, port {studio.port}", flush=True)
        sampler = HealthSampler(studio.port, interval=0.1, timeout=args.health_timeout).start()
        with FloodClients(
            studio.port,
            kind,
            count,
            path=jobs.path_for(kind),
            per_process=args.per_process,
            connect_timeout=args.connect_timeout,
            connect_parallel=args.parallel,
        ) as flood:
            flood.start()
            rounds = math.ceil(count / max(1, args.parallel * math.ceil(count / args.per_process)))
            ready = flood.t0 + flood.wait_ready(timeout=rounds * (args.connect_timeout + 5) + 60)
            if kind in SLOW_KINDS:
                flood.wait_all_closed(until=ready + args.max_wait, give_up=lambda: not studio_alive(studio))
            hold_end = ready + args.hold
            if studio.proc is not None and time.monotonic() < hold_end:
                try:  # the measured window; it ends early only when the studio process exits
                    studio.proc.wait(hold_end - time.monotonic())
                except subprocess.TimeoutExpired:
                    pass
            report.alive_during = studio_alive(studio)
            report.flood = flood.stop()
        report.samples = sampler.stop()
        report.alive_after = studio_alive(studio)
        if report.alive_after:
            report.after = after_checks(studio.port, jobs, timeout=10)
            report.after_problems = after_problems(report.after, jobs, WITHIN)
        else:
            report.after_problems = ["the studio process is gone"]
    except (RuntimeError, TimeoutError) as exc:
        report.note = f"{type(exc).__name__}: {exc}"
        report.alive_during = report.alive_during and studio_alive(studio)
        report.alive_after = studio_alive(studio)
    finally:
        studio.stop()
        report.log_error = last_error(studio.logs())
        upstream.close()
        shutil.rmtree(data, ignore_errors=True)
    report.seconds = time.monotonic() - started
    return report


def print_report(report: Report, max_wait: float) -> None:
    f = report.flood
    if report.note:
        print(f"note: {report.note}")
    if f is not None:
        refused = ", ".join(f"{n} {why}" for why, n in sorted(f.connect.items())) or "0 refused"
        print(
            f"connections: {f.attempted} attempted, {f.opened} opened, {refused}; "
            f"all attempted after {f.ready_after:.1f} s (slowest connect {f.connect_max_s:.2f} s)"
        )
        how = ", ".join(f"{n} {k}" for k, n in sorted(f.close_how.items()))
        print(
            f"closed by the server while held: {f.closed}"
            + (f" ({how})" if how else "")
            + (f"; they lived {_spread(f.close_after)}" if f.closed else "")
            + f"; still open at the end: {f.still_open}"
        )
        if f.statuses or f.no_answer or report.kind in ("streams", "downloads"):
            answers = ", ".join(f"{code}: {n}" for code, n in sorted(f.statuses.items())) or "none"
            extra = f"; JSON 429/503: {f.json_refusals}; no answer: {f.no_answer}"
            if report.kind == "streams":
                extra += f"; streams receiving events: {f.with_events}"
            if f.answer_after:
                extra += f"; answered within {_spread(f.answer_after)}"
            print(f"answers: {answers}{extra}")
    s = report.samples
    if s:
        bad = bad_samples(s, WITHIN)
        answered = [x.seconds for x in s if x.status == 200 and not x.error]
        failed = collections.Counter(
            (x.error.split(":")[0] if x.error else f"HTTP {x.status}") for x in s if x.error or x.status != 200
        )
        print(
            f"/healthz during the flood: {len(s)} samples; {len(bad)} not 200 within {WITHIN:g} s; "
            f"200 answers: {len(answered)}, p50 {_ms(percentile(answered, 50))}, p99 {_ms(percentile(answered, 99))}, "
            f"max {_ms(max(answered, default=float('nan')))}"
            + (f"; failed: {', '.join(f'{n} {why}' for why, n in failed.most_common())}" if failed else "")
        )
    state = "stayed up" if report.alive_during and report.alive_after else "DIED"
    print(f"process: {state}" + (f" (log: {report.log_error})" if report.log_error else ""))
    if report.after:
        print("after the flood: " + "; ".join(f"{name} {a.describe()}" for name, a in report.after.items()))
    for problem in report.after_problems:
        print(f"  after-check problem: {problem}")
    for name, met in report.goals(max_wait):
        print(f"  goal ({name}): {'met' if met else 'NOT met'}")
    print(f"({report.seconds:.0f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle", type=int, default=10000)
    parser.add_argument("--slowloris", type=int, default=10000)
    parser.add_argument("--streams", type=int, default=5000)
    parser.add_argument("--downloads", type=int, default=5000)
    parser.add_argument("--only", default=",".join(KINDS), help="comma-separated floods to run, in this order")
    parser.add_argument("--hold", type=float, default=20.0, help="seconds each flood is held after it opened")
    parser.add_argument(
        "--max-wait", type=float, default=60.0, help="seconds to wait for the server to close slow clients"
    )
    parser.add_argument("--mp4-mb", type=float, default=4.0, help="size of the finished MP4 (MiB)")
    parser.add_argument("--per-process", type=int, default=2500, help="connections per client process")
    parser.add_argument("--parallel", type=int, default=1000, help="connects in flight per client process")
    parser.add_argument("--connect-timeout", type=float, default=10.0)
    parser.add_argument("--health-timeout", type=float, default=5.0, help="seconds one /healthz sample may take")
    args = parser.parse_args()
    kinds = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown flood {unknown}; choose from {KINDS}")

    template = migrated_template(Path(tempfile.mkdtemp(prefix="bench-flood-template-")))
    print(
        f"floods: {', '.join(f'{getattr(args, k)} {k}' for k in kinds)}; {os.cpu_count()} cores; held {args.hold:g} s"
    )
    reports = []
    for kind in kinds:
        count = getattr(args, kind)
        if count > 0:
            report = run_flood(kind, count, args, template)
            print_report(report, args.max_wait)
            reports.append(report)
    shutil.rmtree(template.parent, ignore_errors=True)
    print("\nsummary")
    for report in reports:
        goals = report.goals(args.max_wait)
        missed = [name for name, met in goals if not met]
        print(
            f"  {report.kind:10} {report.count:>6}: "
            + ("all goals met" if not missed else f"NOT met: {'; '.join(missed)}")
        )


if __name__ == "__main__":
    main()
