import { type ReactNode, useId } from 'react';

interface TooltipProps {
  text: string;
  /** Renders the trigger; spread `describedBy` onto its aria-describedby. */
  children: (describedBy: string) => ReactNode;
  /** 'nav': below on phones (top bar), to the right from md up (side rail). */
  side?: 'nav' | 'top';
}

/**
 * A CSS-only tooltip shown on hover (devices that hover; Tailwind's hover variant) and on
 * keyboard focus (:focus-visible, so a tap does not leave it open), tied to its trigger with
 * aria-describedby so screen readers read it too.
 */
export default function Tooltip({ text, children, side = 'top' }: TooltipProps) {
  const id = useId();
  const position =
    side === 'nav'
      ? 'top-full right-0 mt-2 md:top-1/2 md:right-auto md:left-full md:mt-0 md:ml-3 md:-translate-y-1/2'
      : 'bottom-full left-1/2 mb-2 -translate-x-1/2';
  return (
    <span className="group/tooltip relative inline-flex">
      {children(id)}
      <span
        id={id}
        role="tooltip"
        className={`pointer-events-none invisible absolute z-50 w-max max-w-64 rounded-md border border-zinc-700 bg-zinc-900 px-3 py-2 text-left text-xs leading-snug text-zinc-100 opacity-0 shadow-lg transition-opacity group-has-[:focus-visible]/tooltip:visible group-has-[:focus-visible]/tooltip:opacity-100 group-hover/tooltip:visible group-hover/tooltip:opacity-100 ${position}`}
      >
        {text}
      </span>
    </span>
  );
}
