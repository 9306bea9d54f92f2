// A prompt on its card; long ones are collapsed to a few lines with a toggle.
import { useId, useState } from 'react';

export const COLLAPSE_FROM = 280;

export default function PromptText({ text, className = '' }: { text: string; className?: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const long = text.length > COLLAPSE_FROM;
  return (
    <div className={className}>
      <p
        id={id}
        className={`break-words whitespace-pre-wrap ${long && !open ? 'line-clamp-4' : ''}`}
        data-testid="job-prompt"
      >
        {text}
      </p>
      {long ? (
        <button
          type="button"
          onClick={() => setOpen((v) => !v)}
          aria-expanded={open}
          aria-controls={id}
          className="mt-1 min-h-11 text-xs font-medium text-white/80 underline underline-offset-2 hover:text-white sm:min-h-0"
          data-testid="prompt-toggle"
        >
          {open ? 'Show less' : `Show all ${text.length} characters`}
        </button>
      ) : null}
    </div>
  );
}
