// Content Credentials as c2pa reads a studio MP4: the shape GET /v1/videos/{id}/credentials answers.
import type { Credentials } from '../components/videoGen/credentials';

const MANIFEST = 'urn:c2pa:3c293157-0fb5-444c-99a4-d3bb2d5c6787';
const SIGNER = { alg: 'Es256', issuer: 'Video Studio (self-made)', common_name: 'Video Studio content signer' };
export const untrusted = { code: 'signingCredential.untrusted', explanation: 'signing certificate untrusted' };

/** A signed preview video's credentials (valid, the studio's own signer) unless told otherwise. */
export function credentialsOf(opts: {
  state?: string;
  failure?: { code: string; explanation: string }[];
  actions?: Record<string, unknown>[];
  ingredients?: Record<string, unknown>[];
}): Credentials {
  const actions = opts.actions ?? [
    {
      action: 'c2pa.created',
      softwareAgent: { name: 'Preview engine (procedural, not AI) (preview)' },
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia',
    },
  ];
  return {
    object: 'video.credentials',
    video_id: 'video_1',
    signed: true,
    validation_state: opts.state ?? 'Valid',
    validation_results: { activeManifest: { success: [], informational: [], failure: opts.failure ?? [untrusted] } },
    manifest_store: {
      active_manifest: MANIFEST,
      manifests: {
        [MANIFEST]: {
          claim_generator_info: [{ name: 'Video Studio', version: '1.0', 'org.contentauth.c2pa_rs': '0.91.3' }],
          title: 'video_1.mp4',
          ingredients: opts.ingredients ?? [],
          assertions: [
            { label: 'c2pa.hash.bmff.v3', data: { alg: 'sha256' } },
            { label: 'c2pa.actions.v2', data: { actions } },
            { label: 'org.videostudio.settings', data: { prompt: 'A red fox', seed: 7 } },
          ],
          signature_info: SIGNER,
        },
      },
    },
  };
}
