#!/usr/bin/env python3
"""A burst of prompts through one studio whose tt-cloud model is several loopback
tt-media-servers (bench/fleet_upstream.py: one mesh each, one video at a time in T seconds,
the server's own queue in front, /tt-liveness answered).

Measures, from each upstream's side (the time its mesh spent generating), how busy each was
over the burst's wall time (first prompt sent to the studio -> the studio says the last one
ended), and the burst against its ideal, prompts x T / upstreams (with --kill: the kill's
moment plus the work not done by then over the survivors). Counts lost jobs (not completed by
the studio) and prompts run twice (two runs of one prompt at the same time, or its video
downloaded from two runs; "made twice" also counts a video a killed server made and never
handed over), and each mesh's mean idle gap between two runs. The studio is started as `python3 run.py` starts it
(`manage.py runstudio`, tests/support/studio.py), with its upstreams in
CLOUD_VIDEO_GENERATION_URL (comma-separated) and `--set NAME=VALUE` for any other setting.

Goal (issue 29): 3 upstreams, 240 prompts: each busy >= 97 % of the wall, burst <= 1.03x ideal;
with --kill (one upstream killed once it has made a third of its share): 0 lost, 0 run twice.

    .venv/bin/python bench/fleet.py [--upstreams 3] [--prompts 240] [--seconds 1.5] [--kill]
                                    [--poll 0.1] [--runs 1] [--set CLOUD_VIDEO_GENERATION_CONCURRENCY=2]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import httpx

from fleet_upstream import MeshUpstream, Run
from studio_setup import StudioServer

ENDED = ("completed", "failed", "cancelled")


@dataclass
class Result:
    wall: float
    ideal: float
    busy: list[float]  # per upstream: busy seconds / wall (a killed one: / its life)
    gaps: list[float]  # per upstream: the mean idle time between two of its runs, in seconds
    completed: int
    lost: int
    twice: int
    made_twice: int
    killed_at: float | None


def run_twice(meshes: list[MeshUpstream]) -> tuple[int, int]:
    """(prompts run twice, prompts made twice): run twice is two runs of one prompt at the same
    time anywhere, or its video downloaded from two runs; made twice counts every prompt finished
    more than once, a video a killed server made but never handed over included."""
    runs = [r for m in meshes for r in m.runs]
    finished = Counter(r.prompt for r in runs if r.finished)
    delivered = Counter(p for m in meshes for p in set(m.downloads))
    twice = {p for p, n in delivered.items() if n > 1}
    by_prompt: dict[str, list[Run]] = {}
    for r in runs:
        by_prompt.setdefault(r.prompt, []).append(r)
    for prompt, mine in by_prompt.items():
        mine.sort(key=lambda r: r.start)
        if any(b.start < (a.end or time.monotonic()) for a, b in pairwise(mine)):
            twice.add(prompt)
    return len(twice), sum(n > 1 for n in finished.values())


def idle_gap(runs: list[Run]) -> float:
    """Mean seconds the mesh stood idle between the end of one run and the start of the next."""
    gaps = [b.start - a.end for a, b in pairwise(runs) if a.end]
    return sum(gaps) / len(gaps) if gaps else 0.0


def prompt(i: int) -> dict[str, str]:
    return {"prompt": f"fleet prompt {i:03d}", "model": "tt-cloud"}


def statuses(client: httpx.Client) -> list[str]:
    """Every job's status, all pages."""
    found: list[str] = []
    after = None
    while True:
        page = client.get("/v1/videos", params={"limit": 100, **({"after": after} if after else {})}).json()
        found += [v["status"] for v in page["data"]]
        if not page["has_more"]:
            return found
        after = page["data"][-1]["id"]


def wait_until_all_ended(client: httpx.Client, timeout: float) -> float:
    """The moment the studio first lists no queued or running job (polled every 0.1 s: at most
    0.3 % of a 30 s burst, and light on the studio's 2 cores)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = client.get("/v1/videos", params={"status": "queued,in_progress", "limit": 1}).json()
        if not left["data"]:
            return time.monotonic()
        time.sleep(0.1)
    raise SystemExit(f"the burst did not end within {timeout:.0f} s")


def burst(args: argparse.Namespace, kill: bool) -> Result:
    meshes = [MeshUpstream(seconds=args.seconds, name=f"up{i}") for i in range(args.upstreams)]
    extra = dict(item.split("=", 1) for item in args.set)
    studio = StudioServer(
        Path(tempfile.mkdtemp(prefix="bench-fleet-")),
        None,
        CLOUD_VIDEO_GENERATION_URL=",".join(m.url for m in meshes),
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=meshes[0].token,
        CLOUD_VIDEO_GENERATION_POLL_INTERVAL=args.poll,
        # The fleet's own clocks, scaled to T as the poll is (a real job takes minutes).
        CLOUD_VIDEO_GENERATION_LIVENESS_INTERVAL=1,
        CLOUD_VIDEO_GENERATION_RESUME_WAIT=2,
        VIDEO_RATE_LIMIT_PER_MINUTE=0,
        STUDIO_LOG_LEVEL="WARNING",
        **extra,
    ).start(timeout=60)
    victim = meshes[-1]
    killed: list[float] = []

    def killer() -> None:  # once the victim has made a third of its share: mid-burst
        share = args.prompts // args.upstreams
        while sum(r.finished for r in victim.runs) < share // 3:
            time.sleep(0.01)
        victim.kill()
        killed.append(time.monotonic())

    try:
        with studio.client(timeout=60) as client:
            if kill:
                threading.Thread(target=killer, daemon=True).start()
            start = time.monotonic()
            with ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(lambda i: client.post("/v1/videos", json=prompt(i)), range(args.prompts)))
            refused = [a.text for a in answers if a.status_code != 201]
            if refused:
                raise SystemExit(f"{len(refused)} prompts refused: {refused[0]}")
            ideal = args.prompts * args.seconds / args.upstreams
            end = wait_until_all_ended(client, timeout=ideal * 4 + 120)
            done = statuses(client)
    finally:
        studio.stop()
        for mesh in meshes:
            if not mesh.dead:
                mesh.kill()
    wall = end - start
    busy = [m.busy_seconds_between(start, end) / wall for m in meshes]
    if killed:  # the ideal left at the kill: the work not yet done, over the survivors
        done_by_then = sum(m.busy_seconds_between(start, killed[0]) for m in meshes)
        ideal = killed[0] - start + (args.prompts * args.seconds - done_by_then) / (args.upstreams - 1)
        busy[-1] = victim.busy_seconds_between(start, killed[0]) / (killed[0] - start)
    gaps = [idle_gap(m.runs) for m in meshes]
    completed = done.count("completed")
    twice, made_twice = run_twice(meshes)
    lost = args.prompts - completed
    return Result(wall, ideal, busy, gaps, completed, lost, twice, made_twice, killed[0] - start if killed else None)


def report(args: argparse.Namespace, kill: bool, n: int, r: Result) -> None:
    busy = " ".join(f"{b * 100:5.1f}%" for b in r.busy)
    gaps = " ".join(f"{g * 1000:.0f}" for g in r.gaps)
    died = (
        f"; up{args.upstreams - 1} killed at {r.killed_at:.1f}s (its busy %: until then; ideal: the rest on the others)"
        if kill
        else ""
    )
    print(
        f"{'kill' if kill else 'all up':7} run {n}: wall {r.wall:6.2f}s ideal {r.ideal:6.2f}s "
        f"ratio {r.wall / r.ideal:5.3f}x  busy [{busy}] idle gap ms [{gaps}]  completed {r.completed}/{args.prompts} "
        f"lost {r.lost} run twice {r.twice} (made twice {r.made_twice}){died}"
    )
    if kill:
        met = r.lost == 0 and r.twice == 0
        print(f"        goal (0 lost, 0 run twice): {'met' if met else 'NOT met'}")
    else:
        met = min(r.busy) >= 0.97 and r.wall / r.ideal <= 1.03
        print(f"        goal (each busy >= 97 %, wall <= 1.03x ideal): {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstreams", type=int, default=3)
    parser.add_argument("--prompts", type=int, default=240)
    # 1.5 s: 240 prompts over 3 meshes ask the studio for 2 videos a second, which its per-video work
    # (download, probe, thumbnail, signing) keeps up with on a shared 2-core machine; at 0.375 s
    # (8 a second) that work, not the routing, is what the meshes wait for (docs/performance.md).
    parser.add_argument("--seconds", type=float, default=1.5, help="T: one mesh's seconds per video")
    parser.add_argument("--poll", type=float, default=0.1, help="CLOUD_VIDEO_GENERATION_POLL_INTERVAL")
    parser.add_argument("--kill", action="store_true", help="also the case with one upstream killed mid-burst")
    parser.add_argument("--runs", type=int, default=1, help="runs of each case (the machine is shared: noisy)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="another studio setting")
    args = parser.parse_args()
    print(
        f"fleet: {args.prompts} prompts, {args.upstreams} upstreams, T={args.seconds:g}s per video, "
        f"poll {args.poll:g}s, settings {args.set or 'default'}"
    )
    for kill in (False, True) if args.kill else (False,):
        for n in range(1, args.runs + 1):
            report(args, kill, n, burst(args, kill))


if __name__ == "__main__":
    main()
