import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import GalleryTile from './GalleryTile';
import VideoJobCard from './VideoJobCard';
import type { Video } from './types/chat';
import { FakeApi, completed, makeCapabilities, makeVideo } from '../../test/fakeApi';
import { makeWrapper } from '../../test/render';

afterEach(() => vi.unstubAllGlobals());

const AUDIO = { codec: 'aac', channels: 2, sample_rate: 48000, seconds: 2.06 };

function handlers() {
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

function withApi(video: Video) {
  const api = new FakeApi();
  api.videos = [video];
  api.install();
  return makeWrapper().Wrapper;
}

function renderCard(video: Video) {
  const Wrapper = withApi(video);
  render(
    <Wrapper>
      <VideoJobCard video={video} busy={false} actionError={null} {...handlers()} />
    </Wrapper>,
  );
}

function renderTile(video: Video) {
  const Wrapper = withApi(video);
  render(
    <Wrapper>
      <GalleryTile video={video} caps={makeCapabilities()} selected={false} onSelect={vi.fn()} {...handlers()} />
    </Wrapper>,
  );
}

const loud = () => completed(makeVideo({ id: 'video_loud', prompt: 'A bell rings', has_audio: true, audio: AUDIO }));
const quiet = () => completed(makeVideo({ id: 'video_quiet', prompt: 'A quiet lake' }));

describe('sound on the page', () => {
  it('marks a clip with sound on its card, says what the sound is, and plays it in the open player', () => {
    renderCard(loud());
    const badge = screen.getByTestId('sound-badge');
    expect(badge).toHaveTextContent('sound');
    expect(badge).toHaveAttribute('title', 'Has sound: AAC, stereo, 48 kHz');
    const player = screen.getByTestId<HTMLVideoElement>('job-video');
    expect(player.muted).toBe(false);
  });

  it('marks nothing on a silent clip', () => {
    renderCard(quiet());
    expect(screen.queryByTestId('sound-badge')).toBeNull();
  });

  it('names the sound in the grid and plays the preview there muted', async () => {
    renderTile(loud());
    expect(screen.getByText('Has sound')).toHaveClass('sr-only'); // read aloud, the icon alone shown
    await userEvent.click(screen.getByRole('button', { name: /Play “A bell rings”/ }));
    const preview = screen.getByLabelText<HTMLVideoElement>('Generated video: A bell rings');
    expect(preview.muted).toBe(true);
  });

  it('shows no sound mark on a silent clip in the grid', () => {
    renderTile(quiet());
    expect(screen.queryByTestId('sound-badge')).toBeNull();
  });
});
