import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApi, apiError, completed, json, makeVideo } from '../../test/fakeApi';
import { credentialsOf } from '../../test/fakeCredentials';
import { makeWrapper } from '../../test/render';
import CredentialsMark from './CredentialsMark';
import type { Credentials } from './credentials';
import VideoJobCard from './VideoJobCard';

afterEach(() => vi.unstubAllGlobals());

function credentialsApi(answer: (videoId: string) => Credentials | Response) {
  const api = new FakeApi();
  api.override = (call) => {
    const m = call.path.match(/^\/v1\/videos\/([^/]+)\/credentials$/);
    if (!m) return null;
    const found = answer(m[1]);
    return found instanceof Response ? found : json(200, found);
  };
  api.install();
  return api;
}

const asked = (api: FakeApi) => api.calls.filter((c) => c.path.endsWith('/credentials')).length;

function renderMark(videoId = 'video_1') {
  const { Wrapper } = makeWrapper();
  return render(
    <Wrapper>
      <CredentialsMark videoId={videoId} />
    </Wrapper>,
  );
}

describe('CredentialsMark', () => {
  it('asks for the credentials only when opened, then says what they say', async () => {
    const user = userEvent.setup();
    const api = credentialsApi(() => credentialsOf({}));
    renderMark();
    const mark = screen.getByRole('button', { name: 'Content Credentials' });
    expect(mark).toHaveAttribute('aria-expanded', 'false');
    expect(mark).toHaveTextContent('CR');
    await new Promise((r) => setTimeout(r, 20));
    expect(asked(api)).toBe(0);

    await user.click(mark);
    const dialog = screen.getByRole('dialog', { name: 'Content Credentials' });
    expect(mark).toHaveAttribute('aria-expanded', 'true');
    expect(dialog).toHaveFocus();
    await within(dialog).findByText('Valid');
    expect(within(dialog).getByTestId('credentials-model')).toHaveTextContent(
      'Preview engine (procedural, not AI) (preview)',
    );
    expect(dialog).toHaveTextContent('Algorithmic, not AI');
    expect(dialog).toHaveTextContent('None: made from the prompt alone');
    expect(within(dialog).getByTestId('credentials-signer')).toHaveTextContent('Video Studio content signer');
    expect(asked(api)).toBe(1);
    expect(api.calls.find((c) => c.path.endsWith('/credentials'))?.path).toBe('/v1/videos/video_1/credentials');

    // Escape closes it and gives the focus back; opening again reads the cached answer.
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(mark).toHaveFocus();
    await user.keyboard('{Enter}');
    await screen.findByText('Valid');
    await user.click(screen.getByRole('button', { name: 'Close Content Credentials' }));
    expect(mark).toHaveFocus();
    expect(asked(api)).toBe(1);
  });

  it('says "Not signed", "Invalid" with the reason, or the server’s error', async () => {
    const user = userEvent.setup();
    credentialsApi((id) => {
      if (id === 'video_old') return { object: 'video.credentials', video_id: id, signed: false };
      if (id === 'video_gone') return apiError(404, 'The video file is missing from storage.', 'file_missing');
      return credentialsOf({
        state: 'Invalid',
        failure: [{ code: 'assertion.bmffHash.mismatch', explanation: 'BMFF hash mismatch' }],
      });
    });
    const { unmount } = renderMark('video_old');
    await user.click(screen.getByRole('button', { name: 'Content Credentials' }));
    expect(await screen.findByTestId('credentials-state')).toHaveTextContent('Not signed');
    unmount();

    renderMark('video_changed');
    await user.click(screen.getByRole('button', { name: 'Content Credentials' }));
    expect(await screen.findByTestId('credentials-state')).toHaveTextContent('Invalid');
    expect(screen.getByRole('dialog')).toHaveTextContent('BMFF hash mismatch');
    await user.click(screen.getByRole('button', { name: 'Close Content Credentials' }));

    renderMark('video_gone');
    await user.click(screen.getAllByRole('button', { name: 'Content Credentials' })[1]);
    expect(await screen.findByRole('alert')).toHaveTextContent(/missing/);
  });

  it('is on a finished video’s card only', async () => {
    credentialsApi(() => credentialsOf({}));
    const handlers = {
      onCancel: vi.fn(),
      onRetry: vi.fn(),
      onDelete: vi.fn(),
      onReuse: vi.fn(),
      onFavorite: vi.fn(),
      onRemix: vi.fn(),
      onExtend: vi.fn(),
    };
    const { Wrapper } = makeWrapper();
    const queued = makeVideo({ id: 'video_q' });
    const { rerender } = render(
      <Wrapper>
        <VideoJobCard video={queued} busy={false} actionError={null} {...handlers} />
      </Wrapper>,
    );
    expect(screen.queryByRole('button', { name: 'Content Credentials' })).not.toBeInTheDocument();
    rerender(
      <Wrapper>
        <VideoJobCard video={completed(queued)} busy={false} actionError={null} {...handlers} />
      </Wrapper>,
    );
    await waitFor(() => expect(screen.getByRole('button', { name: 'Content Credentials' })).toBeInTheDocument());
  });
});
