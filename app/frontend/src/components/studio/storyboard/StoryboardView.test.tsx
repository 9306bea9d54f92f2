import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Storyboard, StoryboardShot } from '../api';
import { FakeApi, apiError, json } from '../../../test/fakeApi';
import { makeWrapper } from '../../../test/render';
import StoryboardView from './StoryboardView';

afterEach(() => vi.unstubAllGlobals());

const ID = `sb_${'c'.repeat(32)}`;

function shot(index: number, prompt: string): StoryboardShot {
  return {
    id: `shot_${String(index).padStart(32, '0')}`,
    index,
    prompt,
    seconds: 2,
    seed: 10 + index,
    join: 'cut',
    crossfade_frames: 0,
    has_input_reference: false,
    has_last_frame: false,
    progress: 100,
    reason: null,
    start_seconds: index * 2,
    status: 'completed',
    video_id: `video_${String(index).padStart(32, '0')}`,
  };
}

const board: Storyboard = {
  id: ID,
  object: 'storyboard',
  created_at: 1764032000,
  model: 'preview',
  size: '128x96',
  sound: false,
  status: 'completed',
  progress: 100,
  error: null,
  metadata: null,
  content_url: null,
  shots: [shot(0, 'A fox wakes'), shot(1, 'It steps out')],
};

function Where() {
  const location = useLocation();
  return <output data-testid="where">{location.search}</output>;
}

function setup(hold: Promise<unknown> | null = null) {
  const api = new FakeApi();
  api.hold = (call) => (call.path === `/v1/storyboards/${ID}` ? hold : null);
  let current: Storyboard | null = board;
  api.override = (call) => {
    if (call.path !== `/v1/storyboards/${ID}`) return null;
    if (!current) return apiError(404, `No storyboard with id '${ID}'.`, 'not_found');
    if (call.method === 'DELETE') {
      current = null;
      return json(200, { id: ID, object: 'storyboard.deleted', deleted: true });
    }
    return json(200, current);
  };
  api.install();
  const { Wrapper } = makeWrapper();
  render(
    <Wrapper>
      <MemoryRouter initialEntries={[`/storyboard?board=${ID}`]}>
        <StoryboardView />
        <Where />
      </MemoryRouter>
    </Wrapper>,
  );
  return api;
}

describe('StoryboardView delete', () => {
  it('deletes the board after a confirmation and starts a new one', async () => {
    const user = userEvent.setup();
    const api = setup();
    await screen.findByTestId('board-status');
    expect(screen.getAllByTestId('shot-card')).toHaveLength(2);
    await user.click(screen.getByRole('button', { name: 'Delete storyboard' }));
    const group = screen.getByRole('group', { name: 'Confirm: Delete storyboard' });
    expect(group).toHaveTextContent("Its shots' videos stay in your history.");
    expect(api.calls.some((c) => c.method === 'DELETE')).toBe(false);
    await user.click(within(group).getByRole('button', { name: 'Delete storyboard' }));
    await waitFor(() => expect(screen.getByTestId('where')).toHaveTextContent(/^$/));
    expect(screen.getByTestId('board-notice')).toHaveTextContent(
      "Storyboard deleted. Its shots' videos stay in your history.",
    );
    expect(api.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([`/v1/storyboards/${ID}`]);
    // A fresh draft: one blank shot, Make storyboard again, no board to delete.
    expect(screen.getAllByTestId('shot-card')).toHaveLength(1);
    expect(screen.getByTestId('make-board')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete storyboard' })).not.toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows the Delete button, disabled, while the board loads (the header keeps its height)', async () => {
    let arrive = () => {};
    setup(new Promise<void>((resolve) => (arrive = resolve)));
    const remove = screen.getByRole('button', { name: 'Delete storyboard' });
    expect(remove).toBeDisabled();
    expect(screen.queryByTestId('board-status')).not.toBeInTheDocument();
    arrive();
    await screen.findByTestId('board-status');
    expect(screen.getByRole('button', { name: 'Delete storyboard' })).toBeEnabled();
  });

  it('keeps the board when the confirmation is dismissed with Escape', async () => {
    const user = userEvent.setup();
    const api = setup();
    await screen.findByTestId('board-status');
    screen.getByRole('button', { name: 'Delete storyboard' }).focus();
    await user.keyboard('{Enter}');
    await user.keyboard('{Escape}');
    expect(screen.getByRole('button', { name: 'Delete storyboard' })).toHaveFocus();
    expect(screen.getByTestId('where')).toHaveTextContent(`?board=${ID}`);
    expect(api.calls.some((c) => c.method === 'DELETE')).toBe(false);
  });
});
