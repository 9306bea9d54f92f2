#!/usr/bin/env python3
"""Lighthouse (mobile: its default phone, 4x CPU slowdown and slow 4G, simulated) on the page's
views, each run several times: the median score of every category, and the metrics behind the
performance score.

The views: `/`, `/video-generation`, `/storyboard` and `/sweep` on an empty studio; then, once a
3x3 sweep of seeds by steps and a four-shot storyboard are made on the preview engine (through
the API), `/video-generation` with those 13 videos in its history, the finished board
(`/storyboard?board=...`) and the finished grid (`/sweep?sweep=...`).

Without --url it starts the studio as a person does, `python3 run.py --no-input` (which builds
the page), on a free port with a temporary STUDIO_DATA_DIR and the preview engine, and stops it
at the end. Lighthouse is not one of the studio's dependencies: install it outside the
repository, `mkdir -p /tmp/lh && cd /tmp/lh && npm i -E lighthouse@12.2.3` (13 wants Node 22),
and Chromium (`apt-get install -y chromium`).

    python3 bench/lighthouse.py [--runs 3] [--url http://127.0.0.1:8000] [--min 98]

Exits 1 when a category's median is under --min. The simulated metrics scale the CPU work the
trace saw by 4: on a busy machine (Lighthouse's benchmarkIndex, printed, well under ~1000) Total
Blocking Time reads high; compare runs made on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}
EMPTY_VIEWS = ("/", "/video-generation", "/storyboard", "/sweep")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def wait_until(check: Any, what: str, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = check()
        except OSError:
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.5)


def start_studio(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """`python3 run.py --no-input`, as the README says, on this port and data folder."""
    env = {**os.environ, "STUDIO_DATA_DIR": str(data_dir), "STUDIO_PORT": str(port)}
    env.update({"CLOUD_VIDEO_GENERATION_URL": "", "OPENAI_VIDEO_BASE_URL": "", "VIDEO_DEFAULT_PROVIDER": "preview"})
    log = open(data_dir / "studio.log", "wb")  # noqa: SIM115 -- the studio's for its life
    return subprocess.Popen(
        [sys.executable, "run.py", "--no-input", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def make_board_and_sweep(base: str) -> list[str]:
    """A finished 3x3 sweep and four-shot board on the preview engine: the views that show them."""
    sweep = call(
        base,
        "POST",
        "/v1/videos/sweeps",
        {
            "base": {"prompt": "A red fox in snow", "size": "128x96", "model": "preview"},
            "axes": [{"param": "seed", "range": [1, 3]}, {"param": "num_inference_steps", "values": [4, 8, 12]}],
        },
    )
    shots = [
        {"prompt": prompt, "seconds": 2, "seed": 10 + n, "join": join}
        for n, (prompt, join) in enumerate(
            [
                ("A fox wakes in its den", "cut"),
                ("It steps out into the snow", "continue"),
                ("The valley at dusk", "crossfade"),
                ("Stars over the hills", "cut"),
            ]
        )
    ]
    board = call(base, "POST", "/v1/storyboards", {"model": "preview", "size": "128x96", "shots": shots})
    sweep_done = lambda: (s := call(base, "GET", f"/v1/videos/sweeps/{sweep['id']}"))["content_url"] and s  # noqa: E731
    board_done = lambda: (b := call(base, "GET", f"/v1/storyboards/{board['id']}"))["content_url"] and b  # noqa: E731
    wait_until(sweep_done, "the sweep's cells", 300)
    wait_until(board_done, "the storyboard's joined film", 300)
    return ["/video-generation", f"/storyboard?board={board['id']}", f"/sweep?sweep={sweep['id']}"]


def lighthouse_once(lighthouse: list[str], chrome: str, url: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        command = [
            *lighthouse,
            url,
            "--chrome-flags=--headless=new --no-sandbox",
            f"--chrome-path={chrome}",
            "--output=json",
            f"--output-path={out}",
            "--quiet",
        ]
        for attempt in range(3):  # Lighthouse now and then loses its trace (NO_NAVSTART): run it again
            if subprocess.run(command, check=False, timeout=300).returncode == 0:
                break
            if attempt == 2:
                raise SystemExit(f"Lighthouse failed three times on {url}")
        report = json.loads(out.read_text())
    audits = report["audits"]
    scores = {name: report["categories"][name]["score"] for name in CATEGORIES}
    failing = sorted(
        f"{name}: {audit['title']}"
        for category in report["categories"].values()
        for ref in category["auditRefs"]
        if ref["weight"] > 0
        for name in [ref["id"]]
        for audit in [audits[name]]
        if audit["score"] is not None and audit["score"] < 0.9 and audit["scoreDisplayMode"] in ("binary", "numeric")
    )
    return {
        "scores": scores,
        "metrics": {short: audits[name]["numericValue"] for name, short in METRICS.items()},
        "benchmark": report["environment"]["benchmarkIndex"],
        "failing": failing,
    }


def measure(lighthouse: list[str], chrome: str, base: str, path: str, runs: int) -> dict[str, Any]:
    done = [lighthouse_once(lighthouse, chrome, f"{base}{path}") for _ in range(runs)]
    median = lambda values: statistics.median(values)  # noqa: E731
    return {
        "path": path,
        "scores": {c: round(100 * median([r["scores"][c] or 0 for r in done])) for c in CATEGORIES},
        "metrics": {m: median([r["metrics"][m] for r in done]) for m in METRICS.values()},
        "benchmark": round(median([r["benchmark"] for r in done])),
        "failing": sorted({f for r in done for f in r["failing"]}),
        "performance_runs": [round(100 * (r["scores"]["performance"] or 0)) for r in done],
    }


def show(result: dict[str, Any]) -> None:
    s, m = result["scores"], result["metrics"]
    print(
        f"{result['path'][:44]:44} perf {s['performance']:3} a11y {s['accessibility']:3} "
        f"bp {s['best-practices']:3} seo {s['seo']:3} | FCP {m['FCP'] / 1000:.1f} s LCP {m['LCP'] / 1000:.1f} s "
        f"TBT {m['TBT']:.0f} ms CLS {m['CLS']:.2f} SI {m['SI'] / 1000:.1f} s | runs {result['performance_runs']} "
        f"benchmarkIndex {result['benchmark']}",
        flush=True,
    )
    for failing in result["failing"]:
        print(f"    under 0.9 in some run: {failing}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per view (the median counts)")
    parser.add_argument("--url", help="a running studio (default: start one with run.py)")
    parser.add_argument("--min", type=int, default=98, help="fail when a category's median is under this")
    parser.add_argument("--lighthouse", default=os.environ.get("LIGHTHOUSE", "/tmp/lh/node_modules/.bin/lighthouse"))
    parser.add_argument("--chrome", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    args = parser.parse_args()
    lighthouse = [args.lighthouse] if Path(args.lighthouse).exists() else ["npx", "--yes", "lighthouse"]
    if not shutil.which(lighthouse[0]) and not Path(lighthouse[0]).exists():
        raise SystemExit("Lighthouse is missing: mkdir -p /tmp/lh && cd /tmp/lh && npm i -E lighthouse@12.2.3")

    studio = None
    data_dir = Path(tempfile.mkdtemp(prefix="studio-lighthouse-"))
    base = args.url.rstrip("/") if args.url else f"http://127.0.0.1:{free_port()}"
    try:
        if not args.url:
            studio = start_studio(data_dir, int(base.rsplit(":", 1)[1]))
            wait_until(lambda: urllib.request.urlopen(f"{base}/healthz", timeout=5).status == 200, "the studio", 600)
        results: list[dict[str, Any]] = []
        for path in EMPTY_VIEWS:
            results.append(measure(lighthouse, args.chrome, base, path, args.runs))
            show(results[-1])
        for path in make_board_and_sweep(base):  # with --url: made in that studio, and kept
            results.append(measure(lighthouse, args.chrome, base, path, args.runs))
            show(results[-1])
    finally:
        if studio is not None:
            os.killpg(studio.pid, signal.SIGTERM)
            studio.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    low = [(r["path"], c, r["scores"][c]) for r in results for c in CATEGORIES if r["scores"][c] < args.min]
    for path, category, score in low:
        print(f"UNDER {args.min}: {path} {category} {score}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
