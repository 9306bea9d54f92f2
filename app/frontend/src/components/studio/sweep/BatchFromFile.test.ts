import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../videoGen/api/videoGeneration';
import type { LineResult } from './BatchFromFile';
import { promptsOf, queueLines } from './BatchFromFile';
import { batchSettings } from './ComposerBatchDrop';

describe('batch from a file', () => {
  it('takes one prompt a line, skipping blank lines, keeping line numbers', () => {
    expect(promptsOf('a fox\r\n\n  a wolf  \n')).toEqual([
      { line: 1, prompt: 'a fox' },
      { line: 3, prompt: 'a wolf' },
    ]);
  });

  it('sends a job per line with the settings, one at a time, and reports each outcome', async () => {
    const create = vi.fn((params: { prompt: string }) =>
      params.prompt === 'bad'
        ? Promise.reject(new ApiError('prompt is too long', { status: 400, code: 'invalid_value' }))
        : Promise.resolve({ id: `video_${params.prompt}` }),
    );
    const reports: LineResult[][] = [];
    const out = await queueLines(
      promptsOf('one\nbad\nthree'),
      { model: 'preview', size: '128x96' },
      (r) => reports.push(r),
      create,
    );
    expect(create.mock.calls.map(([p]) => p)).toEqual([
      { model: 'preview', size: '128x96', prompt: 'one' },
      { model: 'preview', size: '128x96', prompt: 'bad' },
      { model: 'preview', size: '128x96', prompt: 'three' },
    ]);
    expect(out.map((r) => [r.line, r.state, r.detail])).toEqual([
      [1, 'queued', 'video_one'],
      [2, 'failed', 'prompt is too long'],
      [3, 'queued', 'video_three'],
    ]);
    // Progress: every line waits first, then each is sent in turn.
    expect(reports[0].map((r) => r.state)).toEqual(['waiting', 'waiting', 'waiting']);
    expect(reports[1].map((r) => r.state)).toEqual(['sending', 'waiting', 'waiting']);
  });

  it("takes the composer's settings without the variations", () => {
    const settings = {
      model: 'preview',
      negativePrompt: 'blurry',
      steps: '8',
      seed: '42',
      lockSeed: true,
      size: '',
      seconds: '',
      variations: 3,
    };
    expect(batchSettings(settings, undefined)).toEqual({
      model: 'preview',
      negative_prompt: 'blurry',
      num_inference_steps: 8,
      seed: 42,
      size: undefined,
      seconds: undefined,
    });
    expect(batchSettings({ ...settings, steps: 'x' }, undefined)).toBeNull();
  });
});
