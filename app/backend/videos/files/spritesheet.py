"""The spritesheet variant of a finished video: one JPEG grid of evenly spaced frames.

The layout is fixed so a client can cut the tiles out without asking:

- at most SPRITE_COLUMNS x SPRITE_ROWS = 5 x 5 = 25 tiles, fewer for a clip with fewer
  frames (one tile per frame then);
- `columns = min(5, tiles)`, `rows = ceil(tiles / columns)`, filled left to right, top to
  bottom in time order, no gaps or borders (a last row may be part-filled, the rest black);
- every tile is SPRITE_TILE_WIDTH = 160 px wide and keeps the clip's aspect ratio
  (height = round(160 * height / width), at least 1): 160x92 for 832x480, so a full sheet of
  a 832x480 clip is 800x460;
- tile i shows the frame at the middle of the i-th of `tiles` equal stretches of the clip
  (frame index floor((i + 0.5) * frames / tiles)): first and last stretches are covered,
  and a clip of 25 frames or fewer shows each frame once.

The clip is decoded once; only the chosen frames are converted and scaled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from videos.files.media import InvalidVideo, decoding

SPRITE_COLUMNS = 5
SPRITE_ROWS = 5
SPRITE_TILE_WIDTH = 160
SPRITE_JPEG_QUALITY = 80
MAX_TILES = SPRITE_COLUMNS * SPRITE_ROWS


@dataclass(frozen=True)
class SpriteLayout:
    """Where each frame sits in a spritesheet (see the module's docstring)."""

    columns: int
    rows: int
    tile_width: int
    tile_height: int
    frame_indices: tuple[int, ...]  # the clip frame shown by tile i

    @property
    def tiles(self) -> int:
        return len(self.frame_indices)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the whole sheet in pixels."""
        return self.columns * self.tile_width, self.rows * self.tile_height


def sprite_layout(frames: int, width: int, height: int) -> SpriteLayout:
    """The grid for a clip of `frames` frames of width x height."""
    if frames < 1 or width < 1 or height < 1:
        raise ValueError("a spritesheet needs at least one frame of a positive size")
    tiles = min(MAX_TILES, frames)
    columns = min(SPRITE_COLUMNS, tiles)
    rows = math.ceil(tiles / columns)
    tile_height = max(1, round(SPRITE_TILE_WIDTH * height / width))
    indices = tuple(min(frames - 1, math.floor((i + 0.5) * frames / tiles)) for i in range(tiles))
    return SpriteLayout(columns, rows, SPRITE_TILE_WIDTH, tile_height, indices)


def write_spritesheet(video: Path, dest: Path) -> SpriteLayout:
    """Write the clip's spritesheet JPEG to `dest` and return its layout.

    The frame count comes from the container's header where it has one (every MP4 the studio
    writes); otherwise every frame is kept as a small tile while decoding and the chosen ones
    are picked at the end. Either way the clip is decoded once.
    """
    with decoding(video) as (container, stream):
        width, height = stream.codec_context.width, stream.codec_context.height
        known = int(stream.frames or 0)
        layout = sprite_layout(known, width, height) if known > 0 and width and height else None
        wanted = set(layout.frame_indices) if layout else None  # None: keep every frame
        tiles: dict[int, Image.Image] = {}
        count = 0
        for index, frame in enumerate(container.decode(stream)):
            count = index + 1
            if wanted is not None and index not in wanted:
                continue
            image = frame.to_image()
            tile_height = max(1, round(SPRITE_TILE_WIDTH * image.height / image.width))
            tiles[index] = image.resize((SPRITE_TILE_WIDTH, tile_height), Image.Resampling.BILINEAR)
    if count == 0 or not tiles:
        raise InvalidVideo("no frames for a spritesheet")
    if layout is None:  # no count in the header: every frame was kept as a tile
        layout = sprite_layout(count, width or tiles[0].width, height or tiles[0].height)
    elif count < known:
        raise InvalidVideo(f"truncated: {count} of {known} frames decode")
    sheet = Image.new("RGB", layout.size, (0, 0, 0))
    for slot, index in enumerate(layout.frame_indices):
        column, row = slot % layout.columns, slot // layout.columns
        sheet.paste(tiles[index].convert("RGB"), (column * layout.tile_width, row * layout.tile_height))
    sheet.save(dest, format="JPEG", quality=SPRITE_JPEG_QUALITY)
    return layout
