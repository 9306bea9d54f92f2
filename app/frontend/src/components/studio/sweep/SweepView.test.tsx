import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Sweep, SweepCell } from '../api';
import { FakeApi, apiError, json } from '../../../test/fakeApi';
import { makeWrapper } from '../../../test/render';
import SweepView from './SweepView';

afterEach(() => vi.unstubAllGlobals());

const ID = `sweep_${'a'.repeat(32)}`;

function cell(i: number, status: SweepCell['status']): SweepCell {
  return { index: [i], values: { seed: i + 1 }, video_id: `video_${String(i).padStart(32, '0')}`, status };
}

function makeSweep(statuses: SweepCell['status'][]): Sweep {
  return {
    id: ID,
    object: 'video.sweep',
    created_at: 1764032000,
    batch_id: `batch_${'b'.repeat(32)}`,
    base: { prompt: 'A red fox', seed: 7 },
    axes: [{ param: 'seed', values: statuses.map((_, i) => i + 1), find: null }],
    cells: statuses.map((s, i) => cell(i, s)),
    status: 'in_progress',
    content_url: null,
  };
}

/** The studio's sweep routes on a FakeApi: GET, cancel (queued and running cells end), DELETE. */
function sweepApi(initial: Sweep) {
  const api = new FakeApi();
  let current: Sweep | null = initial;
  api.override = (call) => {
    if (call.path !== `/v1/videos/sweeps/${ID}` && call.path !== `/v1/videos/sweeps/${ID}/cancel`) return null;
    if (!current) return apiError(404, `No sweep with id '${ID}'.`, 'not_found');
    if (call.method === 'GET') return json(200, current);
    if (call.method === 'DELETE') {
      current = null;
      return json(200, { id: ID, object: 'video.sweep.deleted', deleted: true });
    }
    const pending = current.cells.some((c) => c.status === 'queued' || c.status === 'in_progress');
    if (!pending) return apiError(409, 'No cell of the sweep is queued or running.', 'not_cancellable');
    current = {
      ...current,
      status: 'partial',
      cells: current.cells.map((c) => (c.status === 'completed' ? c : { ...c, status: 'cancelled' })),
    };
    return json(200, current);
  };
  api.install();
  return api;
}

function renderView() {
  const { Wrapper } = makeWrapper();
  return render(
    <Wrapper>
      <MemoryRouter initialEntries={[`/sweep?sweep=${ID}`]}>
        <SweepView />
      </MemoryRouter>
    </Wrapper>,
  );
}

describe('SweepView cancel and delete', () => {
  it('cancels the pending cells: one request, the cells show it, the button goes', async () => {
    const user = userEvent.setup();
    const api = sweepApi(makeSweep(['completed', 'in_progress', 'queued']));
    renderView();
    const cancel = await screen.findByRole('button', { name: 'Cancel 2 pending cells' });
    expect(screen.getByRole('group', { name: 'Sweep actions' })).toContainElement(cancel);
    await user.click(cancel);
    await waitFor(() => expect(screen.queryByTestId('sweep-cancel')).not.toBeInTheDocument());
    expect(api.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([`/v1/videos/sweeps/${ID}/cancel`]);
    expect(screen.getByTestId('sweep-status')).toHaveTextContent('1 of 3 cells done');
  });

  it('deletes only after the confirmation, then says so and leaves the grid', async () => {
    const user = userEvent.setup();
    const api = sweepApi(makeSweep(['completed', 'completed', 'failed']));
    renderView();
    await screen.findByTestId('sweep-grid');
    expect(screen.queryByTestId('sweep-cancel')).not.toBeInTheDocument(); // nothing left to cancel
    await user.click(screen.getByRole('button', { name: 'Delete sweep' }));
    expect(api.calls.some((c) => c.method === 'DELETE')).toBe(false);
    const confirm = screen.getByRole('button', { name: 'Delete sweep' });
    expect(confirm).toHaveFocus();
    expect(confirm).toHaveAccessibleDescription('Delete this sweep, its 3 videos and its grid?');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByTestId('sweep-grid')).not.toBeInTheDocument());
    expect(screen.getByTestId('sweep-notice')).toHaveTextContent('Sweep deleted, with its videos and grid.');
    expect(api.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([`/v1/videos/sweeps/${ID}`]);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows the server’s refusal when the cells finished meanwhile', async () => {
    const user = userEvent.setup();
    const api = sweepApi(makeSweep(['completed', 'queued']));
    renderView();
    const cancel = await screen.findByRole('button', { name: 'Cancel 1 pending cell' });
    const original = api.override;
    api.override = (call) =>
      call.path.endsWith('/cancel')
        ? apiError(409, 'No cell of the sweep is queued or running.', 'not_cancellable')
        : (original?.(call) ?? null);
    await user.click(cancel);
    expect(await screen.findByRole('alert')).toHaveTextContent('No cell of the sweep is queued or running.');
  });
});
