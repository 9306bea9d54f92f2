// The composer's settings from a studio MP4's (api/settingsFile.ts): what the file says, fitted
// to the models this studio has, and a sentence saying what was restored.
import { acceptsSize, modelDisplayName, settingsForModel, sizeToString } from './params';
import type { GenerationSettings, VideoModel } from './types/chat';

export interface Restored {
  settings: GenerationSettings;
  /** The file's prompt; null when it has none (its studio left prompts out). */
  prompt: string | null;
  message: string;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function whole(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

/** The composer's state from a file's create fields (`settings` of POST /v1/videos/settings). */
export function restoreSettings(
  fields: Record<string, unknown>,
  models: VideoModel[],
  current: GenerationSettings,
  promptOmitted: boolean,
): Restored {
  const wanted = text(fields.model);
  const found = models.find((m) => m.id === wanted);
  const model = found ?? models.find((m) => m.id === current.model);
  const base = found && found.id !== current.model ? settingsForModel(current, found) : current;
  const steps = whole(fields.num_inference_steps);
  const seed = whole(fields.seed);
  const size = sizeToString(text(fields.size));
  const seconds = text(fields.seconds);
  const settings: GenerationSettings = {
    ...base,
    negativePrompt: text(fields.negative_prompt) ?? base.negativePrompt,
    steps: steps != null ? String(steps) : base.steps,
    // The file's seed, locked: the same video again unless something else changes.
    seed: seed != null ? String(seed) : base.seed,
    lockSeed: seed != null ? true : base.lockSeed,
    size: size && acceptsSize(model?.capabilities) ? size : base.size,
    seconds: seconds && /^\d+$/.test(seconds) ? seconds : base.seconds,
  };
  const prompt = text(fields.prompt);
  const said: string[] = ['Settings restored from the video'];
  if (wanted && !found)
    said.push(`its model “${wanted}” is not here, so ${model ? modelDisplayName(model) : 'the current model'} is kept`);
  if (promptOmitted || prompt == null) said.push('it carries no prompt, so yours is kept');
  return { settings, prompt, message: `${said.join('; ')}.` };
}
