// Remix (a new prompt on a finished video's settings) or extend (continue it for more seconds).
import { type KeyboardEvent, type SubmitEvent, useId, useState } from 'react';
import { errorText } from './api/videoGeneration';
import { secondsOptions } from './shape';
import { fieldClass } from './Field';
import type { ModelCapabilities, Video } from './types/chat';

export type DeriveMode = 'remix' | 'extend';

interface Props {
  mode: DeriveMode;
  video: Video;
  caps: ModelCapabilities | undefined;
  onRemix: (id: string, prompt: string) => Promise<unknown>;
  onExtend: (id: string, prompt: string, seconds: string | null) => Promise<unknown>;
  onClose: () => void;
}

export default function DeriveForm({ mode, video, caps, onRemix, onExtend, onClose }: Props) {
  const ids = useId();
  const [prompt, setPrompt] = useState(video.prompt);
  const lengths = secondsOptions(caps);
  const [seconds, setSeconds] = useState(caps ? String(caps.default_seconds) : '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const onSubmit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const text = prompt.trim();
    if (!text) {
      setError('Describe the video you want.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (mode === 'remix') await onRemix(video.id, text);
      else await onExtend(video.id, text, seconds || null);
      onClose();
    } catch (err) {
      setError(errorText(err));
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

  const title = mode === 'remix' ? 'Remix: same settings and seed, new prompt' : 'Extend: continue from the last frame';
  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      onKeyDown={onKeyDown}
      className="mt-3 space-y-2 rounded-xl border border-zinc-700 bg-zinc-950 p-3"
      aria-label={title}
      data-testid={`${mode}-form`}
    >
      <label htmlFor={`${ids}-prompt`} className="block text-xs font-medium text-zinc-300">
        {title}
      </label>
      <textarea
        id={`${ids}-prompt`}
        value={prompt}
        onChange={(e) => setPrompt(e.target.value)}
        rows={2}
        autoFocus
        className={`${fieldClass} resize-y`}
        data-testid={`${mode}-prompt`}
      />
      {mode === 'extend' && lengths.length > 1 ? (
        <label className="flex items-center gap-2 text-xs text-zinc-300">
          More seconds
          <select
            value={seconds}
            onChange={(e) => setSeconds(e.target.value)}
            className={`${fieldClass} w-auto`}
            data-testid="extend-seconds"
          >
            {lengths.map((s) => (
              <option key={s} value={String(s)}>
                {s} s
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {error ? (
        <p role="alert" className="text-xs text-red-300">
          {error}
        </p>
      ) : null}
      <div className="flex gap-2">
        <button
          type="submit"
          disabled={busy}
          className="min-h-11 rounded-md bg-brand px-4 text-sm font-medium text-white hover:bg-brand-light disabled:opacity-60"
          data-testid={`${mode}-submit`}
        >
          {mode === 'remix' ? 'Remix' : 'Extend'}
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
