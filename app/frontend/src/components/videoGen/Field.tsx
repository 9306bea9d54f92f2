// The parameters panel's form pieces: a labelled field, its complaint, number and select controls.
import type { ReactNode, RefObject } from 'react';

export const fieldClass =
  'min-h-11 w-full rounded-md border border-zinc-700 bg-zinc-950 px-3 py-2 text-sm text-zinc-100 placeholder:text-zinc-500 aria-[invalid=true]:border-red-500';
export const labelClass = 'mb-1 block text-xs font-medium text-zinc-300';

interface FieldProps {
  /** The control's id, which the label points at. */
  id: string;
  label: ReactNode;
  className?: string;
  /** Where a denser panel (a storyboard shot) wants its own label style. */
  labelClassName?: string;
  /** The control, then whatever notes go under it. */
  children: ReactNode;
}

export function Field({ id, label, className, labelClassName = labelClass, children }: FieldProps) {
  return (
    <div className={className}>
      <label htmlFor={id} className={labelClassName}>
        {label}
      </label>
      {children}
    </div>
  );
}

/** A field's complaint; `id` where the control names it in aria-describedby. */
export function FieldError({ id, message, alert = false }: { id?: string; message?: string; alert?: boolean }) {
  if (!message) return null;
  return (
    <p id={id} className="mt-1 text-xs text-red-300" role={alert ? 'alert' : undefined}>
      {message}
    </p>
  );
}

interface CopyableTextProps {
  id: string;
  value: string;
  inputRef: RefObject<HTMLInputElement | null>;
  /** Extra sizing in a row ("min-w-0 flex-1"). */
  width?: string;
  testId: string;
}

/** Read-only text to copy by hand (a link, a secret): focusing it selects all of it. */
export function CopyableText({ id, value, inputRef, width, testId }: CopyableTextProps) {
  return (
    <input
      id={id}
      ref={inputRef}
      type="text"
      readOnly
      value={value}
      onFocus={(e) => e.currentTarget.select()}
      className={width ? `${fieldClass} ${width} font-mono text-xs` : `${fieldClass} font-mono text-xs`}
      data-testid={testId}
    />
  );
}

interface NumberInputProps {
  id: string;
  min: number;
  max: number;
  value: string;
  onChange: (value: string) => void;
  /** Shown by the caller as <FieldError id={`${id}-error`} />; the input points at it. */
  error?: string;
}

/** A whole-number input (steps, seed). */
export function NumberInput({ id, min, max, value, onChange, error }: NumberInputProps) {
  return (
    <input
      id={id}
      type="number"
      inputMode="numeric"
      min={min}
      max={max}
      step={1}
      className={fieldClass}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? `${id}-error` : undefined}
    />
  );
}

export interface SelectOption {
  value: string;
  label: string;
  disabled?: boolean;
}

interface SelectFieldProps extends Omit<FieldProps, 'children'> {
  value: string;
  options: readonly SelectOption[];
  onChange: (value: string) => void;
  invalid?: boolean;
  disabled?: boolean;
  testId?: string;
  /** Notes and complaints under the select. */
  children?: ReactNode;
}

export function SelectField({
  id,
  label,
  className,
  value,
  options,
  onChange,
  invalid,
  disabled,
  testId,
  children,
}: SelectFieldProps) {
  return (
    <Field id={id} label={label} className={className}>
      <select
        id={id}
        className={fieldClass}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={invalid ? true : undefined}
        disabled={disabled}
        data-testid={testId}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
      {children}
    </Field>
  );
}
