// What the page remembers across reloads (localStorage): the parameters panel and the view.
import type { GenerationSettings } from './types/chat';
import { MAX_VARIATIONS } from './types/chat';

const SETTINGS_KEY = 'video-studio.settings.v1';
const VIEW_KEY = 'video-studio.view.v1';
const DRAFT_KEY = 'video-studio.draft.v1';

export type ViewMode = 'chat' | 'grid';

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null; // blocked (private mode, a sandboxed frame)
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** The stored settings, or null when none (or not in the current shape). */
export function loadSettings(): GenerationSettings | null {
  const raw = storage()?.getItem(SETTINGS_KEY);
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    if (![v.model, v.negativePrompt, v.steps, v.seed, v.size, v.seconds].every(isString)) return null;
    const variations = typeof v.variations === 'number' ? v.variations : 1;
    return {
      model: v.model as string,
      negativePrompt: v.negativePrompt as string,
      steps: v.steps as string,
      seed: v.seed as string,
      lockSeed: v.lockSeed === true,
      size: v.size as string,
      seconds: v.seconds as string,
      variations: Math.min(MAX_VARIATIONS, Math.max(1, Math.round(variations))),
    };
  } catch {
    return null;
  }
}

export function saveSettings(settings: GenerationSettings): void {
  try {
    storage()?.setItem(SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // full or blocked: the page still works, it just forgets
  }
}

export function loadView(): ViewMode {
  return storage()?.getItem(VIEW_KEY) === 'grid' ? 'grid' : 'chat';
}

export function saveView(view: ViewMode): void {
  try {
    storage()?.setItem(VIEW_KEY, view);
  } catch {
    // ignore
  }
}

/** The prompt box's unsent text, kept over a reload. */
export function loadDraft(): string {
  return storage()?.getItem(DRAFT_KEY) ?? '';
}

export function saveDraft(text: string): void {
  try {
    if (text) storage()?.setItem(DRAFT_KEY, text);
    else storage()?.removeItem(DRAFT_KEY);
  } catch {
    // ignore
  }
}
