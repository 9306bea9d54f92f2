// The small forms that open inside a video card (remix, extend, edit while queued, copy link):
// one frame, one Escape rule, one prompt box and one pair of buttons for all of them.
import type { KeyboardEvent, ReactNode } from 'react';
import { fieldClass } from './Field';

const submitClass =
  'min-h-11 rounded-md bg-brand px-4 text-sm font-medium text-white hover:bg-brand-light disabled:opacity-60';
const closeClass = 'min-h-11 rounded-md border border-zinc-700 px-4 text-sm text-zinc-300 hover:bg-zinc-800';

interface CardFormProps {
  label: string;
  testId: string;
  /** How the children stack: "space-y-2", "grid grid-cols-2 gap-2". */
  layout: string;
  onSubmit: () => Promise<void>;
  onClose: () => void;
  /** Where the form checks its own fields, so the browser's bubbles stay away. */
  noValidate?: boolean;
  children: ReactNode;
}

export function CardForm({ label, testId, layout, onSubmit, onClose, noValidate, children }: CardFormProps) {
  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key !== 'Escape') return;
    // Escape closes this form only, not the lightbox or dialog the card sits in.
    e.preventDefault();
    e.stopPropagation();
    onClose();
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
      onKeyDown={onKeyDown}
      className={`mt-3 ${layout} rounded-xl border border-zinc-700 bg-zinc-950 p-3`}
      aria-label={label}
      data-testid={testId}
      noValidate={noValidate}
    >
      {children}
    </form>
  );
}

interface PromptBoxProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
  invalid?: boolean;
  describedBy?: string;
}

/** The form's first control: the prompt, focused as it opens. */
export function PromptBox({ id, value, onChange, testId, invalid, describedBy }: PromptBoxProps) {
  return (
    <textarea
      id={id}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      rows={2}
      autoFocus
      className={`${fieldClass} resize-y`}
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
      data-testid={testId}
    />
  );
}

interface CardFormButtonsProps {
  busy: boolean;
  submitTestId: string;
  /** The submit button's text, with an icon first where `icon` is set. */
  submit: ReactNode;
  icon?: boolean;
  closeText: 'Cancel' | 'Close';
  onClose: () => void;
  className?: string;
}

/** The form's own action, then the way out without it. */
export function CardFormButtons({
  busy,
  submitTestId,
  submit,
  icon,
  closeText,
  onClose,
  className = 'flex gap-2',
}: CardFormButtonsProps) {
  return (
    <div className={className}>
      <button
        type="submit"
        disabled={busy}
        className={icon ? `inline-flex items-center gap-1.5 ${submitClass}` : submitClass}
        data-testid={submitTestId}
      >
        {submit}
      </button>
      <button type="button" onClick={onClose} className={closeClass}>
        {closeText}
      </button>
    </div>
  );
}
