import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import VideoInputArea from './VideoInputArea';
import type { CreateVideoParams, VideoModel } from './types/chat';
import { cloudModel, previewModel } from '../../test/fakeApi';

function Harness({
  onSubmit,
  models = [previewModel, { ...cloudModel, ready: true }],
}: {
  onSubmit: (p: CreateVideoParams) => Promise<unknown>;
  models?: VideoModel[];
}) {
  const [prompt, setPrompt] = useState('');
  return (
    <VideoInputArea
      prompt={prompt}
      onPromptChange={setPrompt}
      onSubmit={onSubmit}
      isSubmitting={false}
      models={models}
      defaultModel={models[0]}
    />
  );
}

describe('VideoInputArea', () => {
  it('submits on Enter with the default parameters and clears the prompt', async () => {
    const onSubmit = vi.fn(() => Promise.resolve(undefined));
    render(<Harness onSubmit={onSubmit} />);
    const box = screen.getByLabelText('Prompt');
    expect(box).toHaveAttribute('placeholder', expect.stringContaining('Volcano on a beach'));
    await userEvent.type(box, 'Volcano on a beach{Enter}');
    expect(onSubmit).toHaveBeenCalledWith({
      prompt: 'Volcano on a beach',
      model: 'preview',
      negative_prompt: 'low quality',
      num_inference_steps: 12,
      seed: 0,
      size: '832x480',
    });
    expect(box).toHaveValue('');
  });

  it('makes a new line on Shift+Enter instead of submitting', async () => {
    const onSubmit = vi.fn(() => Promise.resolve(undefined));
    render(<Harness onSubmit={onSubmit} />);
    const box = screen.getByLabelText('Prompt');
    await userEvent.type(box, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(onSubmit).not.toHaveBeenCalled();
    expect(box).toHaveValue('line one\nline two');
  });

  it('does not submit an empty prompt and says why', async () => {
    const onSubmit = vi.fn(() => Promise.resolve(undefined));
    render(<Harness onSubmit={onSubmit} />);
    await userEvent.click(screen.getByRole('button', { name: 'Generate video' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText('Describe the video you want.')).toBeInTheDocument();
    expect(screen.getByLabelText('Prompt')).toHaveAttribute('aria-invalid', 'true');
  });

  it('keeps the prompt when the submission fails', async () => {
    const onSubmit = vi.fn(() => Promise.reject(new Error('boom')));
    render(<Harness onSubmit={onSubmit} />);
    const box = screen.getByLabelText('Prompt');
    await userEvent.type(box, 'keep me{Enter}');
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(box).toHaveValue('keep me');
  });

  it('opens the parameters panel and applies the chosen model range', async () => {
    const onSubmit = vi.fn(() => Promise.resolve(undefined));
    render(<Harness onSubmit={onSubmit} />);
    const toggle = screen.getByRole('button', { name: 'Show parameters' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(toggle);
    expect(screen.getByRole('button', { name: 'Hide parameters' })).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByLabelText('Negative prompt')).toHaveValue('low quality');
    expect(screen.getByLabelText('Seed')).toHaveValue(0);
    expect(screen.getByLabelText(/Size/)).toHaveValue('832x480');

    await userEvent.selectOptions(screen.getByLabelText('Model'), 'tt-cloud');
    const steps = screen.getByLabelText(/Inference steps \(4–50\)/);
    expect(steps).toHaveValue(12);
    expect(screen.queryByLabelText(/Size/)).not.toBeInTheDocument(); // tt-cloud takes no size

    await userEvent.clear(steps);
    await userEvent.type(steps, '60');
    await userEvent.type(screen.getByLabelText('Prompt'), 'x{Enter}');
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText('Steps must be a whole number from 4 to 50.')).toBeInTheDocument();

    await userEvent.clear(steps);
    await userEvent.type(steps, '20');
    await userEvent.clear(screen.getByLabelText('Seed'));
    await userEvent.type(screen.getByLabelText('Seed'), '42');
    await userEvent.type(screen.getByLabelText('Prompt'), '{Enter}');
    expect(onSubmit).toHaveBeenCalledWith({
      prompt: 'x',
      model: 'tt-cloud',
      negative_prompt: 'low quality',
      num_inference_steps: 20,
      seed: 42,
    });
  });

  it('adopts the default model once the model list arrives', async () => {
    const onSubmit = vi.fn(() => Promise.resolve(undefined));
    const { rerender } = render(<Harness onSubmit={onSubmit} models={[]} />);
    await userEvent.click(screen.getByRole('button', { name: 'Show parameters' }));
    expect(screen.getByLabelText('Model')).toBeDisabled();

    rerender(<Harness onSubmit={onSubmit} />);
    expect(screen.getByLabelText('Model')).toHaveValue('preview');
    expect(screen.getByLabelText(/Size/)).toHaveValue('832x480');
    await userEvent.type(screen.getByLabelText('Prompt'), 'x{Enter}');
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ model: 'preview', size: '832x480' }));
  });
});
