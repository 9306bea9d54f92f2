// Turning the parameters panel's strings into a POST /v1/videos body, within what the
// chosen model accepts (its `capabilities`).
import { acceptsAnySize, secondsOptions, sizeError, sizePresets } from './shape';
import type { CreateVideoParams, GenerationSettings, ModelCapabilities, Video, VideoModel } from './types/chat';
import {
  DEFAULT_NEGATIVE_PROMPT,
  DEFAULT_SEED,
  DEFAULT_STEPS,
  MAX_PROMPT_LENGTH,
  MAX_SEED,
  MAX_VARIATIONS,
} from './types/chat';

/** The server's "WxH" size (e.g. "832x480"); null when absent or not a size. */
export function sizeToString(value: string | null | undefined): string | null {
  if (value == null) return null;
  return /^\d+x\d+$/.test(value) ? value : null;
}

export function stepsRange(caps: ModelCapabilities | undefined): [number, number] {
  const r = caps?.steps_range;
  if (r && r.length === 2 && r[0] <= r[1]) return [r[0], r[1]];
  return [1, 100];
}

export function defaultSteps(caps: ModelCapabilities | undefined): number {
  const [lo, hi] = stepsRange(caps);
  return Math.min(hi, Math.max(lo, caps?.default_steps ?? DEFAULT_STEPS));
}

export function sizeOptions(caps: ModelCapabilities | undefined): string[] {
  return (caps?.sizes ?? []).map(sizeToString).filter((s): s is string => s !== null);
}

export function acceptsSize(caps: ModelCapabilities | undefined): boolean {
  return caps?.accepts_size !== false;
}

/** The panel's starting values for a model: random seed, one video, the model's size and length. */
export function defaultSettings(model: VideoModel | undefined): GenerationSettings {
  const caps = model?.capabilities;
  return {
    model: model?.id ?? '',
    negativePrompt: DEFAULT_NEGATIVE_PROMPT,
    steps: String(defaultSteps(caps)),
    seed: String(DEFAULT_SEED),
    lockSeed: false,
    size: sizeToString(caps?.default_size) ?? '',
    seconds: caps ? String(caps.default_seconds) : '',
    variations: 1,
  };
}

/** Settings for another model, keeping the choices that do not depend on the model. */
export function settingsForModel(current: GenerationSettings, model: VideoModel | undefined): GenerationSettings {
  return {
    ...defaultSettings(model),
    negativePrompt: current.negativePrompt,
    seed: current.seed,
    lockSeed: current.lockSeed,
    variations: current.variations,
    sound: current.sound,
  };
}

/** The settings a finished video was made with, to make it again with changes ("reuse"). */
export function settingsFromVideo(
  video: Video,
  model: VideoModel | undefined,
  current: GenerationSettings,
): GenerationSettings {
  const base = settingsForModel(current, model);
  return {
    ...base,
    model: video.model,
    negativePrompt: video.negative_prompt,
    steps: String(video.num_inference_steps),
    // The same seed, locked, so that a changed prompt or setting is the only difference.
    seed: String(video.seed),
    lockSeed: true,
    size: acceptsSize(model?.capabilities) ? (sizeToString(video.size) ?? base.size) : '',
    seconds: video.operation === 'generate' && video.seconds ? video.seconds : base.seconds,
    sound: video.sound,
  };
}

export type SettingsErrors = Partial<Record<'prompt' | 'steps' | 'seed' | 'size' | 'seconds', string>>;

export function validate(
  prompt: string,
  settings: GenerationSettings,
  model: VideoModel | undefined,
): { params: CreateVideoParams | null; errors: SettingsErrors } {
  const errors: SettingsErrors = {};
  const text = prompt.trim();
  if (!text) errors.prompt = 'Describe the video you want.';
  else if (text.length > MAX_PROMPT_LENGTH) errors.prompt = `Keep the prompt under ${MAX_PROMPT_LENGTH} characters.`;

  const caps = model?.capabilities;
  const [lo, hi] = stepsRange(caps);
  const steps = Number(settings.steps);
  if (!/^\d+$/.test(settings.steps.trim()) || steps < lo || steps > hi) {
    errors.steps = `Steps must be a whole number from ${lo} to ${hi}.`;
  }
  const seed = Number(settings.seed);
  if (settings.lockSeed && (!/^\d+$/.test(settings.seed.trim()) || seed > MAX_SEED)) {
    errors.seed = `Seed must be a whole number from 0 to ${MAX_SEED}.`;
  }
  const size = settings.size.trim();
  if (size && acceptsSize(caps)) {
    const options = sizeOptions(caps);
    if (options.length > 0) {
      if (!options.includes(size)) errors.size = `Choose one of ${options.join(', ')}.`;
    } else if (acceptsAnySize(caps)) {
      const why = sizeError(size);
      if (why) errors.size = why;
    }
  }
  const seconds = settings.seconds.trim();
  if (seconds && caps) {
    const allowed = secondsOptions(caps);
    if (!allowed.includes(Number(seconds))) errors.seconds = `Length must be one of ${allowed.join(', ')} seconds.`;
  }
  if (Object.keys(errors).length > 0) return { params: null, errors };

  const params: CreateVideoParams = {
    prompt: text,
    negative_prompt: settings.negativePrompt,
    num_inference_steps: steps,
  };
  if (settings.lockSeed) params.seed = seed;
  if (settings.model) params.model = settings.model;
  if (size && acceptsSize(caps)) params.size = size;
  if (seconds && caps) params.seconds = seconds;
  if (settings.sound && caps?.sound) params.sound = true;
  const n = Math.min(MAX_VARIATIONS, Math.max(1, Math.round(settings.variations)));
  if (n > 1) params.n = n;
  return { params, errors };
}

/** A model's name for menus and badges, flagging the preview engine once. */
export function modelDisplayName(model: Pick<VideoModel, 'label' | 'preview'>): string {
  if (!model.preview || /not AI/i.test(model.label)) return model.label;
  return `${model.label} (preview, not AI)`;
}

export { sizePresets };
