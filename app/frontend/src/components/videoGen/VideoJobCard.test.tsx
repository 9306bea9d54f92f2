import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import VideoJobCard from './VideoJobCard';
import type { Video } from './types/chat';
import { FakeApi, completed, makeVideo, previewModel } from '../../test/fakeApi';
import { makeWrapper } from '../../test/render';

afterEach(() => vi.unstubAllGlobals());

function makeHandlers() {
  return {
    onCancel: vi.fn(),
    onRetry: vi.fn(),
    onDelete: vi.fn(),
    onReuse: vi.fn(),
    onFavorite: vi.fn(),
    onRemix: vi.fn(() => Promise.resolve()),
    onExtend: vi.fn(() => Promise.resolve()),
  };
}

function renderCard(video: Video, props: Partial<Parameters<typeof VideoJobCard>[0]> = {}) {
  const handlers = makeHandlers();
  const api = new FakeApi();
  api.videos = [video];
  api.install();
  const { Wrapper } = makeWrapper();
  render(
    <Wrapper>
      <VideoJobCard video={video} busy={false} actionError={null} {...handlers} {...props} />
    </Wrapper>,
  );
  return handlers;
}

describe('VideoJobCard', () => {
  it('shows queue position, ETA, elapsed time and a cancel button while queued', async () => {
    const h = renderCard(makeVideo({ id: 'video_q', queue_position: 1, eta_seconds: 75, elapsed_seconds: 4 }));
    expect(screen.getByText('Queued: position 2 (1 ahead)')).toBeInTheDocument();
    expect(screen.getByText('ETA about 1m 15s')).toBeInTheDocument();
    expect(screen.getByText('Elapsed 4s')).toBeInTheDocument();
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '0');
    expect(screen.queryByRole('link', { name: /Download/ })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /Cancel/ }));
    expect(h.onCancel).toHaveBeenCalledWith('video_q');
  });

  it('shows real progress while running', () => {
    renderCard(makeVideo({ status: 'in_progress', progress: 42.4, queue_position: null, eta_seconds: null }));
    expect(screen.getByText('Generating… 42%')).toBeInTheDocument();
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '42');
    expect(screen.getByText('ETA: estimating…')).toBeInTheDocument();
  });

  it("says how long a running job's model usually takes when the model says so", () => {
    const running = makeVideo({ status: 'in_progress', preview: false, label: null, model: 'tt-cloud' });
    renderCard(running, { typicalTime: '2–3 minutes' });
    expect(screen.getByText('This model usually takes 2–3 minutes.')).toBeInTheDocument();
  });

  it('says real models can take a few minutes when the model gives no typical time', () => {
    renderCard(makeVideo({ status: 'in_progress', preview: false, label: null, model: 'some-model' }));
    expect(screen.getByText('Real models can take a few minutes.')).toBeInTheDocument();
  });

  it('shows what a running job is doing now next to its progress', () => {
    renderCard(
      makeVideo({
        status: 'in_progress',
        progress: 42,
        queue_position: null,
        status_message: 'denoising step 5/12',
      }),
    );
    expect(screen.getByText('Generating… 42%')).toBeInTheDocument();
    expect(screen.getByTestId('job-status-message')).toHaveTextContent('· denoising step 5/12');
    expect(screen.getByTestId('job-waiting')).toHaveTextContent('Generating… 42%· denoising step 5/12');
  });

  it.each([
    ['queued', makeVideo({ status: 'queued', status_message: 'waiting for a worker' })],
    ['completed', completed(makeVideo({ status_message: 'drawing frame 33/33' }))],
    ['running without one', makeVideo({ status: 'in_progress', queue_position: null, status_message: null })],
  ])('shows no status message when %s', (_name, video) => {
    renderCard(video);
    expect(screen.queryByTestId('job-status-message')).not.toBeInTheDocument();
    expect(screen.queryByText(/waiting for a worker|drawing frame/)).not.toBeInTheDocument();
  });

  it('shows a requested cancel of a running job until its worker stops it', () => {
    renderCard(
      makeVideo({
        status: 'in_progress',
        progress: 60,
        queue_position: null,
        status_message: 'denoising step 8/12',
        cancel_requested: true,
      }),
    );
    expect(screen.getAllByText('Cancelling…')).toHaveLength(2);
    expect(screen.queryByText('Generating… 60%')).not.toBeInTheDocument();
    expect(screen.queryByTestId('job-status-message')).not.toBeInTheDocument();
    expect(screen.getByTestId('job-cancel')).toBeDisabled();
  });

  it('plays a finished video with poster, download link and the preview label', async () => {
    const video = completed(makeVideo({ id: 'video_done' }));
    const h = renderCard(video);
    const player = screen.getByLabelText('Generated video: Volcano on a beach');
    expect(player.tagName).toBe('VIDEO');
    expect(player).toHaveAttribute('controls');
    // Through a short-lived signed link (usePlayerSource); the content URL until it is made.
    await waitFor(() =>
      expect(player.getAttribute('src')).toMatch(/^http:\/\/studio\.test\/links\/video\/\d+\/.+\/video_done\.mp4$/),
    );
    expect(player).toHaveAttribute('poster', '/v1/videos/video_done/content?variant=thumbnail');
    expect(screen.getByRole('link', { name: /Download/ })).toHaveAttribute(
      'href',
      '/v1/videos/video_done/content?download=1',
    );
    expect(screen.getByText('preview, not AI')).toBeInTheDocument();
    expect(screen.getByText('832×480')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /Generate again/ }));
    expect(h.onRetry).toHaveBeenCalledWith('video_done');
    await userEvent.click(screen.getByRole('button', { name: 'Delete “Volcano on a beach”' }));
    expect(h.onDelete).toHaveBeenCalledWith(expect.objectContaining({ id: 'video_done' }));
  });

  it('defers loading older videos until played', () => {
    renderCard(completed(makeVideo()), { preload: false });
    const player = screen.getByLabelText('Generated video: Volcano on a beach');
    expect(player).toHaveAttribute('preload', 'none');
    expect(player.getAttribute('src')).toMatch(/^\/v1\/videos\/video_\w+\/content$/); // no link for a video nobody plays
  });

  it('asks for nothing until the card comes near the screen', async () => {
    // jsdom lays nothing out: a fake observer says when the card is near.
    const observers: FakeObserver[] = [];
    class FakeObserver {
      constructor(private readonly callback: IntersectionObserverCallback) {
        observers.push(this);
      }
      observe() {}
      disconnect() {}
      fire(near: boolean) {
        act(() => this.callback([{ isIntersecting: near } as IntersectionObserverEntry], this as never));
      }
    }
    vi.stubGlobal('IntersectionObserver', FakeObserver);
    const api = new FakeApi();
    const video = completed(makeVideo({ id: 'video_far' }));
    api.videos = [video];
    api.install();
    const { Wrapper } = makeWrapper();
    render(
      <Wrapper>
        <VideoJobCard video={video} busy={false} actionError={null} {...makeHandlers()} />
      </Wrapper>,
    );
    const player = screen.getByLabelText('Generated video: Volcano on a beach');
    const observer = observers.at(-1);
    if (!observer) throw new Error('the card observes nothing');
    expect(player).not.toHaveAttribute('poster');
    expect(player).not.toHaveAttribute('src');
    expect(player).toHaveAttribute('preload', 'none');
    observer.fire(false); // still far below
    expect(player).not.toHaveAttribute('poster');
    expect(api.calls.some((c) => c.path.endsWith('/links'))).toBe(false);

    observer.fire(true);
    expect(player).toHaveAttribute('poster', '/v1/videos/video_far/content?variant=thumbnail');
    expect(player).toHaveAttribute('preload', 'metadata');
    await waitFor(() =>
      expect(player.getAttribute('src')).toMatch(/^http:\/\/studio\.test\/links\/video\/\d+\/.+\/video_far\.mp4$/),
    );
  });

  it('has no preview label for a real model', () => {
    renderCard(completed(makeVideo({ preview: false, label: null, model: 'tt-cloud' })));
    expect(screen.queryByText('preview, not AI')).not.toBeInTheDocument();
  });

  it('explains a timeout in plain words and keeps the raw message as detail', () => {
    renderCard(
      makeVideo({
        status: 'failed',
        queue_position: null,
        error: { code: 'upstream_timeout', message: 'the upstream did not answer within 180 s' },
      }),
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(/took too long/);
    expect(alert).toHaveTextContent('Details: the upstream did not answer within 180 s');
    expect(screen.getByRole('button', { name: /Retry/ })).toBeInTheDocument();
  });

  it('shows other failures with the server message', () => {
    renderCard(makeVideo({ status: 'failed', error: { code: 'upstream_error', message: 'model crashed' } }));
    expect(screen.getByRole('alert')).toHaveTextContent('model crashed');
  });

  it('marks progress and ETA as the last known while the studio is unreachable', () => {
    renderCard(makeVideo({ status: 'in_progress', progress: 76, eta_seconds: 2, queue_position: null }), {
      stale: true,
    });
    expect(screen.getByTestId('job-eta')).toHaveTextContent(/unreachable/);
    expect(screen.queryByText('ETA about 2s')).not.toBeInTheDocument();
  });

  it('says so when a job was started again after a studio restart', () => {
    renderCard(makeVideo({ status: 'queued', status_message: 'resumed after the studio restarted' }));
    expect(screen.getByTestId('job-resumed')).toHaveTextContent(/studio restarted/);
  });

  it('offers reuse, favorite and remix on a finished video and sends a remix with the edited prompt', async () => {
    const h = renderCard(completed(makeVideo({ id: 'video_r' })), { caps: previewModel.capabilities });
    await userEvent.click(screen.getByRole('button', { name: /Reuse/ }));
    expect(h.onReuse).toHaveBeenCalledWith(expect.objectContaining({ id: 'video_r' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add to favorites' }));
    expect(h.onFavorite).toHaveBeenCalledWith('video_r', true);
    await userEvent.click(screen.getByRole('button', { name: /Remix/ }));
    const box = screen.getByTestId('remix-prompt');
    await userEvent.clear(box);
    await userEvent.type(box, 'Volcano at night');
    await userEvent.click(screen.getByTestId('remix-submit'));
    expect(h.onRemix).toHaveBeenCalledWith('video_r', 'Volcano at night');
    expect(screen.queryByTestId('remix-form')).not.toBeInTheDocument();
  });

  it('keeps the card actions at one Tab stop, moved through with the arrow keys', async () => {
    renderCard(completed(makeVideo()), { caps: previewModel.capabilities });
    const toolbar = screen.getByRole('toolbar');
    const tabbable = toolbar.querySelectorAll('[tabindex="0"]');
    expect(tabbable).toHaveLength(1);
    (tabbable[0] as HTMLElement).focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Add to favorites' }));
    expect(toolbar.querySelectorAll('[tabindex="0"]')).toHaveLength(1);
  });

  it('collapses a long prompt with a toggle', async () => {
    renderCard(makeVideo({ prompt: 'word '.repeat(100).trim() }));
    const toggle = screen.getByTestId('prompt-toggle');
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByTestId('job-prompt')).toHaveClass('line-clamp-4');
    await userEvent.click(toggle);
    expect(screen.getByTestId('job-prompt')).not.toHaveClass('line-clamp-4');
  });
});
