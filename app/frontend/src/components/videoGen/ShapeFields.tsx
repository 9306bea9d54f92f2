// Size (presets from the model's capabilities, free entry where it takes any size), length,
// and sound where the model makes it.
import { useState } from 'react';
import { FieldError, fieldClass, SelectField } from './Field';
import { acceptsAnySize, framesFor, secondsOptions, sizePresets } from './shape';
import type { GenerationSettings, ModelCapabilities } from './types/chat';

interface ShapeFieldsProps {
  ids: string;
  caps: ModelCapabilities | undefined;
  settings: GenerationSettings;
  update: (patch: Partial<GenerationSettings>) => void;
  errors: { size?: string; seconds?: string };
}

const CUSTOM = 'custom';
// A full row on phones, half of one from sm up.
const halfRow = 'col-span-2 sm:col-span-1';

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
        <SelectField
          id={`${ids}-size`}
          label="Size"
          className={halfRow}
          value={custom ? CUSTOM : settings.size}
          options={anySize ? [...presets, { value: CUSTOM, label: 'Custom…' }] : presets}
          onChange={(value) => {
            if (value === CUSTOM) setCustom(true);
            else {
              setCustom(false);
              update({ size: value });
            }
          }}
          testId="size-select"
        >
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
          <FieldError message={errors.size} alert />
        </SelectField>
      ) : null}
      {lengths.length > 1 ? (
        <SelectField
          id={`${ids}-seconds`}
          label="Length"
          className={halfRow}
          value={settings.seconds}
          options={lengths.map((s) => ({
            value: String(s),
            label: `${s} s${caps && s === caps.default_seconds ? ' (default)' : ''}`,
          }))}
          onChange={(seconds) => update({ seconds })}
          invalid={Boolean(errors.seconds)}
          testId="seconds-select"
        >
          {frames != null && caps ? (
            <p className="mt-1 text-xs text-zinc-500">
              About {frames} frames at {caps.fps} fps.
            </p>
          ) : null}
          <FieldError message={errors.seconds} />
        </SelectField>
      ) : null}
      {caps?.sound ? (
        <label className={`${halfRow} flex min-h-11 items-center gap-2 self-end text-sm text-zinc-200`}>
          <input
            type="checkbox"
            className="h-4 w-4 accent-brand-light"
            checked={settings.sound ?? false}
            onChange={(e) => update({ sound: e.target.checked })}
            data-testid="sound-toggle"
          />
          Sound (a soundtrack with the picture)
        </label>
      ) : null}
    </>
  );
}
