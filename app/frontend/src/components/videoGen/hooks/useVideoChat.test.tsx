import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useModels, useVideoChat } from './useVideoChat';
import { FakeApi, apiError, cloudModel, completed, makeVideo, previewModel } from '../../../test/fakeApi';
import { makeWrapper } from '../../../test/render';
import { ApiError } from '../api/videoGeneration';

afterEach(() => vi.unstubAllGlobals());

describe('useVideoChat', () => {
  it('fills the history from every page of GET /v1/videos, oldest first', async () => {
    const api = new FakeApi();
    api.videos = Array.from({ length: 5 }, (_, i) =>
      completed(makeVideo({ id: `video_${i}`, prompt: `prompt ${i}`, created_at: 1764032000 - i })),
    );
    api.install();
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useVideoChat({ pageSize: 2 }), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.videos).toHaveLength(5));
    expect(result.current.videos.map((v) => v.id)).toEqual(['video_4', 'video_3', 'video_2', 'video_1', 'video_0']);
    expect(result.current.hasOlder).toBe(false);
    const afters = api.calls.filter((c) => c.path === '/v1/videos').map((c) => c.query.get('after'));
    expect(afters).toEqual([null, 'video_1', 'video_3']);
  });

  it('stops auto-loading after the configured number of pages and loads more on request', async () => {
    const api = new FakeApi();
    api.videos = Array.from({ length: 6 }, (_, i) => completed(makeVideo({ id: `video_${i}` })));
    api.install();
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useVideoChat({ pageSize: 2, autoLoadPages: 2 }), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.videos).toHaveLength(4));
    expect(result.current.hasOlder).toBe(true);
    act(() => result.current.loadOlder());
    await waitFor(() => expect(result.current.videos).toHaveLength(6));
    expect(result.current.hasOlder).toBe(false);
  });

  it('submits a prompt, polls the job and shows it completed', async () => {
    const api = new FakeApi();
    // Running until the test has seen it running (a fixed number of polls races a busy machine).
    let finish = false;
    api.onGet = (v) =>
      finish ? completed(v) : { ...v, status: 'in_progress', progress: 40, queue_position: null, elapsed_seconds: 1 };
    api.install();
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useVideoChat({ pollIntervalMs: 20 }), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.isLoading).toBe(false));

    let created: Awaited<ReturnType<typeof result.current.submit>> | undefined;
    await act(async () => {
      created = await result.current.submit({ prompt: 'Volcano on a beach', seed: 0 });
    });
    expect(created?.status).toBe('queued');
    await waitFor(() => expect(result.current.videos.map((v) => v.prompt)).toEqual(['Volcano on a beach']));

    await waitFor(() => expect(result.current.videos[0].status).toBe('in_progress'));
    expect(result.current.videos[0].progress).toBe(40);
    finish = true;
    await waitFor(() => expect(result.current.videos[0].status).toBe('completed'));
    expect(result.current.videos[0].content_url).toMatch(/\/content$/);

    // Once terminal, polling stops.
    const getsAtEnd = api.calls.filter((c) => c.method === 'GET' && c.path.startsWith('/v1/videos/')).length;
    await new Promise((r) => setTimeout(r, 100));
    const getsLater = api.calls.filter((c) => c.method === 'GET' && c.path.startsWith('/v1/videos/')).length;
    expect(getsLater).toBe(getsAtEnd);
  });

  it('keeps several queued jobs and their queue positions', async () => {
    const api = new FakeApi();
    api.install();
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useVideoChat({ pollIntervalMs: 20 }), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    api.onGet = (v) => ({ ...v, queue_position: v.prompt === 'first' ? 0 : 1, eta_seconds: 30 });
    await act(async () => {
      await result.current.submit({ prompt: 'first' });
      await result.current.submit({ prompt: 'second' });
    });
    await waitFor(() => expect(result.current.videos.map((v) => v.queue_position)).toEqual([0, 1]));
    expect(result.current.videos.map((v) => v.prompt)).toEqual(['first', 'second']);
    expect(result.current.videos[1].eta_seconds).toBe(30);
  });

  it('exposes a submit error with the API message and code', async () => {
    const api = new FakeApi();
    api.override = (c) =>
      c.method === 'POST' ? apiError(503, 'provider tt-cloud is not configured', 'not_configured') : null;
    api.install();
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useVideoChat(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    await act(async () => {
      await result.current.submit({ prompt: 'x' }).catch(() => undefined);
    });
    await waitFor(() => expect(result.current.submitError).toBeInstanceOf(ApiError));
    expect((result.current.submitError as ApiError).code).toBe('not_configured');
    expect(result.current.videos).toHaveLength(0);
    act(() => result.current.clearSubmitError());
    await waitFor(() => expect(result.current.submitError).toBeNull());
  });

  it('cancels, retries and deletes, updating the list', async () => {
    const api = new FakeApi();
    api.videos = [makeVideo({ id: 'video_run', prompt: 'run', status: 'in_progress' })];
    api.install();
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useVideoChat({ pollIntervalMs: 1000 }), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.videos).toHaveLength(1));

    // Query caches notify on a later tick, hence waitFor after each action.
    await act(() => result.current.cancel('video_run'));
    await waitFor(() => expect(result.current.videos[0].status).toBe('cancelled'));

    await act(() => result.current.retry('video_run'));
    await waitFor(() => expect(result.current.videos).toHaveLength(2));
    expect(result.current.videos[1].status).toBe('queued');
    expect(result.current.videos[1].prompt).toBe('run');

    await act(() => result.current.remove('video_run'));
    await waitFor(() => expect(result.current.videos.map((v) => v.id)).not.toContain('video_run'));
    expect(result.current.videos).toHaveLength(1);
    expect(result.current.actionError).toBeNull();
  });

  it('shows an action error and refreshes the job when cancel comes too late', async () => {
    const api = new FakeApi();
    api.videos = [makeVideo({ id: 'video_late', status: 'in_progress' })];
    api.install();
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useVideoChat({ pollIntervalMs: 60_000 }), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.videos).toHaveLength(1));
    api.videos[0] = completed(api.videos[0]); // finished on the server meanwhile
    await act(() => result.current.cancel('video_late'));
    await waitFor(() => expect(result.current.actionError?.id).toBe('video_late'));
    expect(result.current.actionError?.message).toBe('already finished');
    await waitFor(() => expect(result.current.videos[0].status).toBe('completed'));
  });

  it('reports a history load failure', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(apiError(500, 'database is locked', 'internal_error'))),
    );
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useVideoChat(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.historyError).toBe('database is locked'));
  });
});

describe('useModels', () => {
  it('picks the default ready model', async () => {
    new FakeApi().install();
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useModels(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    expect(result.current.anyReady).toBe(true);
    expect(result.current.defaultModel?.id).toBe('preview');
    expect(result.current.unavailableReason).toBeNull();
  });

  it('explains why no provider is ready', async () => {
    const api = new FakeApi();
    api.models = [
      cloudModel,
      { ...previewModel, ready: false, default: true, detail: 'disabled by VIDEO_PREVIEW_ENABLED=false' },
    ];
    api.install();
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useModels(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    expect(result.current.anyReady).toBe(false);
    expect(result.current.unavailableReason).toMatch(/No video provider is ready/);
    expect(result.current.unavailableReason).toMatch(/CLOUD_VIDEO_GENERATION_URL/);
    expect(result.current.unavailableReason).toMatch(/VIDEO_PREVIEW_ENABLED=true/);
    // The per-model details stay available for the page banner.
    expect(result.current.models.map((m) => m.detail)).toContain('disabled by VIDEO_PREVIEW_ENABLED=false');
  });

  it('treats an unreachable backend as unavailable', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))),
    );
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useModels(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    expect(result.current.anyReady).toBe(false);
    expect(result.current.unavailableReason).toMatch(/Cannot check the video providers/);
  });
});
