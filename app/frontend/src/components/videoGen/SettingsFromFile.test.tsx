import { act, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import VideoInputArea from './VideoInputArea';
import { defaultSettings } from './params';
import { restoreSettings } from './settingsFile';
import type { GenerationSettings, VideoModel } from './types/chat';
import { cloudModel, previewModel } from '../../test/fakeApi';

const MODELS: VideoModel[] = [previewModel, { ...cloudModel, ready: true }];

function Harness({ onSubmit }: { onSubmit: (text: string, p: unknown) => void }) {
  const [prompt, setPrompt] = useState('my own words');
  const [settings, setSettings] = useState<GenerationSettings>(defaultSettings(MODELS[1]));
  const composer = {
    prompt,
    setPrompt,
    settings,
    setSettings,
    reference: null,
    setReference: () => undefined,
    submit: onSubmit,
    pending: [],
    focusRequest: 0,
  };
  return <VideoInputArea composer={composer} models={MODELS} defaultModel={MODELS[1]} />;
}

/** POST /v1/videos/settings answering `body` (status 200) and recording what was sent. */
function answerSettings(body: unknown, status = 200) {
  const sent: FormData[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string, init: RequestInit) => {
      expect(url).toBe('/v1/videos/settings');
      sent.push(init.body as FormData);
      return Promise.resolve(
        new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }),
      );
    }),
  );
  return sent;
}

function drop(file: File) {
  fireEvent.drop(screen.getByTestId('prompt-box'), { dataTransfer: { files: [file], types: ['Files'] } });
}

const STUDIO_FILE = {
  object: 'video.settings',
  found: true,
  source: 'c2pa',
  settings: {
    prompt: 'a red kite over dunes',
    negative_prompt: 'fog',
    seed: 4242,
    num_inference_steps: 7,
    size: '96x64',
    seconds: '1',
    model: 'preview',
  },
  prompt_omitted: false,
  video_id: 'video_0123',
  message: 'Settings read from the file’s Content Credentials.',
};

afterEach(() => vi.unstubAllGlobals());

describe('settings from a dropped MP4', () => {
  it('fills the composer with the file’s settings, says so, and sends them', async () => {
    const sent = answerSettings(STUDIO_FILE);
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} />);
    act(() => drop(new File([new Uint8Array([0, 0, 0, 24, 102, 116, 121, 112])], 'kite.mp4', { type: 'video/mp4' })));
    expect(await screen.findByText(/Settings restored from the video/)).toBeInTheDocument();
    expect(sent[0].get('video')).toBeInstanceOf(File);
    expect(screen.getByLabelText('Prompt')).toHaveValue('a red kite over dunes');
    await userEvent.click(screen.getByRole('button', { name: 'Generate video' }));
    expect(onSubmit).toHaveBeenCalledWith('a red kite over dunes', {
      prompt: 'a red kite over dunes',
      model: 'preview',
      negative_prompt: 'fog',
      num_inference_steps: 7,
      seed: 4242,
      size: '96x64',
      seconds: '1',
    });
  });

  it('says a file without studio settings changed nothing', async () => {
    answerSettings({ ...STUDIO_FILE, found: false, source: null, settings: {}, video_id: null });
    render(<Harness onSubmit={vi.fn()} />);
    act(() => drop(new File([new Uint8Array(8)], 'holiday.mp4', { type: 'video/mp4' })));
    expect(
      await screen.findByText('“holiday.mp4” carries no studio settings; nothing was changed.'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Prompt')).toHaveValue('my own words');
  });

  it('answers a file that is no video without asking the server, and shows the server’s 400', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    render(<Harness onSubmit={vi.fn()} />);
    act(() => drop(new File(['notes'], 'notes.txt', { type: 'text/plain' })));
    expect(screen.getByTestId('settings-file-note')).toHaveTextContent('“notes.txt” is not a video');
    expect(fetchMock).not.toHaveBeenCalled();

    answerSettings(
      {
        error: {
          message: 'The file is not an MP4 video.',
          type: 'invalid_request_error',
          param: 'video',
          code: 'invalid_video',
        },
      },
      400,
    );
    act(() => drop(new File(['x'], 'fake.mp4', { type: 'video/mp4' })));
    expect(await screen.findByText('The file is not an MP4 video.')).toBeInTheDocument();
  });

  it('keeps the current model and the prompt when the file names a model not here and carries no prompt', () => {
    const current = defaultSettings(MODELS[1]);
    const restored = restoreSettings(
      { model: 'wan-elsewhere', seed: 9, num_inference_steps: 20 },
      MODELS,
      current,
      true,
    );
    expect(restored.settings).toEqual({ ...current, seed: '9', lockSeed: true, steps: '20' });
    expect(restored.prompt).toBeNull();
    expect(restored.message).toContain('“wan-elsewhere” is not here');
    expect(restored.message).toContain('it carries no prompt, so yours is kept');
  });
});
