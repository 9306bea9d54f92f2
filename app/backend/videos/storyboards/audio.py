"""A storyboard's sound: its clips' audio joined on the same seams as their frames.

Each clip's sound starts where its frames start in the joined file and ends where they end;
at a `continue` seam the dropped frame's sound goes too, at a `crossfade` seam the two sounds
fade linearly across the blended frames. Resampled to the first clip's rate and layout, AAC.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import OutputContainer

if TYPE_CHECKING:
    from videos.storyboards.render import Part

AAC_FRAME = 1024  # samples per AAC frame


def has_audio(path: Path) -> bool:
    try:
        with av.open(str(path)) as container:
            return bool(container.streams.audio)
    except (av.FFmpegError, OSError):
        return False


def add_stream(container: OutputContainer, first: Path) -> AudioStream:
    """An AAC stream at the first clip's sample rate and channel layout (added before any frame
    is written: a stream cannot join a file whose header is out)."""
    with av.open(str(first)) as source:
        codec = source.streams.audio[0].codec_context
        rate, layout = codec.sample_rate or 48000, codec.layout.name or "stereo"
    stream = container.add_stream("aac", rate=rate)
    stream.layout = layout
    stream.time_base = Fraction(1, rate)
    return stream


def _decoded(path: Path, rate: int, layout: str) -> np.ndarray:
    """The clip's sound as float32 (channels, samples) at `rate` and `layout`."""
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
    chunks: list[np.ndarray] = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray())
    channels = len(av.AudioLayout(layout).channels)
    return np.concatenate(chunks, axis=1) if chunks else np.zeros((channels, 0), np.float32)


def write_joined(
    container: OutputContainer,
    stream: AudioStream,
    parts: Sequence[Part],
    start_frames: list[int],
    total_frames: int,
    fps: Fraction,
) -> None:
    """Encode the parts' joined sound into `stream` (the video's frames are already written)."""
    rate, layout = int(stream.rate), stream.layout.name
    channels = len(stream.layout.channels)

    def at(frame: int) -> int:  # a frame's position, in samples
        return round(frame / fps * rate)

    mixed = np.zeros((channels, at(total_frames)), np.float32)
    for number, part in enumerate(parts):
        join = part.join if number else "cut"
        fade_in = at(part.crossfade_frames) if join == "crossfade" and number else 0
        following = parts[number + 1] if number + 1 < len(parts) else None
        fade_out = at(following.crossfade_frames) if following is not None and following.join == "crossfade" else 0
        end = at(start_frames[number + 1]) + fade_out if following is not None else mixed.shape[1]
        start = at(start_frames[number])
        sound = _decoded(part.path, rate, layout)
        if join == "continue":
            sound = sound[:, at(1) :]  # the dropped frame's sound
        sound = sound[:, : max(0, end - start)]
        gain = np.ones(sound.shape[1], np.float32)
        if fade_in:
            ramp = np.arange(1, fade_in + 1, dtype=np.float32) / (fade_in + 1)
            gain[:fade_in] *= ramp[: gain.shape[0]]
        if fade_out and sound.shape[1] >= end - start:  # only a sound that reaches the seam fades out there
            ramp = np.arange(fade_out, 0, -1, dtype=np.float32) / (fade_out + 1)
            gain[-fade_out:] *= ramp[-gain.shape[0] :]
        mixed[:, start : start + sound.shape[1]] += sound * gain
    np.clip(mixed, -1.0, 1.0, out=mixed)
    for offset in range(0, mixed.shape[1], AAC_FRAME):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(mixed[:, offset : offset + AAC_FRAME]), format="fltp", layout=layout
        )
        frame.sample_rate, frame.pts, frame.time_base = rate, offset, Fraction(1, rate)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
