// The fake API's signed links (POST /v1/videos/{id}/links), apart so fakeApi.ts stays small.
import type { Video } from '../components/videoGen/types/chat';
import { apiError, json } from './fakeApi';

/** POST /v1/videos/{id}/links: a signed link to a completed video's file, as the studio checks it. */
export function signedLink(videos: Video[], now: number, linkMaxSeconds: number, id: string, body: unknown): Response {
  const b = (body ?? {}) as { variant?: unknown; expires_in?: unknown };
  const variant = b.variant ?? 'video';
  if (variant !== 'video' && variant !== 'thumbnail' && variant !== 'spritesheet') {
    return apiError(400, 'variant is one of video, thumbnail, spritesheet.', 'invalid_value');
  }
  const lifetime = b.expires_in ?? 3600;
  if (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < 1 || lifetime > linkMaxSeconds) {
    return apiError(
      400,
      `expires_in is whole seconds, 1 to ${linkMaxSeconds} (STUDIO_LINK_MAX_SECONDS).`,
      'invalid_value',
    );
  }
  const v = videos.find((x) => x.id === id);
  if (!v) return apiError(404, `no video ${id}`, 'not_found');
  if (v.status !== 'completed') {
    return apiError(404, `The video is ${v.status}; a link can be made once it is completed.`, 'video_not_ready');
  }
  const expires = now + lifetime;
  return json(201, {
    object: 'video.link',
    video_id: id,
    variant,
    url: `http://studio.test/links/${variant}/${expires}/c2lnbmF0dXJl/${id}.${variant === 'video' ? 'mp4' : 'jpg'}`,
    expires_at: expires,
  });
}
