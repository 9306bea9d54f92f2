// Run next, move to end and edit on queued cards, against the fake studio: the answer shows on
// the card at once, and a refusal (409 once started, 400 for a bad value) is shown by the form.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import VideoJobCard from './VideoJobCard';
import { useQueueSteering } from './hooks/useQueue';
import { useVideoChat } from './hooks/useVideoChat';
import { FakeApi, completed, makeVideo, previewModel } from '../../test/fakeApi';
import { makeWrapper } from '../../test/render';

afterEach(() => vi.unstubAllGlobals());

function Cards() {
  const chat = useVideoChat({ pollIntervalMs: 60_000 });
  const steering = useQueueSteering();
  return (
    <ol>
      {chat.videos.map((v) => (
        <li key={v.id}>
          <VideoJobCard
            video={v}
            busy={false}
            actionError={null}
            caps={previewModel.capabilities}
            onCancel={vi.fn()}
            onRetry={vi.fn()}
            onDelete={vi.fn()}
            onReuse={vi.fn()}
            onFavorite={vi.fn()}
            onRemix={() => Promise.resolve()}
            onExtend={() => Promise.resolve()}
            onMove={steering.move}
            onEditQueued={steering.edit}
          />
        </li>
      ))}
    </ol>
  );
}

/** Two queued videos (first, then second) and a finished one; newest first in the store. */
function setup() {
  const api = new FakeApi();
  api.videos = [
    makeVideo({ id: 'video_second', prompt: 'second', queue_position: 1, created_at: 1764032002 }),
    makeVideo({ id: 'video_first', prompt: 'first', queue_position: 0, created_at: 1764032001, seed: 7 }),
    completed(makeVideo({ id: 'video_done', prompt: 'done', created_at: 1764032000 })),
  ];
  api.install();
  const { Wrapper } = makeWrapper();
  render(
    <Wrapper>
      <Cards />
    </Wrapper>,
  );
  return api;
}

const card = async (prompt: string) => screen.findByRole('article', { name: `Video: ${prompt}` });

describe('steering queued videos', () => {
  it('offers run next, move to end and edit only on queued videos', async () => {
    setup();
    const queued = await card('second');
    expect(within(queued).getByRole('button', { name: 'Run next: “second”' })).toBeInTheDocument();
    expect(within(queued).getByRole('button', { name: 'Move to end: “second”' })).toBeInTheDocument();
    expect(within(queued).getByRole('button', { name: 'Edit: “second”' })).toBeInTheDocument();
    const done = await card('done');
    expect(within(done).queryByRole('button', { name: /Run next|Move to end|Edit/ })).not.toBeInTheDocument();
  });

  it('runs a video next and moves one to the end, showing the new place at once', async () => {
    const api = setup();
    const second = await card('second');
    expect(within(second).getByText('Queued: position 2 (1 ahead)')).toBeInTheDocument();

    await userEvent.click(within(second).getByRole('button', { name: /^Run next/ }));
    await waitFor(() => expect(within(second).getByText('Queued: next to start')).toBeInTheDocument());
    expect(api.calls.find((c) => c.method === 'POST' && c.path === '/v1/videos/video_second')?.body).toEqual({
      queue_position: 1,
    });

    const first = await card('first');
    await userEvent.click(within(first).getByRole('button', { name: /^Move to end/ }));
    await waitFor(() => expect(within(first).getByText('Queued: position 2 (1 ahead)')).toBeInTheDocument());
    expect(api.calls.filter((c) => c.path === '/v1/videos/video_first').at(-1)?.body).toEqual({
      queue_position: 100000,
    });
  });

  it('says why a move was refused once the video has started', async () => {
    const api = setup();
    const second = await card('second');
    api.videos = api.videos.map((v) =>
      v.id === 'video_second' ? { ...v, status: 'in_progress', queue_position: null } : v,
    );
    await userEvent.click(within(second).getByRole('button', { name: /^Run next/ }));
    expect(await within(second).findByTestId('queue-move-error')).toHaveTextContent(
      'video_second has started; only a queued video can be changed.',
    );
    // The card then shows the video's real state.
    await waitFor(() => expect(second).toHaveAttribute('data-status', 'in_progress'));
  });

  it('edits a queued video: the form starts from its values and sends only what changed', async () => {
    const api = setup();
    const first = await card('first');
    await userEvent.click(within(first).getByRole('button', { name: /^Edit/ }));
    const form = within(first).getByRole('form', { name: 'Edit the queued video' });
    const prompt = within(form).getByLabelText('Prompt');
    expect(prompt).toHaveValue('first');
    expect(prompt).toHaveFocus();
    expect(within(form).getByLabelText('Negative prompt')).toHaveValue('low quality');
    expect(within(form).getByLabelText('Seed')).toHaveValue('7');
    expect(within(form).getByLabelText(/^Steps/)).toHaveValue('12');

    await userEvent.clear(prompt);
    await userEvent.type(prompt, 'first, at night');
    await userEvent.clear(within(form).getByLabelText(/^Steps/));
    await userEvent.type(within(form).getByLabelText(/^Steps/), '20');
    await userEvent.click(within(form).getByRole('button', { name: 'Save changes' }));

    await waitFor(() => expect(screen.queryByRole('form', { name: 'Edit the queued video' })).not.toBeInTheDocument());
    expect(within(first).getByRole('button', { name: /^Edit/ })).toHaveFocus();
    expect(api.calls.find((c) => c.method === 'POST' && c.path === '/v1/videos/video_first')?.body).toEqual({
      prompt: 'first, at night',
      num_inference_steps: 20,
    });
    // The card shows the edit at once.
    const edited = await card('first, at night');
    expect(within(within(edited).getByLabelText('Parameters')).getByText('20')).toBeInTheDocument();
  });

  it('keeps the text and shows the studio message when the video started before the save (409)', async () => {
    const api = setup();
    const first = await card('first');
    await userEvent.click(within(first).getByRole('button', { name: /^Edit/ }));
    const form = within(first).getByRole('form', { name: 'Edit the queued video' });
    const prompt = within(form).getByLabelText('Prompt');
    await userEvent.clear(prompt);
    await userEvent.type(prompt, 'my careful rewrite');
    // It starts meanwhile.
    api.videos = api.videos.map((v) => (v.id === 'video_first' ? { ...v, status: 'in_progress' } : v));
    await userEvent.click(within(form).getByRole('button', { name: 'Save changes' }));

    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'video_first has started; only a queued video can be changed.',
    );
    expect(prompt).toHaveValue('my careful rewrite');
    // The form stays (with the text) even once the card shows the video running.
    await waitFor(() => expect(first).toHaveAttribute('data-status', 'in_progress'));
    expect(within(first).getByRole('form', { name: 'Edit the queued video' })).toBeInTheDocument();
    expect(within(first).getByLabelText('Prompt')).toHaveValue('my careful rewrite');
  });

  it("marks the field the studio names in a 400 and keeps the person's values", async () => {
    setup();
    const first = await card('first');
    await userEvent.click(within(first).getByRole('button', { name: /^Edit/ }));
    const form = within(first).getByRole('form', { name: 'Edit the queued video' });
    const steps = within(form).getByLabelText(/^Steps/);
    await userEvent.clear(steps);
    await userEvent.type(steps, '500');
    await userEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('num_inference_steps must be from 1 to 100.');
    expect(steps).toHaveAttribute('aria-invalid', 'true');
    expect(steps).toHaveValue('500');
    expect(steps).toHaveAccessibleDescription('num_inference_steps must be from 1 to 100.');
  });

  it('closes the form with Escape without sending anything', async () => {
    const api = setup();
    const first = await card('first');
    await userEvent.click(within(first).getByRole('button', { name: /^Edit/ }));
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('form', { name: 'Edit the queued video' })).not.toBeInTheDocument();
    // The focus goes back to the Edit button.
    expect(within(first).getByRole('button', { name: /^Edit/ })).toHaveFocus();
    expect(api.calls.some((c) => c.method === 'POST' && c.path === '/v1/videos/video_first')).toBe(false);
  });
});
