// Client for signed links (POST /v1/videos/{id}/links, docs/api.md "Signed links"): a URL that
// anyone holding it may read one of a video's files through until it expires, with no key or session.
import type { PostBody, Schema } from '../../../api/types';
import { API_BASE, requestJson } from './videoGeneration';

/** Body of POST /v1/videos/{id}/links. */
export type LinkRequest = PostBody<'/v1/videos/{video_id}/links'>;
export type LinkVariant = NonNullable<LinkRequest['variant']>;
/** The answer: `url` (absolute) and `expires_at` (Unix seconds). */
export type SignedLink = Schema<'LinkOut'>;

export function createLink(videoId: string, body: { variant: LinkVariant; expires_in: number }): Promise<SignedLink> {
  const payload: LinkRequest = { variant: body.variant, expires_in: body.expires_in };
  return requestJson<SignedLink>(`${API_BASE}/videos/${encodeURIComponent(videoId)}/links`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
}
