"""A storyboard's one MP4: its shots' clips joined with the seams chosen between them.

The first clip sets the size and frame rate; the others are scaled to it and resampled to its
clock. At a `continue` seam the next clip's first frame (a copy of the previous one's last) is
dropped; at a `crossfade` seam the previous clip's last N frames and the next one's first N are
blended into N frames (linear alpha, neither end pure), so the joined clip has the sum of the
parts' frames less one per continue and N per crossfade. Sound is kept (joined on the same
seams, storyboards/audio.py) when any clip has some; the shots' starts are written as MP4 chapters.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from videos.files import audio as sound_files
from videos.files.media import X264_THREADS, InvalidVideo, frame_rate, iter_frames, x264_params
from videos.storyboards import audio

CUT, CONTINUE, CROSSFADE = "cut", "continue", "crossfade"


class RenderError(Exception):
    """The clips cannot be joined as asked (a clip too short for its crossfades, an unreadable one)."""


@dataclass(frozen=True)
class Part:
    path: Path
    join: str = CUT  # how it joins the part before it (the first part's is ignored)
    crossfade_frames: int = 0
    title: str = ""  # its chapter's title


@dataclass
class Rendered:
    frames: int = 0
    fps: float = 0.0
    width: int = 0
    height: int = 0
    starts: list[float] = field(default_factory=list)  # each part's first frame, in seconds
    start_frames: list[int] = field(default_factory=list)
    chapters: bool = False
    audio: bool = False

    @property
    def duration(self) -> float:
        return self.frames / self.fps if self.fps else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "frames": self.frames,
            "fps": self.fps,
            "width": self.width,
            "height": self.height,
            "duration": round(self.duration, 3),
            "starts": self.starts,
            "chapters": self.chapters,
            "audio": self.audio,
        }


def render(parts: Sequence[Part], dest: Path, tick: Callable[[int], None] | None = None, crf: int = 18) -> Rendered:
    """Write the joined MP4 to `dest` (through a .part file: `dest` is never half a clip).
    `tick(frames_written)` is called once a frame (a progress bar)."""
    if not parts:
        raise RenderError("A storyboard needs at least one shot to render.")
    try:
        rate = frame_rate(parts[0].path)
        first = next(iter_frames(parts[0].path), None)
    except InvalidVideo as exc:
        raise RenderError(f"Shot 1's video could not be read: {exc}") from exc
    if first is None:
        raise RenderError("Shot 1's video has no frames.")
    result = Rendered(fps=float(rate), width=first.shape[1], height=first.shape[0])
    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".part")
    try:
        _write(parts, tmp, rate, result, tick, crf, audio.soundtrack(parts, result.start_frames))
        os.replace(tmp, dest)
    except InvalidVideo as exc:
        raise RenderError(f"A shot's video could not be read: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return result


def _write(
    parts: Sequence[Part],
    tmp: Path,
    rate: Fraction,
    result: Rendered,
    tick: Callable[[int], None] | None,
    crf: int,
    track: sound_files.Soundtrack | None,
) -> None:
    time_base = 1 / rate
    with av.open(str(tmp), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height = result.width, result.height
        stream.pix_fmt = "yuv420p"
        stream.time_base = time_base
        stream.codec_context.thread_type = "FRAME"
        stream.codec_context.thread_count = X264_THREADS  # a fixed count: the same frames, the same bytes
        options: dict[str, object] = {"crf": str(crf), "preset": "veryfast"}
        if x264_params():
            options["x264-params"] = x264_params()
        stream.options = options
        sound = sound_files.add_stream(container, track) if track is not None else None
        index = 0
        for rgb in joined_frames(parts, rate, result):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            frame.pts, frame.time_base = index, time_base
            container.mux(stream.encode(frame))
            index += 1
            if tick is not None:
                tick(index)
        container.mux(stream.encode(None))
        result.frames = index
        result.starts = [round(start / float(rate), 4) for start in result.start_frames]
        if track is not None and sound is not None:
            sound_files.write(container, sound, track.render(index, rate))
            result.audio = True
        container.set_chapters(_chapters(parts, result.start_frames, index, rate))
        result.chapters = True


def _chapters(parts: Sequence[Part], starts: list[int], total: int, rate: Fraction) -> list[av.container.Chapter]:
    ends = [*starts[1:], total]
    return [
        {
            "id": number + 1,
            "start": start,
            "end": max(end, start + 1),
            "time_base": 1 / rate,
            "metadata": {"title": part.title or f"Shot {number + 1}"},
        }
        for number, (part, start, end) in enumerate(zip(parts, starts, ends, strict=True))
    ]


def joined_frames(parts: Sequence[Part], rate: Fraction, result: Rendered) -> Iterator[np.ndarray]:
    """The joined clip's frames in order; fills result.start_frames (where each part begins: for
    a crossfade, the first blended frame)."""
    held: deque[np.ndarray] = deque()  # frames kept back: the last ones may blend into the next part
    emitted = 0
    for number, part in enumerate(parts):
        join = part.join if number else CUT
        following = parts[number + 1] if number + 1 < len(parts) else None
        hold = following.crossfade_frames if following is not None and following.join == CROSSFADE else 0
        tail = held if join == CROSSFADE else deque()  # the previous part's last frames, to blend with
        blend = len(tail)
        while join != CROSSFADE and held:
            yield held.popleft()
            emitted += 1
        held = deque()
        result.start_frames.append(emitted)
        used = 0
        for seen, rgb in enumerate(_on_clock(part.path, rate, result.width, result.height)):
            if join == CONTINUE and seen == 0:
                continue  # a copy of the previous part's last frame
            used += 1
            if tail:
                alpha = used / (blend + 1)
                mixed = tail.popleft().astype(np.float32) * (1 - alpha) + rgb.astype(np.float32) * alpha
                rgb = mixed.round().clip(0, 255).astype(np.uint8)
            held.append(rgb)
            if len(held) > hold:
                yield held.popleft()
                emitted += 1
        if used < blend + hold:
            raise RenderError(
                f"Shot {number + 1} has {used} frames; its crossfades need {blend + hold}: shorten them or the seams."
            )
    while held:
        yield held.popleft()
        emitted += 1


def _on_clock(path: Path, rate: Fraction, width: int, height: int) -> Iterator[np.ndarray]:
    """The clip's frames at `rate` (picked by time when its own rate differs) and at width x height."""
    own = frame_rate(path)
    emitted = 0
    for index, rgb in enumerate(iter_frames(path)):
        # On the board's clock: this frame for each tick its time covers.
        repeats = 1 if own == rate else max(0, round((index + 1) * rate / own) - emitted)
        if repeats:
            fitted = _fit(rgb, width, height)
            for _ in range(repeats):
                emitted += 1
                yield fitted


def _fit(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    if rgb.shape[1] == width and rgb.shape[0] == height:
        return rgb
    from PIL import Image

    return np.asarray(Image.fromarray(rgb).resize((width, height), Image.Resampling.BILINEAR))
