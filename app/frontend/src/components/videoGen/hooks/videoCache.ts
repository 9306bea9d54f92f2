// The job list as TanStack Query caches it (the pages of GET /v1/videos, newest first), and
// the writes that keep it current: answers of the API calls, polls and live events all come
// through here, so that an older state never replaces a newer one.
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { isTerminal } from '../api/videoGeneration';
import type { Video, VideoList } from '../types/chat';

export const videoKeys = {
  all: ['videos'] as const,
  list: () => ['videos', 'list'] as const,
  detail: (id: string) => ['videos', 'detail', id] as const,
  /** The fallback poll of every unfinished job, while there is no live stream. */
  unfinishedPoll: () => ['videos', 'unfinished-poll'] as const,
};

/** The gallery's filtered lists (GET /v1/videos with q/status/model/favorite). */
export const galleryKeys = {
  all: ['gallery'] as const,
  list: (filters: object) => ['gallery', filters] as const,
};

export type ListData = InfiniteData<VideoList, string | null>;

/** Replace (or drop, when `next` is null) one video inside the cached pages. */
export function patchList(client: QueryClient, id: string, next: Video | null): void {
  client.setQueryData<ListData>(videoKeys.list(), (old) => {
    if (!old) return old;
    return {
      ...old,
      pages: old.pages.map((page) => ({
        ...page,
        data: next ? page.data.map((v) => (v.id === id ? next : v)) : page.data.filter((v) => v.id !== id),
      })),
    };
  });
}

/** Put a newly created job at the head of the newest page. */
export function prependToList(client: QueryClient, video: Video): void {
  client.setQueryData<ListData>(videoKeys.list(), (old) => {
    if (!old || old.pages.length === 0) {
      return {
        pages: [{ object: 'list', data: [video], first_id: video.id, last_id: video.id, has_more: false }],
        pageParams: [null],
      };
    }
    const [first, ...rest] = old.pages;
    const data = [video, ...first.data.filter((v) => v.id !== video.id)];
    return { ...old, pages: [{ ...first, data, first_id: video.id }, ...rest] };
  });
}

/** The cached state of one job, when it is in a loaded page. */
export function findInList(client: QueryClient, id: string): Video | undefined {
  for (const page of client.getQueryData<ListData>(videoKeys.list())?.pages ?? []) {
    const found = page.data.find((v) => v.id === id);
    if (found) return found;
  }
  return undefined;
}

// Jobs this page saw deleted, per query client: a state read before the delete (a poll or a
// live event still on its way) must not bring one back.
const deletedIds = new WeakMap<QueryClient, Set<string>>();

export function wasDeleted(client: QueryClient, id: string): boolean {
  return deletedIds.get(client)?.has(id) ?? false;
}

/** Drop a deleted job from the list for good. */
export function forgetVideo(client: QueryClient, id: string): void {
  let ids = deletedIds.get(client);
  if (!ids) {
    ids = new Set();
    deletedIds.set(client, ids);
  }
  ids.add(id);
  patchList(client, id, null);
  client.removeQueries({ queryKey: videoKeys.detail(id) });
}

/**
 * Whether `next` was read before `current` and must not replace it. A job never leaves a
 * finished state (a retry is a new job), and a cancel request, once made, is never withdrawn.
 * A finished state always counts, and any other change may be newer (a job can even go back
 * to queued after a restart).
 */
export function isOlderState(next: Video, current: Video): boolean {
  if (isTerminal(next.status)) return false;
  if (isTerminal(current.status)) return true;
  return current.cancel_requested && !next.cancel_requested;
}

// Jobs this page saw start over (the studio restarted while they ran), per query client.
const restartedIds = new WeakMap<QueryClient, Set<string>>();
const RESTART_MESSAGE = /resumed after the studio restart|handed back when the studio stopped/i;

/** Whether the job started over after a studio restart (said by the server, or seen as lost progress). */
export function wasRestarted(client: QueryClient, id: string): boolean {
  return restartedIds.get(client)?.has(id) ?? false;
}

function noteRestart(client: QueryClient, next: Video, current: Video | undefined): void {
  const said = next.status_message != null && RESTART_MESSAGE.test(next.status_message);
  // A running job never loses progress, except when it was made again from the start.
  const lost =
    current != null &&
    current.status === 'in_progress' &&
    !isTerminal(next.status) &&
    next.progress + 5 < current.progress;
  // Each start of a job stamps started_at anew: a later one means it was started again.
  const again = current?.started_at != null && next.started_at != null && next.started_at > current.started_at + 0.5;
  if (!said && !lost && !again) return;
  let ids = restartedIds.get(client);
  if (!ids) {
    ids = new Set();
    restartedIds.set(client, ids);
  }
  ids.add(next.id);
}

/** Write a job's state over its cached one, unless the job is not listed, deleted, or the state older. */
export function updateVideo(client: QueryClient, video: Video): void {
  if (wasDeleted(client, video.id)) return;
  const current = findInList(client, video.id);
  if (current && !isOlderState(video, current)) {
    noteRestart(client, video, current);
    patchList(client, video.id, video);
  }
}

/**
 * Like updateVideo, but a job not listed yet (created in another tab, say) is inserted where
 * the newest-first order puts it: at the head for a new one. A job older than every loaded
 * page while more pages remain is left to its own page, which brings it when loaded.
 */
export function upsertVideo(client: QueryClient, video: Video): void {
  if (wasDeleted(client, video.id)) return;
  const current = findInList(client, video.id);
  if (current) {
    if (!isOlderState(video, current)) {
      noteRestart(client, video, current);
      patchList(client, video.id, video);
    }
    return;
  }
  noteRestart(client, video, undefined);
  const old = client.getQueryData<ListData>(videoKeys.list());
  if (!old || old.pages.length === 0) {
    prependToList(client, video);
    return;
  }
  const pages = old.pages.map((page) => ({ ...page, data: [...page.data] }));
  for (const page of pages) {
    const at = page.data.findIndex((v) => v.created_at <= video.created_at);
    if (at >= 0) {
      page.data.splice(at, 0, video);
      if (at === 0) page.first_id = video.id;
      client.setQueryData<ListData>(videoKeys.list(), { ...old, pages });
      return;
    }
  }
  const last = pages[pages.length - 1];
  if (last.has_more) return;
  last.data.push(video);
  last.first_id ??= video.id;
  last.last_id = video.id;
  client.setQueryData<ListData>(videoKeys.list(), { ...old, pages });
}

/** The unfinished jobs' states now, to compare with after the studio comes back. */
export function unfinishedSnapshot(client: QueryClient): Video[] {
  const out: Video[] = [];
  for (const page of client.getQueryData<ListData>(videoKeys.list())?.pages ?? []) {
    for (const v of page.data) if (!isTerminal(v.status)) out.push(v);
  }
  return out;
}

/** After a refetch: note the jobs that started over since `before`, and redraw them. */
export function noteRestarts(client: QueryClient, before: readonly Video[]): void {
  for (const old of before) {
    const now = findInList(client, old.id);
    if (!now || wasRestarted(client, old.id)) continue;
    noteRestart(client, now, old);
    if (wasRestarted(client, old.id)) patchList(client, old.id, { ...now });
  }
}
