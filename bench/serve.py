#!/usr/bin/env python3
"""Fast at scale: MP4 serving through /v1/videos/{id}/content against nginx on the same file.

The studio (`manage.py runstudio`, started as tests.support.studio.StudioServer does), and a
second one with STUDIO_FRONT=nginx (nginx in front sends the bytes after the studio's check),
each get two finished MP4s of about 2 MiB and 64 MiB (H.264 noise, which barely compresses), from a
loopback tt-cloud upstream; nginx (Debian's package; installed with apt-get when missing and running as
root) serves the studio's own media folder on loopback with a generated config in a temp dir
(sendfile on, access log off, `worker_processes auto`). The fourth column is the front studio's
files through signed links (POST /v1/videos/{id}/links), which nginx checks itself. The same
client measures all four: a raw HTTP/1.1 keep-alive client on asyncio sockets in --procs
processes, reading into one buffer.

Each case's seconds are measured in --rounds slices, the servers' order rotated each slice, so a
shared machine's drifting load falls on every column alike (one window per server let the ratio
swing 0.4x to 1.7x with the load). --servers measures some columns only (nginx alone always).

- full downloads of the 2 MiB and the 64 MiB file with 1 and 8 clients: MB/s (10^6 bytes);
- random 1 MiB Range slices of the 64 MiB file with 8 clients: requests/s and p50;
- seeking: 206, Content-Range and bytes equal to the file's slice (first, middle, last,
  suffix and open-ended ranges), 416 past the end, and a full GET equal to the file.

Goals (printed met / NOT met, for each column against nginx alone): full downloads >= 0.8x
nginx's throughput, Range >= 0.5x its requests per second; through signed links 2 MiB >= 0.8x,
64 MiB >= 0.9x and Range >= 0.8x.

    .venv/bin/python bench/serve.py [--seconds 5] [--rounds 4] [--servers link+nginx] [--procs 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import httpx

BACKEND = Path(__file__).resolve().parents[1] / "app" / "backend"
sys.path.insert(0, str(BACKEND))
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-key")
os.environ["STUDIO_ENV_FILE"] = os.devnull

from byte_load import WARMUP, Outcome, run_load  # noqa: E402
from tests.support.media import tiny_mp4  # noqa: E402
from tests.support.probes import http_request, percentile  # noqa: E402
from tests.support.studio import StudioServer, free_port  # noqa: E402
from tests.support.upstream import FakeUpstream  # noqa: E402

MIB = 1024 * 1024
RANGE = MIB
NGINX = "/usr/sbin/nginx"


# --- the servers -----------------------------------------------------------------------------------


def ensure_nginx() -> None:
    if os.path.exists(NGINX):
        return
    if os.geteuid() != 0:
        sys.exit(
            f"{NGINX} is missing: install Debian's nginx package (`sudo apt-get install -y nginx`) and run this again"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("nginx is missing; installing it: apt-get install -y nginx", flush=True)
    if subprocess.run(["apt-get", "install", "-y", "nginx"], env=env).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "nginx"], env=env, check=True)
    if not os.path.exists(NGINX):
        sys.exit(f"apt-get installed nginx, but {NGINX} is still missing")


class Nginx:
    """nginx on 127.0.0.1:<free port>, serving `root`; config, pid and logs in a temp dir."""

    def __init__(self, root: Path, workers: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        self.port = free_port()
        user = "user root root;" if os.geteuid() == 0 else ""  # the studio's temp dirs are 0700
        temp = "\n".join(
            f"    {name}_temp_path {self.dir / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.dir / "nginx.conf").write_text(
            f"""
worker_processes {workers};
daemon off;
master_process on;
pid {self.dir / "nginx.pid"};
error_log {self.dir / "error.log"} warn;
{user}
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    types {{ video/mp4 mp4; }}
    default_type application/octet-stream;
{temp}
    server {{
        listen 127.0.0.1:{self.port};
        root {root};
        location / {{ }}
    }}
}}
"""
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Nginx:
        conf = self.dir / "nginx.conf"
        args = [NGINX, "-p", str(self.dir), "-e", str(self.dir / "error.log"), "-c", str(conf)]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.dir / 'error.log').read_text(errors='replace')[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start listening within 10 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def stored_file(data_dir: Path, video_id: str) -> Path:
    """The studio's file for a job: its row's storage name under media/."""
    with sqlite3.connect(f"file:{data_dir / 'studio.sqlite3'}?mode=ro", uri=True) as db:
        row = db.execute("SELECT video_file FROM videos_videojob WHERE id = ?", (video_id,)).fetchone()
    if not row or not row[0]:
        raise RuntimeError(f"no stored file for {video_id}")
    return data_dir / "media" / row[0]


def sized_mp4(target: int) -> bytes:
    """A real clip of about `target` bytes: noise frames, which barely compress, so the studio's
    signing and remux keep its size (a padding box would be dropped with the remux)."""
    width, height = (320, 240) if target < 8 * MIB else (1280, 720)
    sample = tiny_mp4(frames=4, width=width, height=height)
    return tiny_mp4(frames=max(4, round(target / (len(sample) / 4))), width=width, height=height)


def make_videos(studio: StudioServer, upstream: FakeUpstream, clips: dict[int, bytes]) -> dict[int, tuple[str, bytes]]:
    """{nominal size: (video id, the bytes the studio stored)}: one finished job per clip, made
    through the API (what it stores is the clip signed, so each studio's bytes are its own)."""
    made: dict[int, tuple[str, bytes]] = {}
    with studio.client() as client:
        for size, clip in clips.items():
            upstream.video = clip
            video = client.post("/v1/videos", json={"prompt": f"a clip of about {size} bytes"}).json()
            done = studio.wait_for_as(client, video["id"], ("completed", "failed", "cancelled"), timeout=120)
            if done["status"] != "completed":
                raise RuntimeError(f"the {size}-byte job ended {done['status']}: {done.get('error')}")
            made[size] = (video["id"], client.get(done["content_url"]).content)
    return made


# --- seeking -------------------------------------------------------------------------------------


def seeking_problems(port: int, path: str, data: bytes) -> list[str]:
    size = len(data)
    mid = size // 2
    cases = [
        (f"bytes=0-{1023}", 0, 1023),
        (f"bytes={mid}-{mid + RANGE - 1}", mid, mid + RANGE - 1),
        (f"bytes={size - 100}-{size - 1}", size - 100, size - 1),
        ("bytes=-500", size - 500, size - 1),
        (f"bytes={size - 10}-", size - 10, size - 1),
    ]
    problems = []
    for header, first, last in cases:
        a = http_request(port, path, 30, {"Range": header})
        want_range = f"bytes {first}-{last}/{size}"
        if a.error or a.status != 206:
            problems.append(f"Range {header}: {a.describe()}, not 206")
        elif a.headers.get("content-range") != want_range:
            problems.append(f"Range {header}: Content-Range {a.headers.get('content-range')!r}, not {want_range!r}")
        elif a.body != data[first : last + 1]:
            problems.append(f"Range {header}: {len(a.body)} bytes that are not the file's slice")
    past = http_request(port, path, 30, {"Range": f"bytes={size}-"})
    if past.status != 416 or past.headers.get("content-range") != f"bytes */{size}":
        problems.append(f"Range past the end: {past.describe()}, Content-Range {past.headers.get('content-range')!r}")
    full = http_request(port, path, 30)
    if full.error or full.status != 200 or full.body != data:
        problems.append(f"full GET: {full.describe()}, {'' if full.body == data else 'not '}the file")
    elif full.headers.get("accept-ranges") != "bytes":
        problems.append("full GET: no Accept-Ranges: bytes")
    return problems


# Goals against nginx alone: (full 2 MiB, full 64 MiB, 1 MiB Range). A signed link that nginx checks
# itself (serving/links.js) asks nothing of the studio, so it is held to nginx's own speed.
GOALS = {"studio": (0.8, 0.8, 0.5), "studio+nginx": (0.8, 0.8, 0.5), "link+nginx": (0.8, 0.9, 0.8)}


def _link_path(base_url: str, video_id: str) -> str:
    """A signed link's path for the video (POST /v1/videos/{id}/links), for an hour."""
    answer = httpx.post(f"{base_url}/v1/videos/{video_id}/links", json={"expires_in": 3600}, timeout=30)
    answer.raise_for_status()
    return urllib.parse.urlsplit(answer.json()["url"]).path


def measure_case(
    servers: dict[str, tuple[int, dict[int, str]]],
    sent: dict[str, dict[int, tuple[str, bytes]]],
    size: int,
    clients: int,
    range_size: int,
    args: argparse.Namespace,
) -> dict[str, Outcome]:
    """Each server's load for one case, in --rounds slices of --seconds / rounds, the servers'
    order rotated each round: on a shared machine whose load drifts, every server then sees the
    same mix of quiet and busy moments, so the ratio measures the servers, not when each ran."""
    names = list(servers)
    runs = {name: Outcome() for name in names}
    for round_ in range(args.rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            port, paths = servers[name]
            length = len(sent[name][size][1])
            out = run_load(port, paths[size], length, clients, args.seconds / args.rounds, args.procs, range_size)
            total = runs[name]
            total.bytes += out.bytes
            total.requests += out.requests
            total.latencies += out.latencies
            total.errors += out.errors
    return runs


# --- main ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per case and server")
    parser.add_argument("--procs", type=int, default=2, help="client processes (at most one per client)")
    parser.add_argument("--nginx-workers", default="auto", help="nginx's worker_processes")
    parser.add_argument(
        "--rounds", type=int, default=4, help="slices each case's seconds are measured in, servers alternating"
    )
    parser.add_argument(
        "--servers",
        default=",".join(GOALS),
        help="the columns measured besides nginx alone (comma-separated: studio, studio+nginx, link+nginx)",
    )
    args = parser.parse_args()
    chosen = [name.strip() for name in args.servers.split(",") if name.strip()]
    if not chosen or any(name not in GOALS for name in chosen) or args.rounds < 1:
        parser.error(f"--servers takes some of {', '.join(GOALS)}; --rounds at least 1")
    ensure_nginx()

    upstream = FakeUpstream(mode="sync")
    data_dir = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    front_dir = Path(tempfile.mkdtemp(prefix="bench-serve-front-"))
    common = {
        "CLOUD_VIDEO_GENERATION_URL": upstream.url,
        "CLOUD_VIDEO_GENERATION_AUTH_TOKEN": upstream.token,
        "STUDIO_LOG_LEVEL": "WARNING",
    }
    studio = StudioServer(data_dir, None, **common)
    front = StudioServer(front_dir, None, STUDIO_FRONT="nginx", **common)  # the same clips, made there too
    nginx: Nginx | None = None
    small, big = 2 * MIB, 64 * MIB
    try:
        studio.start()
        front.start()
        clips = {size: sized_mp4(size) for size in (small, big)}
        videos = make_videos(studio, upstream, clips)
        front_videos = make_videos(front, upstream, clips)
        files = {size: stored_file(data_dir, vid) for size, (vid, _) in videos.items()}
        nginx = Nginx(data_dir / "media", args.nginx_workers).start()
        content = {
            name: {size: f"/v1/videos/{vid}/content" for size, (vid, _) in made.items()}
            for name, made in (("studio", videos), ("studio+nginx", front_videos))
        }
        signed = {size: _link_path(front.url, vid) for size, (vid, _) in front_videos.items()}
        servers = {
            "studio": (studio.port, content["studio"]),
            "studio+nginx": (front.port, content["studio+nginx"]),
            "link+nginx": (front.port, signed),
            "nginx": (
                nginx.port,
                {size: "/" + urllib.parse.quote(str(p.relative_to(data_dir / "media"))) for size, p in files.items()},
            ),
        }
        servers = {name: where for name, where in servers.items() if name in chosen or name == "nginx"}
        print(
            f"MP4 serving: studio pid {studio.pid}, studio with STUDIO_FRONT=nginx (pid {front.pid}) and nginx "
            f"({args.nginx_workers} workers) alone, on the same files; "
            f"{args.seconds:g} s per case and server in {args.rounds} slices, servers alternating, each after "
            f"{WARMUP:g} s warm-up; client in up to {args.procs} processes; "
            f"{os.cpu_count()} cores",
            flush=True,
        )
        # What each server sends: the plain studio's stored files (nginx alone serves the same), or
        # the front studio's (signed by it, so other bytes).
        sent = {name: front_videos if name in ("studio+nginx", "link+nginx") else videos for name in servers}
        for name, (port, paths) in servers.items():
            problems = seeking_problems(port, paths[big], sent[name][big][1])
            print(f"seeking ({name}): " + ("ok (5 ranges, 416 past the end, full GET)" if not problems else "FAILED"))
            for problem in problems:
                print(f"  {problem}")

        cases = [
            (f"full {small // MIB} MiB, 1 client", small, 1, 0),
            (f"full {small // MIB} MiB, 8 clients", small, 8, 0),
            (f"full {big // MIB} MiB, 1 client", big, 1, 0),
            (f"full {big // MIB} MiB, 8 clients", big, 8, 0),
            (f"1 MiB Range of {big // MIB} MiB, 8 clients", big, 8, RANGE),
        ]
        print(f"\n{'':34}" + "".join(f"{name:>26}" for name in servers) + f"{'ratios':>22}  goal")
        verdicts = []
        for label, size, clients, range_size in cases:
            runs = measure_case(servers, sent, size, clients, range_size, args)
            cells = []
            for out in runs.values():
                if range_size:
                    cells.append(
                        f"{out.requests / args.seconds:8.0f} req/s p50 {percentile(out.latencies, 50) * 1000:5.1f} ms"
                    )
                else:
                    cells.append(f"{out.bytes / args.seconds / 1e6:8.0f} MB/s {out.requests:6d} req")
            measure = (lambda o: o.requests) if range_size else (lambda o: o.bytes)
            ratios = {name: measure(runs[name]) / max(measure(runs["nginx"]), 1) for name in chosen}
            verdict = []
            for name, ratio in ratios.items():
                want = GOALS[name][0 if not range_size else 2] if size == small or range_size else GOALS[name][1]
                met = ratio >= want and not runs[name].errors
                verdicts.append((f"{label} ({name})", met))
                verdict.append(f"{'met' if met else 'NOT met'}")
            errors = "; ".join(
                f"{name} errors: {len(out.errors)} ({', '.join(sorted(set(out.errors))[:3])})"
                for name, out in runs.items()
                if out.errors
            )
            shown = " / ".join(f"{r:.2f}x" for r in ratios.values())
            print(
                f"{label:34}"
                + "".join(f"{cell:>26}" for cell in cells)
                + f"{shown:>22}  {' / '.join(verdict)}"
                + (f"  {errors}" if errors else ""),
                flush=True,
            )
        for name in chosen:
            small_goal, big_goal, range_goal = GOALS[name]
            missed = [label for label, met in verdicts if label.endswith(f"({name})") and not met]
            print(
                f"\ngoals for {name} (full 2 MiB >= {small_goal:g}x, 64 MiB >= {big_goal:g}x nginx MB/s, "
                f"Range >= {range_goal:g}x nginx req/s):",
                "met" if not missed else f"NOT met ({len(missed)} of 5 cases short)",
            )
    finally:
        if nginx is not None:
            nginx.stop()
        studio.stop()
        front.stop()
        upstream.close()
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(front_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
