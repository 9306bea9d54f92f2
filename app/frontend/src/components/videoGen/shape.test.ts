import { describe, expect, it } from 'vitest';
import { aspectLabel, framesFor, secondsOptions, sizeError, sizePresets } from './shape';
import { makeCapabilities } from '../../test/fakeApi';

describe('shape from capabilities', () => {
  it('offers landscape, portrait and square around the default size for models that take any size', () => {
    expect(sizePresets(makeCapabilities({ default_size: '832x480' })).map((p) => p.value)).toEqual([
      '832x480',
      '480x832',
      '624x624',
    ]);
    expect(sizePresets(makeCapabilities({ default_size: '832x480' }))[0].label).toBe('Landscape 16:9 · 832x480');
  });

  it("offers only the model's own sizes when it lists them, and none when it takes no size", () => {
    expect(sizePresets(makeCapabilities({ sizes: ['1280x720', '720x1280'] })).map((p) => p.value)).toEqual([
      '1280x720',
      '720x1280',
    ]);
    expect(sizePresets(makeCapabilities({ accepts_size: false }))).toEqual([]);
  });

  it("checks a typed size with the studio's rule", () => {
    expect(sizeError('640x352')).toBeNull();
    expect(sizeError('640x360')).toMatch(/multiples of 16/);
    expect(sizeError('10000x10000')).toMatch(/64 to 1920/);
    expect(sizeError('big')).toMatch(/look like/);
  });

  it('offers the listed lengths or 1..max_seconds', () => {
    expect(secondsOptions(makeCapabilities({ seconds: [8, 4] }))).toEqual([4, 8]);
    expect(secondsOptions(makeCapabilities({ seconds: null, max_seconds: 3 }))).toEqual([1, 2, 3]);
    expect(framesFor(2, makeCapabilities({ fps: 16 }))).toBe(33);
  });

  it('names common aspect ratios', () => {
    expect(aspectLabel('1280x720')).toBe('16:9');
    expect(aspectLabel('480x832')).toBe('9:16');
    expect(aspectLabel('640x640')).toBe('1:1');
  });
});
