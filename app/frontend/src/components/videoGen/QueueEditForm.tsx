// Edit a queued video before it starts: its prompt, negative prompt, seed and steps (POST
// /v1/videos/{id}). Only what changed is sent; the studio checks it as a create's. A refusal
// (409 once it has started, 400 naming a bad field) is shown here and the text is kept.
import { useId, useState } from 'react';
import { ApiError, errorText } from './api/videoGeneration';
import { CardForm, CardFormButtons, PromptBox } from './CardForm';
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

  const onSubmit = async () => {
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
  const errorId = `${ids}-error`;
  const invalid = (field: EditField) => error?.field === field;
  const describedBy = (field: EditField) => (invalid(field) ? errorId : undefined);
  // One line of text for `field`, pointing at the complaint while it names that field.
  const line = (field: EditField, value: string, set: (value: string) => void, numeric = false) => (
    <input
      id={`${ids}-${field}`}
      inputMode={numeric ? 'numeric' : undefined}
      value={value}
      onChange={(e) => set(e.target.value)}
      className={fieldClass}
      aria-invalid={invalid(field) || undefined}
      aria-describedby={describedBy(field)}
    />
  );
  return (
    <CardForm
      label="Edit the queued video"
      testId="queue-edit-form"
      layout="grid grid-cols-2 gap-2"
      onSubmit={onSubmit}
      onClose={onClose}
      noValidate
    >
      <p className="col-span-2 text-xs font-medium text-zinc-300">Edit before it starts</p>
      <Field id={`${ids}-prompt`} label="Prompt" className="col-span-2">
        <PromptBox
          id={`${ids}-prompt`}
          value={prompt}
          onChange={setPrompt}
          testId="queue-edit-prompt"
          invalid={invalid('prompt')}
          describedBy={describedBy('prompt')}
        />
      </Field>
      <Field id={`${ids}-negative_prompt`} label="Negative prompt" className="col-span-2">
        {line('negative_prompt', negative, setNegative)}
      </Field>
      <Field id={`${ids}-seed`} label="Seed">
        {line('seed', seed, setSeed, true)}
      </Field>
      <Field id={`${ids}-num_inference_steps`} label={`Steps (${lo}–${hi})`}>
        {line('num_inference_steps', steps, setSteps, true)}
      </Field>
      <div className="col-span-2">
        <FieldError id={errorId} message={error?.message} alert />
      </div>
      <CardFormButtons
        busy={busy}
        submitTestId="queue-edit-save"
        submit={busy ? 'Saving…' : 'Save changes'}
        closeText="Cancel"
        onClose={onClose}
        className="col-span-2 flex flex-wrap gap-2"
      />
    </CardForm>
  );
}
