// A delete that asks first, in place: the button opens a short confirmation (what goes, a red
// confirm button that takes the focus, "Keep it"); Escape or "Keep it" closes it and gives the
// focus back to the button. Keyboard and screen readers get the same as the mouse.
import { Trash2 } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';

const button =
  'inline-flex min-h-10 items-center gap-1.5 rounded border border-zinc-700 px-3 py-1.5 text-sm text-zinc-100 hover:border-red-500/60 hover:text-red-200 disabled:opacity-50';
const danger =
  'inline-flex min-h-10 items-center gap-1.5 rounded bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-600 disabled:opacity-50';
const keep =
  'inline-flex min-h-10 items-center rounded border border-zinc-700 px-3 py-1.5 text-sm text-zinc-100 hover:bg-zinc-800';

interface Props {
  /** The button's text, and the confirm button's: "Delete storyboard". */
  label: string;
  /** What deleting takes, asked as a question. */
  question: string;
  busy?: boolean;
  onConfirm: () => void;
  /** data-testid of the button; the confirm button's is `${testId}-confirm`. */
  testId: string;
}

export default function ConfirmDelete({ label, question, busy = false, onConfirm, testId }: Props) {
  const [asking, setAsking] = useState(false);
  const refocus = useRef(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const questionId = useId();

  useEffect(() => {
    if (!asking && refocus.current) {
      refocus.current = false;
      trigger.current?.focus();
    }
  }, [asking]);

  const close = () => {
    refocus.current = true;
    setAsking(false);
  };

  if (!asking) {
    return (
      <button
        ref={trigger}
        type="button"
        className={button}
        disabled={busy}
        onClick={() => setAsking(true)}
        data-testid={testId}
      >
        <Trash2 className="h-4 w-4" aria-hidden="true" /> {label}
      </button>
    );
  }
  return (
    <div
      role="group"
      aria-label={`Confirm: ${label}`}
      className="flex flex-wrap items-center gap-2 rounded border border-red-500/40 bg-red-500/10 px-2 py-1.5 text-sm text-zinc-100"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          close();
        }
      }}
    >
      <span id={questionId}>{question}</span>
      <button
        type="button"
        className={danger}
        // The question is new on the page: the confirm button says it when it takes the focus.
        autoFocus
        aria-describedby={questionId}
        disabled={busy}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
        data-testid={`${testId}-confirm`}
      >
        <Trash2 className="h-4 w-4" aria-hidden="true" /> {label}
      </button>
      <button type="button" className={keep} onClick={close}>
        Keep it
      </button>
    </div>
  );
}
