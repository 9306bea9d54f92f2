import { X } from 'lucide-react';
import type { ButtonHTMLAttributes } from 'react';

interface Props extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type' | 'aria-label' | 'children'> {
  /** What it closes or removes, for screen readers (the button shows only ✕). */
  label: string;
  /** Its display, place and colours. */
  className: string;
}

/** A 44-pixel ✕ button: dismiss an error, clear the selection, remove the start image. */
export default function CloseButton({ label, className, ...rest }: Props) {
  return (
    <button type="button" aria-label={label} className={`h-11 w-11 items-center justify-center ${className}`} {...rest}>
      <X className="h-4 w-4" aria-hidden="true" />
    </button>
  );
}
