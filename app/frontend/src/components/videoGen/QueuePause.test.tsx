import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueuePauseButton, QueuePausedNotice } from './QueuePause';
import { useQueuePause } from './hooks/useQueue';
import type { VideoModel } from './types/chat';
import { FakeApi, apiError, previewModel } from '../../test/fakeApi';
import { makeWrapper } from '../../test/render';

afterEach(() => vi.unstubAllGlobals());

function Harness({ models = [previewModel] }: { models?: VideoModel[] }) {
  const queue = useQueuePause(models);
  return (
    <>
      <QueuePauseButton queue={queue} />
      <QueuePausedNotice queue={queue} models={models} />
    </>
  );
}

function renderHarness(api: FakeApi) {
  api.install();
  const { Wrapper } = makeWrapper();
  render(
    <Wrapper>
      <Harness />
    </Wrapper>,
  );
}

describe('queue pause', () => {
  it('pauses the queue, says what a pause means, and resumes it', async () => {
    const api = new FakeApi();
    renderHarness(api);
    const pause = await screen.findByRole('button', { name: 'Pause queue' });
    await waitFor(() => expect(pause).toBeEnabled());
    expect(screen.queryByTestId('queue-paused')).not.toBeInTheDocument();

    await userEvent.click(pause);
    const resume = await screen.findByRole('button', { name: 'Resume queue' });
    expect(api.calls.filter((c) => c.method === 'POST' && c.path === '/v1/queue').map((c) => c.body)).toEqual([
      { paused: true },
    ]);
    expect(screen.getByTestId('queue-paused')).toHaveTextContent(
      'Queue paused: running videos finish, nothing new starts.',
    );
    expect(resume).toHaveAttribute('data-paused', 'true');

    await userEvent.click(resume);
    await screen.findByRole('button', { name: 'Pause queue' });
    expect(api.queuePaused).toBe(false);
    expect(screen.queryByTestId('queue-paused')).not.toBeInTheDocument();
  });

  it('shows a queue paused elsewhere (another tab, an admin) as paused', async () => {
    const api = new FakeApi();
    api.queuePaused = true;
    renderHarness(api);
    expect(await screen.findByRole('button', { name: 'Resume queue' })).toBeEnabled();
    expect(screen.getByTestId('queue-paused')).toBeInTheDocument();
  });

  it("shows the studio's message when the pause is refused (403 for someone who is not an admin)", async () => {
    const api = new FakeApi();
    const message = 'Only an admin (STUDIO_ADMINS) may pause or resume the queue for everyone.';
    api.override = (call) =>
      call.method === 'POST' && call.path === '/v1/queue' ? apiError(403, message, 'not_allowed') : null;
    renderHarness(api);
    const pause = await screen.findByRole('button', { name: 'Pause queue' });
    await waitFor(() => expect(pause).toBeEnabled());
    await userEvent.click(pause);
    expect(await screen.findByTestId('queue-error')).toHaveTextContent(message);
    // Still not paused, and the message can be dismissed.
    expect(screen.getByRole('button', { name: 'Pause queue' })).toBeEnabled();
    expect(screen.queryByTestId('queue-paused')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Dismiss queue error' }));
    expect(screen.queryByTestId('queue-error')).not.toBeInTheDocument();
  });

  it('falls back to the models list when GET /v1/queue does not answer', async () => {
    const api = new FakeApi();
    api.override = (call) => (call.path === '/v1/queue' ? apiError(500, 'broken') : null);
    api.install();
    const { Wrapper } = makeWrapper();
    render(
      <Wrapper>
        <Harness models={[{ ...previewModel, queue_paused: true }]} />
      </Wrapper>,
    );
    expect(await screen.findByRole('button', { name: 'Resume queue' })).toBeInTheDocument();
    expect(screen.getByTestId('queue-paused')).toHaveTextContent('Queue paused');
  });
});
