#!/usr/bin/env python3
"""Crash suite: kill -9 the studio in the middle of jobs, again and again, on one data dir.

Each round starts the studio (`manage.py runstudio`) on the same data dir, submits a few
jobs (preview engine, and tt-cloud against a loopback upstream that answers 202 and is
polled), sometimes cancels one, and kills the process with SIGKILL at a random moment.
After the last round the studio is started once more and left to finish. Then:

- none lost: every submitted id still answers GET /v1/videos/{id};
- none stuck: every job is terminal within --bound seconds of that last start;
- every completed video decodes with PyAV (all frames, as many as its metadata says);
- no stray files: scratch/ is empty, media/ holds only completed jobs' files;
- no 5xx from the API at any point.

    .venv/bin/python bench/crash_suite.py [--rounds 20] [--seed 1] [--bound 180]

tests/test_crash_recovery.py runs the same code for 3 rounds.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BACKEND = Path(__file__).resolve().parents[1] / "app" / "backend"
sys.path.insert(0, str(BACKEND))
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-key")
os.environ["STUDIO_ENV_FILE"] = os.devnull

from tests.support.studio import StudioServer  # noqa: E402
from tests.support.upstream import FakeUpstream  # noqa: E402

TERMINAL = ("completed", "failed", "cancelled")


@dataclass
class CrashResult:
    rounds: int = 0
    submitted: list[str] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # id -> error code of failed jobs
    lost: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    undecodable: list[str] = field(default_factory=list)
    stray_scratch: list[str] = field(default_factory=list)
    orphan_media: list[str] = field(default_factory=list)
    server_errors: list[tuple[str, int]] = field(default_factory=list)
    recovered: int = 0  # "recovered job" log lines over all restarts
    pending_at_last_start: int = 0
    max_time_to_terminal: float = 0.0  # seconds from the last start until each pending job ended
    cloud_jobs: int = 0
    upstream_posts: int = 0
    upstream_jobs_resumed: int = 0  # tt-cloud jobs polled by more than one studio process
    decoded: int = 0

    def count(self, status: str) -> int:
        return sum(1 for s in self.statuses.values() if s == status)

    @property
    def ok(self) -> bool:
        return not (
            self.lost or self.stuck or self.undecodable or self.stray_scratch or self.orphan_media or self.server_errors
        )

    def summary(self) -> str:
        n = len(self.submitted)
        failed_codes = sorted(set(self.errors.values()))
        return "\n".join(
            [
                f"rounds: {self.rounds}; jobs submitted: {n}",
                "completed / failed / cancelled: "
                f"{self.count('completed')} / {self.count('failed')} / {self.count('cancelled')}"
                + (f"  (failure codes: {', '.join(failed_codes)})" if failed_codes else ""),
                f"recovered after kill -9 (requeued, resumed or ended by recovery): {self.recovered}",
                f"tt-cloud: {self.cloud_jobs} jobs, {self.upstream_posts} upstream submissions "
                "(a kill between submit and saving the upstream id resubmits), "
                f"{self.upstream_jobs_resumed} upstream jobs resumed by a later process",
                f"jobs unfinished at the last kill: {self.pending_at_last_start}; "
                "max time to terminal after the restart (incl. start-up): "
                f"{self.max_time_to_terminal:.1f} s",
                f"lost: {len(self.lost)}; stuck: {len(self.stuck)}; "
                f"completed videos decoded: {self.decoded}, undecodable: {len(self.undecodable)}",
                f"stray scratch files: {len(self.stray_scratch)}; orphan media files: {len(self.orphan_media)}; "
                f"API 5xx: {len(self.server_errors)}",
                "result: " + ("PASS" if self.ok else "FAIL"),
            ]
        )


class Api:
    """An httpx client that remembers every 5xx it got."""

    def __init__(self, url: str, result: CrashResult) -> None:
        def record(response: httpx.Response) -> None:
            if response.status_code >= 500:
                result.server_errors.append((response.request.url.path, response.status_code))

        self.client = httpx.Client(base_url=url, timeout=30, event_hooks={"response": [record]})

    def __enter__(self) -> httpx.Client:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()


def _submit(client: httpx.Client, rng: random.Random, index: int, result: CrashResult, cloud: bool = False) -> str:
    if rng.random() < 0.6 and not cloud:  # a short preview clip (the embedded engine)
        body = {
            "prompt": f"crash {index}",
            "model": "preview",
            "size": "160x96",
            "num_frames": rng.choice([9, 17, 33]),
            "seed": index,
        }
    else:
        body = {"prompt": f"crash cloud {index}", "model": "tt-cloud", "seed": index}
        result.cloud_jobs += 1
    response = client.post("/v1/videos", json=body)
    response.raise_for_status()
    return response.json()["id"]


def run_suite(
    rounds: int = 20,
    seed: int = 1,
    bound: float = 180.0,
    jobs_per_round: int = 3,
    data_dir: Path | None = None,
    log=print,
) -> CrashResult:
    rng = random.Random(seed)
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="crash-suite-"))
    upstream = FakeUpstream(mode="async", delay=1.5)
    settings: dict[str, str | int | float] = dict(
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        CLOUD_VIDEO_GENERATION_POLL_INTERVAL=0.1,
        CLOUD_VIDEO_GENERATION_CONCURRENCY=2,
        VIDEO_RATE_LIMIT_PER_MINUTE=0,
        STUDIO_LOG_LEVEL="WARNING",
    )
    result = CrashResult(rounds=rounds)
    pollers: dict[str, set[int]] = {}  # upstream job id -> studio ports that polled it
    try:
        for number in range(1, rounds + 1):
            studio = StudioServer(data_dir, None, **settings).start(timeout=60)
            with Api(studio.url, result) as client:
                last = number == rounds
                mark = len(upstream.seen)
                for slot in range(jobs_per_round):
                    result.submitted.append(
                        _submit(client, rng, len(result.submitted), result, cloud=last and slot == 0)
                    )
                if last:  # end on a kill that surely interrupts a running, already submitted upstream job
                    _wait_polled(upstream, mark)
                else:
                    time.sleep(rng.uniform(0.2, 1.5))  # let some start, some finish, some queue
                if number % 3 == 2 and not last:  # cancel one of this round's jobs (queued or running)
                    victim = rng.choice(result.submitted[-jobs_per_round:])
                    assert client.post(f"/v1/videos/{victim}/cancel").status_code in (200, 409)
                    time.sleep(rng.uniform(0.0, 0.3))
                states = {i: client.get(f"/v1/videos/{i}").json()["status"] for i in result.submitted}
            _note_pollers(upstream, studio.port, pollers)
            studio.kill()
            counts = list(states.values())
            log(
                f"round {number:>2}: killed with {counts.count('in_progress')} running, "
                f"{counts.count('queued')} queued, "
                f"{sum(s in TERMINAL for s in counts)} done of {len(counts)}"
            )

        # The last start: measured from launching the process, so start-up and recovery count.
        started = time.monotonic()
        studio = StudioServer(data_dir, None, **settings).start(timeout=60)
        with Api(studio.url, result) as client:
            pending: dict[str, float | None] = {i: None for i, s in states.items() if s not in TERMINAL}
            result.pending_at_last_start = len(pending)
            for video_id in result.submitted:
                if client.get(f"/v1/videos/{video_id}").status_code != 200:
                    result.lost.append(video_id)
                    pending.pop(video_id, None)
            while any(t is None for t in pending.values()) and time.monotonic() - started < bound:
                for video_id, ended in pending.items():
                    if ended is None and client.get(f"/v1/videos/{video_id}").json()["status"] in TERMINAL:
                        pending[video_id] = time.monotonic() - started
                time.sleep(0.2)
            result.stuck = [i for i, t in pending.items() if t is None]
            result.max_time_to_terminal = max((t for t in pending.values() if t is not None), default=0.0)
            _note_pollers(upstream, studio.port, pollers)
            _check_files(client, result, data_dir)
        studio.stop()
        result.recovered = sum(
            p.read_text(errors="replace").count("recovered job") for p in data_dir.glob("studio-*.log")
        )
        result.upstream_posts = len(upstream.posts())
        result.upstream_jobs_resumed = sum(1 for ports in pollers.values() if len(ports) > 1)
    finally:
        upstream.close()
    return result


def _wait_polled(upstream: FakeUpstream, mark: int, timeout: float = 30) -> None:
    """Until the studio polls an upstream job submitted after `mark`: by then it has saved
    the upstream id (it polls only after that), so a restart must resume, not resubmit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(s.method == "GET" and s.path.count("/") == 3 for s in upstream.seen[mark:]):
            return
        time.sleep(0.02)


def _note_pollers(upstream: FakeUpstream, port: int, pollers: dict[str, set[int]]) -> None:
    """Which studio process polled which upstream job (by the order of requests seen)."""
    seen = list(upstream.seen)
    start = getattr(upstream, "_crash_mark", 0)
    for request in seen[start:]:
        parts = request.path.rstrip("/").split("/")
        if request.method == "GET" and len(parts) == 4:  # /video/generations/{id}
            pollers.setdefault(parts[3], set()).add(port)
    upstream._crash_mark = len(seen)  # type: ignore[attr-defined]


def _check_files(client: httpx.Client, result: CrashResult, data_dir: Path) -> None:
    import av

    for video_id in result.submitted:
        if video_id in result.lost:
            continue
        video = client.get(f"/v1/videos/{video_id}").json()
        result.statuses[video_id] = video["status"]
        if video["status"] == "failed":
            result.errors[video_id] = video["error"]["code"]
        if video["status"] != "completed":
            continue
        data = client.get(video["content_url"]).content
        try:
            with av.open(io.BytesIO(data), "r") as container:
                frames = sum(1 for _ in container.decode(video=0))
            if frames != video["metadata"]["frames"] or len(data) != video["metadata"]["bytes"]:
                raise ValueError(f"{frames} frames / {len(data)} bytes, metadata says {video['metadata']}")
            result.decoded += 1
        except Exception as exc:  # any decode problem is a finding, not a crash of the suite
            result.undecodable.append(f"{video_id}: {exc}")
    deadline = time.monotonic() + 10  # a worker removes scratch right after writing the status
    while True:
        result.stray_scratch = sorted(p.name for p in (data_dir / "scratch").glob("*"))
        if not result.stray_scratch or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    completed = {i for i, s in result.statuses.items() if s == "completed"}
    result.orphan_media = sorted(
        str(p.relative_to(data_dir))
        for p in (data_dir / "media").rglob("*")
        if p.is_file() and p.name.split(".")[0] not in completed
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--jobs-per-round", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1, help="random seed for job mix and kill moments")
    parser.add_argument(
        "--bound", type=float, default=180.0, help="seconds every job must take to end after the last start"
    )
    args = parser.parse_args()
    print(
        f"crash suite: {args.rounds} rounds of start / submit {args.jobs_per_round} / kill -9, "
        f"one data dir, seed {args.seed}"
    )
    started = time.monotonic()
    result = run_suite(args.rounds, args.seed, args.bound, args.jobs_per_round)
    print(result.summary())
    print(f"wall: {time.monotonic() - started:.0f} s")
    for label, items in (
        ("lost", result.lost),
        ("stuck", result.stuck),
        ("undecodable", result.undecodable),
        ("stray scratch", result.stray_scratch),
        ("orphan media", result.orphan_media),
        ("5xx", result.server_errors),
    ):
        for item in items[:10]:
            print(f"  {label}: {item}")
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
