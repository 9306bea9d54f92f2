import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import ShapeFields from './ShapeFields';
import VideoInputArea from './VideoInputArea';
import { defaultSettings, validate } from './params';
import type { VideoModel } from './types/chat';
import { makeCapabilities, previewModel } from '../../test/fakeApi';

const withSound: VideoModel = { ...previewModel, capabilities: makeCapabilities({ sound: true }) };
const silent: VideoModel = { ...previewModel, capabilities: makeCapabilities({ sound: false }) };

describe('asking for sound', () => {
  it('sends sound only to a model that makes it', () => {
    const asked = { ...defaultSettings(withSound), sound: true };
    expect(validate('a bell rings', asked, withSound).params?.sound).toBe(true);
    expect(validate('a bell rings', { ...asked, sound: false }, withSound).params?.sound).toBeUndefined();
    expect(validate('a bell rings', asked, silent).params?.sound).toBeUndefined();
  });

  it('offers a sound switch where the model makes sound, and none where it does not', async () => {
    const update = vi.fn();
    const settings = defaultSettings(withSound);
    const { rerender } = render(
      <ShapeFields ids="f" caps={withSound.capabilities} settings={settings} update={update} errors={{}} />,
    );
    await userEvent.click(screen.getByRole('checkbox', { name: /Sound/ }));
    expect(update).toHaveBeenCalledWith({ sound: true });
    rerender(<ShapeFields ids="f" caps={silent.capabilities} settings={settings} update={update} errors={{}} />);
    expect(screen.queryByRole('checkbox', { name: /Sound/ })).toBeNull();
  });

  it('says so under the prompt box when sound is on and the model makes it', () => {
    const hint = (model: VideoModel) => {
      const composer = {
        prompt: '',
        setPrompt: () => undefined,
        settings: { ...defaultSettings(model), sound: true },
        setSettings: () => undefined,
        reference: null,
        setReference: () => undefined,
        submit: () => undefined,
        pending: [],
        focusRequest: 0,
      };
      const { unmount } = render(<VideoInputArea composer={composer} models={[model]} defaultModel={model} />);
      const text = screen.getByTestId('prompt-hint').textContent;
      unmount();
      return text;
    };
    expect(hint(withSound)).toMatch(/, with sound\./);
    expect(hint(silent)).not.toMatch(/sound/);
  });
});
