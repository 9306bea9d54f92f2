import { Loader2, RotateCcw, SendHorizontal, SlidersHorizontal } from 'lucide-react';
import { type KeyboardEvent, type SubmitEvent, useEffect, useId, useRef, useState } from 'react';
import {
  acceptsSize,
  defaultSettings,
  modelDisplayName,
  type SettingsErrors,
  sizeOptions,
  stepsRange,
  validate,
} from './params';
import type { CreateVideoParams, GenerationSettings, VideoModel } from './types/chat';
import { EXAMPLE_PROMPT, MAX_PROMPT_LENGTH, MAX_SEED } from './types/chat';

interface VideoInputAreaProps {
  prompt: string;
  onPromptChange: (prompt: string) => void;
  onSubmit: (params: CreateVideoParams) => Promise<unknown>;
  isSubmitting: boolean;
  models: VideoModel[];
  defaultModel: VideoModel | undefined;
}

const fieldClass =
  'w-full rounded-md border border-zinc-700 bg-zinc-950 px-3 py-2 text-sm text-zinc-100 placeholder:text-zinc-500 aria-[invalid=true]:border-red-500';

export default function VideoInputArea({
  prompt,
  onPromptChange,
  onSubmit,
  isSubmitting,
  models,
  defaultModel,
}: VideoInputAreaProps) {
  const [showSettings, setShowSettings] = useState(false);
  const [settings, setSettings] = useState<GenerationSettings>(() => defaultSettings(defaultModel));
  const [errors, setErrors] = useState<SettingsErrors>({});
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const ids = useId();
  const panelId = `${ids}-panel`;

  // The model list arrives after the first render: adopt its default once it does. Adjusted
  // while rendering (not in an effect) so the panel never paints the model-less defaults first;
  // the guard holds once a model is set, so this runs at most once per arrival.
  if (!settings.model && defaultModel?.id) setSettings(defaultSettings(defaultModel));

  // Grow the textarea with its content, up to a limit.
  useEffect(() => {
    const el = textareaRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [prompt]);

  const model = models.find((m) => m.id === settings.model) ?? defaultModel;
  const caps = model?.capabilities;
  const [minSteps, maxSteps] = stepsRange(caps);
  const sizes = sizeOptions(caps);

  const update = (patch: Partial<GenerationSettings>) => setSettings((s) => ({ ...s, ...patch }));

  const changeModel = (id: string) => {
    const next = models.find((m) => m.id === id);
    // Steps and size depend on the model; keep the user's prompt-side choices.
    setSettings((s) => ({ ...defaultSettings(next), negativePrompt: s.negativePrompt, seed: s.seed }));
    setErrors({});
  };

  const submit = async () => {
    if (isSubmitting) return;
    const { params, errors: found } = validate(prompt, settings, model);
    setErrors(found);
    if (!params) {
      if (found.prompt) textareaRef.current?.focus();
      else setShowSettings(true);
      return;
    }
    try {
      await onSubmit(params);
      onPromptChange('');
    } catch {
      // The parent shows the API error; keep the prompt so the user can fix and resend.
    }
    textareaRef.current?.focus();
  };

  const onFormSubmit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    void submit();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter makes a new line; leave IME composition alone.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  };

  return (
    <form onSubmit={onFormSubmit} className="space-y-3" aria-label="New video" noValidate>
      {showSettings ? (
        <fieldset
          id={panelId}
          className="grid max-h-[45vh] grid-cols-2 gap-3 overflow-y-auto rounded-xl border border-zinc-800 bg-zinc-900 p-3 sm:max-h-none sm:p-4"
          data-testid="settings-panel"
        >
          <legend className="sr-only">Generation parameters</legend>
          <div className="col-span-2">
            <label htmlFor={`${ids}-model`} className="mb-1 block text-xs font-medium text-zinc-300">
              Model
            </label>
            <select
              id={`${ids}-model`}
              className={fieldClass}
              value={settings.model}
              onChange={(e) => changeModel(e.target.value)}
              disabled={models.length === 0}
            >
              {models.length === 0 ? <option value="">No models available</option> : null}
              {models.map((m) => (
                <option key={m.id} value={m.id} disabled={!m.ready}>
                  {modelDisplayName(m)}
                  {m.ready ? '' : ' (not ready)'}
                </option>
              ))}
            </select>
            {model && !model.ready ? <p className="mt-1 text-xs text-amber-300">{model.detail}</p> : null}
          </div>
          <div className="col-span-2">
            <label htmlFor={`${ids}-negative`} className="mb-1 block text-xs font-medium text-zinc-300">
              Negative prompt
            </label>
            <input
              id={`${ids}-negative`}
              className={fieldClass}
              value={settings.negativePrompt}
              onChange={(e) => update({ negativePrompt: e.target.value })}
              placeholder="What to avoid"
            />
          </div>
          <div>
            <label htmlFor={`${ids}-steps`} className="mb-1 block text-xs font-medium text-zinc-300">
              Inference steps ({minSteps}–{maxSteps})
            </label>
            <input
              id={`${ids}-steps`}
              type="number"
              inputMode="numeric"
              min={minSteps}
              max={maxSteps}
              step={1}
              className={fieldClass}
              value={settings.steps}
              onChange={(e) => update({ steps: e.target.value })}
              aria-invalid={errors.steps ? true : undefined}
              aria-describedby={errors.steps ? `${ids}-steps-error` : undefined}
            />
            {errors.steps ? (
              <p id={`${ids}-steps-error`} className="mt-1 text-xs text-red-300">
                {errors.steps}
              </p>
            ) : null}
          </div>
          <div>
            <label htmlFor={`${ids}-seed`} className="mb-1 block text-xs font-medium text-zinc-300">
              Seed
            </label>
            <input
              id={`${ids}-seed`}
              type="number"
              inputMode="numeric"
              min={0}
              max={MAX_SEED}
              step={1}
              className={fieldClass}
              value={settings.seed}
              onChange={(e) => update({ seed: e.target.value })}
              aria-invalid={errors.seed ? true : undefined}
              aria-describedby={errors.seed ? `${ids}-seed-error` : undefined}
            />
            {errors.seed ? (
              <p id={`${ids}-seed-error`} className="mt-1 text-xs text-red-300">
                {errors.seed}
              </p>
            ) : null}
          </div>
          {acceptsSize(caps) ? (
            <div className="col-span-2 sm:col-span-1">
              <label htmlFor={`${ids}-size`} className="mb-1 block text-xs font-medium text-zinc-300">
                Size
              </label>
              {sizes.length > 0 ? (
                <select
                  id={`${ids}-size`}
                  className={fieldClass}
                  value={settings.size}
                  onChange={(e) => update({ size: e.target.value })}
                >
                  <option value="">Model default</option>
                  {sizes.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={`${ids}-size`}
                  className={fieldClass}
                  value={settings.size}
                  placeholder="Model default, e.g. 832x480"
                  onChange={(e) => update({ size: e.target.value })}
                  aria-invalid={errors.size ? true : undefined}
                  aria-describedby={errors.size ? `${ids}-size-error` : undefined}
                />
              )}
              {errors.size ? (
                <p id={`${ids}-size-error`} className="mt-1 text-xs text-red-300">
                  {errors.size}
                </p>
              ) : null}
            </div>
          ) : null}
          <div className="col-span-2 flex items-end">
            <button
              type="button"
              onClick={() => {
                setSettings(defaultSettings(model));
                setErrors({});
              }}
              className="inline-flex items-center gap-1.5 rounded-md border border-zinc-700 px-3 py-1.5 text-xs text-zinc-300 hover:bg-zinc-800"
            >
              <RotateCcw className="h-3.5 w-3.5" aria-hidden="true" /> Reset to defaults
            </button>
          </div>
        </fieldset>
      ) : null}

      <div className="flex items-end gap-2 rounded-2xl border border-zinc-700 bg-zinc-900 p-2 focus-within:border-brand-light">
        <button
          type="button"
          onClick={() => setShowSettings((v) => !v)}
          aria-expanded={showSettings}
          aria-controls={panelId}
          aria-label={showSettings ? 'Hide parameters' : 'Show parameters'}
          title="Parameters"
          className={`flex h-10 w-10 shrink-0 items-center justify-center rounded-xl transition-colors ${showSettings ? 'bg-zinc-700 text-white' : 'text-zinc-400 hover:bg-zinc-800 hover:text-white'}`}
          data-testid="settings-toggle"
        >
          <SlidersHorizontal className="h-5 w-5" aria-hidden="true" />
        </button>
        <label htmlFor={`${ids}-prompt`} className="sr-only">
          Prompt
        </label>
        <textarea
          id={`${ids}-prompt`}
          ref={textareaRef}
          rows={1}
          maxLength={MAX_PROMPT_LENGTH}
          value={prompt}
          onChange={(e) => {
            onPromptChange(e.target.value);
            if (errors.prompt) setErrors((er) => ({ ...er, prompt: undefined }));
          }}
          onKeyDown={onKeyDown}
          placeholder={`Describe a video, e.g. “${EXAMPLE_PROMPT}”`}
          aria-invalid={errors.prompt ? true : undefined}
          aria-describedby={`${ids}-hint${errors.prompt ? ` ${ids}-prompt-error` : ''}`}
          className="max-h-[200px] min-h-10 flex-1 resize-none bg-transparent px-2 py-2 text-base text-zinc-100 placeholder:text-zinc-500 focus:outline-none"
          data-testid="prompt-input"
        />
        <button
          type="submit"
          disabled={isSubmitting}
          aria-label="Generate video"
          title="Generate video (Enter)"
          className="flex h-10 w-10 shrink-0 items-center justify-center rounded-xl bg-brand text-white transition-colors hover:bg-brand-light disabled:opacity-60"
          data-testid="prompt-submit"
        >
          {isSubmitting ? (
            <Loader2 className="h-5 w-5 animate-spin" aria-hidden="true" />
          ) : (
            <SendHorizontal className="h-5 w-5" aria-hidden="true" />
          )}
        </button>
      </div>
      {errors.prompt ? (
        <p id={`${ids}-prompt-error`} className="text-xs text-red-300">
          {errors.prompt}
        </p>
      ) : null}
      <p id={`${ids}-hint`} className="hidden text-xs text-zinc-500 sm:block">
        Enter to generate, Shift+Enter for a new line.
        {model ? ` Model: ${modelDisplayName(model)}, ${settings.steps} steps, seed ${settings.seed}.` : ''}
      </p>
    </form>
  );
}
