import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  cancelVideo,
  createVideo,
  deleteVideo,
  downloadUrl,
  errorText,
  friendlyMessage,
  getVideo,
  isTerminal,
  listModels,
  listVideos,
  retryVideo,
  thumbnailUrl,
} from './videoGeneration';
import { FakeApi, apiError, jsonBody, makeVideo } from '../../../test/fakeApi';

afterEach(() => vi.unstubAllGlobals());

describe('videoGeneration API module', () => {
  it('creates a job with a JSON body and relative URL', async () => {
    const api = new FakeApi();
    const fetchMock = api.install();
    const video = await createVideo({
      prompt: 'Volcano on a beach',
      negative_prompt: 'low quality',
      num_inference_steps: 12,
      seed: 7,
    });
    expect(video.status).toBe('queued');
    expect(video.prompt).toBe('Volcano on a beach');
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/v1/videos');
    expect(init.method).toBe('POST');
    expect(new Headers(init.headers).get('Content-Type')).toBe('application/json');
    expect(jsonBody(init)).toEqual({
      prompt: 'Volcano on a beach',
      negative_prompt: 'low quality',
      num_inference_steps: 12,
      seed: 7,
    });
  });

  it('omits unset optional fields so the server applies its defaults', async () => {
    const api = new FakeApi();
    api.install();
    await createVideo({ prompt: 'x', model: '', size: '' });
    await createVideo({ prompt: 'y', model: null, negative_prompt: null, num_inference_steps: null, seed: null });
    await createVideo({ prompt: 'z', negative_prompt: '', num_frames: 49, seconds: '3' });
    expect(api.calls.map((c) => c.body)).toEqual([
      { prompt: 'x' },
      { prompt: 'y' },
      // An empty negative prompt asks for none, so it is sent; frames and length go through.
      { prompt: 'z', negative_prompt: '', num_frames: 49, seconds: '3' },
    ]);
  });

  it('lists with limit, order and the after cursor', async () => {
    const api = new FakeApi();
    api.videos = [makeVideo({ id: 'video_a' }), makeVideo({ id: 'video_b' }), makeVideo({ id: 'video_c' })];
    api.install();
    const first = await listVideos({ limit: 2 });
    expect(first.data.map((v) => v.id)).toEqual(['video_a', 'video_b']);
    expect(first.has_more).toBe(true);
    const second = await listVideos({ limit: 2, after: first.last_id });
    expect(second.data.map((v) => v.id)).toEqual(['video_c']);
    expect(api.calls[1].query.get('after')).toBe('video_b');
    expect(api.calls[1].query.get('order')).toBe('desc');
  });

  it('parses the error envelope into an ApiError', async () => {
    const api = new FakeApi();
    api.install();
    const err = await createVideo({ prompt: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiErr = err as ApiError;
    expect(apiErr.status).toBe(400);
    expect(apiErr.message).toBe('prompt must not be empty');
    expect(apiErr.code).toBe('invalid_value');
    expect(apiErr.type).toBe('invalid_request_error');
  });

  it('never shows an HTML error page; a 504 becomes a timeout', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(new Response('<html>Gateway Timeout</html>', { status: 504 }))),
    );
    const err = (await getVideo('video_x').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('upstream_timeout');
    expect(err.message).not.toContain('<html>');
    expect(errorText(err)).toMatch(/took too long/);
  });

  it('reports a network failure as a readable error', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))),
    );
    const err = (await listModels().catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('network_error');
    expect(errorText(err)).toMatch(/Cannot reach the studio backend/);
  });

  it('cancels, retries and deletes through their endpoints', async () => {
    const api = new FakeApi();
    api.videos = [makeVideo({ id: 'video_q', status: 'in_progress' })];
    api.install();
    expect((await cancelVideo('video_q')).status).toBe('cancelled');
    const again = await retryVideo('video_q');
    expect(again.id).not.toBe('video_q');
    expect(again.status).toBe('queued');
    expect(await deleteVideo('video_q')).toEqual({ id: 'video_q', object: 'video.deleted', deleted: true });
    expect(api.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /v1/videos/video_q/cancel',
      'POST /v1/videos/video_q/retry',
      'DELETE /v1/videos/video_q',
    ]);
  });

  it('answers 409 for cancelling a finished job', async () => {
    const api = new FakeApi();
    api.videos = [makeVideo({ id: 'video_d', status: 'completed' })];
    api.install();
    await expect(cancelVideo('video_d')).rejects.toMatchObject({ status: 409 });
  });

  it('builds download and thumbnail URLs', () => {
    expect(downloadUrl({ id: 'video_1', content_url: '/v1/videos/video_1/content' })).toBe(
      '/v1/videos/video_1/content?download=1',
    );
    expect(downloadUrl({ id: 'video_1', content_url: '/v1/videos/video_1/content?variant=video' })).toBe(
      '/v1/videos/video_1/content?variant=video&download=1',
    );
    expect(thumbnailUrl({ id: 'video_1', thumbnail_url: null })).toBe('/v1/videos/video_1/content?variant=thumbnail');
  });

  it('has friendly text for timeouts and unconfigured providers, and passes others through', () => {
    expect(friendlyMessage('upstream_timeout', 'upstream did not answer in 180 s')).toMatch(/took too long/);
    expect(friendlyMessage('not_configured', 'x')).toMatch(/CLOUD_VIDEO_GENERATION_URL/);
    expect(friendlyMessage('invalid_value', 'steps must be 4..50')).toBe('steps must be 4..50');
    expect(errorText(new ApiError('nope', { status: 503, code: 'not_configured' }))).toMatch(/No video provider/);
  });

  it('knows the terminal statuses', () => {
    expect(isTerminal('completed')).toBe(true);
    expect(isTerminal('failed')).toBe(true);
    expect(isTerminal('cancelled')).toBe(true);
    expect(isTerminal('queued')).toBe(false);
    expect(isTerminal('in_progress')).toBe(false);
  });

  it('puts apiError bodies through unchanged when given by the fake', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(apiError(503, 'provider tt-cloud is not configured', 'not_configured'))),
    );
    const err = (await createVideo({ prompt: 'x' }).catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(503);
    expect(errorText(err)).toMatch(/No video provider is configured/);
  });
});

describe('generateVideoSync (the seed endpoint)', () => {
  it('posts the prompt to /models-api/video-generation-cloud/ with a 180 s timeout and returns the MP4', async () => {
    const { generateVideoSync, GENERATION_TIMEOUT_MS } = await import('./videoGeneration');
    const fetchMock = vi.fn(() =>
      Promise.resolve(
        new Response(new Uint8Array([0, 0, 0, 24, 102, 116, 121, 112]), {
          status: 200,
          headers: { 'Content-Type': 'video/mp4' },
        }),
      ),
    );
    vi.stubGlobal('fetch', fetchMock);
    const timeout = vi.spyOn(AbortSignal, 'timeout');
    const blob = await generateVideoSync('Volcano on a beach');
    expect(blob.size).toBe(8);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/models-api/video-generation-cloud/');
    expect(jsonBody(init)).toEqual({ prompt: 'Volcano on a beach' });
    expect(GENERATION_TIMEOUT_MS).toBe(180_000);
    expect(timeout).toHaveBeenCalledWith(180_000);
  });

  it('turns a 504 into a timeout error and a 503 into not_configured', async () => {
    const { generateVideoSync } = await import('./videoGeneration');
    vi.stubGlobal(
      'fetch',
      vi.fn(() =>
        Promise.resolve(new Response(JSON.stringify({ error: 'took longer than 180 seconds' }), { status: 504 })),
      ),
    );
    await expect(generateVideoSync('x')).rejects.toMatchObject({ code: 'upstream_timeout', status: 504 });
    vi.stubGlobal(
      'fetch',
      vi.fn(() =>
        Promise.resolve(new Response(JSON.stringify({ error: 'set CLOUD_VIDEO_GENERATION_URL' }), { status: 503 })),
      ),
    );
    await expect(generateVideoSync('x')).rejects.toMatchObject({
      code: 'not_configured',
      message: 'set CLOUD_VIDEO_GENERATION_URL',
    });
  });
});
