"""`generate --storyboard board.json`: a storyboard's joined MP4 from the shell. The file is the
board as POST /v1/storyboards takes it (GET /v1/storyboards/{id}?format=board saves one); sent to
the studio and followed on a progress bar, or with --in-process made right here."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from django.core.management.base import CommandError

from videos.errors import InvalidRequest
from videos.files.filenames import video_filename
from videos.files.media import InvalidVideo
from videos.management.following import create_and_follow
from videos.providers.base import JobCancelled, ProviderError

Show = Callable[[float, str, str], None]  # a progress bar's show(progress, status, extra)
OVERRIDES = (("provider", "model"), ("size", "size"), ("steps", "num_inference_steps"))


def read_board(path: Path, opts: dict[str, object]) -> dict[str, Any]:
    """The board in `path`, with the command line's --model, --size and --steps over its own."""
    try:
        board = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read the storyboard {path}: {exc}") from None
    if not isinstance(board, dict):
        raise CommandError(f"{path} is not a storyboard (a JSON object with shots).")
    for option, field in OVERRIDES:
        if opts.get(option) is not None:
            board[field] = opts[option]
    return board


def output_for(path: Path, given: object) -> Path:
    return Path(str(given)) if given else Path(video_filename(path.stem, "storyboard"))


def make_here(board: dict[str, Any], out: Path, show: Show) -> str:
    """Make the board in this process; a line that says what was made."""
    from videos.storyboards.local import make_board_here  # the engines load only when asked
    from videos.storyboards.render import RenderError

    try:
        made = make_board_here(board, out, lambda progress, what: show(progress, "in_progress", what))
    except InvalidRequest as exc:
        raise CommandError(f"{exc.param}: {exc.message}" if exc.param else exc.message) from None
    except (ProviderError, InvalidVideo, JobCancelled, RenderError) as exc:
        raise CommandError(getattr(exc, "message", None) or str(exc)) from None
    return f"{made.frames} frames, {made.duration:.2f} s; the shots start at {made.starts} s"


def make_remote(server: str, board: dict[str, Any], out: Path, show: Show, timeout: float) -> str:
    """Send the board to the studio, follow it until it is joined, save its MP4; a line that says
    what was made."""
    try:
        with httpx.Client(base_url=server, timeout=60) as client:
            made = create_and_follow(
                client,
                "/v1/storyboards",
                board,
                lambda made: show(made["progress"], made["status"], _shots_done(made)),
                timeout,
                "Gave up after {timeout} s; {id} goes on in the studio.",
                interval=0.5,
                refused=_error,
            )
            if made["status"] != "completed":
                error = made.get("error") or {}
                raise CommandError(f"The storyboard is {made['status']}: {error.get('message', 'see its shots')}")
            with client.stream("GET", made["content_url"]) as content, open(out, "wb") as fh:
                for chunk in content.iter_bytes():
                    fh.write(chunk)
    except httpx.ConnectError:
        raise CommandError(
            f"No studio answers at {server}. Start it with `python3 run.py`, pass --server, or use --in-process."
        ) from None
    except httpx.HTTPError as exc:
        raise CommandError(f"Talking to the studio at {server} failed: {exc}") from None
    starts = [shot["start_seconds"] for shot in made["shots"]]
    return f"{made['id']}: {len(starts)} shots, starting at {starts} s"


def _shots_done(board: dict[str, Any]) -> str:
    done = sum(shot["status"] == "completed" for shot in board["shots"])
    return f"{done}/{len(board['shots'])} shots"


def _error(response: httpx.Response) -> str:
    try:
        error = response.json()["error"]
        return f"{error['param']}: {error['message']}" if error.get("param") else str(error["message"])
    except (ValueError, KeyError, TypeError):
        return f"The studio answered HTTP {response.status_code}."
