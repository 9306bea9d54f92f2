// Edit a queued video before it starts: its prompt, negative prompt, seed and steps (POST
// /v1/videos/{id}). Only what changed is sent; the studio checks it as a create's. A refusal
// (409 once it has started, 400 naming a bad field) is shown here and the text is kept.
import { type KeyboardEvent, type SubmitEvent, useId, useState } from 'react';
import { ApiError, errorText } from './api/videoGeneration';
import { Field, FieldError, fieldClass } from './Field';
import { stepsRange } from './params';
import type { ModelCapabilities, Video, VideoUpdate } from './types/chat';
import { MAX_SEED } from './types/chat';

const EDIT_FIELDS = ['prompt', 'negative_prompt', 'seed', 'num_inference_steps'] as const;
type EditField = (typeof EDIT_FIELDS)[number];

const isEditField = (param: string | null): param is EditField => EDIT_FIELDS.some((f) => f === param);

interface Props {
  video: Video;
  caps: ModelCapabilities | undefined;
  onSave: (id: string, changes: VideoUpdate) => Promise<unknown>;
  onClose: () => void;
}

const WHOLE = /^\d+$/;

export default function QueueEditForm({ video, caps, onSave, onClose }: Props) {
  const ids = useId();
  // What the form opened with: only fields that differ from it are sent.
  const [initial] = useState(() => ({
    prompt: video.prompt,
    negative: video.negative_prompt,
    seed: String(video.seed),
    steps: String(video.num_inference_steps),
  }));
  const [prompt, setPrompt] = useState(initial.prompt);
  const [negative, setNegative] = useState(initial.negative);
  const [seed, setSeed] = useState(initial.seed);
  const [steps, setSteps] = useState(initial.steps);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field: EditField | null } | null>(null);
  const [lo, hi] = stepsRange(caps);

  const changes = (): VideoUpdate | { message: string; field: EditField } => {
    const body: VideoUpdate = {};
    const text = prompt.trim();
    if (!text) return { message: 'Describe the video you want.', field: 'prompt' };
    if (!WHOLE.test(seed.trim()) || Number(seed) > MAX_SEED) {
      return { message: `Seed must be a whole number from 0 to ${MAX_SEED}.`, field: 'seed' };
    }
    if (!WHOLE.test(steps.trim())) return { message: 'Steps must be a whole number.', field: 'num_inference_steps' };
    if (text !== initial.prompt.trim()) body.prompt = text;
    if (negative !== initial.negative) body.negative_prompt = negative;
    if (seed.trim() !== initial.seed) body.seed = Number(seed);
    if (steps.trim() !== initial.steps) body.num_inference_steps = Number(steps);
    return body;
  };

  const onSubmit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const body = changes();
    if ('message' in body) {
      setError(body);
      return;
    }
    if (Object.keys(body).length === 0) {
      onClose();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSave(video.id, body);
      onClose();
    } catch (err) {
      const param = err instanceof ApiError ? err.param : null;
      // The server's own words: "It has started; ...", "num_inference_steps must be ...".
      setError({
        message: err instanceof ApiError ? err.message : errorText(err),
        field: isEditField(param) ? param : null,
      });
      setBusy(false);
    }
  };
  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  };

  const errorId = `${ids}-error`;
  const invalid = (field: EditField) => (error?.field === field ? true : undefined);
  const describedBy = (field: EditField) => (error?.field === field ? errorId : undefined);
  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      onKeyDown={onKeyDown}
      className="mt-3 grid grid-cols-2 gap-2 rounded-xl border border-zinc-700 bg-zinc-950 p-3"
      aria-label="Edit the queued video"
      data-testid="queue-edit-form"
      noValidate
    >
      <p className="col-span-2 text-xs font-medium text-zinc-300">Edit before it starts</p>
      <Field id={`${ids}-prompt`} label="Prompt" className="col-span-2">
        <textarea
          id={`${ids}-prompt`}
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          rows={2}
          autoFocus
          className={`${fieldClass} resize-y`}
          aria-invalid={invalid('prompt')}
          aria-describedby={describedBy('prompt')}
          data-testid="queue-edit-prompt"
        />
      </Field>
      <Field id={`${ids}-negative`} label="Negative prompt" className="col-span-2">
        <input
          id={`${ids}-negative`}
          value={negative}
          onChange={(e) => setNegative(e.target.value)}
          className={fieldClass}
          aria-invalid={invalid('negative_prompt')}
          aria-describedby={describedBy('negative_prompt')}
        />
      </Field>
      <Field id={`${ids}-seed`} label="Seed">
        <input
          id={`${ids}-seed`}
          inputMode="numeric"
          value={seed}
          onChange={(e) => setSeed(e.target.value)}
          className={fieldClass}
          aria-invalid={invalid('seed')}
          aria-describedby={describedBy('seed')}
        />
      </Field>
      <Field id={`${ids}-steps`} label={`Steps (${lo}–${hi})`}>
        <input
          id={`${ids}-steps`}
          inputMode="numeric"
          value={steps}
          onChange={(e) => setSteps(e.target.value)}
          className={fieldClass}
          aria-invalid={invalid('num_inference_steps')}
          aria-describedby={describedBy('num_inference_steps')}
        />
      </Field>
      <div className="col-span-2">
        <FieldError id={errorId} message={error?.message} alert />
      </div>
      <div className="col-span-2 flex flex-wrap gap-2">
        <button
          type="submit"
          disabled={busy}
          className="min-h-11 rounded-md bg-brand px-4 text-sm font-medium text-white hover:bg-brand-light disabled:opacity-60"
          data-testid="queue-edit-save"
        >
          {busy ? 'Saving…' : 'Save changes'}
        </button>
        <button
          type="button"
          onClick={onClose}
          className="min-h-11 rounded-md border border-zinc-700 px-4 text-sm text-zinc-300 hover:bg-zinc-800"
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
