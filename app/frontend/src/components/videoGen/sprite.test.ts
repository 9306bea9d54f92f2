import { describe, expect, it } from 'vitest';
import { spriteGrid, spriteStyle } from './sprite';

describe('spritesheet grid (docs/api.md)', () => {
  it('has at most 5 x 5 tiles, one per frame for short clips', () => {
    expect(spriteGrid(33)).toEqual({ tiles: 25, columns: 5, rows: 5 });
    expect(spriteGrid(7)).toEqual({ tiles: 7, columns: 5, rows: 2 });
    expect(spriteGrid(3)).toEqual({ tiles: 3, columns: 3, rows: 1 });
    expect(spriteGrid(null)).toEqual({ tiles: 25, columns: 5, rows: 5 });
  });

  it('positions the tile for a fraction of the clip', () => {
    const grid = spriteGrid(33);
    expect(spriteStyle(grid, 0)).toEqual({ backgroundSize: '500% 500%', backgroundPosition: '0% 0%' });
    expect(spriteStyle(grid, 1).backgroundPosition).toBe('100% 100%');
    expect(spriteStyle(grid, 0.25).backgroundPosition).toBe('25% 25%'); // tile 6: column 1, row 1
  });
});
