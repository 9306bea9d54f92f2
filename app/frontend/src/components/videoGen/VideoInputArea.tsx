import { Loader2, Lock, RotateCcw, SendHorizontal, SlidersHorizontal, Unlock } from 'lucide-react';
import { type ClipboardEvent, type KeyboardEvent, type SubmitEvent, useEffect, useId, useRef, useState } from 'react';
import ReferenceImagePicker, { pickImage } from './ReferenceImagePicker';
import { Field, FieldError, fieldClass, NumberInput, SelectField } from './Field';
import ShapeFields from './ShapeFields';
import { SettingsFileButton, SettingsFileNote, useSettingsFromFile } from './SettingsFromFile';
import { EnhanceButton, EnhanceSuggestion } from './PromptEnhancer';
import type { Composer, Enhancement } from './hooks/useComposer';
import type { PromptEnhancer } from './hooks/usePromptEnhancer';
import {
  defaultSettings,
  modelDisplayName,
  settingsForModel,
  type SettingsErrors,
  stepsRange,
  validate,
} from './params';
import type { GenerationSettings, VideoModel } from './types/chat';
import { EXAMPLE_PROMPT, MAX_PROMPT_LENGTH, MAX_SEED, MAX_VARIATIONS } from './types/chat';

interface VideoInputAreaProps {
  /** The page's composer: what is typed, the parameters, the start image and the send queue. */
  composer: Pick<
    Composer,
    | 'prompt'
    | 'setPrompt'
    | 'settings'
    | 'setSettings'
    | 'reference'
    | 'setReference'
    | 'submit'
    | 'pending'
    | 'focusRequest'
  >;
  models: VideoModel[];
  defaultModel: VideoModel | undefined;
  /** Prompt enhancement: the Enhance button is shown while a chat model is configured. */
  enhance?: {
    enhancer: PromptEnhancer;
    enhancement: Enhancement | null;
    apply: (original: string, enhanced: string) => void;
  };
}

/** Shown from this many characters on: the count against the limit. */
export const COUNTER_FROM = Math.floor(MAX_PROMPT_LENGTH * 0.8);

function notReadyText(m: VideoModel): string {
  return m.ready ? '' : ` (not ready: ${m.detail.length > 60 ? `${m.detail.slice(0, 57)}…` : m.detail})`;
}

export default function VideoInputArea({ composer, models, defaultModel, enhance }: VideoInputAreaProps) {
  const { prompt, setPrompt, settings, setSettings, reference, setReference, focusRequest } = composer;
  const pendingCount = composer.pending.length;
  const [showSettings, setShowSettings] = useState(false);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const submitRef = useRef<HTMLButtonElement>(null);
  const ids = useId();
  // A studio MP4 dropped on the prompt box (or picked in the panel) fills the composer.
  const fromFile = useSettingsFromFile({ models, settings, setSettings, setPrompt });
  const panelId = `${ids}-panel`;

  // Grow the textarea with its content, up to a limit.
  useEffect(() => {
    const el = textareaRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [prompt]);

  // Focus the prompt on load (not on touch screens, where it would pop the keyboard up) and on request.
  useEffect(() => {
    const coarse = typeof window.matchMedia === 'function' && window.matchMedia('(pointer: coarse)').matches;
    if (focusRequest > 0 || !coarse) textareaRef.current?.focus();
  }, [focusRequest]);

  const model = models.find((m) => m.id === settings.model) ?? defaultModel;
  const caps = model?.capabilities;
  const [minSteps, maxSteps] = stepsRange(caps);
  const imageToVideo = caps?.image_to_video === true;

  const update = (patch: Partial<GenerationSettings>) => {
    setSettings({ ...settings, ...patch });
    // A changed setting makes its earlier complaint stale; the prompt's stays until it is edited.
    setErrors((e) => ({ prompt: e.prompt }));
  };

  const changeModel = (id: string) => {
    setSettings(
      settingsForModel(
        settings,
        models.find((m) => m.id === id),
      ),
    );
    setErrors({});
  };

  const submit = () => {
    const { params, errors: found } = validate(prompt, settings, model);
    // An image-only model (text_to_video false) refuses a bare prompt: say so before sending.
    if (caps?.text_to_video === false && !reference) {
      found.prompt ??= `${model ? modelDisplayName(model) : 'This model'} needs a start image: drop, paste or pick one.`;
    }
    setErrors(found);
    if (found.prompt && params) {
      textareaRef.current?.focus();
      return;
    }
    if (!params) {
      if (found.prompt) textareaRef.current?.focus();
      else setShowSettings(true);
      return;
    }
    composer.submit(prompt, imageToVideo && reference ? { ...params, input_reference: reference.blob } : params);
  };

  const onFormSubmit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    submit();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter makes a new line; leave IME composition alone.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const onFormKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key === 'Escape' && showSettings) {
      e.preventDefault();
      setShowSettings(false);
      toggleRef.current?.focus();
    }
  };

  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    if (!imageToVideo) return;
    const got = pickImage(Array.from(e.clipboardData.files));
    if (got && 'file' in got) {
      e.preventDefault();
      setReference(got.file, got.file.name || 'pasted.png');
    }
  };

  // Accepted: ready to send, so the Generate button; to edit: the prompt box.
  const applyEnhancement = (original: string, enhanced: string, edit: boolean) => {
    enhance?.apply(original, enhanced);
    (edit ? textareaRef.current : submitRef.current)?.focus();
  };

  const notReady = models.filter((m) => !m.ready);
  const length = prompt.length;

  return (
    <form onSubmit={onFormSubmit} onKeyDown={onFormKeyDown} className="space-y-2" aria-label="New video" noValidate>
      {showSettings ? (
        <fieldset
          id={panelId}
          className="grid max-h-[45vh] grid-cols-2 gap-3 overflow-y-auto rounded-xl border border-zinc-800 bg-zinc-900 p-3 sm:max-h-none sm:p-4"
          data-testid="settings-panel"
        >
          <legend className="sr-only">Generation parameters</legend>
          <SelectField
            id={`${ids}-model`}
            label="Model"
            className="col-span-2"
            value={settings.model}
            options={
              models.length === 0
                ? [{ value: '', label: 'No models available' }]
                : models.map((m) => ({ value: m.id, label: modelDisplayName(m) + notReadyText(m), disabled: !m.ready }))
            }
            onChange={changeModel}
            disabled={models.length === 0}
          >
            {notReady.length > 0 ? (
              <ul className="mt-1 space-y-0.5 text-xs text-amber-300/90" data-testid="not-ready-reasons">
                {notReady.map((m) => (
                  <li key={m.id} className="break-words">
                    <span className="font-medium">{m.label}</span> is not ready: {m.detail}
                  </li>
                ))}
              </ul>
            ) : null}
          </SelectField>
          <Field id={`${ids}-negative`} label="Negative prompt" className="col-span-2">
            <input
              id={`${ids}-negative`}
              className={fieldClass}
              value={settings.negativePrompt}
              onChange={(e) => update({ negativePrompt: e.target.value })}
              placeholder="What to avoid"
            />
          </Field>
          <Field id={`${ids}-steps`} label={`Inference steps (${minSteps}–${maxSteps})`}>
            <NumberInput
              id={`${ids}-steps`}
              min={minSteps}
              max={maxSteps}
              value={settings.steps}
              onChange={(steps) => update({ steps })}
              error={errors.steps}
            />
            <FieldError id={`${ids}-steps-error`} message={errors.steps} />
          </Field>
          <SelectField
            id={`${ids}-variations`}
            label="Variations"
            value={String(settings.variations)}
            options={Array.from({ length: MAX_VARIATIONS }, (_, i) => ({
              value: String(i + 1),
              label: i === 0 ? '1 video' : `${i + 1} videos`,
            }))}
            onChange={(n) => update({ variations: Number(n) })}
            testId="variations-select"
          />
          <Field id={`${ids}-seed`} label="Seed" className="col-span-2">
            <div className="flex gap-2">
              <button
                type="button"
                onClick={() => update({ lockSeed: !settings.lockSeed })}
                aria-pressed={settings.lockSeed}
                className={`inline-flex min-h-11 shrink-0 items-center gap-1.5 rounded-md border px-3 text-sm ${settings.lockSeed ? 'border-brand-light bg-brand/40 text-white' : 'border-zinc-700 text-zinc-300 hover:bg-zinc-800'}`}
                data-testid="seed-lock"
              >
                {settings.lockSeed ? (
                  <Lock className="h-4 w-4" aria-hidden="true" />
                ) : (
                  <Unlock className="h-4 w-4" aria-hidden="true" />
                )}
                Lock seed
              </button>
              {settings.lockSeed ? (
                <NumberInput
                  id={`${ids}-seed`}
                  min={0}
                  max={MAX_SEED}
                  value={settings.seed}
                  onChange={(seed) => update({ seed })}
                  error={errors.seed}
                />
              ) : (
                <p id={`${ids}-seed`} className="self-center text-xs text-zinc-400">
                  Random: each video gets a new seed (shown on its card).
                </p>
              )}
            </div>
            <FieldError id={`${ids}-seed-error`} message={errors.seed} />
          </Field>
          <ShapeFields ids={ids} caps={caps} settings={settings} update={update} errors={errors} />
          <div className="col-span-2 flex flex-wrap items-end gap-2">
            <SettingsFileButton onPick={(file) => void fromFile.read(file)} />
            <button
              type="button"
              onClick={() => {
                setSettings(defaultSettings(model));
                setErrors({});
              }}
              className="inline-flex min-h-11 items-center gap-1.5 rounded-md border border-zinc-700 px-3 text-xs text-zinc-300 hover:bg-zinc-800"
            >
              <RotateCcw className="h-3.5 w-3.5" aria-hidden="true" /> Reset to defaults
            </button>
          </div>
        </fieldset>
      ) : null}

      {imageToVideo ? <ReferenceImagePicker reference={reference} onChange={setReference} /> : null}

      <div
        {...fromFile.dropTarget}
        data-testid="prompt-box"
        className="flex items-end gap-2 rounded-2xl border-2 border-zinc-700 bg-zinc-900 p-2 focus-within:border-brand-light focus-within:ring-2 focus-within:ring-brand-light/40"
      >
        <button
          ref={toggleRef}
          type="button"
          onClick={() => setShowSettings((v) => !v)}
          aria-expanded={showSettings}
          aria-controls={panelId}
          aria-label={showSettings ? 'Hide parameters' : 'Show parameters'}
          title="Parameters (Esc closes)"
          className={`flex h-11 w-11 shrink-0 items-center justify-center rounded-xl transition-colors ${showSettings ? 'bg-zinc-700 text-white' : 'text-zinc-400 hover:bg-zinc-800 hover:text-white'}`}
          data-testid="settings-toggle"
        >
          <SlidersHorizontal className="h-5 w-5" aria-hidden="true" />
        </button>
        <label htmlFor="prompt-input" className="sr-only">
          Prompt
        </label>
        <textarea
          id="prompt-input"
          ref={textareaRef}
          rows={1}
          value={prompt}
          onChange={(e) => {
            setPrompt(e.target.value);
            if (errors.prompt) setErrors((er) => ({ ...er, prompt: undefined }));
          }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          placeholder={`Describe a video, e.g. “${EXAMPLE_PROMPT}”`}
          aria-invalid={errors.prompt || length > MAX_PROMPT_LENGTH ? true : undefined}
          aria-describedby={`${ids}-hint${errors.prompt ? ` ${ids}-prompt-error` : ''}`}
          className="max-h-[200px] min-h-11 flex-1 resize-none bg-transparent px-2 py-2 text-base text-zinc-100 placeholder:text-zinc-500 focus:outline-none"
          data-testid="prompt-input"
          data-skip-target=""
        />
        {enhance?.enhancer.configured ? (
          <EnhanceButton
            enhancer={enhance.enhancer}
            prompt={prompt}
            mode={imageToVideo && reference ? 'image-to-video' : 'text-to-video'}
          />
        ) : null}
        <button
          ref={submitRef}
          type="submit"
          aria-label="Generate video"
          title="Generate video (Enter)"
          className="relative flex h-11 w-11 shrink-0 items-center justify-center rounded-xl bg-brand text-white transition-colors hover:bg-brand-light"
          data-testid="prompt-submit"
        >
          {pendingCount > 0 ? (
            <Loader2 className="h-5 w-5 animate-spin" aria-hidden="true" />
          ) : (
            <SendHorizontal className="h-5 w-5" aria-hidden="true" />
          )}
          {pendingCount > 1 ? (
            <span className="absolute -top-1 -right-1 rounded-full bg-zinc-100 px-1.5 text-xs font-semibold text-zinc-900">
              {pendingCount}
            </span>
          ) : null}
        </button>
      </div>
      {enhance ? <EnhanceSuggestion enhancer={enhance.enhancer} onApply={applyEnhancement} /> : null}
      <SettingsFileNote note={fromFile.note} />
      {errors.prompt ? (
        <p id={`${ids}-prompt-error`} className="text-xs text-red-300">
          {errors.prompt}
        </p>
      ) : null}
      <div className="flex items-start justify-between gap-3 text-xs text-zinc-400">
        <p id={`${ids}-hint`} className="min-w-0" data-testid="prompt-hint">
          <span className="hidden sm:inline">Enter to generate, Shift+Enter for a new line. </span>
          {model ? (
            <>
              {modelDisplayName(model)}, {settings.steps} steps,{' '}
              {settings.lockSeed ? `seed ${settings.seed}` : 'random seed'}
              {settings.variations > 1 ? `, ${settings.variations} variations` : ''}
              {settings.size ? `, ${settings.size}` : ''}
              {settings.seconds ? `, ${settings.seconds} s` : ''}
              {settings.sound && model.capabilities.sound ? ', with sound' : ''}
              {imageToVideo && reference ? ', from the image' : ''}.
            </>
          ) : null}
          {enhance?.enhancement && prompt.trim() !== enhance.enhancement.original.trim() ? (
            <span data-testid="enhanced-note"> Enhanced prompt: your own words are kept with the video.</span>
          ) : null}
          {pendingCount > 0 ? <span data-testid="sending"> Sending {pendingCount}…</span> : null}
        </p>
        {length >= COUNTER_FROM ? (
          <p
            className={`shrink-0 tabular-nums ${length > MAX_PROMPT_LENGTH ? 'text-red-300' : 'text-amber-300'}`}
            data-testid="prompt-counter"
            aria-live="polite"
          >
            {length} / {MAX_PROMPT_LENGTH}
          </p>
        ) : null}
      </div>
    </form>
  );
}
