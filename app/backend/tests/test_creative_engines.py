"""The engines' side of extend, edit and the spritesheet, run for real and decoded with PyAV.

- operations.make_video: extend as last frame -> image-to-video -> join (frame count, size,
  frame rate, continuity at the join, scratch files, progress, cancel), and the refusals.
- The preview engine's extend continuation and edit.
- The spritesheet's documented grid.

The tiny local Wan models' extend and edit are in test_local_wan_extend_edit.py.
No Django needed: cd app/backend && python -m pytest tests/test_creative_engines.py -q
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from videos.files.media import encode_h264, frame_rate, join_clips, read_frames, save_last_frame
from videos.files.spritesheet import SPRITE_TILE_WIDTH, sprite_layout, write_spritesheet
from videos.providers.base import (
    Capabilities,
    GenerationRequest,
    JobCancelled,
    JobContext,
    NullContext,
    Provider,
    ProviderError,
    ProviderStatus,
)
from videos.providers.preview import PREVIEW_LABEL, PreviewProvider
from videos.runner.operations import JOINING, make_video

PREVIEW = PreviewProvider()


def decode(path: Path) -> tuple[np.ndarray, float]:
    """All frames as uint8 RGB (F, H, W, 3) and the stream's frame rate."""
    frames, fps = read_frames(path)
    return frames, float(fps)


def mad(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two frames, on 0-255."""
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def preview_clip(
    dest: Path, prompt: str, *, seed: int = 1, size: tuple[int, int] = (128, 96), frames: int = 17
) -> Path:
    PREVIEW.generate(
        GenerationRequest(prompt=prompt, seed=seed, width=size[0], height=size[1], num_frames=frames),
        dest,
        NullContext(),
    )
    return dest


def extend_request(source: Path, prompt: str = "the cat jumps into the sea", **kw: Any) -> GenerationRequest:
    base: dict[str, Any] = dict(prompt=prompt, seed=5, operation="extend", video_path=source, num_frames=33)
    base.update(kw)
    return GenerationRequest(**base)


# --- preview: extend -------------------------------------------------------------------


def test_preview_capabilities() -> None:
    caps = PREVIEW.capabilities
    assert caps.image_to_video and caps.video_to_video and caps.can_extend and not caps.native_extend
    assert caps.default_seconds == 2 and PREVIEW.default_frames == 2 * caps.fps + 1
    assert caps.frames_range[1] >= 20 * caps.fps + 1  # seconds "12" (193 frames) up to 20 s (321)


@pytest.mark.parametrize("size", [(128, 96), (832, 480)])
def test_preview_extend_is_source_plus_continuation_without_a_seam(tmp_path: Path, size: tuple[int, int]) -> None:
    source = preview_clip(tmp_path / "source.mp4", "a red cat on a beach", size=size, frames=17)
    work = tmp_path / "job"
    work.mkdir()
    dest = work / "out.mp4"
    ctx = NullContext()
    make_video(PREVIEW, extend_request(source, width=size[0], height=size[1], num_frames=33), dest, ctx)

    src, src_fps = decode(source)
    out, out_fps = decode(dest)
    assert out.shape == (17 + 33 - 1, size[1], size[0], 3) and out_fps == src_fps == 16.0
    assert sorted(p.name for p in work.iterdir()) == ["out.mp4"]  # the last frame and continuation are gone
    # The source comes first, as it was (up to a re-encode at CRF 18).
    assert max(mad(a, b) for a, b in zip(src, out[:17], strict=True)) < 6
    # The first new frame continues the source's last one...
    join = mad(src[-1], out[17])
    assert join < 12, join
    # ...where two unrelated preview clips differ a lot (the control).
    other, _ = decode(preview_clip(tmp_path / "other.mp4", "a city at night", seed=9, size=size))
    assert mad(src[-1], other[0]) > 3 * join and mad(src[-1], other[0]) > 25
    # The continuation moves (it is not a still) and ends showing the new prompt's bands.
    assert mad(out[17], out[-1]) > 5
    assert ctx.messages[-1] == JOINING and ctx.progress[-1] == 100


def test_preview_extend_keeps_the_label_and_a_caption_band(tmp_path: Path) -> None:
    source = preview_clip(tmp_path / "s.mp4", "first", size=(320, 192))
    dest = tmp_path / "out.mp4"
    make_video(PREVIEW, extend_request(source, width=320, height=192, num_frames=33), dest, NullContext())
    last = decode(dest)[0][-1]
    band = 192 // 12 + 8
    top, bottom = last[: band - 2], last[192 - band + 2 :]
    # The label band: black with yellow text; the caption band: black with white text.
    assert np.median(top) < 20 and (top[..., 0] > 200).any() and (top[..., 2] < 80).any()
    assert np.median(bottom) < 20 and (bottom.min(axis=-1) > 200).any()
    assert PREVIEW_LABEL == "preview, not AI"


def test_extend_is_deterministic(tmp_path: Path) -> None:
    source = preview_clip(tmp_path / "s.mp4", "a lighthouse", frames=9)
    one, two = tmp_path / "a" / "1.mp4", tmp_path / "b" / "2.mp4"
    for dest in (one, two):
        dest.parent.mkdir()
        make_video(PREVIEW, extend_request(source, num_frames=17), dest, NullContext())
    assert one.read_bytes() == two.read_bytes()


def test_extend_a_source_with_another_frame_rate_keeps_its_rate_and_speed(tmp_path: Path) -> None:
    # A 30 fps upload, one second long: 16 continuation frames (1 s at 16 fps) become 30.
    rng = np.random.default_rng(0)
    frames = [np.full((64, 96, 3), rng.integers(0, 255, 3), np.uint8) for _ in range(30)]
    source = tmp_path / "thirty.mp4"
    encode_h264(frames, source, 30)
    dest = tmp_path / "out.mp4"
    make_video(PREVIEW, extend_request(source, width=96, height=64, num_frames=17), dest, NullContext())
    out, fps = decode(dest)
    assert fps == 30.0 and out.shape == (60, 64, 96, 3)


def test_extend_scales_a_continuation_of_another_size_to_the_source(tmp_path: Path) -> None:
    source = preview_clip(tmp_path / "s.mp4", "small", size=(96, 64), frames=9)
    dest = tmp_path / "out.mp4"
    # A model that made another size: the join scales it, so the clip has one size.
    make_video(PREVIEW, extend_request(source, width=192, height=128, num_frames=9), dest, NullContext())
    assert decode(dest)[0].shape == (9 + 8, 64, 96, 3)


def test_cancel_during_the_join_leaves_nothing(tmp_path: Path) -> None:
    class CancelAtJoin(NullContext):
        def report(self, progress: float | None = None, message: str | None = None) -> None:
            super().report(progress, message)
            if message == JOINING:
                self.cancel_requested = True

    source = preview_clip(tmp_path / "s.mp4", "x", frames=9)
    work = tmp_path / "job"
    work.mkdir()
    with pytest.raises(JobCancelled):
        make_video(PREVIEW, extend_request(source, num_frames=9), work / "out.mp4", CancelAtJoin())
    assert list(work.iterdir()) == []


def test_cancel_during_the_continuation_stops_it(tmp_path: Path) -> None:
    class CancelAfterThree(NullContext):
        def report(self, progress: float | None = None, message: str | None = None) -> None:
            super().report(progress, message)
            if len(self.progress) >= 3:
                self.cancel_requested = True

    source = preview_clip(tmp_path / "s.mp4", "x", frames=9)
    work = tmp_path / "job"
    work.mkdir()
    ctx = CancelAfterThree()
    with pytest.raises(JobCancelled):
        make_video(PREVIEW, extend_request(source, num_frames=65), work / "out.mp4", ctx)
    assert len(ctx.progress) == 3 and JOINING not in ctx.messages
    assert not (work / "out.mp4").exists() and not list(work.glob("*.png")) and not list(work.glob("*.continuation*"))


# --- preview: edit ---------------------------------------------------------------------


def edit_request(source: Path, prompt: str = "in the snow", **kw: Any) -> GenerationRequest:
    base: dict[str, Any] = dict(prompt=prompt, seed=3, operation="edit", video_path=source)
    base.update(kw)
    return GenerationRequest(**base)


def test_preview_edit_keeps_length_size_and_rate_and_changes_the_picture(tmp_path: Path) -> None:
    source = preview_clip(tmp_path / "s.mp4", "a red cat on a beach", size=(160, 96), frames=17)
    dest, again, other = tmp_path / "e.mp4", tmp_path / "e2.mp4", tmp_path / "o.mp4"
    ctx = NullContext()
    make_video(PREVIEW, edit_request(source, width=160, height=96, num_frames=17), dest, ctx)
    src, fps = decode(source)
    out, out_fps = decode(dest)
    assert out.shape == src.shape and out_fps == fps
    assert np.mean([mad(a, b) for a, b in zip(src, out, strict=True)]) > 15  # visibly changed
    # Still the source underneath: each edited frame is nearer its own source frame than another's.
    assert mad(out[0], src[0]) < mad(out[0], src[-1]) or mad(src[0], src[-1]) < 2
    assert ctx.progress[-1] == 100
    # Deterministic; another prompt gives another edit.
    make_video(PREVIEW, edit_request(source, width=160, height=96, num_frames=17), again, NullContext())
    make_video(PREVIEW, edit_request(source, "at night", width=160, height=96), other, NullContext())
    assert dest.read_bytes() == again.read_bytes()
    assert mad(decode(other)[0][8], out[8]) > 5


def test_preview_edit_lengths_and_the_source_rate(tmp_path: Path) -> None:
    frames = [np.full((48, 64, 3), (i * 20, 90, 160), np.uint8) for i in range(12)]
    source = tmp_path / "s.mp4"
    encode_h264(frames, source, Fraction(30000, 1001))
    whole, short, long = tmp_path / "w.mp4", tmp_path / "s5.mp4", tmp_path / "l20.mp4"
    make_video(PREVIEW, edit_request(source), whole, NullContext())  # no size, no count: the source's
    make_video(PREVIEW, edit_request(source, num_frames=5), short, NullContext())
    make_video(PREVIEW, edit_request(source, num_frames=20), long, NullContext())
    assert decode(whole)[0].shape == (12, 48, 64, 3)
    assert frame_rate(whole) == Fraction(30000, 1001)
    assert decode(short)[0].shape[0] == 5
    held, _ = decode(long)
    assert held.shape[0] == 20 and mad(held[11], held[19]) < 1  # the last frame held


def test_preview_edit_of_an_unreadable_source_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"<html>not a video</html>")
    with pytest.raises(ProviderError) as err:
        make_video(PREVIEW, edit_request(bad), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "invalid_request" and "source clip" in err.value.message
    assert not (tmp_path / "o.mp4").exists()
    with pytest.raises(ProviderError) as err:
        make_video(PREVIEW, extend_request(bad), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "invalid_request" and "source clip" in err.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.mp4"]


# --- make_video with other kinds of models -----------------------------------------------


class Recorder(Provider):
    """A provider that records its requests and writes a short clip."""

    name = "recorder"

    def __init__(self, caps: Capabilities) -> None:
        self.capabilities = caps
        self.requests: list[GenerationRequest] = []

    def status(self) -> ProviderStatus:
        return ProviderStatus(True, "ok")

    def generate(self, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
        self.requests.append(request)
        PREVIEW.generate(replace(request, operation="generate", image_path=None, num_frames=3), dest, ctx)


def test_make_video_refuses_what_a_model_cannot_do(tmp_path: Path) -> None:
    source = preview_clip(tmp_path / "s.mp4", "x", frames=3)
    text_only = Recorder(Capabilities())
    for request, needle in (
        (edit_request(source), "cannot edit"),
        (extend_request(source), "cannot extend"),
        (edit_request(None), "source clip"),  # type: ignore[arg-type]
        (extend_request(None), "source clip"),  # type: ignore[arg-type]
    ):
        with pytest.raises(ProviderError) as err:
            make_video(text_only, request, tmp_path / "o.mp4", NullContext())
        assert err.value.code == "invalid_request" and needle in err.value.message
    assert text_only.requests == []


def test_make_video_passes_generate_edit_and_native_extend_through(tmp_path: Path) -> None:
    source = preview_clip(tmp_path / "s.mp4", "x", frames=3)
    native = Recorder(Capabilities(native_extend=True, video_to_video=True))
    requests = [GenerationRequest(prompt="g"), edit_request(source), extend_request(source)]
    for i, request in enumerate(requests):
        make_video(native, request, tmp_path / f"{i}.mp4", NullContext())
    assert native.requests == requests  # unchanged: the provider writes the whole clip itself
    assert decode(tmp_path / "2.mp4")[0].shape[0] == 3


# --- media helpers ---------------------------------------------------------------------------


def test_last_frame_and_join_helpers(tmp_path: Path) -> None:
    colours = [(200, 40, 40), (40, 200, 40), (40, 40, 200)]
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    encode_h264([np.full((32, 48, 3), c, np.uint8) for c in colours], a, 16)
    encode_h264([np.full((32, 48, 3), c, np.uint8) for c in reversed(colours)], b, 16)
    png = tmp_path / "last.png"
    assert save_last_frame(a, png) == (48, 32)
    with Image.open(png) as image:
        assert np.abs(np.asarray(image).reshape(-1, 3).mean(0) - colours[-1]).max() < 8
    joined = tmp_path / "j.mp4"
    join_clips(a, b, joined, skip_first=1)
    got = decode(joined)[0]
    want = colours + list(reversed(colours))[1:]
    assert len(got) == 5
    for frame, colour in zip(got, want, strict=True):
        assert np.abs(frame.reshape(-1, 3).mean(0) - colour).max() < 8
    assert not list(tmp_path.glob("*.part"))


# --- spritesheet -------------------------------------------------------------------------------


def grey_clip(dest: Path, count: int, size: tuple[int, int], container: str = "mp4", step: int = 10) -> Path:
    """Frame i is a flat grey of level step * i (distinct per frame, so tiles can be identified)."""
    width, height = size
    if container == "mp4":
        encode_h264([np.full((height, width, 3), step * i, np.uint8) for i in range(count)], dest, 16)
        return dest
    with av.open(str(dest), "w", format=container) as out:  # no frame count in its header
        stream = out.add_stream("libx264", rate=16)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(count):
            frame = av.VideoFrame.from_ndarray(np.full((height, width, 3), step * i, np.uint8), format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return dest


def tile_levels(sheet: Path, layout_columns: int, tile: tuple[int, int], tiles: int) -> list[float]:
    with Image.open(sheet) as image:
        assert image.format == "JPEG"
        pixels = np.asarray(image.convert("L"), dtype=np.float32)
    w, h = tile
    levels = []
    for slot in range(tiles):
        x, y = slot % layout_columns * w, slot // layout_columns * h
        levels.append(float(pixels[y + 4 : y + h - 4, x + 4 : x + w - 4].mean()))
    return levels


def test_spritesheet_of_a_long_clip_is_a_5x5_grid_of_evenly_spaced_frames(tmp_path: Path) -> None:
    clip = grey_clip(tmp_path / "long.mp4", 25 * 2 + 1, (832, 480), step=5)
    sheet = tmp_path / "s.jpg"
    layout = write_spritesheet(clip, sheet)
    assert (layout.columns, layout.rows, layout.tile_width, layout.tile_height) == (5, 5, 160, 92)
    with Image.open(sheet) as image:
        assert image.size == layout.size == (800, 460)
    # Tile i shows the middle frame of the i-th of 25 equal stretches: floor((i + 0.5) * 51 / 25).
    assert layout.frame_indices == tuple(int((i + 0.5) * 51 / 25) for i in range(25))
    levels = tile_levels(sheet, 5, (160, 92), 25)
    assert levels == pytest.approx([5 * i for i in layout.frame_indices], abs=3)


def test_spritesheet_of_a_short_clip_shows_each_frame_once(tmp_path: Path) -> None:
    layout = write_spritesheet(grey_clip(tmp_path / "short.mp4", 7, (64, 48)), tmp_path / "s.jpg")
    assert (layout.columns, layout.rows, layout.tile_height, layout.frame_indices) == (5, 2, 120, tuple(range(7)))
    with Image.open(tmp_path / "s.jpg") as image:
        assert image.size == (800, 240)
    assert tile_levels(tmp_path / "s.jpg", 5, (160, 120), 7) == pytest.approx([10 * i for i in range(7)], abs=4)
    one = write_spritesheet(grey_clip(tmp_path / "one.mp4", 1, (48, 64)), tmp_path / "one.jpg")
    assert (one.columns, one.rows, one.tile_width, one.tile_height) == (1, 1, SPRITE_TILE_WIDTH, 213)


def test_spritesheet_without_a_frame_count_in_the_header(tmp_path: Path) -> None:
    clip = grey_clip(tmp_path / "c.mkv", 12, (64, 48), container="matroska")
    layout = write_spritesheet(clip, tmp_path / "s.jpg")
    assert layout == sprite_layout(12, 64, 48) and layout.frame_indices == tuple(range(12))
    assert tile_levels(tmp_path / "s.jpg", 5, (160, 120), 12) == pytest.approx([10 * i for i in range(12)], abs=4)


def test_spritesheet_of_a_real_preview_clip(tmp_path: Path) -> None:
    clip = preview_clip(tmp_path / "p.mp4", "a red cat", size=(832, 480), frames=33)
    layout = write_spritesheet(clip, tmp_path / "s.jpg")
    with Image.open(tmp_path / "s.jpg") as image:
        assert image.format == "JPEG" and image.size == (800, 460) == layout.size
        sheet = np.asarray(image)
    tiles = [sheet[r * 92 : (r + 1) * 92, c * 160 : (c + 1) * 160] for r in range(5) for c in range(5)]
    assert mad(tiles[0], tiles[-1]) > 5  # the tiles follow the clip's motion
