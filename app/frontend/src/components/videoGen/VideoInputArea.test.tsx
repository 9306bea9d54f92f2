import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import VideoInputArea, { COUNTER_FROM } from './VideoInputArea';
import type { CreateVideoRequest } from './api/videoGeneration';
import { defaultSettings } from './params';
import type { GenerationSettings, VideoModel } from './types/chat';
import { cloudModel, previewModel } from '../../test/fakeApi';

function Harness({
  onSubmit,
  models = [previewModel, { ...cloudModel, ready: true }],
  initial,
}: {
  onSubmit: (text: string, p: CreateVideoRequest) => void;
  models?: VideoModel[];
  initial?: Partial<GenerationSettings>;
}) {
  const [prompt, setPrompt] = useState('');
  const [settings, setSettings] = useState<GenerationSettings>({ ...defaultSettings(models[0]), ...initial });
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
  return <VideoInputArea composer={composer} models={models} defaultModel={models[0]} />;
}

describe('VideoInputArea', () => {
  it('submits on Enter with the defaults: no seed (a random one), the model size and length', async () => {
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} />);
    const box = screen.getByLabelText('Prompt');
    expect(box).toHaveFocus(); // focused on load
    expect(box).toHaveAttribute('placeholder', expect.stringContaining('Volcano on a beach'));
    await userEvent.type(box, 'Volcano on a beach{Enter}');
    expect(onSubmit).toHaveBeenCalledWith('Volcano on a beach', {
      prompt: 'Volcano on a beach',
      model: 'preview',
      negative_prompt: 'low quality',
      num_inference_steps: 12,
      size: '832x480',
      seconds: '5',
    });
  });

  it('makes a new line on Shift+Enter instead of submitting', async () => {
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} />);
    const box = screen.getByLabelText('Prompt');
    await userEvent.type(box, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(onSubmit).not.toHaveBeenCalled();
    expect(box).toHaveValue('line one\nline two');
  });

  it('does not submit an empty prompt and says why', async () => {
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} />);
    await userEvent.click(screen.getByRole('button', { name: 'Generate video' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText('Describe the video you want.')).toBeInTheDocument();
    expect(screen.getByLabelText('Prompt')).toHaveAttribute('aria-invalid', 'true');
  });

  it('sends the seed only while it is locked, and variations as n', async () => {
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} />);
    await userEvent.click(screen.getByRole('button', { name: 'Show parameters' }));
    expect(screen.getByText(/Random: each video gets a new seed/)).toBeInTheDocument();
    await userEvent.click(screen.getByTestId('seed-lock'));
    const seed = screen.getByLabelText('Seed');
    await userEvent.clear(seed);
    await userEvent.type(seed, '42');
    await userEvent.selectOptions(screen.getByLabelText('Variations'), '3');
    await userEvent.type(screen.getByLabelText('Prompt'), 'x{Enter}');
    expect(onSubmit).toHaveBeenLastCalledWith('x', expect.objectContaining({ seed: 42, n: 3 }));
  });

  it('closes the parameters panel on Escape', async () => {
    render(<Harness onSubmit={vi.fn()} />);
    await userEvent.click(screen.getByRole('button', { name: 'Show parameters' }));
    expect(screen.getByTestId('settings-panel')).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Negative prompt'));
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByTestId('settings-panel')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Show parameters' })).toHaveFocus();
  });

  it('applies the chosen model range, says why models are not ready, and drops what it does not take', async () => {
    const onSubmit = vi.fn();
    render(
      <Harness
        onSubmit={onSubmit}
        models={[previewModel, { ...cloudModel, ready: true }, { ...cloudModel, id: 'openai', label: 'OpenAI' }]}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Show parameters' }));
    expect(screen.getByTestId('not-ready-reasons')).toHaveTextContent(
      'OpenAI is not ready: CLOUD_VIDEO_GENERATION_URL is not set',
    );
    expect(screen.getByLabelText('Size')).toHaveValue('832x480');

    await userEvent.selectOptions(screen.getByLabelText('Model'), 'tt-cloud');
    const steps = screen.getByLabelText(/Inference steps \(4–50\)/);
    expect(steps).toHaveValue(12);
    expect(screen.queryByLabelText('Size')).not.toBeInTheDocument(); // tt-cloud takes no size

    await userEvent.clear(steps);
    await userEvent.type(steps, '60');
    await userEvent.type(screen.getByLabelText('Prompt'), 'x{Enter}');
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText('Steps must be a whole number from 4 to 50.')).toBeInTheDocument();
  });

  it('offers size presets and a validated custom size', async () => {
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} />);
    await userEvent.click(screen.getByRole('button', { name: 'Show parameters' }));
    const size = screen.getByLabelText('Size');
    expect([...(size as HTMLSelectElement).options].map((o) => o.value)).toEqual([
      '832x480',
      '480x832',
      '624x624',
      'custom',
    ]);
    await userEvent.selectOptions(size, 'custom');
    const custom = screen.getByLabelText('Custom size (width x height)');
    await userEvent.clear(custom);
    await userEvent.type(custom, '640x360');
    await userEvent.type(screen.getByLabelText('Prompt'), 'x{Enter}');
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText(/multiples of 16 from 64 to 1920/)).toBeInTheDocument();
  });

  it('counts characters near the limit', async () => {
    render(<Harness onSubmit={vi.fn()} />);
    const box = screen.getByLabelText('Prompt');
    await userEvent.click(box);
    await userEvent.paste('a'.repeat(COUNTER_FROM - 1));
    expect(screen.queryByTestId('prompt-counter')).not.toBeInTheDocument();
    await userEvent.type(box, 'b');
    expect(screen.getByTestId('prompt-counter')).toHaveTextContent(`${COUNTER_FROM} / 2000`);
  });

  it('asks for a start image before sending to an image-only model', async () => {
    const onSubmit = vi.fn();
    const imageOnly = { ...previewModel, capabilities: { ...previewModel.capabilities, text_to_video: false } };
    render(<Harness onSubmit={onSubmit} models={[imageOnly]} />);
    await userEvent.type(screen.getByLabelText('Prompt'), 'x{Enter}');
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText(/needs a start image/)).toBeInTheDocument();
    expect(screen.getByTestId('reference-pick')).toBeInTheDocument();
  });
});
