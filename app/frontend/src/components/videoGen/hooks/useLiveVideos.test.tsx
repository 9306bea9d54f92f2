import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useVideoChat, type UseVideoChatOptions } from './useVideoChat';
import { upsertVideo, videoKeys, type ListData } from './videoCache';
import { FakeApi, completed, makeVideo } from '../../../test/fakeApi';
import { FakeEventSource } from '../../../test/fakeEventSource';
import { makeWrapper } from '../../../test/render';
import type { Video } from '../types/chat';

afterEach(() => vi.unstubAllGlobals());
beforeEach(() => FakeEventSource.install());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET /v1/videos/{id} calls (one-off fetches), optionally for one job only. */
function jobGets(api: FakeApi, id?: string): number {
  return api.calls.filter(
    (c) => c.method === 'GET' && (id ? c.path === `/v1/videos/${id}` : c.path.startsWith('/v1/videos/')),
  ).length;
}

/** Polls of the unfinished jobs (one list request each) and one-off fetches of single jobs. */
function polls(api: FakeApi): number {
  return (
    api.calls.filter((c) => c.method === 'GET' && c.path === '/v1/videos' && c.query.has('status')).length +
    jobGets(api)
  );
}

// Fast polling, so that a poll that should not happen would show within a short wait.
const FAST: UseVideoChatOptions = { pollIntervalMs: 20, live: { reconcileMs: 30, reopenMs: 60_000 } };

async function renderChat(api: FakeApi, options: UseVideoChatOptions = FAST) {
  api.install();
  const { Wrapper } = makeWrapper();
  const hook = renderHook(() => useVideoChat(options), { wrapper: Wrapper });
  await waitFor(() => expect(hook.result.current.isLoading).toBe(false));
  return hook;
}

/** The stream the page has open, opened by the server and sent `videos` (its first burst). */
async function openStream(videos: Video[] = []): Promise<FakeEventSource> {
  await waitFor(() => expect(FakeEventSource.live()).toHaveLength(1));
  const source = FakeEventSource.latest();
  act(() => {
    source.open();
    for (const v of videos) source.send('video', v);
  });
  return source;
}

describe('useLiveVideos (through useVideoChat)', () => {
  it('opens one stream for the unfinished jobs and writes its events into the list', async () => {
    const api = new FakeApi();
    const running = makeVideo({ id: 'video_run', status: 'in_progress', progress: 10, created_at: 1764032002 });
    const queued = makeVideo({ id: 'video_queued', created_at: 1764032001 });
    api.videos = [running, queued, completed(makeVideo({ id: 'video_done', created_at: 1764032000 }))];
    const { result } = await renderChat(api);
    const source = await openStream([running, queued]);
    expect(source.url).toBe('/v1/videos/events');

    act(() => source.send('video', { ...running, progress: 55, elapsed_seconds: 7 }));
    await waitFor(() => expect(result.current.videos.find((v) => v.id === 'video_run')?.progress).toBe(55));
    act(() => source.send('video', { ...queued, status: 'in_progress', queue_position: null }));
    await waitFor(() => expect(result.current.videos.find((v) => v.id === 'video_queued')?.status).toBe('in_progress'));
    expect(result.current.videos.map((v) => v.id)).toEqual(['video_done', 'video_queued', 'video_run']);
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('closes the stream once a terminal event leaves no unfinished job', async () => {
    const api = new FakeApi();
    const job = makeVideo({ id: 'video_one', status: 'in_progress' });
    api.videos = [job];
    const { result } = await renderChat(api);
    const source = await openStream([job]);

    act(() => source.send('video', completed(job)));
    await waitFor(() => expect(result.current.videos[0].status).toBe('completed'));
    await waitFor(() => expect(source.readyState).toBe(FakeEventSource.CLOSED));
    await sleep(100);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(jobGets(api)).toBe(0);
  });

  it('opens a stream again when a new job is submitted', async () => {
    const api = new FakeApi();
    const { result } = await renderChat(api);
    expect(FakeEventSource.instances).toHaveLength(0); // nothing to watch
    await act(async () => {
      await result.current.submit({ prompt: 'Volcano on a beach' });
    });
    const source = await openStream();
    const job = api.videos[0];
    act(() => source.send('video', completed(job)));
    await waitFor(() => expect(result.current.videos[0].status).toBe('completed'));
  });

  it('removes a job on a deleted event', async () => {
    const api = new FakeApi();
    const a = makeVideo({ id: 'video_a', created_at: 1764032001 });
    const b = makeVideo({ id: 'video_b', created_at: 1764032000 });
    api.videos = [a, b];
    const { result } = await renderChat(api);
    const source = await openStream([a, b]);

    act(() => source.send('deleted', { id: 'video_a' }));
    await waitFor(() => expect(result.current.videos.map((v) => v.id)).toEqual(['video_b']));
    // A state of it still on its way does not bring it back.
    act(() => source.send('video', { ...a, status: 'in_progress' }));
    await sleep(50);
    expect(result.current.videos.map((v) => v.id)).toEqual(['video_b']);
  });

  it('does not poll each job while the stream is open', async () => {
    const api = new FakeApi();
    const jobs = [1, 2, 3].map((i) =>
      makeVideo({ id: `video_${i}`, status: 'in_progress', created_at: 1764032000 + i }),
    );
    api.videos = [...jobs].reverse();
    await renderChat(api);
    const source = await openStream(jobs);
    await sleep(300); // 15 poll intervals, 10 reconcile looks
    expect(polls(api)).toBe(0);
    expect(source.readyState).toBe(FakeEventSource.OPEN);
  });

  it('waits for the stream while it opens, and polls once it is late', async () => {
    const api = new FakeApi();
    api.videos = [makeVideo({ id: 'video_slow', status: 'in_progress' })];
    await renderChat(api, { ...FAST, live: { ...FAST.live, connectGraceMs: 400 } });
    await waitFor(() => expect(FakeEventSource.live()).toHaveLength(1));
    await sleep(60);
    expect(polls(api)).toBe(0);
    await waitFor(() => expect(polls(api)).toBeGreaterThan(2));

    // Opened at last: the polling stops.
    act(() => FakeEventSource.latest().open());
    await sleep(30);
    const gets = polls(api);
    await sleep(150);
    expect(polls(api)).toBeLessThanOrEqual(gets + 1); // at most the one-off check of an unreported job
  });

  it('falls back to polling after the stream errors closed (429), and tries a new stream later', async () => {
    const api = new FakeApi();
    const job = makeVideo({ id: 'video_busy', status: 'in_progress', progress: 5 });
    api.videos = [job];
    let progress = 5;
    api.onGet = (v) => ({ ...v, progress: (progress += 5) });
    const { result } = await renderChat(api, { ...FAST, live: { ...FAST.live, reopenMs: 300 } });
    const source = await openStream([job]);
    await sleep(60);
    expect(polls(api)).toBe(0);

    act(() => source.fail({ closed: true }));
    await waitFor(() => expect(polls(api)).toBeGreaterThan(2));
    await waitFor(() => expect(result.current.videos[0].progress).toBeGreaterThan(10));

    // Later a new stream is opened; once it is, the polling stops again.
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(2));
    const again = await openStream([{ ...job, progress: 90 }]);
    expect(again).not.toBe(source);
    await sleep(30);
    const gets = polls(api);
    await sleep(150);
    expect(polls(api)).toBe(gets);
  });

  it('shows a job created elsewhere (another tab) at the head of the list', async () => {
    const api = new FakeApi();
    const mine = makeVideo({ id: 'video_mine', created_at: 1764032000 });
    api.videos = [mine, completed(makeVideo({ id: 'video_old', created_at: 1764031000 }))];
    const { result } = await renderChat(api);
    const source = await openStream([mine]);

    const theirs = makeVideo({ id: 'video_theirs', prompt: 'from another tab', created_at: 1764032100 });
    act(() => source.send('video', theirs));
    await waitFor(() =>
      expect(result.current.videos.map((v) => v.id)).toEqual(['video_old', 'video_mine', 'video_theirs']),
    );
    act(() => source.send('video', { ...theirs, status: 'in_progress', progress: 30 }));
    await waitFor(() => expect(result.current.videos[2].progress).toBe(30));
    expect(result.current.videos).toHaveLength(3);
  });

  it('after a reconnect, fetches once a job that finished while the stream was down', async () => {
    const api = new FakeApi();
    const a = makeVideo({ id: 'video_a', status: 'in_progress', created_at: 1764032001 });
    const b = makeVideo({ id: 'video_b', status: 'in_progress', created_at: 1764032000 });
    api.videos = [a, b];
    const { result } = await renderChat(api);
    const source = await openStream([a, b]);

    act(() => source.fail({ closed: false })); // EventSource reconnects by itself
    api.videos[1] = completed(b); // finished meanwhile, so the new stream no longer reports it
    act(() => {
      source.open();
      source.send('video', { ...a, progress: 70 });
    });
    await waitFor(() => expect(result.current.videos.find((v) => v.id === 'video_b')?.status).toBe('completed'));
    expect(result.current.videos.find((v) => v.id === 'video_a')?.progress).toBe(70);
    await sleep(150);
    expect(jobGets(api, 'video_b')).toBe(1);
    expect(jobGets(api, 'video_a')).toBe(0);
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('keeps a cancel or delete made here over a late event', async () => {
    const api = new FakeApi();
    const a = makeVideo({ id: 'video_a', created_at: 1764032002 });
    const b = makeVideo({ id: 'video_b', status: 'in_progress', created_at: 1764032001 });
    const keep = makeVideo({ id: 'video_keep', status: 'in_progress', created_at: 1764032000 });
    api.videos = [a, b, keep];
    const { result } = await renderChat(api);
    const source = await openStream([a, b, keep]);

    await act(() => result.current.cancel('video_a'));
    await waitFor(() => expect(result.current.videos.find((v) => v.id === 'video_a')?.status).toBe('cancelled'));
    await act(() => result.current.remove('video_b'));
    await waitFor(() => expect(result.current.videos.map((v) => v.id)).not.toContain('video_b'));

    // States the server sent before the cancel and the delete arrive only now.
    act(() => {
      source.send('video', { ...a, progress: 20 });
      source.send('video', { ...b, progress: 60 });
    });
    await sleep(50);
    expect(result.current.videos.map((v) => [v.id, v.status])).toEqual([
      ['video_keep', 'in_progress'],
      ['video_a', 'cancelled'],
    ]);
  });

  it('polls as before where the browser has no EventSource', async () => {
    vi.stubGlobal('EventSource', undefined);
    const api = new FakeApi();
    api.videos = [makeVideo({ id: 'video_poll', status: 'in_progress' })];
    api.onGet = completed;
    const { result } = await renderChat(api);
    await waitFor(() => expect(result.current.videos[0].status).toBe('completed'));
    expect(polls(api)).toBeGreaterThan(0);
  });
});

describe('upsertVideo', () => {
  function listOf(pages: { data: Video[]; has_more: boolean }[]): ListData {
    return {
      pages: pages.map((p) => ({
        object: 'list' as const,
        data: p.data,
        first_id: p.data[0]?.id ?? null,
        last_id: p.data.at(-1)?.id ?? null,
        has_more: p.has_more,
      })),
      pageParams: pages.map((_, i) => (i === 0 ? null : (pages[i - 1].data.at(-1)?.id ?? null))),
    };
  }

  it('puts an unlisted job in newest-first order, and leaves one older than every loaded page to its page', () => {
    const { client } = makeWrapper();
    const at = (id: string, t: number) => makeVideo({ id, created_at: t });
    client.setQueryData(videoKeys.list(), listOf([{ data: [at('video_30', 30), at('video_20', 20)], has_more: true }]));

    upsertVideo(client, at('video_40', 40));
    upsertVideo(client, at('video_25', 25));
    upsertVideo(client, at('video_10', 10)); // on a page not loaded yet
    const ids = () => client.getQueryData<ListData>(videoKeys.list())?.pages.flatMap((p) => p.data.map((v) => v.id));
    expect(ids()).toEqual(['video_40', 'video_30', 'video_25', 'video_20']);
    expect(client.getQueryData<ListData>(videoKeys.list())?.pages[0].first_id).toBe('video_40');
    expect(client.getQueryData<ListData>(videoKeys.list())?.pages[0].last_id).toBe('video_20');

    // A finished state is not replaced by an unfinished one read earlier.
    upsertVideo(client, completed(at('video_25', 25)));
    upsertVideo(client, makeVideo({ id: 'video_25', created_at: 25, status: 'in_progress' }));
    const v25 = client.getQueryData<ListData>(videoKeys.list())?.pages[0].data.find((v) => v.id === 'video_25');
    expect(v25?.status).toBe('completed');

    // A cancel request is not undone by a state read before it; the job's end still counts.
    const running = makeVideo({ id: 'video_30', created_at: 30, status: 'in_progress' });
    const v30 = () => client.getQueryData<ListData>(videoKeys.list())?.pages[0].data.find((v) => v.id === 'video_30');
    upsertVideo(client, { ...running, cancel_requested: true });
    upsertVideo(client, { ...running, progress: 50 });
    expect(v30()).toMatchObject({ status: 'in_progress', cancel_requested: true, progress: 0 });
    upsertVideo(client, completed(running));
    expect(v30()?.status).toBe('completed');
  });
});

describe('polling without a stream', () => {
  it('asks once for all unfinished jobs, not once per job, and looks once at each that finished', async () => {
    vi.stubGlobal('EventSource', undefined);
    const api = new FakeApi();
    const jobs = Array.from({ length: 20 }, (_, i) =>
      makeVideo({ id: `video_${String(i).padStart(2, '0')}`, status: 'in_progress', created_at: 1764032000 + i }),
    );
    api.videos = [...jobs].reverse();
    const { result } = await renderChat(api);
    await waitFor(() =>
      expect(api.calls.filter((c) => c.query.get('status') === 'queued,in_progress').length).toBeGreaterThan(3),
    );
    expect(jobGets(api)).toBe(0);

    // One finishes on the server: it leaves the unfinished list and is looked at once.
    api.videos = api.videos.map((v) => (v.id === 'video_05' ? completed(v) : v));
    await waitFor(() => expect(result.current.videos.find((v) => v.id === 'video_05')?.status).toBe('completed'));
    await sleep(100);
    expect(jobGets(api)).toBe(1);
  });
});
