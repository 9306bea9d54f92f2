import { afterEach, describe, expect, it } from 'vitest';
import { loadDraft, loadSettings, loadView, saveDraft, saveSettings, saveView } from './settingsStore';
import { defaultSettings } from './params';
import { previewModel } from '../../test/fakeApi';

afterEach(() => localStorage.clear());

describe('remembered settings', () => {
  it('round-trips the parameters and the view', () => {
    expect(loadSettings()).toBeNull();
    const s = { ...defaultSettings(previewModel), lockSeed: true, seed: '7', variations: 3 };
    saveSettings(s);
    expect(loadSettings()).toEqual(s);
    expect(loadView()).toBe('chat');
    saveView('grid');
    expect(loadView()).toBe('grid');
  });

  it('ignores stored settings of another shape', () => {
    localStorage.setItem('video-studio.settings.v1', '{"model": 3}');
    expect(loadSettings()).toBeNull();
    localStorage.setItem('video-studio.settings.v1', 'not json');
    expect(loadSettings()).toBeNull();
  });
});

describe('the unsent prompt', () => {
  it('is kept until the box is emptied', () => {
    expect(loadDraft()).toBe('');
    saveDraft('half a thought');
    expect(loadDraft()).toBe('half a thought');
    saveDraft('');
    expect(loadDraft()).toBe('');
  });
});
