"""Reading and writing MP4 files with PyAV: probe, poster frame, H.264 encode."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


class InvalidVideo(Exception):
    """The file is not a decodable video (truncated, HTML error page, empty...)."""


@dataclass(frozen=True)
class VideoMetadata:
    """What the finished file really is, measured by decoding it."""

    duration: float
    frames: int
    width: int
    height: int
    codec: str
    fps: float
    bytes: int

    def as_dict(self) -> dict:
        return asdict(self)


def probe(path: Path) -> VideoMetadata:
    """Decode every frame once: a header alone does not prove a truncated file is whole."""
    try:
        with av.open(str(path)) as container:
            if container.format is None or not container.streams.video:
                raise InvalidVideo("no video stream")
            stream = container.streams.video[0]
            frames = 0
            last_time = 0.0
            for frame in container.decode(stream):
                frames += 1
                if frame.time is not None:
                    last_time = frame.time
            if frames == 0:
                raise InvalidVideo("no decodable frames")
            if stream.frames and frames < stream.frames:
                raise InvalidVideo(f"truncated: {frames} of {stream.frames} frames decode")
            fps = float(stream.average_rate or stream.guessed_rate or 0) or 0.0
            duration = (
                float(stream.duration * stream.time_base)
                if stream.duration and stream.time_base
                else (last_time + (1.0 / fps if fps else 0.0))
            )
            return VideoMetadata(
                duration=round(duration, 3),
                frames=frames,
                width=stream.codec_context.width,
                height=stream.codec_context.height,
                codec=stream.codec_context.name,
                fps=round(fps, 3),
                bytes=path.stat().st_size,
            )
    except InvalidVideo:
        raise
    except (av.FFmpegError, ValueError, OSError, IndexError) as exc:
        raise InvalidVideo(str(exc) or type(exc).__name__) from exc


def write_thumbnail(video: Path, dest: Path, max_width: int = 640) -> None:
    """Save a JPEG poster frame taken a little into the clip (the first is often black)."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        chosen = None
        for index, frame in enumerate(container.decode(stream)):
            chosen = frame
            if index >= 8:
                break
        if chosen is None:
            raise InvalidVideo("no frame for a thumbnail")
        image = chosen.to_image()
    if image.width > max_width:
        image = image.resize((max_width, round(image.height * max_width / image.width)))
    image.convert("RGB").save(dest, format="JPEG", quality=85)


def encode_h264(frames: Iterable[np.ndarray], dest: Path, fps: int, crf: int = 23, preset: str = "veryfast") -> None:
    """Write RGB uint8 frames (H, W, 3) as a browser-playable H.264 (yuv420p) MP4.

    faststart puts the index first so the player can start, and seek with Range requests,
    before the whole file has arrived.
    """
    with av.open(str(dest), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = None
        for rgb in frames:
            if stream is None:
                height, width = rgb.shape[:2]
                stream = container.add_stream("libx264", rate=Fraction(fps, 1))
                stream.width, stream.height = width, height
                stream.pix_fmt = "yuv420p"
                stream.options = {"crf": str(crf), "preset": preset}
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            container.mux(stream.encode(frame))
        if stream is None:
            raise ValueError("no frames to encode")
        container.mux(stream.encode(None))
