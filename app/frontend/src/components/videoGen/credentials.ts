// A video's Content Credentials (GET /v1/videos/{id}/credentials: c2pa's reading of the stored
// MP4, docs/api.md) and what a person needs from them: valid or not, made by which model, from
// which sources, signed by whom. The manifest store is c2pa's own JSON, read defensively here.
import type { Schema } from '../../api/types';
import { API_BASE, requestJson } from './api/videoGeneration';

export type Credentials = Schema<'CredentialsOut'>;

export function getCredentials(videoId: string, signal?: AbortSignal): Promise<Credentials> {
  return requestJson<Credentials>(`${API_BASE}/videos/${encodeURIComponent(videoId)}/credentials`, { signal });
}

export const credentialsKey = (videoId: string) => ['videos', 'credentials', videoId] as const;

/** trusted: the signer is on a trust list; valid: intact and well signed (signer not trusted);
 * invalid: changed after signing or a signature that does not hold; unsigned: no manifest. */
export type CredentialsState = 'trusted' | 'valid' | 'invalid' | 'unsigned';

export interface Source {
  title: string;
  /** What it is to this video: "source video", "part", "input". */
  role: string;
}

export interface CredentialsSummary {
  state: CredentialsState;
  /** "Valid", "Not signed", ... */
  stateText: string;
  /** One sentence on what the state means. */
  detail: string;
  /** The model (c2pa's softwareAgent) that made or changed it. */
  madeBy: string | null;
  /** "AI-generated" (trainedAlgorithmicMedia), "Algorithmic, not AI" (algorithmicMedia). */
  kind: string | null;
  /** "Created", or what was done to its source ("Extended", "Joined"). */
  action: string | null;
  sources: Source[];
  /** The signing certificate's name, and its issuer when they differ. */
  signedBy: string | null;
  signedAt: string | null;
  /** The app that made the claim: "Video Studio 1.0". */
  app: string | null;
  /** c2pa's failure explanations, the untrusted signer left out (it is what `valid` means). */
  problems: string[];
}

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const records = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

const UNTRUSTED = 'signingCredential.untrusted';
const SOURCE_TYPE = 'http://cv.iptc.org/newscodes/digitalsourcetype/';
const KINDS: Partial<Record<string, string>> = {
  trainedAlgorithmicMedia: 'AI-generated',
  compositeWithTrainedAlgorithmicMedia: 'Made with AI-generated parts',
  algorithmicMedia: 'Algorithmic, not AI',
};
const ROLES: Partial<Record<string, string>> = { parentOf: 'source video', componentOf: 'part', inputTo: 'input' };

function activeManifest(store: unknown): Json | null {
  if (!isRecord(store) || !isRecord(store.manifests)) return null;
  const label = text(store.active_manifest);
  const manifest = label ? store.manifests[label] : undefined;
  return isRecord(manifest) ? manifest : null;
}

function actionsOf(manifest: Json): Json[] {
  return records(manifest.assertions)
    .filter((a) => typeof a.label === 'string' && a.label.startsWith('c2pa.actions'))
    .flatMap((a) => (isRecord(a.data) ? records(a.data.actions) : []));
}

function agentName(action: Json): string | null {
  const agent = action.softwareAgent;
  return isRecord(agent) ? text(agent.name) : text(agent);
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function failures(results: unknown): { code: string; explanation: string }[] {
  if (!isRecord(results) || !isRecord(results.activeManifest)) return [];
  return records(results.activeManifest.failure).map((f) => ({
    code: text(f.code) ?? '',
    explanation: text(f.explanation) ?? text(f.code) ?? 'unknown failure',
  }));
}

export function summarize(found: Credentials): CredentialsSummary {
  const empty = { madeBy: null, kind: null, action: null, sources: [], signedBy: null, signedAt: null, app: null };
  if (!found.signed) {
    return {
      ...empty,
      state: 'unsigned',
      stateText: 'Not signed',
      detail: found.error
        ? `Its credentials could not be read: ${found.error}`
        : 'This file carries no Content Credentials (it was made before the studio signed its videos).',
      problems: [],
    };
  }
  const manifest = activeManifest(found.manifest_store);
  const failed = failures(found.validation_results);
  const problems = failed.filter((f) => f.code !== UNTRUSTED).map((f) => f.explanation);
  const state: CredentialsState =
    found.validation_state === 'Trusted' ? 'trusted' : found.validation_state === 'Valid' ? 'valid' : 'invalid';
  const detail = {
    trusted: 'Intact, and signed by a certificate on a trust list.',
    valid: failed.some((f) => f.code === UNTRUSTED)
      ? 'Intact and well signed. The signing certificate is not on a public trust list (the studio makes its own unless the operator gives one).'
      : 'Intact and well signed.',
    invalid: 'The file was changed after it was signed, or its signature does not hold.',
    unsigned: '',
  }[state];
  const stateText = { trusted: 'Valid (trusted signer)', valid: 'Valid', invalid: 'Invalid', unsigned: '' }[state];
  if (!manifest) return { ...empty, state, stateText, detail, problems };

  const actions = actionsOf(manifest);
  const made = actions.find((a) => a.action === 'c2pa.created') ?? actions.find((a) => a.action === 'c2pa.edited');
  const sourceType = made ? text(made.digitalSourceType) : null;
  const kind = sourceType ? (KINDS[sourceType.replace(SOURCE_TYPE, '')] ?? null) : null;
  let action: string | null = null;
  if (made?.action === 'c2pa.created') action = 'Created';
  else if (made) action = capitalised(text(made.description) ?? 'edited');
  const signature = isRecord(manifest.signature_info) ? manifest.signature_info : {};
  const name = text(signature.common_name);
  const issuer = text(signature.issuer);
  const signedBy = name && issuer && issuer !== name ? `${name} (issued by ${issuer})` : (name ?? issuer);
  const generator = records(manifest.claim_generator_info).at(0) ?? {};
  const app =
    [text(generator.name), text(generator.version)].filter(Boolean).join(' ') || text(manifest.claim_generator);
  return {
    state,
    stateText,
    detail,
    madeBy: made ? agentName(made) : null,
    kind,
    action,
    sources: records(manifest.ingredients).map((i) => ({
      title: text(i.title) ?? 'untitled',
      role: ROLES[text(i.relationship) ?? ''] ?? text(i.relationship) ?? 'ingredient',
    })),
    signedBy,
    signedAt: text(signature.time),
    app,
    problems,
  };
}
