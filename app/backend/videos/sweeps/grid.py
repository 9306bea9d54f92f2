"""A sweep's cells as one H.264 MP4: tiles in a grid with their axes' values written beside them.

Layout (docs/api.md, Sweep grids): the first axis runs across (a column per value, its labels
above the columns), the second down (a row per value, its labels left of the rows), a third
repeats that block of rows once per value, one block under the other, each under a band naming
its value. Every tile has one size: the widest cell's width (smaller if the grid would pass
`max_width`, 1920 px) by the tallest cell's aspect ratio; a cell is scaled to fit its tile and
centred. Frame i of the grid shows frame i of every cell, at the first cell's frame rate; a
shorter cell holds its last frame, and a cell with no video is a grey tile saying why.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from videos.files.media import decoding, encode_h264, frame_rate

MAX_WIDTH = 1920
GAP = 2  # between tiles
PAD = 4  # around label text
FONT_SIZES = (10, 20)  # label text grows with the tiles, within these
MAX_LABEL_BAND = 320  # the row labels' band is never wider
BACKGROUND = (18, 18, 18)
TEXT = (235, 235, 235)
NO_VIDEO = (110, 110, 110)
DEFAULT_CELL = (320, 180)  # a grid whose cells all failed still has tiles of some size
SHORT_NAMES = {"num_inference_steps": "steps", "negative_prompt": "negative", "prompt_replace": "prompt"}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class GridCell:
    index: tuple[int, ...]
    path: Path | None  # None: no video; `note` says why ("failed", "cancelled", "deleted")
    note: str = ""


@dataclass(frozen=True)
class GridLayout:
    width: int
    height: int
    columns: int
    rows: int
    blocks: int
    tile_width: int
    tile_height: int
    left: int  # the row labels' band
    top: int  # the column labels' band
    band: int  # a third axis's band above each block (0 without one)
    font_size: int

    def tile(self, index: Sequence[int]) -> tuple[int, int]:
        """(x, y) of the tile of cell `index` ([column, row, block], as long as there are axes)."""
        column, row, block = [*index, 0, 0][:3]
        x = self.left + GAP + column * (self.tile_width + GAP)
        y = (
            self.top
            + block * (self.band + self.rows * (self.tile_height + GAP))
            + self.band
            + row * (self.tile_height + GAP)
        )
        return x, y

    def placement(self, index: Sequence[int], width: int, height: int) -> tuple[int, int, int, int]:
        """(x, y, w, h) of a width x height cell scaled to fit its tile, centred."""
        scale = min(self.tile_width / width, self.tile_height / height)
        w, h = max(2, round(width * scale)), max(2, round(height * scale))
        x, y = self.tile(index)
        return x + (self.tile_width - w) // 2, y + (self.tile_height - h) // 2, w, h


def value_label(param: str, value: Any) -> str:
    name = SHORT_NAMES.get(param, param)
    return f"{name}: {value}" if param == "prompt_replace" else f"{name} = {value}"


def font(size: int) -> Font:
    try:
        return ImageFont.load_default(size=size)
    except (ImportError, OSError, TypeError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def grid_layout(
    axes: Sequence[tuple[str, Sequence[Any]]], cell_sizes: Sequence[tuple[int, int]], max_width: int = MAX_WIDTH
) -> GridLayout:
    """Where everything goes, from the axes (param, values) and the cells' (width, height)."""
    columns = len(axes[0][1])
    sizes = list(cell_sizes) or [DEFAULT_CELL]
    native = max(width for width, _ in sizes)
    rough = min(native, max_width // columns)  # the tile width before the labels take their room
    font_size = max(FONT_SIZES[0], min(FONT_SIZES[1], rough // 28))
    face = font(font_size)
    line = _line_height(face)
    rows = len(axes[1][1]) if len(axes) > 1 else 1
    blocks = len(axes[2][1]) if len(axes) > 2 else 1
    left = 0
    if len(axes) > 1:
        widest = max(face.getlength(value_label(axes[1][0], value)) for value in axes[1][1])
        left = min(math.ceil(widest) + 2 * PAD, MAX_LABEL_BAND, max_width // 4)
    top = line + 2 * PAD
    band = line + 2 * PAD if len(axes) > 2 else 0
    aspect = max(height / width for width, height in sizes)
    tile_width = max(2, min(native, (max_width - left - GAP - columns * GAP) // columns))
    while True:  # even sides for yuv420p, never past max_width
        tile_height = max(2, round(tile_width * aspect))
        width = left + GAP + columns * (tile_width + GAP)
        height = top + blocks * (band + rows * (tile_height + GAP))
        width, height = width + width % 2, height + height % 2
        if width <= max_width or tile_width <= 2:
            return GridLayout(width, height, columns, rows, blocks, tile_width, tile_height, left, top, band, font_size)
        tile_width -= 1


def _line_height(face: Font) -> int:
    box = face.getbbox("Ag")
    return int(box[3] - box[1]) + 2


def _fitted(text: str, width: float, face: Font) -> str:
    """The text, cut with "..." where it is wider than `width` pixels."""
    if face.getlength(text) <= width:
        return text
    while text and face.getlength(text + "...") > width:
        text = text[:-1]
    return text + "..." if text else ""


def _canvas(axes: Sequence[tuple[str, Sequence[Any]]], cells: Sequence[GridCell], layout: GridLayout) -> np.ndarray:
    """Everything that does not move: the labels and the tiles of cells without a video."""
    image = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    face = font(layout.font_size)
    line = _line_height(face)
    param, values = axes[0]
    for column, value in enumerate(values):
        x, _ = layout.tile([column])
        label = value_label(param, value)
        text = label if face.getlength(label) <= layout.tile_width else str(value)
        draw.text((x, PAD), _fitted(text, layout.tile_width, face), font=face, fill=TEXT)
    for block in range(layout.blocks):
        for row in range(layout.rows):
            _, y = layout.tile([0, row, block])
            if len(axes) > 1:
                label = _fitted(value_label(axes[1][0], axes[1][1][row]), layout.left - 2 * PAD, face)
                draw.text((PAD, y + (layout.tile_height - line) // 2), label, font=face, fill=TEXT)
        if len(axes) > 2:
            _, y = layout.tile([0, 0, block])
            label = _fitted(value_label(axes[2][0], axes[2][1][block]), layout.width - 2 * PAD, face)
            draw.text((PAD, y - layout.band + PAD), label, font=face, fill=TEXT)
    for cell in cells:
        if cell.path is None:
            x, y = layout.tile(cell.index)
            draw.rectangle((x, y, x + layout.tile_width - 1, y + layout.tile_height - 1), fill=NO_VIDEO)
            note = _fitted(cell.note or "failed", layout.tile_width - 2, face)
            width = face.getlength(note)
            draw.text((x + (layout.tile_width - width) / 2, y + (layout.tile_height - line) / 2), note, font=face)
    return np.asarray(image).copy()


def _size(path: Path) -> tuple[int, int]:
    with decoding(path) as (_, stream):
        return stream.codec_context.width, stream.codec_context.height


def _scaled(path: Path, width: int, height: int) -> Generator[np.ndarray, None, None]:
    """The clip's frames scaled to width x height, decoded one at a time on this thread: a grid
    holds up to 64 clips open, and a decoder's own threads each would be hundreds."""
    with decoding(path) as (container, stream):
        stream.thread_type = "NONE"
        for frame in container.decode(stream):
            yield frame.reformat(width=width, height=height, format="rgb24", interpolation="BILINEAR").to_ndarray()


def render_grid(
    axes: Sequence[tuple[str, Sequence[Any]]], cells: Sequence[GridCell], dest: Path, max_width: int = MAX_WIDTH
) -> tuple[GridLayout, int]:
    """Write the grid MP4 to `dest`; its layout and frame count (the longest cell's)."""
    sizes = {cell.index: _size(cell.path) for cell in cells if cell.path is not None}
    layout = grid_layout(axes, list(sizes.values()), max_width)
    canvas = _canvas(axes, cells, layout)
    first = next((cell.path for cell in cells if cell.path is not None), None)
    fps = frame_rate(first) if first is not None else Fraction(16)
    playing = []
    for cell in cells:
        if cell.path is not None:
            x, y, w, h = layout.placement(cell.index, *sizes[cell.index])
            playing.append(_Playing(x, y, _scaled(cell.path, w, h)))
    count = 0

    def frames() -> Iterator[np.ndarray]:
        nonlocal count
        while True:
            moved = False
            for source in playing:
                tile = next(source.frames, None)
                if tile is not None:  # else a shorter cell holds its last frame
                    source.last, moved = tile, True
            if count and not moved:
                return
            frame = canvas.copy()
            for source in playing:
                if source.last is not None:
                    height, width = source.last.shape[:2]
                    frame[source.y : source.y + height, source.x : source.x + width] = source.last
            count += 1
            yield frame
            if not playing:  # no cell has a video: one still frame
                return

    try:
        encode_h264(frames(), dest, fps, crf=20)
    finally:
        for source in playing:
            source.frames.close()  # the decoders of an encode cut short
    return layout, count


@dataclass
class _Playing:
    x: int
    y: int
    frames: Generator[np.ndarray, None, None]
    last: np.ndarray | None = None
