// The storyboard's editable shots (a draft of the server's list) and the joins a model allows.
import type { StoryboardShot, StoryboardShotIn, ShotJoin, StoryboardCreate } from '../api';
import type { VideoModel } from '../../videoGen/types/chat';

export interface DraftShot {
  /** Stable key for React and drag and drop; the server's id once the shot exists. */
  key: string;
  id: string | null;
  prompt: string;
  seconds: number;
  /** Empty: a random seed. */
  seed: string;
  join: ShotJoin;
  crossfadeFrames: number;
  /** Images from a loaded board file, sent as they came (start and end images). */
  images?: Pick<StoryboardShotIn, 'input_reference' | 'last_frame'>;
}

let counter = 0;
export const newKey = (): string => `new-${String(++counter)}`;

export function blankShot(seconds = 2): DraftShot {
  return { key: newKey(), id: null, prompt: '', seconds, seed: '', join: 'cut', crossfadeFrames: 8 };
}

export function draftFromShot(shot: StoryboardShot): DraftShot {
  return {
    key: shot.id,
    id: shot.id,
    prompt: shot.prompt,
    seconds: shot.seconds,
    seed: String(shot.seed),
    join: shot.join,
    crossfadeFrames: shot.crossfade_frames || 8,
  };
}

export function draftFromFile(shot: StoryboardShotIn): DraftShot {
  const seconds = Number(shot.seconds ?? 2);
  return {
    key: newKey(),
    id: null,
    prompt: shot.prompt,
    seconds: Number.isFinite(seconds) ? seconds : 2,
    seed: shot.seed == null ? '' : String(shot.seed),
    join: shot.join ?? 'cut',
    crossfadeFrames: shot.crossfade_frames ?? 8,
    images: { input_reference: shot.input_reference ?? null, last_frame: shot.last_frame ?? null },
  };
}

/** The shot as POST /v1/storyboards takes it; the first shot always joins by cut. */
export function shotIn(shot: DraftShot, index: number): StoryboardShotIn {
  const join = index === 0 ? 'cut' : shot.join;
  const out: StoryboardShotIn = { prompt: shot.prompt.trim(), seconds: shot.seconds, join };
  if (shot.id) out.id = shot.id;
  if (shot.seed.trim() !== '') out.seed = Number(shot.seed);
  if (join === 'crossfade') out.crossfade_frames = shot.crossfadeFrames;
  if (shot.images?.input_reference && join !== 'continue') out.input_reference = shot.images.input_reference;
  if (shot.images?.last_frame) out.last_frame = shot.images.last_frame;
  return out;
}

export function boardBody(model: string, size: string, shots: DraftShot[]): StoryboardCreate {
  return { model: model || null, size: size || null, shots: shots.map(shotIn) };
}

/** `shots` with the one at `from` moved to `to` (both clamped to the list). */
export function moveShot<T>(shots: readonly T[], from: number, to: number): T[] {
  const out = [...shots];
  if (from < 0 || from >= out.length) return out;
  const target = Math.max(0, Math.min(out.length - 1, to));
  const [moved] = out.splice(from, 1);
  out.splice(target, 0, moved);
  return out;
}

export interface JoinChoice {
  value: ShotJoin;
  label: string;
  disabled: boolean;
}

/** Why `continue` is not offered for this model, or null when it is. */
export function continueUnavailable(model: VideoModel | undefined): string | null {
  if (!model) return null;
  if (model.capabilities.image_to_video) return null;
  return `${model.label} has no image-to-video, so a shot cannot continue from the one before it: shots join by cut or crossfade.`;
}

export function joinChoices(model: VideoModel | undefined): JoinChoice[] {
  const noContinue = continueUnavailable(model) !== null;
  return [
    { value: 'cut', label: 'Cut', disabled: false },
    { value: 'continue', label: 'Continue', disabled: noContinue },
    { value: 'crossfade', label: 'Crossfade', disabled: false },
  ];
}

/** Whether the draft differs from the server's list (order, fields, shots added or removed). */
export function draftChanged(draft: DraftShot[], shots: StoryboardShot[]): boolean {
  if (draft.length !== shots.length) return true;
  return draft.some((d, i) => {
    const s = shots[i];
    return (
      d.id !== s.id ||
      d.prompt !== s.prompt ||
      d.seconds !== s.seconds ||
      d.seed !== String(s.seed) ||
      (i > 0 && d.join !== s.join) ||
      (d.join === 'crossfade' && i > 0 && d.crossfadeFrames !== s.crossfade_frames)
    );
  });
}

export const SHOT_STATUS_TEXT: Record<StoryboardShot['status'], string> = {
  waiting: 'Waiting',
  queued: 'Queued',
  in_progress: 'Making',
  completed: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  blocked: 'Blocked',
  stale: 'Stale',
  changed: 'Changed',
};
