import { describe, expect, it } from 'vitest';
import { checkAxes, parseAxis, tooManyCellsMessage } from './axes';

describe('sweep axes', () => {
  it('reads a seed range shorthand as [start, count]', () => {
    expect(parseAxis({ param: 'seed', values: '1..9', find: '' }, 'p')).toEqual({
      axis: { param: 'seed', range: [1, 9] },
      count: 9,
    });
    expect(parseAxis({ param: 'seed', values: '5-7', find: '' }, 'p')).toEqual({
      axis: { param: 'seed', range: [5, 3] },
      count: 3,
    });
  });

  it('checks numbers, sizes and prompt replacements', () => {
    expect(parseAxis({ param: 'num_inference_steps', values: '8, x', find: '' }, 'p')).toEqual({
      error: 'Steps: "x" is not a whole number.',
    });
    expect(parseAxis({ param: 'size', values: '832x480, big', find: '' }, 'p')).toEqual({
      error: 'Size: "big" is not a size like 832x480.',
    });
    expect(parseAxis({ param: 'prompt_replace', values: 'wolf', find: 'cat' }, 'a red fox')).toEqual({
      error: 'Prompt words: "cat" is not in the prompt.',
    });
    expect(parseAxis({ param: 'prompt_replace', values: 'wolf\nhare', find: 'fox' }, 'a red fox')).toEqual({
      axis: { param: 'prompt_replace', find: 'fox', values: ['wolf', 'hare'] },
      count: 2,
    });
    expect(parseAxis({ param: 'seconds', values: ' ', find: '' }, 'p')).toEqual({
      error: 'Seconds: give at least one value.',
    });
  });

  it('refuses a setting on two axes', () => {
    const check = checkAxes(
      [
        { param: 'seed', values: '1,2', find: '' },
        { param: 'seed', values: '3', find: '' },
      ],
      'p',
    );
    expect(check.error).toMatch(/on two axes/);
  });

  it('counts the cells and refuses more than 64 in the server words', () => {
    const ok = checkAxes(
      [
        { param: 'seed', values: '1..3', find: '' },
        { param: 'num_inference_steps', values: '4,8,12', find: '' },
      ],
      'p',
    );
    expect(ok.cells).toBe(9);
    expect(ok.error).toBeNull();
    expect(ok.axes).toEqual([
      { param: 'seed', range: [1, 3] },
      { param: 'num_inference_steps', values: [4, 8, 12] },
    ]);
    const big = checkAxes(
      [
        { param: 'seed', values: '1..3', find: '' },
        { param: 'num_inference_steps', values: '1,2,3,4,5', find: '' },
        { param: 'seconds', values: '1,2,3,4,5,6', find: '' },
      ],
      'p',
    );
    expect(big.cells).toBe(90);
    expect(big.error).toBe('3 x 5 x 6 = 90 cells; a sweep makes at most 64.');
    expect(tooManyCellsMessage([8, 8])).toBe('8 x 8 = 64 cells; a sweep makes at most 64.');
  });
});
