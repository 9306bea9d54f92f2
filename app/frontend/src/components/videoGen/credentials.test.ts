import { describe, expect, it } from 'vitest';
import { summarize } from './credentials';
import { credentialsOf, untrusted } from '../../test/fakeCredentials';

describe('summarize', () => {
  it('reads a preview video: valid, made by the preview engine, not AI, no sources, the studio as signer', () => {
    const summary = summarize(credentialsOf({}));
    expect(summary.detail).toMatch(/^Intact and well signed\. The signing certificate is not on a public trust list/);
    expect(summary).toEqual({
      state: 'valid',
      stateText: 'Valid',
      detail: summary.detail,
      madeBy: 'Preview engine (procedural, not AI) (preview)',
      kind: 'Algorithmic, not AI',
      action: 'Created',
      sources: [],
      signedBy: 'Video Studio content signer (issued by Video Studio (self-made))',
      signedAt: null,
      app: 'Video Studio 1.0',
      problems: [],
    });
  });

  it('reads an extend: what was done, by which model, from which source video', () => {
    const summary = summarize(
      credentialsOf({
        actions: [
          { action: 'c2pa.opened', softwareAgent: { name: 'Wan 2.2 (tt-cloud)' }, parameters: {} },
          {
            action: 'c2pa.edited',
            softwareAgent: { name: 'Wan 2.2 (tt-cloud)' },
            digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
            description: 'extended',
          },
        ],
        ingredients: [
          { title: 'video video_41a0', relationship: 'parentOf', format: 'video/mp4' },
          { title: 'start image', relationship: 'inputTo', format: 'image/png' },
        ],
      }),
    );
    expect(summary).toMatchObject({
      action: 'Extended',
      madeBy: 'Wan 2.2 (tt-cloud)',
      kind: 'AI-generated',
      sources: [
        { title: 'video video_41a0', role: 'source video' },
        { title: 'start image', role: 'input' },
      ],
    });
  });

  it('says invalid with c2pa’s reasons for a changed file, and trusted for a listed signer', () => {
    const changed = summarize(
      credentialsOf({
        state: 'Invalid',
        failure: [untrusted, { code: 'assertion.bmffHash.mismatch', explanation: 'BMFF hash mismatch' }],
      }),
    );
    expect(changed).toMatchObject({ state: 'invalid', stateText: 'Invalid', problems: ['BMFF hash mismatch'] });
    expect(summarize(credentialsOf({ state: 'Trusted', failure: [] }))).toMatchObject({
      state: 'trusted',
      detail: 'Intact, and signed by a certificate on a trust list.',
    });
  });

  it('says "Not signed" when the file has no manifest, and survives a store it cannot read', () => {
    const none = summarize({ object: 'video.credentials', video_id: 'video_1', signed: false });
    expect(none).toMatchObject({ state: 'unsigned', stateText: 'Not signed', madeBy: null, sources: [] });
    expect(none.detail).toMatch(/carries no Content Credentials/);
    const odd = summarize({ ...credentialsOf({}), manifest_store: { active_manifest: 'gone', manifests: [] } });
    expect(odd).toMatchObject({ state: 'valid', madeBy: null, sources: [], signedBy: null });
  });
});
