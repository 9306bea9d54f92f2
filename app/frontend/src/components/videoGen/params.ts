// Turning the parameters panel's strings into a POST /v1/videos body, within what the
// chosen model accepts (its `capabilities`).
import type { CreateVideoParams, GenerationSettings, ModelCapabilities, VideoModel } from './types/chat';
import { DEFAULT_NEGATIVE_PROMPT, DEFAULT_SEED, DEFAULT_STEPS, MAX_PROMPT_LENGTH, MAX_SEED } from './types/chat';

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

/** The panel's starting values for a model. */
export function defaultSettings(model: VideoModel | undefined): GenerationSettings {
  const caps = model?.capabilities;
  return {
    model: model?.id ?? '',
    negativePrompt: DEFAULT_NEGATIVE_PROMPT,
    steps: String(defaultSteps(caps)),
    seed: String(DEFAULT_SEED),
    size: sizeToString(caps?.default_size) ?? '',
  };
}

export type SettingsErrors = Partial<Record<'prompt' | 'steps' | 'seed' | 'size', string>>;

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
  if (!/^\d+$/.test(settings.seed.trim()) || seed > MAX_SEED) {
    errors.seed = `Seed must be a whole number from 0 to ${MAX_SEED}.`;
  }
  const size = settings.size.trim();
  if (size && acceptsSize(caps)) {
    const options = sizeOptions(caps);
    if (!/^\d+x\d+$/.test(size)) errors.size = 'Size must look like 832x480.';
    else if (options.length > 0 && !options.includes(size)) errors.size = `Choose one of ${options.join(', ')}.`;
  }
  if (Object.keys(errors).length > 0) return { params: null, errors };

  const params: CreateVideoParams = {
    prompt: text,
    negative_prompt: settings.negativePrompt,
    num_inference_steps: steps,
    seed,
  };
  if (settings.model) params.model = settings.model;
  if (size && acceptsSize(caps)) params.size = size;
  return { params, errors };
}

/** A model's name for menus and badges, flagging the preview engine once. */
export function modelDisplayName(model: Pick<VideoModel, 'label' | 'preview'>): string {
  if (!model.preview || /not AI/i.test(model.label)) return model.label;
  return `${model.label} (preview, not AI)`;
}
