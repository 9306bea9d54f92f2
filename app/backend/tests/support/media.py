"""Small real MP4s made with PyAV for tests."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from videos.files.media import encode_h264


@lru_cache(maxsize=4)
def tiny_mp4(frames: int = 8, width: int = 64, height: int = 48) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny.mp4"
        rng = np.random.default_rng(frames)
        encode_h264((rng.integers(0, 255, (height, width, 3), dtype=np.uint8) for _ in range(frames)), path, fps=8)
        return path.read_bytes()
