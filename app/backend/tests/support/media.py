"""Small real MP4s made with PyAV for tests."""

from __future__ import annotations

import io
import tempfile
from fractions import Fraction
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


def tone(seconds: float, pitch: float, rate: int = 48000, channels: int = 2) -> np.ndarray:
    """A sine at `pitch` Hz as float32 (channels, samples), half loud."""
    wave = 0.5 * np.sin(2 * np.pi * pitch * np.arange(round(seconds * rate)) / rate)
    return np.repeat(wave[None, :].astype(np.float32), channels, axis=0)


@lru_cache(maxsize=8)
def av_mp4(
    frames: int = 17, width: int = 64, height: int = 48, fps: int = 16, pitch: float = 440.0, rate: int = 48000
) -> bytes:
    """An H.264 + AAC (stereo) MP4, as LTX-2.3 or MiniMax-H3 answer: a grey ramp over time and
    a `pitch` Hz tone exactly as long as the picture."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "av.mp4"
        with av.open(str(path), "w", format="mp4") as out:
            video = out.add_stream("libx264", rate=fps)
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            sound = out.add_stream("aac", rate=rate)
            sound.layout = "stereo"
            for index in range(frames):
                frame = av.VideoFrame.from_ndarray(np.full((height, width, 3), index * 7 % 256, np.uint8), "rgb24")
                frame.pts, frame.time_base = index, Fraction(1, fps)
                out.mux(video.encode(frame))
            out.mux(video.encode(None))
            samples = tone(frames / fps, pitch, rate)
            for at in range(0, samples.shape[1], 1024):
                chunk = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, at : at + 1024]), "fltp", "stereo")
                chunk.sample_rate, chunk.pts, chunk.time_base = rate, at, Fraction(1, rate)
                out.mux(sound.encode(chunk))
            out.mux(sound.encode(None))
        return path.read_bytes()


def decoded_sound(data: bytes) -> tuple[np.ndarray, int]:
    """The first audio stream's samples as float32 (channels, samples) and its rate; (empty, 0)
    when the file has no audio stream."""
    with av.open(io.BytesIO(data), mode="r") as container:
        if not container.streams.audio:
            return np.zeros((0, 0), np.float32), 0
        rate = container.streams.audio[0].codec_context.sample_rate
        chunks = [frame.to_ndarray() for frame in container.decode(audio=0)]
    return np.concatenate(chunks, axis=1).astype(np.float32), rate


def pitch_at(samples: np.ndarray, rate: int, start: float, length: float = 0.1) -> float:
    """The loudest frequency (Hz) of `length` seconds of the first channel from `start`."""
    window = samples[0, int(start * rate) : int((start + length) * rate)]
    return float(np.argmax(np.abs(np.fft.rfft(window))) * rate / max(window.size, 1))
