// The Enhance flow in the prompt box, with the page's own composer against the fake studio:
// the prompt is never changed by itself; Accept / Edit put the suggestion in the box and the
// person's own words go with the create as original_prompt; Discard and failures leave it.
import { act, render, renderHook, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import VideoInputArea from './VideoInputArea';
import VideoJobCard from './VideoJobCard';
import type { CreateVideoRequest } from './api/videoGeneration';
import { useComposer } from './hooks/useComposer';
import { usePromptEnhancer } from './hooks/usePromptEnhancer';
import type { VideoModel } from './types/chat';
import { FakeApi, apiError, completed, makeVideo, previewModel } from '../../test/fakeApi';
import { makeWrapper } from '../../test/render';

const models: VideoModel[] = [previewModel];

beforeEach(() => localStorage.clear());
afterEach(() => vi.unstubAllGlobals());

function Harness({ send }: { send: (params: CreateVideoRequest) => Promise<unknown> }) {
  const composer = useComposer(send, models, models[0]);
  const enhancer = usePromptEnhancer();
  return (
    <>
      <button type="button" onClick={() => composer.setReference(new Blob(['png']), 'start.png')}>
        attach image
      </button>
      <VideoInputArea
        composer={composer}
        models={models}
        defaultModel={models[0]}
        enhance={{ enhancer, enhancement: composer.enhancement, apply: composer.applyEnhancement }}
      />
    </>
  );
}

function setup(configure: (api: FakeApi) => void = () => undefined) {
  const api = new FakeApi();
  api.enhancerModel = 'qwen-7b';
  configure(api);
  api.install();
  const send = vi.fn((params: CreateVideoRequest) => Promise.resolve(params));
  const { Wrapper } = makeWrapper();
  render(
    <Wrapper>
      <Harness send={send} />
    </Wrapper>,
  );
  return { api, send };
}

const box = () => screen.getByLabelText('Prompt');
const enhanceCalls = (api: FakeApi) => api.calls.filter((c) => c.method === 'POST' && c.path === '/v1/prompts/enhance');

async function askForSuggestion(text = 'a cat on a mat') {
  await userEvent.type(box(), text);
  await userEvent.click(await screen.findByRole('button', { name: 'Enhance prompt' }));
  return screen.findByRole('region', { name: 'Suggested prompt' });
}

describe('prompt enhancement', () => {
  it('offers no Enhance button when the studio has no chat model for it', async () => {
    const { api } = setup((a) => (a.enhancerModel = null));
    await waitFor(() => expect(api.calls.some((c) => c.path === '/v1/prompts/enhance')).toBe(true));
    await userEvent.type(box(), 'a cat');
    expect(screen.queryByRole('button', { name: /Enhance/ })).not.toBeInTheDocument();
  });

  it('waits with a spinner and a disabled button, and never changes the prompt by itself', async () => {
    let release: () => void = () => undefined;
    const { api } = setup((a) => {
      a.hold = (call) =>
        call.method === 'POST' && call.path === '/v1/prompts/enhance'
          ? new Promise<void>((resolve) => (release = resolve))
          : null;
    });
    await userEvent.type(box(), 'a cat on a mat');
    await userEvent.click(await screen.findByRole('button', { name: 'Enhance prompt' }));
    const waiting = screen.getByRole('button', { name: 'Enhancing prompt…' });
    expect(waiting).toBeDisabled();
    expect(screen.getByTestId('enhance-waiting')).toBeInTheDocument();
    expect(box()).toHaveValue('a cat on a mat');

    act(() => release());
    const suggestion = await screen.findByRole('region', { name: 'Suggested prompt' });
    expect(enhanceCalls(api).map((c) => c.body)).toEqual([{ prompt: 'a cat on a mat', mode: 'text-to-video' }]);
    expect(box()).toHaveValue('a cat on a mat');
    expect(suggestion).toHaveTextContent('Yours: a cat on a mat');
    expect(within(suggestion).getByTestId('enhance-text')).toHaveTextContent(
      'a cat on a mat, golden hour light, slow dolly shot',
    );
    // What was added is marked; the person's words are not.
    const added = Array.from(suggestion.querySelectorAll('ins')).map((el) => el.textContent);
    expect(added).toEqual(['golden hour light, slow dolly shot']);
    expect(suggestion).toHaveTextContent('6 words added');
    expect(screen.getByRole('button', { name: 'Enhance prompt' })).toBeEnabled();
  });

  it('Accept puts the suggestion in the box and sends the original words with the create', async () => {
    const { send } = setup();
    await askForSuggestion();
    await userEvent.click(screen.getByRole('button', { name: 'Accept the suggested prompt' }));
    expect(box()).toHaveValue('a cat on a mat, golden hour light, slow dolly shot');
    expect(screen.queryByRole('region', { name: 'Suggested prompt' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Generate video' })).toHaveFocus();
    expect(screen.getByTestId('enhanced-note')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Generate video' }));
    await waitFor(() => expect(send).toHaveBeenCalledTimes(1));
    expect(send.mock.calls[0][0]).toMatchObject({
      prompt: 'a cat on a mat, golden hour light, slow dolly shot',
      original_prompt: 'a cat on a mat',
    });
    await waitFor(() => expect(box()).toHaveValue(''));

    // The next prompt is the person's own again.
    await userEvent.type(box(), 'a dog{Enter}');
    await waitFor(() => expect(send).toHaveBeenCalledTimes(2));
    expect(send.mock.calls[1][0]).not.toHaveProperty('original_prompt');
  });

  it('Edit puts the suggestion in the box to change it; the original words still go along', async () => {
    const { send } = setup();
    await askForSuggestion();
    await userEvent.click(screen.getByRole('button', { name: 'Edit the suggested prompt in the prompt box' }));
    expect(box()).toHaveFocus();
    expect(box()).toHaveValue('a cat on a mat, golden hour light, slow dolly shot');
    await userEvent.type(box(), ', in the rain{Enter}');
    await waitFor(() => expect(send).toHaveBeenCalledTimes(1));
    expect(send.mock.calls[0][0]).toMatchObject({
      prompt: 'a cat on a mat, golden hour light, slow dolly shot, in the rain',
      original_prompt: 'a cat on a mat',
    });
  });

  it('Discard drops the suggestion and leaves the prompt as it was', async () => {
    const { send } = setup();
    await askForSuggestion();
    await userEvent.click(screen.getByRole('button', { name: 'Discard the suggested prompt' }));
    expect(screen.queryByRole('region', { name: 'Suggested prompt' })).not.toBeInTheDocument();
    expect(box()).toHaveValue('a cat on a mat');
    await userEvent.type(box(), '{Enter}');
    await waitFor(() => expect(send).toHaveBeenCalledTimes(1));
    expect(send.mock.calls[0][0]).not.toHaveProperty('original_prompt');
  });

  it('shows a failure or time-out once and leaves the prompt untouched', async () => {
    const { api } = setup((a) => {
      a.override = (call) =>
        call.method === 'POST' && call.path === '/v1/prompts/enhance'
          ? apiError(504, 'The prompt enhancer did not answer within 30 s.', 'enhancer_timeout')
          : null;
    });
    await userEvent.type(box(), 'a cat on a mat');
    await userEvent.click(await screen.findByRole('button', { name: 'Enhance prompt' }));
    const alert = await screen.findByTestId('enhance-error');
    expect(alert).toHaveTextContent('Could not enhance the prompt: The prompt enhancer did not answer within 30 s.');
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(box()).toHaveValue('a cat on a mat');
    expect(screen.queryByRole('region', { name: 'Suggested prompt' })).not.toBeInTheDocument();
    expect(enhanceCalls(api)).toHaveLength(1); // not retried behind the person's back

    await userEvent.click(screen.getByRole('button', { name: 'Dismiss enhance error' }));
    expect(screen.queryByTestId('enhance-error')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Enhance prompt' })).toBeEnabled();
  });

  it('asks for image-to-video instructions when a start image is attached', async () => {
    Object.defineProperty(URL, 'createObjectURL', { configurable: true, value: () => 'blob:start' });
    Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: () => undefined });
    const { api } = setup();
    await userEvent.click(screen.getByRole('button', { name: 'attach image' }));
    await askForSuggestion('the waves roll in');
    expect(enhanceCalls(api).map((c) => c.body)).toEqual([{ prompt: 'the waves roll in', mode: 'image-to-video' }]);
  });
});

describe('enhanced videos', () => {
  it('marks an enhanced video and offers to reuse either text', async () => {
    const video = completed(makeVideo({ prompt: 'a cat on a mat, golden hour', original_prompt: 'a cat on a mat' }));
    const onReuse = vi.fn();
    const { Wrapper } = makeWrapper();
    render(
      <Wrapper>
        <VideoJobCard
          video={video}
          busy={false}
          actionError={null}
          onCancel={vi.fn()}
          onRetry={vi.fn()}
          onDelete={vi.fn()}
          onReuse={onReuse}
          onFavorite={vi.fn()}
          onRemix={() => Promise.resolve()}
          onExtend={() => Promise.resolve()}
        />
      </Wrapper>,
    );
    expect(screen.getByTestId('enhanced-label')).toHaveAttribute(
      'title',
      'Prompt enhanced from your words: “a cat on a mat”',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Reuse' }));
    await userEvent.click(screen.getByRole('button', { name: 'Reuse my words' }));
    expect(onReuse.mock.calls).toEqual([[video], [video, 'original']]);
  });

  it('shows no marker and one reuse on a video made from the person’s own words', () => {
    const { Wrapper } = makeWrapper();
    render(
      <Wrapper>
        <VideoJobCard
          video={completed(makeVideo({ prompt: 'a cat' }))}
          busy={false}
          actionError={null}
          onCancel={vi.fn()}
          onRetry={vi.fn()}
          onDelete={vi.fn()}
          onReuse={vi.fn()}
          onFavorite={vi.fn()}
          onRemix={() => Promise.resolve()}
          onExtend={() => Promise.resolve()}
        />
      </Wrapper>,
    );
    expect(screen.queryByTestId('enhanced-label')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Reuse my words' })).not.toBeInTheDocument();
  });

  it('reuse fills the box with the enhanced prompt (original kept) or with the original words', () => {
    const send = vi.fn(() => Promise.resolve());
    const { result } = renderHook(() => useComposer(send, models, models[0]));
    const video = completed(makeVideo({ prompt: 'a cat, golden hour', original_prompt: 'a cat' }));
    act(() => result.current.reuse(video));
    expect(result.current.prompt).toBe('a cat, golden hour');
    expect(result.current.enhancement).toEqual({ original: 'a cat', enhanced: 'a cat, golden hour' });
    act(() => result.current.reuse(video, 'original'));
    expect(result.current.prompt).toBe('a cat');
    expect(result.current.enhancement).toBeNull();
  });
});
