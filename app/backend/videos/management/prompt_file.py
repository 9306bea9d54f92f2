"""`generate --from prompts.txt`: one video per non-empty line, every line checked before anything
is queued, then followed together on one progress bar and saved as numbered MP4s."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from django.core.management.base import CommandError

from videos.errors import InvalidRequest
from videos.files.filenames import video_filename
from videos.jobs.request import parse_create

TERMINAL = ("completed", "failed", "cancelled")
MAX_RATE_WAITS = 30  # a studio's VIDEO_RATE_LIMIT_PER_MINUTE: wait for it this many times, then give up


def read_prompts(path: Path, fields: dict[str, Any]) -> list[tuple[int, str]]:
    """The file's non-empty lines (line number, prompt), each checked as a create with `fields`;
    a CommandError naming every bad line (or an empty file) before anything is queued."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from None
    numbered = [(number, line.strip()) for number, line in enumerate(lines, 1) if line.strip()]
    if not numbered:
        raise CommandError(f"{path} has no prompts: write one prompt per line.")
    problems = []
    for number, prompt in numbered:
        try:
            parse_create({**fields, "prompt": prompt})
        except InvalidRequest as exc:
            problems.append(f"{path}, line {number}: {exc.message}")
    if problems:
        shown = problems[:10] + ([f"... and {len(problems) - 10} more"] if len(problems) > 10 else [])
        raise CommandError("Nothing was queued:\n" + "\n".join(shown))
    return numbered


def numbered_outputs(prompts: list[str], out: str | None, out_dir: str | None) -> list[Path]:
    """Where each video goes: `--out-dir`/01-<prompt>.mp4, or beside `--out` as <stem>-01.mp4,
    or 01-<prompt>.mp4 here."""
    width = max(2, len(str(len(prompts))))
    if out_dir:
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        return [folder / f"{n:0{width}d}-{video_filename(p)}" for n, p in enumerate(prompts, 1)]
    if out:
        base = Path(out)
        return [base.with_name(f"{base.stem}-{n:0{width}d}{base.suffix or '.mp4'}") for n in range(1, len(prompts) + 1)]
    return [Path(f"{n:0{width}d}-{video_filename(p)}") for n, p in enumerate(prompts, 1)]


Show = Callable[[float, str, str], None]


def queue_all(client: httpx.Client, bodies: list[dict[str, Any]], lines: list[int], show: Show) -> list[dict[str, Any]]:
    """POST each body; a rate-limited studio is waited for (Retry-After). A refusal stops here,
    naming the line and what was queued already."""
    videos: list[dict[str, Any]] = []
    for body, line in zip(bodies, lines, strict=True):
        for _ in range(MAX_RATE_WAITS):
            response = client.post("/v1/videos", json=body)
            if response.status_code != 429:
                break
            wait = float(response.headers.get("Retry-After", "5"))
            show(0, "waiting", f"rate limit: {len(videos)}/{len(bodies)} queued")
            time.sleep(min(wait, 60))
        if response.status_code != 201:
            done = f" ({len(videos)} queued before it: {', '.join(v['id'] for v in videos)})" if videos else ""
            raise CommandError(f"Line {line}: {api_error(response)}{done}")
        videos.append(response.json())
        show(0, "queued", f"{len(videos)}/{len(bodies)} queued")
    return videos


def follow_all(
    client: httpx.Client, videos: list[dict[str, Any]], lines: list[int], show: Show, timeout: float
) -> list[dict[str, Any]]:
    """Poll the unfinished videos once a second until all have ended; their last states."""
    deadline = time.monotonic() + timeout
    while True:
        done = sum(video["status"] in TERMINAL for video in videos)
        progress = sum(100.0 if video["status"] in TERMINAL else video["progress"] for video in videos) / len(videos)
        current = next((n for n, video in enumerate(videos, 1) if video["status"] not in TERMINAL), None)
        extra = f"line {lines[current - 1]}: {videos[current - 1]['status']}" if current else ""
        show(progress, f"{done}/{len(videos)} done", extra)
        if current is None:
            return videos
        if time.monotonic() > deadline:
            left = ", ".join(video["id"] for video in videos if video["status"] not in TERMINAL)
            raise CommandError(f"Gave up after {timeout:g} s; these keep running in the studio: {left}")
        time.sleep(1)
        videos = [
            video if video["status"] in TERMINAL else client.get(f"/v1/videos/{video['id']}").json() for video in videos
        ]


def api_error(response: httpx.Response) -> str:
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return f"The studio answered HTTP {response.status_code}."
