import { Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import type { SweepCreate, SweepParam } from '../api';
import type { VideoModel } from '../../videoGen/types/chat';
import ModelOptions from '../ModelOptions';
import type { AxisDraft } from './axes';
import { MAX_AXES, PARAMS, checkAxes } from './axes';

const field =
  'w-full rounded border border-zinc-700 bg-zinc-950 px-2 py-1.5 text-sm text-zinc-100 focus:border-brand focus:outline-none';
const label = 'flex flex-col gap-1 text-xs font-medium text-zinc-300';
const AXIS_NAMES = ['Across', 'Down', 'Blocks'];

export interface SweepFormProps {
  models: VideoModel[];
  defaultModel: VideoModel | undefined;
  busy: boolean;
  /** The server's complaint about the last send (its message as it came). */
  serverError: string | null;
  onSubmit: (body: SweepCreate) => void;
  /** The model and size as chosen (a batch from a file uses them). */
  onSettings?: (settings: { model: string; size: string }) => void;
}

export default function SweepForm({ models, defaultModel, busy, serverError, onSubmit, onSettings }: SweepFormProps) {
  const [prompt, setPrompt] = useState('');
  const [model, setModel] = useState('');
  const [size, setSize] = useState('');
  const [axes, setAxes] = useState<AxisDraft[]>([
    { param: 'seed', values: '1..3', find: '' },
    { param: 'num_inference_steps', values: '4, 8, 12', find: '' },
  ]);
  const [tried, setTried] = useState(false);
  const check = checkAxes(axes, prompt);
  const promptError = prompt.trim() ? null : 'Write the prompt every cell starts from.';
  const invalid = promptError !== null || check.error !== null || check.errors.some(Boolean);
  const used = new Set(axes.map((a) => a.param));

  const update = (i: number, changes: Partial<AxisDraft>) =>
    setAxes((all) => all.map((a, j) => (j === i ? { ...a, ...changes } : a)));

  const submit = (e: { preventDefault: () => void }) => {
    e.preventDefault();
    setTried(true);
    if (invalid) return;
    const base: SweepCreate['base'] = { prompt: prompt.trim() };
    if (model) base.model = model;
    if (size) base.size = size;
    onSubmit({ base, axes: check.axes });
  };

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-3" aria-label="New sweep" data-testid="sweep-form">
      <label className={label}>
        Prompt
        <textarea
          rows={2}
          className={field}
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          aria-invalid={tried && promptError ? true : undefined}
          data-testid="sweep-prompt"
        />
      </label>
      {tried && promptError ? <p className="text-xs text-red-300">{promptError}</p> : null}
      <div className="grid grid-cols-2 gap-3 sm:max-w-md">
        <label className={label}>
          Model
          <select
            className={field}
            value={model}
            onChange={(e) => {
              setModel(e.target.value);
              onSettings?.({ model: e.target.value, size });
            }}
          >
            <option value="">Default{defaultModel ? ` (${defaultModel.label})` : ''}</option>
            <ModelOptions models={models} />
          </select>
        </label>
        <label className={label}>
          Size
          <input
            className={field}
            value={size}
            placeholder="model's default"
            onChange={(e) => {
              setSize(e.target.value.trim());
              onSettings?.({ model, size: e.target.value.trim() });
            }}
            data-testid="sweep-size"
          />
        </label>
      </div>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">Axes (at most {MAX_AXES})</legend>
        {axes.map((axis, i) => {
          const hint = PARAMS.find((p) => p.value === axis.param)?.hint ?? '';
          const text = axis.param === 'negative_prompt' || axis.param === 'prompt_replace';
          const err = check.errors[i];
          return (
            <div
              key={i}
              className="grid grid-cols-[1fr_auto] gap-2 rounded border border-zinc-800 p-2 sm:grid-cols-[10rem_1fr_auto]"
              data-testid="sweep-axis"
            >
              <label className={label}>
                {AXIS_NAMES[i]}: setting
                <select
                  className={field}
                  value={axis.param}
                  onChange={(e) => update(i, { param: e.target.value as SweepParam })}
                >
                  {PARAMS.map((p) => (
                    <option key={p.value} value={p.value} disabled={p.value !== axis.param && used.has(p.value)}>
                      {p.label}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="self-end rounded border border-zinc-700 p-2 text-zinc-200 hover:bg-zinc-800 sm:order-last"
                aria-label={`Remove the ${AXIS_NAMES[i].toLowerCase()} axis`}
                onClick={() => setAxes((all) => all.filter((_, j) => j !== i))}
              >
                <Trash2 className="h-4 w-4" aria-hidden="true" />
              </button>
              <div className="col-span-2 flex flex-col gap-2 sm:col-span-1">
                {axis.param === 'prompt_replace' ? (
                  <label className={label}>
                    Words to replace
                    <input className={field} value={axis.find} onChange={(e) => update(i, { find: e.target.value })} />
                  </label>
                ) : null}
                <label className={label}>
                  Values ({hint})
                  {text ? (
                    <textarea
                      rows={2}
                      className={field}
                      value={axis.values}
                      onChange={(e) => update(i, { values: e.target.value })}
                      aria-invalid={err ? true : undefined}
                    />
                  ) : (
                    <input
                      className={field}
                      value={axis.values}
                      onChange={(e) => update(i, { values: e.target.value })}
                      aria-invalid={err ? true : undefined}
                      data-testid="sweep-axis-values"
                    />
                  )}
                </label>
                {err ? <p className="text-xs text-red-300">{err}</p> : null}
              </div>
            </div>
          );
        })}
        {axes.length < MAX_AXES ? (
          <button
            type="button"
            className="inline-flex w-fit items-center gap-1 rounded border border-zinc-700 px-3 py-1.5 text-sm hover:bg-zinc-800"
            onClick={() => {
              const free = PARAMS.find((p) => !used.has(p.value));
              if (free) setAxes((all) => [...all, { param: free.value, values: '', find: '' }]);
            }}
          >
            <Plus className="h-4 w-4" aria-hidden="true" /> Add axis
          </button>
        ) : null}
      </fieldset>
      <p className="text-sm text-zinc-300" aria-live="polite" data-testid="sweep-cells">
        {check.cells > 0 ? `${String(check.cells)} cells` : ''}
      </p>
      {check.error || serverError ? (
        <p role="alert" className="text-sm text-red-300" data-testid="sweep-error">
          {check.error ?? serverError}
        </p>
      ) : null}
      <button
        type="submit"
        className="w-fit rounded bg-brand px-4 py-2 text-sm font-medium text-white hover:opacity-90 disabled:opacity-50"
        disabled={busy || check.error !== null}
      >
        Make the grid
      </button>
    </form>
  );
}
