import { describe, expect, it } from 'vitest';
import type { VideoModel } from '../../videoGen/types/chat';
import { blankShot, continueUnavailable, joinChoices, moveShot, shotIn } from './shots';

function model(imageToVideo: boolean): VideoModel {
  return {
    id: imageToVideo ? 'preview' : 'tt-cloud',
    object: 'model',
    label: imageToVideo ? 'Preview' : 'Cloud text-only',
    owned_by: 'studio',
    ready: true,
    default: true,
    preview: imageToVideo,
    detail: '',
    concurrency: 1,
    queue_paused: false,
    runs_on: 'this_machine',
    typical_time: null,
    capabilities: {
      steps_range: [1, 100],
      default_steps: 12,
      default_size: '832x480',
      sizes: null,
      accepts_size: true,
      accepts_frames: true,
      frames_range: [1, 321],
      image_to_video: imageToVideo,
      last_frame: false,
      fps: 16,
      default_seconds: 2,
      seconds: null,
      max_seconds: 20,
      extend: false,
      edit: false,
      remix: false,
      sound: false,
      text_to_video: true,
    },
  };
}

describe('join options per model', () => {
  it('offers cut, continue and crossfade on a model with image-to-video', () => {
    const choices = joinChoices(model(true));
    expect(choices.map((c) => [c.value, c.disabled])).toEqual([
      ['cut', false],
      ['continue', false],
      ['crossfade', false],
    ]);
    expect(continueUnavailable(model(true))).toBeNull();
  });

  it('offers no continue on a text-only model, and says why', () => {
    const choices = joinChoices(model(false));
    expect(choices.find((c) => c.value === 'continue')?.disabled).toBe(true);
    expect(choices.filter((c) => !c.disabled).map((c) => c.value)).toEqual(['cut', 'crossfade']);
    expect(continueUnavailable(model(false))).toMatch(/no image-to-video.*cut or crossfade/);
  });
});

describe('shots', () => {
  it('moves a shot and keeps the others in order', () => {
    expect(moveShot(['a', 'b', 'c', 'd'], 0, 2)).toEqual(['b', 'c', 'a', 'd']);
    expect(moveShot(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveShot(['a', 'b'], 1, 5)).toEqual(['a', 'b']);
  });

  it('sends the first shot as a cut, a seed only when given, crossfade frames only on a crossfade', () => {
    const shot = { ...blankShot(), prompt: ' fox ', join: 'crossfade' as const, crossfadeFrames: 4, seed: '7' };
    expect(shotIn(shot, 0)).toEqual({ prompt: 'fox', seconds: 2, join: 'cut', seed: 7 });
    expect(shotIn({ ...shot, seed: '' }, 1)).toEqual({
      prompt: 'fox',
      seconds: 2,
      join: 'crossfade',
      crossfade_frames: 4,
    });
  });
});
