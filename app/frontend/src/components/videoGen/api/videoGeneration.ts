// Client for the studio's jobs API (docs/api.md). All URLs are relative: the SPA is
// served by the backend from the same origin.
import type {
  ApiErrorBody,
  CreateVideoParams,
  ModelList,
  QueueState,
  QueueUpdate,
  Video,
  VideoDeleted,
  VideoList,
  VideoStatus,
  VideoUpdate,
} from '../types/chat';
import { TERMINAL_STATUSES } from '../types/chat';
import { connection } from '../connection';

export const API_BASE = '/v1';

// Submitting returns at once (the work happens in a job), so a short timeout is enough;
// this only protects the UI from a backend that stopped answering.
export const REQUEST_TIMEOUT_MS = 30_000;

/** An error answered by the API (or a network failure, with status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string | null;
  readonly code: string | null;
  readonly param: string | null;

  constructor(
    message: string,
    opts: { status: number; type?: string | null; code?: string | null; param?: string | null },
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = opts.status;
    this.type = opts.type ?? null;
    this.code = opts.code ?? null;
    this.param = opts.param ?? null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return isRecord(value) && isRecord(value.error) && typeof value.error.message === 'string';
}

/** The JSON in `text`, or null when it is empty or not JSON (an HTML error page, say). */
function parseJsonOrNull(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function parseError(response: Response): Promise<ApiError> {
  const body = parseJsonOrNull(await response.text().catch(() => ''));
  if (isErrorBody(body)) {
    const { message, type, code, param } = body.error;
    return new ApiError(message, { status: response.status, type, code, param });
  }
  // A proxy in front of the studio may answer with HTML; never show that to the user.
  const fallback =
    response.status === 504 || response.status === 408
      ? 'The request timed out.'
      : `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
  return new ApiError(fallback, {
    status: response.status,
    code: response.status === 504 || response.status === 408 ? 'upstream_timeout' : null,
  });
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Django's CSRF token from its cookie; needed for writes once signed in with a session. */
export function csrfToken(): string | null {
  if (typeof document === 'undefined') return null;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : null;
}

/** fetch + JSON + the error envelope, for any same-origin path (the API and /auth/). */
export async function requestJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const signal = init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  const token = csrfToken();
  if (token && UNSAFE_METHODS.has((init.method ?? 'GET').toUpperCase())) headers.set('X-CSRFToken', token);
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal, headers, credentials: 'same-origin' });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'TimeoutError') {
      connection.reportFailure();
      throw new ApiError('The studio did not answer in time.', { status: 0, code: 'client_timeout' });
    }
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    connection.reportFailure();
    throw new ApiError('Cannot reach the studio backend. Is it running?', {
      status: 0,
      code: 'network_error',
    });
  }
  // A gateway in front of a stopped studio answers 502/503/504 without the studio's envelope.
  if (response.status === 502 || response.status === 504) connection.reportFailure();
  else connection.reportOk();
  if (!response.ok) throw await parseError(response);
  return (await response.json()) as T;
}

function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  return requestJson<T>(`${API_BASE}${path}`, init);
}

export function isTerminal(status: VideoStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Server-side filters of GET /v1/videos (the gallery's search and filters). */
export interface VideoFilters {
  q?: string;
  /** Comma-separated statuses. */
  status?: string;
  model?: string;
  batch_id?: string;
  favorite?: boolean;
}

export function listVideos(
  opts: { after?: string | null; limit?: number; signal?: AbortSignal; filters?: VideoFilters } = {},
): Promise<VideoList> {
  const params = new URLSearchParams({ limit: String(opts.limit ?? 20), order: 'desc' });
  if (opts.after) params.set('after', opts.after);
  const f = opts.filters ?? {};
  if (f.q?.trim()) params.set('q', f.q.trim());
  if (f.status) params.set('status', f.status);
  if (f.model) params.set('model', f.model);
  if (f.batch_id) params.set('batch_id', f.batch_id);
  if (f.favorite != null) params.set('favorite', String(f.favorite));
  return request<VideoList>(`/videos?${params.toString()}`, { signal: opts.signal });
}

export function getVideo(id: string, signal?: AbortSignal): Promise<Video> {
  return request<Video>(`/videos/${encodeURIComponent(id)}`, { signal });
}

/** A create's body, plus the reference image of an image-to-video job (sent as multipart). */
export type CreateVideoRequest = CreateVideoParams & { input_reference?: Blob | null };

export function createVideo(params: CreateVideoRequest): Promise<Video> {
  // Leave out fields the user did not set (undefined or null, or an empty model, size or
  // length) so the server applies the model's defaults: no seed means a random one. An empty
  // negative prompt is sent: it asks for none, where leaving it out gives the default.
  const body: CreateVideoParams = { prompt: params.prompt };
  if (params.model) body.model = params.model;
  if (params.negative_prompt != null) body.negative_prompt = params.negative_prompt;
  if (params.num_inference_steps != null) body.num_inference_steps = params.num_inference_steps;
  if (params.seed != null) body.seed = params.seed;
  if (params.size) body.size = params.size;
  if (params.num_frames != null) body.num_frames = params.num_frames;
  if (params.seconds) body.seconds = params.seconds;
  if (params.n != null && params.n > 1) body.n = params.n;
  if (params.original_prompt) body.original_prompt = params.original_prompt;
  if (params.sound) body.sound = true;
  if (params.input_reference) {
    const form = new FormData();
    for (const [key, value] of Object.entries(body)) form.set(key, String(value));
    const name = params.input_reference instanceof File ? params.input_reference.name : 'reference.png';
    form.set('input_reference', params.input_reference, name);
    return request<Video>('/videos', { method: 'POST', body: form });
  }
  return postJson<Video>('/videos', body);
}

function postJson<T>(path: string, body: unknown): Promise<T> {
  return request<T>(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A new job with the video's model, settings and seed and a new prompt. */
export function remixVideo(id: string, prompt: string): Promise<Video> {
  return postJson<Video>(`/videos/${encodeURIComponent(id)}/remix`, { prompt });
}

/** The video plus `seconds` more, continued from its last frame. */
export function extendVideo(id: string, prompt: string, seconds?: string | null): Promise<Video> {
  const body: Record<string, unknown> = { video: { id }, prompt };
  if (seconds) body.seconds = seconds;
  return postJson<Video>('/videos/extensions', body);
}

export function setFavorite(id: string, favorite: boolean): Promise<Video> {
  return postJson<Video>(`/videos/${encodeURIComponent(id)}`, { favorite });
}

/**
 * Change a queued video: its place (`{queue_position: 1}` runs it next, a number past the end
 * moves it last; `{before: id}`) or its parameters. 409 `not_queued` once it has started.
 */
export function updateQueuedVideo(id: string, changes: VideoUpdate): Promise<Video> {
  return postJson<Video>(`/videos/${encodeURIComponent(id)}`, changes);
}

/** The queue's pauses and the caller's queued videos, next first. */
export function getQueue(signal?: AbortSignal): Promise<QueueState> {
  return request<QueueState>('/queue', { signal });
}

/** Pause or resume the whole queue, or one model's (403 `not_allowed` for a non-admin when sign-in is on). */
export function setQueuePaused(paused: boolean, model?: string): Promise<QueueState> {
  const body: QueueUpdate = { paused };
  if (model) body.model = model;
  return postJson<QueueState>('/queue', body);
}

export function cancelVideo(id: string): Promise<Video> {
  return request<Video>(`/videos/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
}

export function retryVideo(id: string): Promise<Video> {
  return request<Video>(`/videos/${encodeURIComponent(id)}/retry`, { method: 'POST' });
}

export function deleteVideo(id: string): Promise<VideoDeleted> {
  return request<VideoDeleted>(`/videos/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function listModels(signal?: AbortSignal): Promise<ModelList> {
  return request<ModelList>('/models', { signal });
}

function withQuery(url: string, query: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

/** The MP4 as an attachment; the server names the file after the prompt. */
export function downloadUrl(video: Pick<Video, 'id' | 'content_url'>): string {
  const base = video.content_url ?? `${API_BASE}/videos/${encodeURIComponent(video.id)}/content`;
  return withQuery(base, 'download=1');
}

export function contentUrl(video: Pick<Video, 'id' | 'content_url'>): string {
  return video.content_url ?? `${API_BASE}/videos/${encodeURIComponent(video.id)}/content`;
}

export function spritesheetUrl(video: Pick<Video, 'id' | 'spritesheet_url'>): string {
  return video.spritesheet_url ?? `${API_BASE}/videos/${encodeURIComponent(video.id)}/content?variant=spritesheet`;
}

export function thumbnailUrl(video: Pick<Video, 'id' | 'thumbnail_url'>): string {
  return video.thumbnail_url ?? `${API_BASE}/videos/${encodeURIComponent(video.id)}/content?variant=thumbnail`;
}

// The seed's synchronous endpoint waits for the whole video, so it gets the seed's 180 s.
export const GENERATION_TIMEOUT_MS = 180_000;
export const CLOUD_ENDPOINT = '/models-api/video-generation-cloud/';

/**
 * The seed's one-request flow: POST a prompt, receive the MP4 (defaults negative_prompt
 * "low quality", 12 steps, seed 0 are added by the server). Kept for TT Studio
 * compatibility; the page itself uses jobs, which survive reloads and queue.
 */
export async function generateVideoSync(prompt: string, signal?: AbortSignal): Promise<Blob> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const token = csrfToken();
  if (token) headers['X-CSRFToken'] = token;
  let response: Response;
  try {
    response = await fetch(CLOUD_ENDPOINT, {
      method: 'POST',
      headers,
      body: JSON.stringify({ prompt }),
      credentials: 'same-origin',
      signal: signal ?? AbortSignal.timeout(GENERATION_TIMEOUT_MS),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'TimeoutError') {
      throw new ApiError('Video generation took longer than 180 seconds.', { status: 0, code: 'upstream_timeout' });
    }
    throw new ApiError('Cannot reach the studio backend. Is it running?', { status: 0, code: 'network_error' });
  }
  if (!response.ok) {
    // This endpoint answers {"error": "<message>", "code"?: "..."} like TT Studio's views.
    const body: unknown = await response.json().catch(() => null);
    const message =
      isRecord(body) && typeof body.error === 'string' ? body.error : `The server answered ${response.status}.`;
    const code = response.status === 504 ? 'upstream_timeout' : response.status === 503 ? 'not_configured' : null;
    throw new ApiError(message, { status: response.status, code });
  }
  return response.blob();
}

/** Text a person can act on, for an error code from the API or from a failed job. */
export function friendlyMessage(code: string | null | undefined, message: string): string {
  switch (code) {
    case 'upstream_timeout':
    case 'timeout':
      return 'The video model took too long to answer, so the studio gave up waiting. Video generation can take several minutes; try again, or use fewer inference steps.';
    case 'not_configured':
      return 'No video provider is configured. Set CLOUD_VIDEO_GENERATION_URL (and its token) in app/.env, or enable the built-in preview engine, then restart the studio.';
    case 'client_timeout':
      return 'The studio did not answer in time. Check that the backend is still running, then try again.';
    case 'network_error':
      return 'Cannot reach the studio backend. Check that it is running, then try again.';
    default:
      return message || 'Something went wrong.';
  }
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return friendlyMessage(err.code, err.message);
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
