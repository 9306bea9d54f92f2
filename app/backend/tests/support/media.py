"""Small real MP4s made with PyAV for tests."""

from __future__ import annotations

import io
import tempfile
from functools import lru_cache
from pathlib import Path

import av
import numpy as np

from videos.files.media import encode_h264


@lru_cache(maxsize=4)
def tiny_mp4(frames: int = 8, width: int = 64, height: int = 48) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny.mp4"
        rng = np.random.default_rng(frames)
        encode_h264((rng.integers(0, 255, (height, width, 3), dtype=np.uint8) for _ in range(frames)), path, fps=8)
        return path.read_bytes()


def top_level_boxes(data: bytes) -> list[bytes]:
    """An MP4's top-level box types in file order (a byte search would also hit the names inside
    boxes, such as a C2PA manifest's hash exclusions)."""
    boxes, at = [], 0
    while at + 8 <= len(data):
        size, kind = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8]
        if size == 1:
            size = int.from_bytes(data[at + 8 : at + 16], "big")
        boxes.append(kind)
        if size < 8:
            break
        at += size
    return boxes


def same_video(stored: bytes, made: bytes) -> bool:
    """The studio's stored file is the upstream's video with its Content Credentials added (C2PA,
    signed by the studio): the same pictures, not the same bytes."""
    with av.open(io.BytesIO(stored), mode="r") as a, av.open(io.BytesIO(made), mode="r") as b:
        ours = [frame.to_ndarray(format="rgb24") for frame in a.decode(video=0)]
        theirs = [frame.to_ndarray(format="rgb24") for frame in b.decode(video=0)]
    return len(ours) == len(theirs) > 0 and all(np.array_equal(x, y) for x, y in zip(ours, theirs, strict=True))
