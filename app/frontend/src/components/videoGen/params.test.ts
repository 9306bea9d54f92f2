import { describe, expect, it } from 'vitest';
import { defaultSettings, settingsFromVideo, sizeOptions, sizeToString, stepsRange, validate } from './params';
import { cloudModel, makeCapabilities, makeVideo, previewModel } from '../../test/fakeApi';

describe('generation parameters', () => {
  it('starts from "low quality", 12 steps, a random seed (unlocked), one video, the model size and length', () => {
    expect(defaultSettings(previewModel)).toEqual({
      model: 'preview',
      negativePrompt: 'low quality',
      steps: '12',
      seed: '0',
      lockSeed: false,
      size: '832x480',
      seconds: '5',
      variations: 1,
    });
  });

  it('reuses a video: its prompt-side settings, model and seed', () => {
    const v = makeVideo({ seed: 99, num_inference_steps: 20, negative_prompt: 'blur', size: '480x832', seconds: '3' });
    expect(settingsFromVideo(v, previewModel, defaultSettings(previewModel))).toMatchObject({
      model: 'preview',
      steps: '20',
      seed: '99',
      lockSeed: true,
      negativePrompt: 'blur',
      size: '480x832',
      seconds: '3',
    });
  });

  it('reads "WxH" sizes and drops anything else', () => {
    expect(sizeToString('832x480')).toBe('832x480');
    expect(sizeToString('big')).toBeNull();
    expect(sizeToString(null)).toBeNull();
    expect(sizeOptions(makeCapabilities({ sizes: ['832x480', '480x832', '832 x 480'] }))).toEqual([
      '832x480',
      '480x832',
    ]);
  });

  it('keeps steps within the model range', () => {
    expect(stepsRange(cloudModel.capabilities)).toEqual([4, 50]);
    const bad = validate('Volcano on a beach', { ...defaultSettings(cloudModel), steps: '2' }, cloudModel);
    expect(bad.params).toBeNull();
    expect(bad.errors.steps).toMatch(/4 to 50/);
  });

  it('builds the POST body and drops size for models that do not take one', () => {
    const ok = validate('  Volcano on a beach ', { ...defaultSettings(cloudModel), size: '832x480' }, cloudModel);
    expect(ok.params).toEqual({
      prompt: 'Volcano on a beach',
      model: 'tt-cloud',
      negative_prompt: 'low quality',
      num_inference_steps: 12,
      seconds: '5',
    });
    const locked = validate(
      'x',
      { ...defaultSettings(cloudModel), lockSeed: true, seed: '5', variations: 2 },
      cloudModel,
    );
    expect(locked.params).toMatchObject({ seed: 5, n: 2 });
    const withSize = validate('x', defaultSettings(previewModel), previewModel);
    expect(withSize.params?.size).toBe('832x480');
  });

  it('rejects an empty prompt, a bad seed and a malformed size', () => {
    const r = validate(
      '   ',
      { ...defaultSettings(previewModel), lockSeed: true, seed: '-1', size: '832 by 480' },
      previewModel,
    );
    expect(r.params).toBeNull();
    expect(Object.keys(r.errors).sort()).toEqual(['prompt', 'seed', 'size']);
  });
});
