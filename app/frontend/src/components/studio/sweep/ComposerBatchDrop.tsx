import type { ReactNode } from 'react';
import { validate } from '../../videoGen/params';
import type { CreateVideoParams, GenerationSettings, VideoModel } from '../../videoGen/types/chat';
import BatchFromFile from './BatchFromFile';

/** The composer's settings as one job per line takes them: no prompt, no variations. */
export function batchSettings(
  settings: GenerationSettings,
  model: VideoModel | undefined,
): Omit<CreateVideoParams, 'prompt'> | null {
  const { params } = validate('batch', settings, model);
  if (!params) return null;
  return {
    model: params.model,
    negative_prompt: params.negative_prompt,
    num_inference_steps: params.num_inference_steps,
    seed: params.seed,
    size: params.size,
    seconds: params.seconds,
  };
}

/** A .txt file of prompts dropped on the composer queues a job per line with its settings. */
export default function ComposerBatchDrop({
  settings,
  models,
  defaultModel,
  children,
}: {
  settings: GenerationSettings;
  models: VideoModel[];
  defaultModel: VideoModel | undefined;
  children: ReactNode;
}) {
  const model = models.find((m) => m.id === settings.model) ?? defaultModel;
  return (
    <BatchFromFile settings={batchSettings(settings, model)} hint={false}>
      {children}
    </BatchFromFile>
  );
}
