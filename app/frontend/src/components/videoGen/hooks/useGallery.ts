// The gallery's list: the page's own list while nothing is filtered, else GET /v1/videos with
// the filters (search text, status, model, favorites), paged.
import { useEffect, useMemo, useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { errorText, listVideos, type VideoFilters } from '../api/videoGeneration';
import type { Video } from '../types/chat';
import { galleryKeys, isOlderState } from './videoCache';

export interface GalleryFilters {
  q: string;
  status: '' | 'completed' | 'active' | 'failed';
  model: string;
  favorites: boolean;
}

export const NO_FILTERS: GalleryFilters = { q: '', status: '', model: '', favorites: false };

export function toApiFilters(f: GalleryFilters): VideoFilters | null {
  const out: VideoFilters = {};
  if (f.q.trim()) out.q = f.q.trim();
  if (f.status === 'active') out.status = 'queued,in_progress';
  else if (f.status === 'failed') out.status = 'failed,cancelled';
  else if (f.status) out.status = f.status;
  if (f.model) out.model = f.model;
  if (f.favorites) out.favorite = true;
  return Object.keys(out).length > 0 ? out : null;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** `own`: the page's videos, newest first (used while nothing is filtered). */
export function useGallery(filters: GalleryFilters, own: readonly Video[]) {
  const q = useDebounced(filters.q, 250);
  const api = useMemo(() => toApiFilters({ ...filters, q }), [filters, q]);
  const query = useInfiniteQuery({
    queryKey: galleryKeys.list(api ?? {}),
    queryFn: ({ pageParam, signal }) => listVideos({ after: pageParam, limit: 24, signal, filters: api ?? {} }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.has_more && last.last_id ? last.last_id : undefined),
    enabled: api !== null,
  });
  // Newer states of the same videos (live progress, favorites) come from the page's own list.
  const byId = useMemo(() => new Map(own.map((v) => [v.id, v])), [own]);
  const videos = useMemo(
    () =>
      api
        ? (query.data?.pages.flatMap((p) => p.data) ?? []).map((v) => {
            // Whichever state is newer: the list's live one, or the search answer's.
            const mine = byId.get(v.id);
            return mine && !isOlderState(mine, v) ? mine : v;
          })
        : [...own],
    [api, query.data, own, byId],
  );
  return {
    videos,
    filtered: api !== null,
    isLoading: api !== null && query.isLoading,
    error: query.error ? errorText(query.error) : null,
    hasMore: api !== null && query.hasNextPage,
    loadMore: () => void query.fetchNextPage(),
  };
}
