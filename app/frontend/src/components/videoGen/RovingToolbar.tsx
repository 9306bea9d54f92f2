// A toolbar that is one Tab stop: arrow keys (and Home/End) move between its controls.
import { type KeyboardEvent, type ReactNode, useEffect, useRef } from 'react';

const CONTROLS = 'button:not([disabled]), a[href], input:not([disabled])';

function controls(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(CONTROLS));
}

/** Keep exactly one control tabbable: the focused one, else the first. */
function settle(root: HTMLElement, active?: HTMLElement) {
  const all = controls(root);
  const current = active ?? all.find((el) => el.tabIndex === 0) ?? all[0];
  for (const el of all) el.tabIndex = el === current ? 0 : -1;
}

export default function RovingToolbar({
  label,
  children,
  className = '',
}: {
  label: string;
  children: ReactNode;
  className?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // Controls come and go with the video's state; keep one of them tabbable.
  useEffect(() => {
    if (ref.current) settle(ref.current);
  });

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const root = ref.current;
    if (!root) return;
    const all = controls(root);
    const at = all.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    let next: number;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = (at + 1) % all.length;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = (at - 1 + all.length) % all.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = all.length - 1;
    else return;
    e.preventDefault();
    settle(root, all[next]);
    all[next].focus();
  };

  return (
    <div
      ref={ref}
      role="toolbar"
      aria-label={label}
      onKeyDown={onKeyDown}
      onFocus={(e) => {
        if (ref.current && e.target !== ref.current) settle(ref.current, e.target);
      }}
      className={`flex flex-wrap gap-2 ${className}`}
    >
      {children}
    </div>
  );
}
