import { AlertTriangle } from 'lucide-react';
import type { ReactNode } from 'react';

const TONES = {
  error: { role: 'alert', box: 'border-red-500/40 bg-red-500/10', icon: 'text-red-400', message: 'text-red-200' },
  warning: { role: 'status', box: 'border-amber-500/40 bg-amber-500/10 text-amber-200', icon: '', message: '' },
} as const;

const classes = (...names: string[]) => names.filter(Boolean).join(' ');

interface NoticeProps {
  tone: keyof typeof TONES;
  /** Its corners: rounded-xl on the page, rounded-lg inside a card. */
  rounded: 'rounded-xl' | 'rounded-lg';
  testId: string;
  /** The headline, in plain words. */
  message: ReactNode;
  /** The raw message, where it says more than the headline. */
  details?: string | null;
  /** Under the headline: a list, a button. */
  children?: ReactNode;
  /** A button at the end of the box (dismiss). */
  action?: ReactNode;
}

/** A boxed warning or error with its icon: a failed submit or job, no provider ready. */
export default function Notice({ tone, rounded, testId, message, details, children, action }: NoticeProps) {
  const t = TONES[tone];
  return (
    <div
      role={t.role}
      className={classes('flex', action ? 'items-start' : '', 'gap-3', rounded, 'border', t.box, 'p-3 text-sm')}
      data-testid={testId}
    >
      <AlertTriangle className={classes('mt-0.5 h-5 w-5 shrink-0', t.icon)} aria-hidden="true" />
      <div className={action ? 'min-w-0 flex-1' : 'min-w-0'}>
        <p className={classes('font-medium', t.message)}>{message}</p>
        {details ? <p className="mt-1 break-words text-xs text-red-300/80">Details: {details}</p> : null}
        {children}
      </div>
      {action}
    </div>
  );
}
