// A signing secret, shown once (after a create or a rotate): copy it now, it is not shown again.
import { Check, Copy, KeyRound } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { copyText } from '../clipboard';
import { CopyableText } from '../videoGen/Field';
import { primaryButton, secondaryButton } from '../videoGen/CardActions';

interface Props {
  /** What the secret is for, e.g. "Signing secret for https://example.com/hook". */
  title: string;
  secret: string;
  /** A line under the warning (the rotation's 24 hours). */
  note?: string;
  onDone: () => void;
}

export default function SecretNotice({ title, secret, note, onDone }: Props) {
  const ids = useId();
  const box = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);

  // It appears after a click elsewhere: bring the focus (and a screen reader) to it.
  useEffect(() => box.current?.focus(), []);

  const copy = async () => {
    const ok = await copyText(secret);
    setCopied(ok);
    if (!ok) input.current?.select();
  };

  return (
    <div
      ref={box}
      tabIndex={-1}
      role="group"
      aria-labelledby={`${ids}-title`}
      aria-describedby={`${ids}-warning`}
      className="space-y-2 rounded-xl border border-amber-500/40 bg-amber-500/10 p-3 text-sm"
      data-testid="webhook-secret"
    >
      <p id={`${ids}-title`} className="flex items-center gap-2 font-medium text-amber-200">
        <KeyRound className="h-4 w-4" aria-hidden="true" /> {title}
      </p>
      <p id={`${ids}-warning`} className="text-amber-100">
        Copy it now: it will not be shown again. Receivers verify each event&apos;s signature with it.
        {note ? ` ${note}` : null}
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={`${ids}-secret`} className="sr-only">
          Secret
        </label>
        <CopyableText
          id={`${ids}-secret`}
          inputRef={input}
          value={secret}
          width="min-w-0 flex-1"
          testId="webhook-secret-value"
        />
        <button type="button" onClick={() => void copy()} className={secondaryButton} data-testid="webhook-secret-copy">
          {copied ? <Check className="h-4 w-4" aria-hidden="true" /> : <Copy className="h-4 w-4" aria-hidden="true" />}
          Copy secret
        </button>
        <button type="button" onClick={onDone} className={primaryButton} data-testid="webhook-secret-done">
          Done
        </button>
      </div>
      <p role="status" className="text-xs text-amber-100 empty:hidden">
        {copied === true
          ? 'Secret copied.'
          : copied === false
            ? 'Copying was not allowed here: it is selected above, copy it yourself.'
            : null}
      </p>
    </div>
  );
}
