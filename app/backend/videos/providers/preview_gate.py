"""A gate that holds a preview job at its first frame until a test lets it go.

Off unless VIDEO_PREVIEW_GATE_DIR is set (the test suite sets it; nobody else should). A
preview job whose prompt carries `[gate:NAME]` draws its first frame, writes `NAME.waiting`
in that folder, and waits there, still cancellable, until a file `NAME` appears. A 64x64
preview clip is made in milliseconds: a test that cancels, times out or kills a running job
holds it here instead of racing the engine.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from videos.providers.base import JobContext, ProviderError

GATE_TOKEN = re.compile(r"\[gate:([A-Za-z0-9_-]{1,64})\]")
POLL_SECONDS = 0.01
# A gate no test opens would hold a job for ever; it fails instead, naming the gate.
MAX_HOLD_SECONDS = 300.0


def gate_name(prompt: str) -> str | None:
    found = GATE_TOKEN.search(prompt)
    return found.group(1) if found else None


def held(frames: Iterator[np.ndarray], prompt: str, folder: Path | None, ctx: JobContext) -> Iterator[np.ndarray]:
    """`frames`, with a wait at the gate after the first one when the prompt names a gate."""
    name = gate_name(prompt)
    if folder is None or name is None:
        yield from frames
        return
    for index, frame in enumerate(frames):
        yield frame
        if index == 0:
            _wait(folder, name, ctx)


def _wait(folder: Path, name: str, ctx: JobContext) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    ctx.report(1.0, f"held at the test gate {name!r}")  # running, and seen to be: progress above 0
    (folder / f"{name}.waiting").touch()
    deadline = time.monotonic() + MAX_HOLD_SECONDS
    while not (folder / name).exists():
        ctx.raise_if_cancelled()
        if time.monotonic() > deadline:
            raise ProviderError("gate_timeout", f"The test gate {name!r} was never opened.")
        time.sleep(POLL_SECONDS)
