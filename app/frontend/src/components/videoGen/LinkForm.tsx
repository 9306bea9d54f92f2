// "Copy link" on a finished video: a signed link to its MP4 or poster for a lifetime chosen here
// (POST /v1/videos/{id}/links), put on the clipboard, or shown selected when copying is refused.
import { Check, Link } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { copyText } from '../clipboard';
import { CardForm, CardFormButtons } from './CardForm';
import { CopyableText, Field, fieldClass, labelClass } from './Field';
import { createLink, type LinkVariant } from './api/links';
import { errorText } from './api/videoGeneration';
import type { Video } from './types/chat';

export const LIFETIMES = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 7 * 86_400, label: '7 days' },
] as const;

const FILES: { variant: LinkVariant; label: string }[] = [
  { variant: 'video', label: 'Video (MP4)' },
  { variant: 'thumbnail', label: 'Thumbnail (JPEG)' },
];

const pad = (n: number) => String(n).padStart(2, '0');

/** "14:05" for a time later today, "Tue 8 Dec, 14:05" for another day (local time). */
export function untilText(expiresAt: number, now: Date = new Date()): string {
  const at = new Date(expiresAt * 1000);
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  if (at.toDateString() === now.toDateString()) return time;
  const day = at.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
  return `${day}, ${time}`;
}

interface Props {
  video: Video;
  onClose: () => void;
}

type Result = { url: string; until: string; copied: boolean };

export default function LinkForm({ video, onClose }: Props) {
  const ids = useId();
  const [variant, setVariant] = useState<LinkVariant>('video');
  const [lifetime, setLifetime] = useState<number>(LIFETIMES[0].seconds);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const urlRef = useRef<HTMLInputElement>(null);

  // Copying was refused: the link is shown selected, for Ctrl+C.
  useEffect(() => {
    if (result && !result.copied) urlRef.current?.select();
  }, [result]);

  const onSubmit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const link = await createLink(video.id, { variant, expires_in: lifetime });
      const copied = await copyText(link.url);
      setResult({ url: link.url, until: untilText(link.expires_at), copied });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  // A new choice makes a new link: the old message would describe the other one.
  const choose = <T,>(set: (value: T) => void) => {
    return (value: T) => {
      set(value);
      setResult(null);
      setError(null);
    };
  };

  return (
    <CardForm
      label="Copy a link to this video"
      testId="link-form"
      layout="space-y-3"
      onSubmit={onSubmit}
      onClose={onClose}
    >
      <p className="text-xs text-zinc-400">
        Anyone who has the link can open the file, without signing in, until it ends.
      </p>
      <div className="flex flex-wrap items-end gap-3">
        <fieldset>
          <legend className={labelClass}>File</legend>
          <div className="flex flex-wrap gap-3">
            {FILES.map((f, i) => (
              <label key={f.variant} className="flex min-h-11 items-center gap-2 text-sm text-zinc-200 sm:min-h-9">
                <input
                  type="radio"
                  name={`${ids}-variant`}
                  value={f.variant}
                  checked={variant === f.variant}
                  onChange={() => choose(setVariant)(f.variant)}
                  autoFocus={i === 0}
                  data-testid={`link-variant-${f.variant}`}
                />
                {f.label}
              </label>
            ))}
          </div>
        </fieldset>
        <Field id={`${ids}-lifetime`} label="Works for">
          <select
            id={`${ids}-lifetime`}
            value={lifetime}
            onChange={(e) => choose(setLifetime)(Number(e.target.value))}
            className={`${fieldClass} w-auto`}
            data-testid="link-lifetime"
          >
            {LIFETIMES.map((l) => (
              <option key={l.seconds} value={l.seconds}>
                {l.label}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-300" data-testid="link-error">
          {error}
        </p>
      ) : null}
      <p role="status" className="text-sm text-emerald-300 empty:hidden" data-testid="link-status">
        {result
          ? result.copied
            ? `Link copied; it works until ${result.until}, for anyone who has it.`
            : `Copying was not allowed here: copy the link below yourself. It works until ${result.until}, for anyone who has it.`
          : null}
      </p>
      {result && !result.copied ? (
        <Field id={`${ids}-url`} label="Link">
          <CopyableText id={`${ids}-url`} inputRef={urlRef} value={result.url} testId="link-url" />
        </Field>
      ) : null}
      <CardFormButtons
        busy={busy}
        submitTestId="link-submit"
        icon
        submit={
          <>
            {result?.copied ? (
              <Check className="h-4 w-4" aria-hidden="true" />
            ) : (
              <Link className="h-4 w-4" aria-hidden="true" />
            )}
            {busy ? 'Making link…' : 'Copy link'}
          </>
        }
        closeText="Close"
        onClose={onClose}
      />
    </CardForm>
  );
}
