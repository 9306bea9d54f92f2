"""What the local engine's tests (tests/test_local_wan*.py) send a tiny Wan model and how they
read what it wrote: a small request, the MP4 decoded with PyAV, a context that cancels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np

from videos.providers.base import GenerationRequest, NullContext

STEPS = 3


def req(**kw: Any) -> GenerationRequest:
    base: dict[str, Any] = dict(
        prompt="a red cat runs on the beach",
        num_inference_steps=STEPS,
        width=48,
        height=32,
        num_frames=9,
        seed=7,
    )
    base.update(kw)
    return GenerationRequest(**base)


def decode(path: Path) -> tuple[np.ndarray, dict[str, Any]]:
    """All frames as uint8 RGB (F, H, W, 3), plus the stream's codec facts."""
    with av.open(str(path), "r") as container:
        stream = container.streams.video[0]
        facts = {
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "fps": float(stream.average_rate or 0),
        }
        frames = np.stack([f.to_ndarray(format="rgb24") for f in container.decode(stream)])
    return frames, facts


class CancelAfter(NullContext):
    """Requests cancellation once `after` denoising steps have been reported."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    def report(self, progress: float | None = None, message: str | None = None) -> None:
        if progress and len([p for p in self.progress if p > 0]) + 1 >= self.after:
            self.cancel_requested = True
        super().report(progress, message)
