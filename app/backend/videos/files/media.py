"""Reading and writing MP4 files with PyAV: probe, poster frame, frames in and out, H.264
encode (with a soundtrack when given one), and the join of a clip and its continuation (an
extend), their sound joined on the same seam (files/audio.py)."""

from __future__ import annotations

import functools
import importlib
import os
import platform
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.container import InputContainer
from av.video.stream import VideoStream

from videos.files.audio import AudioInfo, Placed, Soundtrack, audio_info, mix, sound_format
from videos.files.audio import add_stream as add_audio_stream
from videos.files.audio import write as write_audio


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
    audio: AudioInfo | None = None  # its sound (the first audio stream); None: a silent clip

    def as_dict(self) -> dict:
        return asdict(self)


def probe(path: Path) -> VideoMetadata:
    """Decode every frame once: a header alone does not prove a truncated file is whole."""
    try:
        with av.open(str(path)) as container:
            if container.format is None or not container.streams.video:
                raise InvalidVideo("no video stream")
            stream = container.streams.video[0]
            sound = container.streams.audio[0] if container.streams.audio else None
            frames = samples = 0
            last_time = 0.0
            for packet in container.demux(*(s for s in (stream, sound) if s is not None)):
                if packet.stream is sound:
                    samples += _audio_samples(packet)
                    continue
                for frame in packet.decode():
                    frames += 1
                    if isinstance(frame, av.VideoFrame) and frame.time is not None:
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
                audio=audio_info(container, samples),
            )
    except InvalidVideo:
        raise
    except (av.FFmpegError, ValueError, OSError, IndexError) as exc:
        raise InvalidVideo(str(exc) or type(exc).__name__) from exc


def _audio_samples(packet: av.Packet) -> int:
    """Samples a sound packet decodes to; a packet that does not decode counts none (a broken
    soundtrack does not make the picture unplayable)."""
    try:
        decoded: list[av.AudioFrame] = packet.decode()  # type: ignore[assignment]  # an audio packet's frames
        return sum(frame.samples for frame in decoded)
    except av.FFmpegError:
        return 0


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


# How many threads libx264 encodes with, whatever the machine: its output depends on the count,
# so a fixed number keeps a file the same when the CPUs the process may use change (taskset,
# cgroups, another host). Frame threads, not slices: faster here and smaller files.
X264_THREADS = 4


def _cpu_features() -> set[str] | None:
    """The x86 instruction sets this CPU and OS offer (numpy's names), None where unknown."""
    for module in ("numpy._core._multiarray_umath", "numpy.core._multiarray_umath"):
        try:
            table = importlib.import_module(module).__cpu_features__
        except (ImportError, AttributeError):
            continue
        return {name for name, present in table.items() if present}
    try:  # Linux without numpy's table: the kernel's list of flags
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags"):
            names = {"avx2": "AVX2", "fma": "FMA3", "bmi1": "BMI", "bmi2": "BMI2", "abm": "LZCNT", "avx512f": "AVX512F"}
            return {names[f] for f in line.partition(":")[2].split() if f in names}
    return None


@functools.cache
def x264_params() -> str:
    """x264 settings that make its output a function of the frames alone (on one machine).

    With its AVX-512 code, x264's macroblock tree depends on leftover memory: on a CPU with
    AVX-512 the same frames gave different files depending on what the heap held before
    (tiny clips nearly always, 832x480 once a long-lived process had churned its heap). With
    AVX2 (or mbtree=0) they never did, so on those CPUs x264 is kept to AVX2 ("asm=AVX2"
    names the whole AVX2 set; it costs about a tenth of the encode time). Where the CPU
    cannot be read on x86, the macroblock tree is turned off instead: deterministic
    everywhere, at the price of larger files (+35 to +150% at the same CRF).
    """
    if platform.machine().lower() not in ("x86_64", "amd64", "x86", "i386", "i686"):
        return ""  # x264 has no AVX-512 code for other CPUs
    features = _cpu_features()
    if features is None:
        return "mbtree=0"
    if not any(name.startswith("AVX512") for name in features):
        return ""
    if {"AVX2", "FMA3", "BMI", "BMI2", "LZCNT"} <= features:
        return "asm=AVX2"
    return "mbtree=0"


def encode_h264(
    frames: Iterable[np.ndarray],
    dest: Path,
    fps: int | Fraction,
    crf: int = 23,
    preset: str = "veryfast",
    soundtrack: Soundtrack | None = None,
) -> None:
    """Write RGB uint8 frames (H, W, 3) as a browser-playable H.264 (yuv420p) MP4, with
    `soundtrack` as an AAC stream as long as the picture when given one.

    The same frames give the same bytes on one machine: timestamps are explicit, the thread
    count is fixed and x264's nondeterministic AVX-512 code is off (see x264_params).
    faststart puts the index first so the player can start, and seek with Range requests,
    before the whole file has arrived.
    """
    rate = Fraction(fps)
    time_base = 1 / rate
    with av.open(str(dest), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = None
        sound = None
        index = -1
        for index, rgb in enumerate(frames):
            if stream is None:
                height, width = rgb.shape[:2]
                stream = container.add_stream("libx264", rate=rate)
                stream.width, stream.height = width, height
                stream.pix_fmt = "yuv420p"
                stream.time_base = time_base
                stream.codec_context.thread_type = "FRAME"
                stream.codec_context.thread_count = X264_THREADS
                options: dict[str, object] = {"crf": str(crf), "preset": preset}
                params = x264_params()
                if params:
                    options["x264-params"] = params
                stream.options = options
                sound = add_audio_stream(container, soundtrack) if soundtrack is not None else None
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            frame.pts, frame.time_base = index, time_base
            container.mux(stream.encode(frame))
        if stream is None:
            raise ValueError("no frames to encode")
        container.mux(stream.encode(None))
        if soundtrack is not None and sound is not None:
            # After the picture: its length is known only now. The muxer interleaves the two.
            write_audio(container, sound, soundtrack.render(index + 1, rate))


# --- frames in, and the join of an extend -------------------------------------------------


@contextmanager
def decoding(path: Path) -> Iterator[tuple[InputContainer, VideoStream]]:
    """The clip's first video stream, ready to decode in threads. A file that cannot be read as
    one, or a failure while the block reads it, is InvalidVideo."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise InvalidVideo("no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            yield container, stream
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise InvalidVideo(str(exc) or type(exc).__name__) from exc


def frame_rate(path: Path) -> Fraction:
    """The clip's frame rate as an exact fraction (16, 30000/1001...); 16 where it says none."""
    with decoding(path) as (_, stream):
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return _tidy_rate(rate)


def _tidy_rate(rate: Fraction | int | float | None) -> Fraction:
    if not rate:
        return Fraction(16)
    value = Fraction(rate).limit_denominator(1001)
    if value <= 0:
        return Fraction(16)
    nearest = round(value)
    return Fraction(nearest) if nearest and abs(value - nearest) < Fraction(1, 100) else value


def frame_count_hint(path: Path) -> int:
    """The frame count the container's header states (0 where it states none); nothing decoded."""
    try:
        with av.open(str(path)) as container:
            return int(container.streams.video[0].frames or 0) if container.streams.video else 0
    except (av.FFmpegError, ValueError, OSError):
        return 0


def iter_frames(path: Path) -> Iterator[np.ndarray]:
    """Decode the clip's frames one at a time as RGB uint8 (H, W, 3): a long clip is never
    held whole in memory."""
    with decoding(path) as (container, stream):
        for frame in container.decode(stream):
            yield frame.to_ndarray(format="rgb24")


def read_frames(path: Path, limit: int | None = None) -> tuple[np.ndarray, Fraction]:
    """Up to `limit` frames (all when None) as one (F, H, W, 3) uint8 array, and the clip's fps."""
    frames: list[np.ndarray] = []
    for rgb in iter_frames(path):
        frames.append(rgb)
        if limit is not None and len(frames) >= limit:
            break
    if not frames:
        raise InvalidVideo("no decodable frames")
    return np.stack(frames), frame_rate(path)


def save_last_frame(video: Path, dest: Path) -> tuple[int, int]:
    """Write the clip's last frame as a PNG (lossless: it seeds a continuation); (width, height)."""
    from PIL import Image

    last = None
    for rgb in iter_frames(video):
        last = rgb
    if last is None:
        raise InvalidVideo("no decodable frames")
    Image.fromarray(last).save(dest, format="PNG")
    return last.shape[1], last.shape[0]


def _fit(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """The frame at exactly width x height (scaled if it is not already)."""
    if rgb.shape[1] == width and rgb.shape[0] == height:
        return rgb
    from PIL import Image

    return np.asarray(Image.fromarray(rgb).resize((width, height), Image.Resampling.BILINEAR))


def join_clips(
    source: Path,
    continuation: Path,
    dest: Path,
    *,
    skip_first: int = 1,
    tick: Callable[[], None] | None = None,
    crf: int = 18,
) -> None:
    """Write source + continuation as one H.264 MP4 at the source's fps and size.

    Their sound (either's, or both) goes with them: the source's under its frames, the
    continuation's (less its skipped frames' time) from the seam on, silence where one has none.
    The continuation's first `skip_first` frames are dropped (an image-to-video continuation
    starts on a copy of the source's last frame). Its frames are scaled to the source's size if
    they differ, and picked by time if its fps differs from the source's, so the joined clip
    has no seam in size or speed; with equal rates it has source + continuation - skip_first
    frames. Both clips are decoded as they are encoded (one frame in memory at a time); `tick`
    is called once a frame (a cancel check). Written to a .part file and renamed, so `dest`
    is never half a clip.
    """
    rate = frame_rate(source)
    cont_rate = frame_rate(continuation)
    size: list[int] = []
    source_frames = [0]

    def frames() -> Iterator[np.ndarray]:
        for rgb in iter_frames(source):
            source_frames[0] += 1
            if not size:
                size.extend((rgb.shape[1], rgb.shape[0]))
            if tick is not None:
                tick()
            yield rgb
        if not size:
            raise InvalidVideo("the source clip has no decodable frames")
        width, height = size
        emitted = 0  # continuation frames written after the skipped ones
        for index, rgb in enumerate(iter_frames(continuation)):
            if index < skip_first:
                continue
            if cont_rate == rate:
                repeats = 1
            else:  # the source's clock: write this frame for each source tick its time covers
                end = (index - skip_first + 1) * rate / cont_rate
                repeats = max(0, round(end) - emitted)
            if repeats:
                fitted = _fit(rgb, width, height)
                for _ in range(repeats):
                    if tick is not None:
                        tick()
                    emitted += 1
                    yield fitted

    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".part")
    try:
        encode_h264(
            frames(), tmp, rate, crf=crf, soundtrack=_joined_sound(source, continuation, source_frames, skip_first)
        )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _joined_sound(source: Path, continuation: Path, source_frames: list[int], skip: int) -> Soundtrack | None:
    """An extend's sound: `source_frames[0]` is the source's frame count once its frames are out."""
    found = sound_format((source, continuation))
    if found is None:
        return None
    sample_rate, layout = found
    source_fps, cont_fps = frame_rate(source), frame_rate(continuation)

    def render(total: int, fps: Fraction) -> np.ndarray:
        seam, end = float(source_frames[0] / source_fps), float(total / fps)
        parts = [Placed(source, 0.0, seam), Placed(continuation, seam, end, skip=float(skip / cont_fps))]
        return mix(parts, end, sample_rate, layout)

    return Soundtrack(sample_rate, layout, render)
