"""`generate --sweep sweep.json --out grid.mp4`: a sweep (the body of POST /v1/videos/sweeps: a
base request and its axes) made through the studio, followed until every cell has ended, and its
grid MP4 saved."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from django.core.management.base import CommandError

from videos.management.following import create_and_follow

Show = Callable[[float, str, str], None]


def read_sweep(path: Path) -> dict[str, Any]:
    try:
        sweep = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise CommandError(f"{path} is not a sweep's JSON file: {exc}") from None
    if not isinstance(sweep, dict) or not {"base", "axes"} <= set(sweep):
        raise CommandError(f'{path}: a sweep is {{"base": {{...}}, "axes": [...]}} (docs/api.md, Sweep grids)')
    return sweep


def output_for(path: Path, out: object) -> Path:
    return Path(str(out)) if out else path.with_suffix(".mp4")


def _progress(show: Show) -> Callable[[dict[str, Any]], None]:
    """The progress bar's view of a sweep: the share of its cells that have ended."""

    def shown(sweep: dict[str, Any]) -> None:
        cells = sweep.get("cells") or []
        ended = sum(cell.get("status") not in ("queued", "in_progress") for cell in cells)
        show(100.0 * ended / len(cells) if cells else 0.0, sweep["status"], f"{ended}/{len(cells)} cells")

    return shown


def make_remote(server: str, sweep: dict[str, Any], out: Path, show: Show, timeout: float) -> str:
    """Send the sweep, follow it until no cell is queued or running, save the grid; a line that
    says what was made."""
    try:
        with httpx.Client(base_url=server, timeout=600) as client:
            made = create_and_follow(
                client,
                "/v1/videos/sweeps",
                sweep,
                _progress(show),
                timeout,
                "Gave up after {timeout} s; {id} goes on in the studio.",
            )
            if made["status"] == "failed":
                raise CommandError(f"Every cell of {made['id']} failed; see GET /v1/videos/sweeps/{made['id']}.")
            with client.stream("GET", f"/v1/videos/sweeps/{made['id']}/content") as grid:
                if grid.status_code != 200:
                    grid.read()
                    missing = f"The grid of {made['id']} is not there: HTTP {grid.status_code}"
                    raise CommandError(f"{missing} {grid.text[:200]}")
                with open(out, "wb") as fh:
                    for chunk in grid.iter_bytes():
                        fh.write(chunk)
    except httpx.ConnectError:
        raise CommandError(f"No studio answers at {server}. Start it with `python3 run.py` or pass --server.") from None
    except httpx.HTTPError as exc:
        raise CommandError(f"Talking to the studio at {server} failed: {exc}") from None
    return f"{made['id']}: {len(made['cells'])} cells ({made['status']})"
