// Remix (a new prompt on a finished video's settings) or extend (continue it for more seconds).
import { useId, useState } from 'react';
import { errorText } from './api/videoGeneration';
import { secondsOptions } from './shape';
import { CardForm, CardFormButtons, PromptBox } from './CardForm';
import { FieldError, fieldClass } from './Field';
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

  const onSubmit = async () => {
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

  const title = mode === 'remix' ? 'Remix: same settings and seed, new prompt' : 'Extend: continue from the last frame';
  return (
    <CardForm label={title} testId={`${mode}-form`} layout="space-y-2" onSubmit={onSubmit} onClose={onClose}>
      <label htmlFor={`${ids}-prompt`} className="block text-xs font-medium text-zinc-300">
        {title}
      </label>
      <PromptBox id={`${ids}-prompt`} value={prompt} onChange={setPrompt} testId={`${mode}-prompt`} />
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
      <FieldError message={error ?? undefined} alert />
      <CardFormButtons
        busy={busy}
        submitTestId={`${mode}-submit`}
        submit={mode === 'remix' ? 'Remix' : 'Extend'}
        closeText="Cancel"
        onClose={onClose}
      />
    </CardForm>
  );
}
