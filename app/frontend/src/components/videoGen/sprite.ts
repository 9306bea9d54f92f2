// The spritesheet's grid (docs/api.md "Spritesheet"): at most 5 x 5 tiles, one per frame for
// clips of 25 frames or fewer, left to right then top to bottom in time order.

export interface SpriteGrid {
  tiles: number;
  columns: number;
  rows: number;
}

export function spriteGrid(frames: number | null | undefined): SpriteGrid {
  const tiles = Math.max(1, Math.min(25, frames && frames > 0 ? Math.floor(frames) : 25));
  const columns = Math.min(5, tiles);
  return { tiles, columns, rows: Math.ceil(tiles / columns) };
}

/** CSS background size and position showing the tile for `fraction` (0..1) of the clip. */
export function spriteStyle(
  grid: SpriteGrid,
  fraction: number,
): { backgroundSize: string; backgroundPosition: string } {
  const f = Math.max(0, Math.min(0.9999, fraction));
  const i = Math.floor(f * grid.tiles);
  const col = i % grid.columns;
  const row = Math.floor(i / grid.columns);
  const x = grid.columns > 1 ? (col / (grid.columns - 1)) * 100 : 0;
  const y = grid.rows > 1 ? (row / (grid.rows - 1)) * 100 : 0;
  return {
    backgroundSize: `${grid.columns * 100}% ${grid.rows * 100}%`,
    backgroundPosition: `${x}% ${y}%`,
  };
}
