// "Copy link" on a finished video's actions: the lifetime and file chosen, the signed link
// copied and until when it works; the studio's refusal shown; the link shown selected when
// copying is refused.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import CardControls from './CardControls';
import { untilText } from './LinkForm';
import type { Video } from './types/chat';
import { FakeApi, completed, makeVideo, previewModel } from '../../test/fakeApi';
import { makeWrapper } from '../../test/render';

afterEach(() => vi.unstubAllGlobals());

function setup(video: Video, configure: (api: FakeApi) => void = () => undefined) {
  const api = new FakeApi();
  api.videos = [video];
  api.now = () => 1796662000;
  configure(api);
  api.install();
  const user = userEvent.setup();
  const writeText = vi.spyOn(navigator.clipboard, 'writeText');
  const { Wrapper } = makeWrapper();
  render(
    <Wrapper>
      <CardControls
        video={video}
        caps={previewModel.capabilities}
        busy={false}
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
  return { api, user, writeText };
}

const done = completed(makeVideo({ id: 'video_done', prompt: 'A lighthouse' }));
const linkCalls = (api: FakeApi) =>
  api.calls.filter((c) => c.method === 'POST' && c.path === '/v1/videos/video_done/links');

describe('copy a link', () => {
  it('is offered on completed videos only', () => {
    setup(makeVideo({ id: 'video_q' }));
    expect(screen.queryByRole('button', { name: 'Copy link…' })).not.toBeInTheDocument();
  });

  it('copies a one-hour link to the video by default and says until when it works', async () => {
    const { api, user, writeText } = setup(done);
    const open = screen.getByRole('button', { name: 'Copy link…' });
    expect(open).toHaveAttribute('aria-expanded', 'false');
    await user.click(open);
    expect(open).toHaveAttribute('aria-expanded', 'true');
    const form = screen.getByRole('form', { name: 'Copy a link to this video' });
    expect(within(form).getByRole('radio', { name: 'Video (MP4)' })).toBeChecked();
    expect(within(form).getByRole('combobox', { name: 'Works for' })).toHaveDisplayValue('1 hour');

    await user.click(within(form).getByRole('button', { name: 'Copy link' }));
    const status = await within(form).findByText(/^Link copied/);
    expect(linkCalls(api).map((c) => c.body)).toEqual([{ variant: 'video', expires_in: 3600 }]);
    const url = `http://studio.test/links/video/${1796662000 + 3600}/c2lnbmF0dXJl/video_done.mp4`;
    expect(writeText).toHaveBeenCalledWith(url);
    expect(status).toHaveTextContent(
      `Link copied; it works until ${untilText(1796662000 + 3600)}, for anyone who has it.`,
    );
    expect(status).toHaveAttribute('role', 'status');
    // Copied: no need to show the link itself.
    expect(within(form).queryByRole('textbox', { name: 'Link' })).not.toBeInTheDocument();
  });

  it('asks for the chosen file and lifetime, and shows the studio’s refusal of a lifetime past its cap', async () => {
    const { api, user, writeText } = setup(done, (a) => (a.linkMaxSeconds = 86400));
    await user.click(screen.getByRole('button', { name: 'Copy link…' }));
    const form = screen.getByRole('form', { name: 'Copy a link to this video' });
    await user.click(within(form).getByRole('radio', { name: 'Thumbnail (JPEG)' }));
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Works for' }), '7 days');
    await user.click(within(form).getByRole('button', { name: 'Copy link' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'expires_in is whole seconds, 1 to 86400 (STUDIO_LINK_MAX_SECONDS).',
    );
    expect(writeText).not.toHaveBeenCalled();

    // One day is within the cap.
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Works for' }), '1 day');
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();
    await user.click(within(form).getByRole('button', { name: 'Copy link' }));
    await within(form).findByText(/^Link copied/);
    expect(linkCalls(api).map((c) => c.body)).toEqual([
      { variant: 'thumbnail', expires_in: 604800 },
      { variant: 'thumbnail', expires_in: 86400 },
    ]);
    expect(writeText).toHaveBeenCalledWith(expect.stringMatching(/\/links\/thumbnail\/.*\.jpg$/));
  });

  it('shows the link selected in a read-only field when copying is refused', async () => {
    const { user, writeText } = setup(done);
    writeText.mockRejectedValue(new DOMException('Write permission denied.', 'NotAllowedError'));
    await user.click(screen.getByRole('button', { name: 'Copy link…' }));
    const form = screen.getByRole('form', { name: 'Copy a link to this video' });
    await user.click(within(form).getByRole('button', { name: 'Copy link' }));
    const field = await within(form).findByRole<HTMLInputElement>('textbox', { name: 'Link' });
    expect(field).toHaveAttribute('readonly');
    expect(field.value).toMatch(/^http:\/\/studio\.test\/links\/video\//);
    await waitFor(() => expect([field.selectionStart, field.selectionEnd]).toEqual([0, field.value.length]));
    // The fake studio's clock is fixed (api.now): the text has its date on any other day.
    expect(within(form).getByRole('status')).toHaveTextContent(
      `copy the link below yourself. It works until ${untilText(1796662000 + 3600)}, for anyone who has it.`,
    );
  });

  it('closes with Escape, giving the focus back to its button', async () => {
    const { user } = setup(done);
    const open = screen.getByRole('button', { name: 'Copy link…' });
    await user.click(open);
    expect(screen.getByRole('radio', { name: 'Video (MP4)' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('form', { name: 'Copy a link to this video' })).not.toBeInTheDocument();
    expect(open).toHaveFocus();
  });
});

describe('untilText', () => {
  it('gives the time for later today and the day too for another day', () => {
    const now = new Date(2026, 11, 7, 13, 5);
    expect(untilText(new Date(2026, 11, 7, 14, 5).getTime() / 1000, now)).toBe('14:05');
    expect(untilText(new Date(2026, 11, 14, 9, 0).getTime() / 1000, now)).toMatch(/14.*, 09:00$/);
  });
});
