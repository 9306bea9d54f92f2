"""A clip's sound with PyAV: what its audio stream is, and sound laid on a joined picture.

Joins (an extend, a storyboard) place each clip's sound where its frames are in the joined file
(`Placed`), mix them (a seam's crossfade is a linear fade of both), and encode the result as
AAC beside the picture. A clip without sound is silence there, so the track covers the whole
file and stays aligned with the frames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import InputContainer, OutputContainer

AAC_FRAME = 1024  # samples per AAC frame


@dataclass(frozen=True)
class AudioInfo:
    """A file's first audio stream, measured by decoding it."""

    codec: str
    channels: int
    sample_rate: int
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


def audio_info(container: InputContainer, samples: int) -> AudioInfo | None:
    """The container's first audio stream, `samples` of it decoded (the caller decoded them)."""
    if not container.streams.audio:
        return None
    codec = container.streams.audio[0].codec_context
    rate = int(codec.sample_rate or 0)
    return AudioInfo(
        codec=codec.name,
        channels=int(codec.channels or len(codec.layout.channels)),
        sample_rate=rate,
        seconds=round(samples / rate, 3) if rate else 0.0,
    )


def has_audio(path: Path) -> bool:
    try:
        with av.open(str(path)) as container:
            return bool(container.streams.audio)
    except (av.FFmpegError, OSError):
        return False


def sound_format(paths: Iterable[Path]) -> tuple[int, str] | None:
    """(sample rate, layout) of the first clip with sound; None when none has any."""
    for path in paths:
        try:
            with av.open(str(path)) as container:
                if container.streams.audio:
                    codec = container.streams.audio[0].codec_context
                    return int(codec.sample_rate or 48000), codec.layout.name or "stereo"
        except (av.FFmpegError, OSError):
            continue
    return None


@dataclass(frozen=True)
class Soundtrack:
    """Sound to write beside a picture: `render(frames, fps)` gives float32 (channels, samples) at
    `rate` and `layout` once the picture's frame count is known."""

    rate: int
    layout: str
    render: Callable[[int, Fraction], np.ndarray]
    title: str = ""  # the stream's title (the preview's tone says what it is)


def add_stream(container: OutputContainer, track: Soundtrack) -> AudioStream:
    """An AAC stream for `track` (added before any packet is written: the header lists it)."""
    stream = container.add_stream("aac", rate=track.rate)
    stream.layout = track.layout
    stream.time_base = Fraction(1, track.rate)
    if track.title:
        stream.metadata["title"] = track.title
        stream.metadata["handler_name"] = track.title
    return stream


def write(container: OutputContainer, stream: AudioStream, samples: np.ndarray) -> None:
    """Encode float32 (channels, samples) into `stream` as AAC."""
    rate, layout = int(stream.rate), stream.layout.name
    for offset in range(0, samples.shape[1], AAC_FRAME):
        chunk = np.ascontiguousarray(samples[:, offset : offset + AAC_FRAME], dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
        frame.sample_rate, frame.pts, frame.time_base = rate, offset, Fraction(1, rate)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def decoded(path: Path, rate: int, layout: str) -> np.ndarray:
    """The clip's sound as float32 (channels, samples) at `rate` and `layout`; none: no samples."""
    channels = len(av.AudioLayout(layout).channels)
    chunks: list[np.ndarray] = []
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return np.zeros((channels, 0), np.float32)
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        for frame in container.decode(audio=0):
            chunks.extend(out.to_ndarray() for out in resampler.resample(frame))
        chunks.extend(out.to_ndarray() for out in resampler.resample(None))
    return np.concatenate(chunks, axis=1).astype(np.float32) if chunks else np.zeros((channels, 0), np.float32)


@dataclass(frozen=True)
class Placed:
    """One clip's sound in a joined file, in seconds of the joined file (`start`, `end`) and of
    the clip's own sound (`skip`: dropped at its start, e.g. a continue seam's repeated frame).
    `fade_in` / `fade_out`: seconds of a crossfade at its start / end (its end includes them)."""

    path: Path
    start: float
    end: float
    skip: float = 0.0
    fade_in: float = 0.0
    fade_out: float = 0.0


def mix(parts: Sequence[Placed], seconds: float, rate: int, layout: str) -> np.ndarray:
    """The joined sound, `seconds` long: each part's sound where it is placed, faded linearly over
    its crossfades (neither end silent, as the frames' blend), silence where a part has none."""
    channels = len(av.AudioLayout(layout).channels)
    mixed = np.zeros((channels, round(seconds * rate)), np.float32)
    for part in parts:
        start, end = round(part.start * rate), min(round(part.end * rate), mixed.shape[1])
        sound = decoded(part.path, rate, layout)[:, round(part.skip * rate) :]
        sound = sound[:, : max(0, end - start)]
        gain = np.ones(sound.shape[1], np.float32)
        fade_in, fade_out = round(part.fade_in * rate), round(part.fade_out * rate)
        if fade_in and sound.shape[1]:
            ramp = np.arange(1, fade_in + 1, dtype=np.float32) / (fade_in + 1)
            gain[:fade_in] *= ramp[: gain.shape[0]]
        if fade_out and sound.shape[1] >= end - start:  # only a sound that reaches the seam fades out there
            ramp = np.arange(fade_out, 0, -1, dtype=np.float32) / (fade_out + 1)
            gain[-fade_out:] *= ramp[-gain.shape[0] :]
        mixed[:, start : start + sound.shape[1]] += sound * gain
    return np.clip(mixed, -1.0, 1.0, out=mixed)


def picture_seconds(path: Path) -> float:
    """How long the clip's picture lasts: its frames (packets) at its frame rate."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for packet in container.demux(stream) if packet.size)
        rate = stream.average_rate or stream.guessed_rate or 16
    return float(frames / Fraction(rate))


def lay_under(video: Path, parts: Sequence[Placed], dest: Path) -> None:
    """Write `video`'s picture (its packets copied, not re-encoded) with `parts`' sound mixed under
    it, as long as the picture, to `dest`; its own sound, if any, is replaced."""
    found = sound_format(part.path for part in parts)
    if found is None:
        raise ValueError("none of the parts has sound")
    rate, layout = found
    samples = mix(parts, picture_seconds(video), rate, layout)
    with (
        av.open(str(video)) as source,
        av.open(str(dest), "w", format="mp4", options={"movflags": "+faststart"}) as out,
    ):
        picture = source.streams.video[0]
        copied = out.add_stream_from_template(picture)
        stream = add_stream(out, Soundtrack(rate, layout, lambda frames, fps: samples))
        for packet in source.demux(picture):
            if packet.dts is None:
                continue  # the demuxer's flush packet
            packet.stream = copied
            out.mux(packet)
        write(out, stream, samples)
