// The players read a finished video through a short-lived signed link (docs/api.md "Signed
// links"): with nginx in front, nginx checks it and sends the bytes without asking the studio.
// Until the link is there, or if the studio cannot make one (or it has expired), the player
// uses the content URL, which the session or key opens.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Video } from '../types/chat';
import { createLink } from '../api/links';
import { contentUrl } from '../api/videoGeneration';

export const PLAYER_LINK_SECONDS = 3600;

export interface PlayerSource {
  /** undefined while the link is being made */
  src: string | undefined;
  /** for the player's onError: go back to the content URL */
  fallBack: () => void;
}

/** `wanted`: false for a player that loads nothing until played (older cards): no link is made. */
export function usePlayerSource(video: Pick<Video, 'id' | 'status' | 'content_url'>, wanted = true): PlayerSource {
  const done = video.status === 'completed' && wanted;
  const [failed, setFailed] = useState(false);
  const link = useQuery({
    queryKey: ['player-link', video.id],
    queryFn: () => createLink(video.id, { variant: 'video', expires_in: PLAYER_LINK_SECONDS }),
    enabled: done && !failed,
    retry: false,
    // Never refetched while cached: a new URL would restart a playing video.
    staleTime: Infinity,
    gcTime: (PLAYER_LINK_SECONDS - 600) * 1000,
  });
  const fallback = contentUrl(video);
  const src = !done || failed ? fallback : link.isPending ? undefined : (link.data?.url ?? fallback);
  return { src, fallBack: () => setFailed(true) };
}
