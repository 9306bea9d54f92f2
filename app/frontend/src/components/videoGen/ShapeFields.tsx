// Size (presets from the model's capabilities, free entry where it takes any size) and length.
import { useState } from 'react';
import { acceptsAnySize, framesFor, secondsOptions, sizePresets } from './shape';
import type { GenerationSettings, ModelCapabilities } from './types/chat';

export const fieldClass =
  'min-h-11 w-full rounded-md border border-zinc-700 bg-zinc-950 px-3 py-2 text-sm text-zinc-100 placeholder:text-zinc-500 aria-[invalid=true]:border-red-500';
export const labelClass = 'mb-1 block text-xs font-medium text-zinc-300';

interface ShapeFieldsProps {
  ids: string;
  caps: ModelCapabilities | undefined;
  settings: GenerationSettings;
  update: (patch: Partial<GenerationSettings>) => void;
  errors: { size?: string; seconds?: string };
}

const CUSTOM = 'custom';

export default function ShapeFields({ ids, caps, settings, update, errors }: ShapeFieldsProps) {
  const presets = sizePresets(caps);
  const anySize = acceptsAnySize(caps);
  const isPreset = settings.size === '' || presets.some((p) => p.value === settings.size);
  const [customChosen, setCustom] = useState(false);
  const custom = customChosen || !isPreset;
  const lengths = secondsOptions(caps);
  const seconds = Number(settings.seconds);
  const frames = settings.seconds ? framesFor(seconds, caps) : null;
  return (
    <>
      {presets.length > 0 ? (
        <div className="col-span-2 sm:col-span-1">
          <label htmlFor={`${ids}-size`} className={labelClass}>
            Size
          </label>
          <select
            id={`${ids}-size`}
            className={fieldClass}
            value={custom ? CUSTOM : settings.size}
            onChange={(e) => {
              if (e.target.value === CUSTOM) setCustom(true);
              else {
                setCustom(false);
                update({ size: e.target.value });
              }
            }}
            data-testid="size-select"
          >
            {presets.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
            {anySize ? <option value={CUSTOM}>Custom…</option> : null}
          </select>
          {custom ? (
            <input
              id={`${ids}-size-custom`}
              aria-label="Custom size (width x height)"
              className={`${fieldClass} mt-2`}
              value={settings.size}
              placeholder="e.g. 1024x576"
              onChange={(e) => update({ size: e.target.value })}
              aria-invalid={errors.size ? true : undefined}
              aria-describedby={`${ids}-size-rule`}
              data-testid="size-custom"
            />
          ) : null}
          {anySize ? (
            <p id={`${ids}-size-rule`} className="mt-1 text-xs text-zinc-500">
              Width and height: multiples of 16, 64 to 1920.
            </p>
          ) : null}
          {errors.size ? (
            <p className="mt-1 text-xs text-red-300" role="alert">
              {errors.size}
            </p>
          ) : null}
        </div>
      ) : null}
      {lengths.length > 1 ? (
        <div className="col-span-2 sm:col-span-1">
          <label htmlFor={`${ids}-seconds`} className={labelClass}>
            Length
          </label>
          <select
            id={`${ids}-seconds`}
            className={fieldClass}
            value={settings.seconds}
            onChange={(e) => update({ seconds: e.target.value })}
            aria-invalid={errors.seconds ? true : undefined}
            data-testid="seconds-select"
          >
            {lengths.map((s) => (
              <option key={s} value={String(s)}>
                {s} s{caps && s === caps.default_seconds ? ' (default)' : ''}
              </option>
            ))}
          </select>
          {frames != null && caps ? (
            <p className="mt-1 text-xs text-zinc-500">
              About {frames} frames at {caps.fps} fps.
            </p>
          ) : null}
          {errors.seconds ? <p className="mt-1 text-xs text-red-300">{errors.seconds}</p> : null}
        </div>
      ) : null}
    </>
  );
}
