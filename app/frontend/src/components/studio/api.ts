// Client for the studio's storyboards and sweep grids (docs/api.md, Storyboards and Sweep grids).
import type { PostBody, Schema } from '../../api/types';
import { API_BASE, ApiError, requestJson } from '../videoGen/api/videoGeneration';

export type Storyboard = Schema<'Storyboard'>;
export type StoryboardShot = Schema<'StoryboardShot'>;
export type StoryboardCreate = Schema<'StoryboardCreate'>;
export type StoryboardShotIn = Schema<'StoryboardShotIn'>;
export type ShotJoin = StoryboardShot['join'];
export type ShotStatus = StoryboardShot['status'];
export type Sweep = Schema<'SweepOut'>;
export type SweepCell = Schema<'SweepCell'>;
export type SweepAxisOut = Schema<'SweepAxisOut'>;
export type SweepCreate = PostBody<'/v1/videos/sweeps'>;
export type SweepAxisIn = SweepCreate['axes'][number];
export type SweepParam = SweepAxisIn['param'];
export type SweepDeleted = Schema<'SweepDeleted'>;
export type StoryboardDeleted = Schema<'StoryboardDeleted'>;

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

const sb = (id: string) => `${API_BASE}/storyboards/${encodeURIComponent(id)}`;

export function createStoryboard(body: StoryboardCreate): Promise<Storyboard> {
  return requestJson<Storyboard>(`${API_BASE}/storyboards`, json(body));
}

export function getStoryboard(id: string, signal?: AbortSignal): Promise<Storyboard> {
  return requestJson<Storyboard>(sb(id), { signal });
}

/** The board's create body (`?format=board`), to save as a file and load again. */
export function getStoryboardFile(id: string): Promise<StoryboardCreate> {
  return requestJson<StoryboardCreate>(`${sb(id)}?format=board`);
}

export function updateStoryboardShots(id: string, shots: StoryboardShotIn[]): Promise<Storyboard> {
  return requestJson<Storyboard>(sb(id), json({ shots }));
}

export function rerunStale(id: string): Promise<Storyboard> {
  return requestJson<Storyboard>(sb(id), json({ rerun_stale: true }));
}

export function regenerateShot(id: string, index: number, changes: { prompt?: string; seed?: number } = {}) {
  return requestJson<Storyboard>(`${sb(id)}/shots/${String(index)}/regenerate`, json(changes));
}

/** The board, its images and its joined MP4; its shots' videos stay in history. */
export function deleteStoryboard(id: string): Promise<StoryboardDeleted> {
  return requestJson<StoryboardDeleted>(sb(id), { method: 'DELETE' });
}

export function storyboardContentUrl(id: string, download = false): string {
  return `${sb(id)}/content${download ? '?download=1' : ''}`;
}

export function createSweep(body: SweepCreate): Promise<Sweep> {
  return requestJson<Sweep>(`${API_BASE}/videos/sweeps`, json(body));
}

export function getSweep(id: string, signal?: AbortSignal): Promise<Sweep> {
  return requestJson<Sweep>(`${API_BASE}/videos/sweeps/${encodeURIComponent(id)}`, { signal });
}

const sw = (id: string) => `${API_BASE}/videos/sweeps/${encodeURIComponent(id)}`;

/** Cancel every cell still queued or running (409 not_cancellable when none is). */
export function cancelSweep(id: string): Promise<Sweep> {
  return requestJson<Sweep>(`${sw(id)}/cancel`, { method: 'POST' });
}

/** The sweep, its cells' videos (running ones cancelled first) and its grid MP4. */
export function deleteSweep(id: string): Promise<SweepDeleted> {
  return requestJson<SweepDeleted>(sw(id), { method: 'DELETE' });
}

export function sweepContentUrl(id: string, download = false): string {
  return `${API_BASE}/videos/sweeps/${encodeURIComponent(id)}/content${download ? '?download=1' : ''}`;
}

export function videoContentUrl(videoId: string): string {
  return `${API_BASE}/videos/${encodeURIComponent(videoId)}/content`;
}

export function videoThumbnailUrl(videoId: string): string {
  return `${API_BASE}/videos/${encodeURIComponent(videoId)}/content?variant=thumbnail`;
}

/**
 * Whether a content URL answers yet: true when it does, false on 404 video_not_ready (a HEAD-like
 * ranged GET of one byte, so nothing large is read).
 */
export async function contentReady(url: string): Promise<boolean> {
  const res = await fetch(url, { headers: { Range: 'bytes=0-0' }, credentials: 'same-origin' });
  if (res.ok) return true;
  if (res.status === 404) return false;
  throw new ApiError(`The server answered ${String(res.status)}.`, { status: res.status });
}

/** A pending storyboard shot sent from elsewhere on the page (a sweep cell's "Add to storyboard"). */
export interface InboxShot {
  prompt: string;
  seed: number | null;
  seconds: number | null;
}

const INBOX_KEY = 'studio.storyboard.inbox';

export function pushStoryboardInbox(shot: InboxShot): void {
  const all = takeStoryboardInbox(false);
  all.push(shot);
  localStorage.setItem(INBOX_KEY, JSON.stringify(all));
}

/** The pending shots; emptied unless `clear` is false. */
export function takeStoryboardInbox(clear = true): InboxShot[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(localStorage.getItem(INBOX_KEY) ?? '[]');
  } catch {
    parsed = null;
  }
  if (clear) localStorage.removeItem(INBOX_KEY);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (s): s is InboxShot => typeof s === 'object' && s !== null && typeof (s as InboxShot).prompt === 'string',
  );
}
