// A tiny in-memory stand-in for the studio API, installed as global fetch in unit tests.
import { vi } from 'vitest';
import type { ModelCapabilities, Video, VideoModel } from '../components/videoGen/types/chat';
import { FakeWebhooks } from './fakeWebhooks';
import { signedLink } from './fakeLinks';

/** A complete video object as the server answers it (a queued preview job unless overridden). */
export function makeVideo(overrides: Partial<Video> = {}): Video {
  const id = overrides.id ?? `video_${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`;
  return {
    id,
    object: 'video',
    model: 'preview',
    status: 'queued',
    progress: 0,
    created_at: 1764032000,
    started_at: null,
    completed_at: null,
    expires_at: null,
    seconds: '2',
    size: '832x480',
    remixed_from_video_id: null,
    extended_from_video_id: null,
    edited_from_video_id: null,
    operation: 'generate',
    batch_id: null,
    favorite: false,
    prompt: 'Volcano on a beach',
    negative_prompt: 'low quality',
    num_inference_steps: 12,
    seed: 0,
    num_frames: null,
    has_reference_image: false,
    preview: true,
    label: 'preview, not AI',
    queue_position: 0,
    eta_seconds: null,
    elapsed_seconds: 0,
    status_message: null,
    cancel_requested: false,
    error: null,
    sound: false,
    has_audio: false,
    audio: null,
    metadata: null,
    content_url: null,
    thumbnail_url: null,
    spritesheet_url: null,
    ...overrides,
  };
}

export function completed(v: Video): Video {
  return {
    ...v,
    status: 'completed',
    progress: 100,
    queue_position: null,
    completed_at: v.created_at + 3,
    started_at: v.created_at,
    metadata: { duration: 2.06, frames: 33, width: 832, height: 480, codec: 'h264', fps: 16, bytes: 123456 },
    content_url: `/v1/videos/${v.id}/content`,
    thumbnail_url: `/v1/videos/${v.id}/content?variant=thumbnail`,
    spritesheet_url: `/v1/videos/${v.id}/content?variant=spritesheet`,
  };
}

/** A model's capabilities as the server reports them, with the backend's defaults. */
export function makeCapabilities(overrides: Partial<ModelCapabilities> = {}): ModelCapabilities {
  return {
    steps_range: [1, 100],
    default_steps: 12,
    default_size: null,
    sizes: null,
    accepts_size: true,
    accepts_frames: true,
    frames_range: [1, 241],
    image_to_video: false,
    fps: 16,
    default_seconds: 5,
    seconds: null,
    max_seconds: 15,
    extend: false,
    edit: false,
    remix: true,
    last_frame: false,
    text_to_video: true,
    sound: false,
    ...overrides,
  };
}

export const previewModel: VideoModel = {
  id: 'preview',
  object: 'model',
  owned_by: 'video-studio',
  label: 'Preview engine (procedural, not AI)',
  ready: true,
  detail: 'built in',
  preview: true,
  runs_on: 'this_machine',
  typical_time: null,
  default: true,
  concurrency: 1,
  queue_paused: false,
  capabilities: makeCapabilities({ default_size: '832x480', frames_range: [1, 161], image_to_video: true }),
};

export const cloudModel: VideoModel = {
  id: 'tt-cloud',
  object: 'model',
  owned_by: 'video-studio',
  label: 'Wan 2.2 (Tenstorrent cloud)',
  ready: false,
  detail: 'CLOUD_VIDEO_GENERATION_URL is not set',
  preview: false,
  runs_on: 'tenstorrent',
  typical_time: '2–3 minutes',
  default: false,
  concurrency: 1,
  queue_paused: false,
  capabilities: makeCapabilities({ steps_range: [4, 50], accepts_size: false, accepts_frames: false }),
};

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** The URL fetch was called with, whichever of its accepted forms it came in. */
export function requestUrl(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

/** The parsed body of a fetch call; the API client always sends JSON as a string. */
export function jsonBody(init: RequestInit | undefined): unknown {
  const body = init?.body;
  if (typeof body !== 'string') throw new Error(`expected a JSON string body, got ${typeof body}`);
  return JSON.parse(body);
}

export function apiError(status: number, message: string, code: string | null = null): Response {
  return json(status, { error: { message, type: 'invalid_request_error', param: null, code } });
}

/**
 * Newest-first store of videos, with hooks to drive job progress from the test.
 * `onGet(video)` may return the next state of a polled video.
 */
export class FakeApi {
  videos: Video[] = [];
  models: VideoModel[] = [previewModel, cloudModel];
  calls: Call[] = [];
  /** The whole queue is paused (GET/POST /v1/queue). */
  queuePaused = false;
  /** The prompt enhancer's chat model; null: not configured (503 enhancer_not_configured). */
  enhancerModel: string | null = null;
  /** Webhook endpoints and their delivery logs (/v1/webhooks...). */
  webhooks = new FakeWebhooks();
  /** The longest signed link's lifetime (STUDIO_LINK_MAX_SECONDS); longer asks answer 400. */
  linkMaxSeconds = 7 * 86400;
  /** "Now" for a link's expires_at, in Unix seconds. */
  now = () => Math.floor(Date.now() / 1000);
  /** The enhancer's suggestion for a prompt. */
  onEnhance: (prompt: string, mode: string) => string = (prompt) => `${prompt}, golden hour light, slow dolly shot`;
  onGet: (v: Video) => Video = (v) => v;
  /** Force the next matching request to answer this instead. */
  override: ((call: Call) => Response | null) | null = null;
  private seq = 0;

  /** Hold the answer to a request until the returned promise settles (null: answer at once). */
  hold: ((call: Pick<Call, 'method' | 'path'>) => Promise<unknown> | null) | null = null;

  install(): ReturnType<typeof vi.fn> {
    // Answered asynchronously like the real fetch; a throw in handle() becomes a rejection.
    const fn = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
      const held = this.hold?.({
        method: (init?.method ?? 'GET').toUpperCase(),
        path: new URL(requestUrl(input), 'http://studio.test').pathname,
      });
      if (held) return held.then(() => this.handle(input, init));
      return new Promise<Response>((resolve) => {
        resolve(this.handle(input, init));
      });
    });
    vi.stubGlobal('fetch', fn);
    return fn;
  }

  private handle(input: RequestInfo | URL, init?: RequestInit): Response {
    const url = new URL(requestUrl(input), 'http://studio.test');
    const method = (init?.method ?? 'GET').toUpperCase();
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : null;
    const call: Call = { method, path: url.pathname, query: url.searchParams, body };
    this.calls.push(call);
    const forced = this.override?.(call);
    if (forced) return forced;

    const m = url.pathname.match(/^\/v1\/videos\/([^/]+)(?:\/(cancel|retry))?$/);
    if (url.pathname === '/v1/models' && method === 'GET') {
      return json(200, { object: 'list', data: this.models.map((x) => ({ ...x, queue_paused: this.queuePaused })) });
    }
    if (url.pathname === '/v1/queue') return this.queue(method, body);
    if (url.pathname.startsWith('/v1/webhooks')) {
      const answer = this.webhooks.handle(method, url.pathname, body);
      return json(answer.status, answer.body);
    }
    const link = url.pathname.match(/^\/v1\/videos\/([^/]+)\/links$/);
    if (link && method === 'POST') return signedLink(this.videos, this.now(), this.linkMaxSeconds, link[1], body);
    if (url.pathname === '/v1/prompts/enhance') return this.enhance(method, body);
    if (url.pathname === '/v1/videos' && method === 'GET') {
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const after = url.searchParams.get('after');
      // Filters as the studio applies them; a status-filtered list is a poll of those jobs,
      // so `onGet` moves each listed one on as it does for a single GET.
      const status = url.searchParams.get('status')?.split(',');
      const q = url.searchParams.get('q')?.toLowerCase();
      const batch = url.searchParams.get('batch_id');
      const pool = this.videos
        .map((v, i) => {
          if (status && !status.includes(v.status)) return null;
          if (q && !v.prompt.toLowerCase().includes(q)) return null;
          if (batch && v.batch_id !== batch) return null;
          if (status) this.videos[i] = this.onGet(v);
          return this.videos[i];
        })
        .filter((v): v is Video => v !== null);
      const start = after ? pool.findIndex((v) => v.id === after) + 1 : 0;
      const data = pool.slice(start, start + limit);
      return json(200, {
        object: 'list',
        data,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
        has_more: start + limit < pool.length,
      });
    }
    if (url.pathname === '/v1/videos' && method === 'POST') {
      const b = body as { prompt?: string; seed?: number; num_inference_steps?: number; original_prompt?: string };
      if (!b.prompt) return apiError(400, 'prompt must not be empty', 'invalid_value');
      this.seq += 1;
      const v = makeVideo({
        id: `video_${String(this.seq).padStart(32, '0')}`,
        prompt: b.prompt,
        seed: b.seed ?? 0,
        num_inference_steps: b.num_inference_steps ?? 12,
        created_at: 1764032000 + this.seq,
        original_prompt: b.original_prompt ?? null,
      });
      this.videos.unshift(v);
      return json(201, v);
    }
    if (m) {
      const [, id, action] = m;
      const idx = this.videos.findIndex((v) => v.id === id);
      if (idx < 0) return apiError(404, `no video ${id}`, 'not_found');
      const v = this.videos[idx];
      if (method === 'GET' && !action) {
        this.videos[idx] = this.onGet(v);
        return json(200, this.videos[idx]);
      }
      if (method === 'POST' && !action) return this.update(idx, body as Record<string, unknown>);
      if (method === 'DELETE') {
        this.videos.splice(idx, 1);
        return json(200, { id, object: 'video.deleted', deleted: true });
      }
      if (action === 'cancel') {
        if (['completed', 'failed', 'cancelled'].includes(v.status))
          return apiError(409, 'already finished', 'conflict');
        this.videos[idx] = { ...v, status: 'cancelled', queue_position: null };
        return json(200, this.videos[idx]);
      }
      if (action === 'retry') {
        this.seq += 1;
        const copy = makeVideo({
          ...v,
          id: `video_${String(this.seq).padStart(32, '0')}`,
          status: 'queued',
          error: null,
        });
        this.videos.unshift(copy);
        return json(201, copy);
      }
    }
    return apiError(404, `no route ${method} ${url.pathname}`, 'not_found');
  }

  /** The queued videos of `model` in the order they will run (queue_position, then age). */
  runOrder(model?: string): Video[] {
    return this.videos
      .filter((v) => v.status === 'queued' && (model == null || v.model === model))
      .sort((a, b) => (a.queue_position ?? 0) - (b.queue_position ?? 0) || a.created_at - b.created_at);
  }

  private queue(method: string, body: unknown): Response {
    if (method === 'POST') {
      const b = body as { paused?: unknown };
      if (typeof b.paused !== 'boolean') return apiError(400, 'paused must be true or false', 'invalid_value');
      this.queuePaused = b.paused;
    }
    return json(200, {
      object: 'queue',
      fairness: 'owners',
      paused: this.queuePaused,
      models: this.models.map((x) => ({ model: x.id, paused: this.queuePaused })),
      data: this.runOrder(),
    });
  }

  /** POST /v1/videos/{id}: favorite, and while queued a move or parameter edits, as the studio checks them. */
  private update(idx: number, b: Record<string, unknown>): Response {
    const v = this.videos[idx];
    if ('favorite' in b) {
      this.videos[idx] = { ...v, favorite: b.favorite === true };
      return json(200, this.videos[idx]);
    }
    if (v.status !== 'queued')
      return apiError(409, `${v.id} has started; only a queued video can be changed.`, 'not_queued');
    const steps = b.num_inference_steps;
    if (steps != null && (typeof steps !== 'number' || steps < 1 || steps > 100)) {
      return json(400, {
        error: {
          message: 'num_inference_steps must be from 1 to 100.',
          type: 'invalid_request_error',
          param: 'num_inference_steps',
          code: 'invalid_value',
        },
      });
    }
    if (b.prompt != null && (typeof b.prompt !== 'string' || !b.prompt.trim())) {
      return apiError(400, 'prompt must not be empty', 'invalid_value');
    }
    const next: Video = { ...v };
    if (typeof b.prompt === 'string') {
      next.prompt = b.prompt;
      next.original_prompt = null;
    }
    if (typeof b.negative_prompt === 'string') next.negative_prompt = b.negative_prompt;
    if (typeof b.seed === 'number') next.seed = b.seed;
    if (typeof steps === 'number') next.num_inference_steps = steps;
    this.videos[idx] = next;
    if (typeof b.queue_position === 'number' || typeof b.before === 'string') {
      const order = this.runOrder(v.model).filter((x) => x.id !== v.id);
      const at =
        typeof b.before === 'string'
          ? Math.max(
              0,
              order.findIndex((x) => x.id === b.before),
            )
          : Math.min(order.length, Math.max(0, (b.queue_position as number) - 1));
      order.splice(at, 0, next);
      order.forEach((x, position) => {
        const i = this.videos.findIndex((y) => y.id === x.id);
        this.videos[i] = { ...this.videos[i], queue_position: position };
      });
    }
    return json(200, this.videos[idx]);
  }

  private enhance(method: string, body: unknown): Response {
    if (method === 'GET') return json(200, { configured: this.enhancerModel != null, model: this.enhancerModel });
    if (this.enhancerModel == null) {
      return apiError(503, 'Prompt enhancement is not configured (PROMPT_ENHANCER_URL).', 'enhancer_not_configured');
    }
    const b = body as { prompt?: string; mode?: string };
    const prompt = (b.prompt ?? '').trim();
    if (!prompt) return apiError(400, 'prompt must not be empty.', 'missing');
    const mode = b.mode ?? 'text-to-video';
    return json(200, {
      object: 'prompt.enhancement',
      original: prompt,
      enhanced: this.onEnhance(prompt, mode),
      model: this.enhancerModel,
      mode,
    });
  }
}
