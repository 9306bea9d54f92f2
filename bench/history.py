#!/usr/bin/env python3
"""Does a long history slow the studio down? List, create and retrieve at 1k, 10k and 100k jobs.

For each size a fresh studio database is filled (bulk insert, a realistic mix: mostly completed
jobs of two providers, some failed or cancelled, three owners, and a tt-cloud job running with
four queued behind it at the top), then the real studio (`manage.py runstudio`, whatever server
it uses) is started and one keep-alive HTTP client sends requests one at a time, the endpoints
taking turns, so every endpoint meets the same background noise as the baseline, GET /healthz.
Each figure is a p50 latency and its ratio to /healthz's p50 in the same phase. Creates (real
tt-cloud jobs, which queue behind the running one, so no generation work runs while they are
measured) have a phase of their own, alternating with /healthz. The filters are the API's:
status, model, q (text in the prompt), favorite, batch_id. Loopback only; it stops by itself in
a few minutes.

    .venv/bin/python bench/history.py [--sizes 1000,10000,100000] [--rounds 150]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from studio_setup import BACKEND, cloud_studio
from tests.support.upstream import FakeUpstream

KEY = "bench-history-alice-key"
OWNERS = ("", "alice", "bob")
QUEUED_ON_TOP = 5  # tt-cloud: the first runs (the upstream never finishes it), four wait
SHAPES = (  # provider, steps, width, height, frames, seconds a step
    ("preview", 12, 64, 64, 17, 0.05),
    ("preview", 20, 320, 192, 33, 0.1),
    ("tt-cloud", 12, 1280, 720, 81, 6.0),
    ("tt-cloud", 20, 832, 480, 81, 3.0),
)
FAVORITE_EVERY = 47  # about 2 % starred: a full page of favorites at every size, 1k included
BATCH = "batch_bench"  # four variations in the middle of the history
CREATE = {"model": "tt-cloud", "prompt": "bench history"}  # queued behind the running job: no work in the phase
LIST_LIMITS = (3.0, 1.5)  # p50 <= 3x /healthz at the largest size; that ratio within 1.5x of the smallest's
CREATE_LIMIT = 3.0
RETRIEVE_LIMIT = 2.0


# --- Filling the database (a subprocess with Django set up on that studio's data dir) --------


def fill(count: int) -> dict[str, str]:
    """Insert `count` jobs through the ORM in bulk; returns ids the bench needs as cursors."""
    import django

    django.setup()
    from videos.jobs.eta import rebuild_run_times
    from videos.models import VideoJob

    Status = VideoJob.Status
    # Bulk history needs its own timestamps; auto_now_add would stamp every row "now".
    VideoJob._meta.get_field("created_at").auto_now_add = False
    rng = random.Random(count)
    now = datetime.now(UTC)
    first = now - timedelta(minutes=count + QUEUED_ON_TOP + 10)
    jobs: list[VideoJob] = []
    for i in range(count + QUEUED_ON_TOP):
        created = first + timedelta(minutes=i, microseconds=rng.randrange(1_000_000))
        on_top = i >= count
        provider, steps, width, height, frames, per_step = SHAPES[rng.randrange(len(SHAPES))]
        if on_top:
            provider, steps, width, height, frames, per_step = SHAPES[2]
        roll = rng.random()
        status = (
            Status.QUEUED
            if on_top
            else Status.COMPLETED
            if roll < 0.94
            else Status.FAILED
            if roll < 0.98
            else Status.CANCELLED
        )
        started = None if on_top else created + timedelta(seconds=rng.uniform(0.1, 30))
        ended = started + timedelta(seconds=steps * per_step * rng.uniform(0.8, 1.2)) if started else None
        done = status == Status.COMPLETED
        jobs.append(
            VideoJob(
                owner=OWNERS[i % len(OWNERS)],
                provider=provider,
                prompt=f"history job {i}: a lighthouse at dusk, waves, seagulls",
                negative_prompt="low quality",
                num_inference_steps=steps,
                seed=i,
                width=width,
                height=height,
                num_frames=frames,
                preview=provider == "preview",
                status=status,
                progress=100.0 if done else 0.0,
                attempts=0 if on_top else 1,
                worker="" if on_top else "bench",
                error_code="upstream_error" if status == Status.FAILED else "",
                error_message="The upstream answered 500." if status == Status.FAILED else "",
                created_at=created,
                started_at=started,
                completed_at=ended,
                video_file=f"videos/h{i}.mp4" if done else "",
                thumbnail_file=f"thumbnails/h{i}.jpg" if done else "",
                metadata=_metadata(width, height, frames) if done else None,
                favorite=i % FAVORITE_EVERY == 0,
                batch_id=BATCH if count // 2 <= i < count // 2 + 4 else "",
            )
        )
    VideoJob.objects.bulk_create(jobs, batch_size=2000)
    rebuild_run_times()  # bulk_create sends no signals: learn the run times in one pass, as an import would

    def nth(query: Any, n: int) -> str:
        return str(query.values_list("id", flat=True)[n])

    newest = VideoJob.objects.order_by("-created_at", "-id")
    oldest = VideoJob.objects.order_by("created_at", "id")
    alices = newest.filter(owner="alice")
    return {
        "near_top": nth(newest, 19),  # the 20th newest: where page 2 starts
        "deep": nth(newest, count // 2),
        "asc_deep": nth(oldest, count // 2),
        "alice_near_top": nth(alices, 19),
        "alice_deep": nth(alices, alices.count() // 2),
        "completed": nth(newest.filter(status=Status.COMPLETED), count // 2),
        "running": nth(oldest.filter(status=Status.QUEUED), 0),  # the studio starts it
        "queued": nth(oldest.filter(status=Status.QUEUED), QUEUED_ON_TOP - 1),
    }


def _metadata(width: int, height: int, frames: int) -> dict[str, Any]:
    """What the runner stores for a finished video (media.VideoMetadata)."""
    return {
        "duration": frames / 16, "frames": frames, "width": width, "height": height,
        "codec": "h264", "fps": 16.0, "bytes": frames * width * height // 50,
    }  # fmt: skip


def prepare(data_dir: Path, count: int) -> tuple[dict[str, str], float]:
    env = {**os.environ, "STUDIO_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "studio.settings"}
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
    subprocess.run(migrate, cwd=BACKEND, env=env, check=True)
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--fill", str(count)],
        cwd=BACKEND,
        env=env,
        check=True,
        capture_output=True,
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1]), time.monotonic() - started


# --- A minimal HTTP/1.1 keep-alive client (httpx's own cost would blur a 1 ms baseline) ----------


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, key: str = "", cookie: str = ""
    ) -> int:
        payload = json.dumps(body).encode() if body is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Accept: application/json"]
        if key:
            head.append(f"Authorization: Bearer {key}")
        if cookie:
            head.append(f"Cookie: {cookie}")
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        for attempt in (1, 2):  # a server may close an idle keep-alive connection: reopen once
            if self.reader is None or self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
                await self.writer.drain()
                return await self._answer(self.reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _answer(self, reader: asyncio.StreamReader) -> int:
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split(b" ", 2)[1])
        length, chunked, close = 0, False, False
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            length = int(value) if name == b"content-length" else length
            chunked = chunked or (name == b"transfer-encoding" and b"chunked" in value)
            close = close or (name == b"connection" and value == b"close")
        if chunked:
            while size := int((await reader.readline()).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            await reader.readline()
        elif length:
            await reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    key: str = ""
    body: dict[str, Any] | None = None
    # A cookie of its own on each request: the same status asked again within a second is
    # answered without Django (serving/replay.py); this measures Django's answer.
    afresh: bool = False
    times: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.times) * 1000


async def measure(port: int, endpoints: list[Endpoint], rounds: int, warmup: int = 10) -> None:
    """Round-robin, one request at a time: the endpoints share whatever noise the machine has."""
    conn = Connection(port)
    try:
        for n in range(warmup + rounds):
            for ep in endpoints:
                started = time.perf_counter()
                cookie = f"round={n}" if ep.afresh else ""
                status = await conn.request(ep.method, ep.path, ep.body, ep.key, cookie)
                elapsed = time.perf_counter() - started
                if status not in (200, 201):
                    raise RuntimeError(f"{ep.method} {ep.path}: HTTP {status}")
                if n >= warmup:
                    ep.times.append(elapsed)
    finally:
        conn.close()


# --- One size, then the report ------------------------------------------------------------------


@dataclass
class Result:
    size: int
    fill_seconds: float
    ratios: dict[str, float]
    p50: dict[str, float]


def run_size(count: int, rounds: int, creates: int) -> Result:
    data = Path(tempfile.mkdtemp(prefix=f"bench-history-{count}-"))
    ids, filled = prepare(data, count)
    upstream = FakeUpstream(mode="async_never")  # the running tt-cloud job never ends: four stay queued
    studio = cloud_studio(
        upstream,
        data,
        CLOUD_VIDEO_GENERATION_POLL_INTERVAL=1.0,
        STUDIO_API_KEYS=f"alice:{KEY}",  # a key's requests see only alice's jobs; others see all
        VIDEO_RATE_LIMIT_PER_MINUTE=0,
    )
    studio.start(timeout=120)
    try:
        studio.wait_for(ids["running"], ("in_progress",), timeout=30)
        health = Endpoint("GET /healthz (baseline)", "GET", "/healthz")
        reads = [
            health,
            Endpoint("list, first page", "GET", "/v1/videos"),
            Endpoint("list, after= near the top", "GET", f"/v1/videos?after={ids['near_top']}"),
            Endpoint("list, after= deep", "GET", f"/v1/videos?after={ids['deep']}"),
            Endpoint("list, order=asc", "GET", "/v1/videos?order=asc"),
            Endpoint("list, order=asc after= deep", "GET", f"/v1/videos?order=asc&after={ids['asc_deep']}"),
            Endpoint("owner list, first page", "GET", "/v1/videos", KEY),
            Endpoint("owner list, after= near top", "GET", f"/v1/videos?after={ids['alice_near_top']}", KEY),
            Endpoint("owner list, after= deep", "GET", f"/v1/videos?after={ids['alice_deep']}", KEY),
            Endpoint("owner list, order=asc", "GET", "/v1/videos?order=asc", KEY),
            Endpoint("list, status=failed", "GET", "/v1/videos?status=failed"),
            Endpoint("list, status=failed after= deep", "GET", f"/v1/videos?status=failed&after={ids['deep']}"),
            Endpoint("list, status=queued order=asc", "GET", "/v1/videos?status=queued&order=asc"),
            Endpoint("list, model=preview", "GET", "/v1/videos?model=preview"),
            Endpoint("list, q= in every prompt", "GET", "/v1/videos?q=LIGHTHOUSE"),
            Endpoint("list, q= in one prompt", "GET", f"/v1/videos?q=job%20{count // 2}:"),
            Endpoint("list, favorite=true", "GET", "/v1/videos?favorite=true"),
            Endpoint("list, batch_id=", "GET", f"/v1/videos?batch_id={BATCH}"),
            Endpoint("owner list, favorite=true", "GET", "/v1/videos?favorite=true", KEY),
            Endpoint("retrieve, completed", "GET", f"/v1/videos/{ids['completed']}", afresh=True),
            Endpoint("retrieve, queued", "GET", f"/v1/videos/{ids['queued']}", afresh=True),
        ]
        asyncio.run(measure(studio.port, reads, rounds))
        health2 = Endpoint("GET /healthz (create phase)", "GET", "/healthz")
        create = Endpoint("create (POST, queued)", "POST", "/v1/videos", body=CREATE)
        asyncio.run(measure(studio.port, [health2, create], creates, warmup=3))
    finally:
        studio.stop()
        upstream.close()
    p50 = {ep.name: ep.p50 for ep in [*reads, health2, create]}
    ratios = {ep.name: ep.p50 / health.p50 for ep in reads}
    ratios[create.name] = create.p50 / health2.p50
    ratios[health2.name] = 1.0
    return Result(count, filled, ratios, p50)


def report(results: list[Result]) -> bool:
    names = list(results[0].p50)
    print()
    print(f"{'p50 ms (x /healthz)':32}" + "".join(f"{r.size:>18,}" for r in results))
    for name in names:
        print(f"{name:32}" + "".join(f"{r.p50[name]:>10.2f} ({r.ratios[name]:>4.1f}x)" for r in results))
    print(f"{'fill + learn run times, s':32}" + "".join(f"{r.fill_seconds:>18.1f}" for r in results))
    small, big = results[0], results[-1]
    at = f"{big.size:,} jobs"
    all_met = True

    def goal(text: str, met: bool) -> None:
        nonlocal all_met
        all_met = all_met and met
        print(f"  {'met    ' if met else 'NOT met'}  {text}")

    print(f"\ngoals (at {at}{'' if big.size == 100_000 else ', the largest size run'}):")
    lists = [n for n in names if "list" in n]
    worst = max(lists, key=lambda n: big.ratios[n])
    goal(f"every list p50 <= {LIST_LIMITS[0]:g}x /healthz (worst: {worst}, {big.ratios[worst]:.1f}x)",
         big.ratios[worst] <= LIST_LIMITS[0])  # fmt: skip
    if len(results) > 1:
        growth = {n: big.ratios[n] / small.ratios[n] for n in lists}
        most = max(growth, key=lambda n: growth[n])
        goal(f"every list's ratio at {at} within {LIST_LIMITS[1]:g}x of its ratio at {small.size:,} "
             f"(most: {most}, {growth[most]:.2f}x)", growth[most] <= LIST_LIMITS[1])  # fmt: skip
    c = "create (POST, queued)"
    goal(f"create p50 <= {CREATE_LIMIT:g}x /healthz ({big.ratios[c]:.1f}x)", big.ratios[c] <= CREATE_LIMIT)
    for r in (n for n in names if n.startswith("retrieve")):
        goal(f"{r} p50 <= {RETRIEVE_LIMIT:g}x /healthz ({big.ratios[r]:.1f}x)", big.ratios[r] <= RETRIEVE_LIMIT)
    return all_met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="history sizes, comma separated")
    parser.add_argument("--rounds", type=int, default=150, help="measured requests per read endpoint and size")
    parser.add_argument("--creates", type=int, default=60, help="measured creates per size")
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)  # internal: fill this studio's database
    args = parser.parse_args()
    if args.fill is not None:
        print(json.dumps(fill(args.fill)))
        return
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    print(
        f"history sizes {sizes}, {args.rounds} rounds of reads and {args.creates} creates each, {os.cpu_count()} cores"
    )
    results = []
    for size in sizes:
        started = time.monotonic()
        results.append(run_size(size, args.rounds, args.creates))
        print(
            f"  {size:>7,} jobs: filled in {results[-1].fill_seconds:.1f} s, done in {time.monotonic() - started:.0f} s"
        )
    met = report(results)
    print("\nall goals met" if met else "\nsome goals NOT met")


if __name__ == "__main__":
    main()
