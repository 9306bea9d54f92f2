import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LAST_POSITION, queueKeys, useQueuePause, useQueueSteering } from './useQueue';
import { useVideoChat } from './useVideoChat';
import { findInList, updateVideo } from './videoCache';
import { FakeApi, makeVideo, previewModel } from '../../../test/fakeApi';
import { makeWrapper } from '../../../test/render';
import type { QueueState } from '../types/chat';

afterEach(() => vi.unstubAllGlobals());

function setup() {
  const api = new FakeApi();
  api.videos = [
    makeVideo({ id: 'video_b', prompt: 'b', queue_position: 1, created_at: 1764032002 }),
    makeVideo({ id: 'video_a', prompt: 'a', queue_position: 0, created_at: 1764032001 }),
  ];
  api.install();
  const { Wrapper, client } = makeWrapper();
  const { result } = renderHook(
    () => ({
      chat: useVideoChat({ pollIntervalMs: 60_000 }),
      queue: useQueuePause([previewModel]),
      steering: useQueueSteering(),
    }),
    { wrapper: Wrapper },
  );
  // Read from the job list's cache, which a change writes at once; the hook's render of it comes a
  // moment later (TanStack Query notifies its observers in a later task), so reading
  // result.current right after an act raced that notification.
  const position = (id: string) => findInList(client, id)?.queue_position;
  return { api, client, result, position };
}

describe('useQueueSteering', () => {
  it('writes the moved video at once and the others’ new places from GET /v1/queue', async () => {
    const { api, result, position } = setup();
    await waitFor(() => expect(result.current.chat.videos).toHaveLength(2));
    await waitFor(() => expect(result.current.queue.paused).toBe(false));
    const queueGets = () => api.calls.filter((c) => c.method === 'GET' && c.path === '/v1/queue').length;
    const before = queueGets();

    await act(async () => {
      await result.current.steering.move('video_b', { queue_position: 1 });
    });
    expect(position('video_b')).toBe(0);
    await waitFor(() => expect(position('video_a')).toBe(1));
    expect(queueGets()).toBeGreaterThan(before);

    await act(async () => {
      await result.current.steering.move('video_b', { queue_position: LAST_POSITION });
    });
    expect(position('video_b')).toBe(1);
    await waitFor(() => expect(position('video_a')).toBe(0));
  });

  it('edits a queued video and rejects with the studio’s error once it has started', async () => {
    const { api, client, result } = setup();
    await waitFor(() => expect(result.current.chat.videos).toHaveLength(2));
    await act(async () => {
      await result.current.steering.edit('video_a', { prompt: 'a, edited', seed: 5 });
    });
    expect(findInList(client, 'video_a')).toMatchObject({ prompt: 'a, edited', seed: 5 });

    api.videos = api.videos.map((v) => (v.id === 'video_b' ? { ...v, status: 'in_progress', progress: 10 } : v));
    await expect(result.current.steering.edit('video_b', { prompt: 'too late' })).rejects.toMatchObject({
      status: 409,
      code: 'not_queued',
    });
    // The list learns the video's real state.
    await waitFor(() => expect(result.current.chat.videos.find((v) => v.id === 'video_b')?.status).toBe('in_progress'));
  });

  it('never writes a queued state from the queue over a video the list knows has started', async () => {
    const { api, client, result } = setup();
    await waitFor(() => expect(result.current.chat.videos).toHaveLength(2));
    // The list hears that video_a started; a queue answer read before that still says queued.
    const started = makeVideo({ id: 'video_a', prompt: 'a', status: 'in_progress', queue_position: null, progress: 5 });
    act(() => updateVideo(client, started));
    const stale: QueueState = {
      object: 'queue',
      fairness: 'owners',
      paused: false,
      models: [],
      data: [makeVideo({ id: 'video_a', prompt: 'a', queue_position: 0 })],
    };
    api.override = (call) => (call.path === '/v1/queue' ? new Response(JSON.stringify(stale)) : null);
    await act(() => client.refetchQueries({ queryKey: queueKeys.all }));
    expect(api.calls.at(-1)?.path).toBe('/v1/queue');
    expect(result.current.chat.videos.find((v) => v.id === 'video_a')?.status).toBe('in_progress');
  });
});
