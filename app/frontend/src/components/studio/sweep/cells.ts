// A sweep's cells: their place in the grid, their labels and the settings they were made with.
import type { Sweep, SweepCell } from '../api';
import type { GenerationSettings } from '../../videoGen/types/chat';
import { DEFAULT_NEGATIVE_PROMPT } from '../../videoGen/types/chat';
import { PARAM_LABEL } from './axes';

export function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join('x');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value == null ? '' : JSON.stringify(value);
}

export function axisValueLabel(sweep: Sweep, axis: number, index: number): string {
  const a = sweep.axes[axis];
  return `${PARAM_LABEL[a.param]} = ${valueText(a.values[index])}`;
}

export function cellLabel(sweep: Sweep, cell: SweepCell): string {
  return cell.index.map((i, axis) => axisValueLabel(sweep, axis, i)).join(', ');
}

/** The cell at a position (one index per axis). */
export function cellAt(sweep: Sweep, index: readonly number[]): SweepCell | undefined {
  return sweep.cells.find((c) => c.index.length === index.length && c.index.every((v, i) => v === index[i]));
}

const str = (v: unknown): string => (v == null ? '' : valueText(v));

/** What the cell was made with: the base with the cell's values over it. */
export function cellSettings(sweep: Sweep, cell: SweepCell) {
  const merged: Record<string, unknown> = { ...sweep.base, ...cell.values };
  let prompt = str(sweep.base.prompt);
  const replace = sweep.axes.find((a) => a.param === 'prompt_replace');
  if (replace?.find && 'prompt_replace' in cell.values)
    prompt = prompt.replace(replace.find, str(cell.values.prompt_replace));
  const seed = typeof merged.seed === 'number' ? merged.seed : null;
  const seconds = merged.seconds == null ? null : Number(merged.seconds);
  const settings: GenerationSettings = {
    model: str(merged.model),
    negativePrompt: merged.negative_prompt == null ? DEFAULT_NEGATIVE_PROMPT : str(merged.negative_prompt),
    steps: str(merged.num_inference_steps),
    seed: seed == null ? '' : String(seed),
    lockSeed: seed != null,
    size: str(merged.size),
    seconds: seconds == null || Number.isNaN(seconds) ? '' : String(seconds),
    variations: 1,
  };
  return { prompt, seed, seconds: seconds == null || Number.isNaN(seconds) ? null : seconds, settings };
}
