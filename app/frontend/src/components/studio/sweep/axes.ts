// The sweep form's axes: the text typed for each, checked and turned into POST /v1/videos/sweeps.
import type { SweepAxisIn, SweepParam } from '../api';

export const MAX_CELLS = 64;
export const MAX_AXES = 3;

export const PARAMS: { value: SweepParam; label: string; hint: string }[] = [
  { value: 'seed', label: 'Seed', hint: 'e.g. 1, 2, 3 or a range 1..9' },
  { value: 'num_inference_steps', label: 'Steps', hint: 'e.g. 8, 12, 20' },
  { value: 'negative_prompt', label: 'Negative prompt', hint: 'one per line' },
  { value: 'size', label: 'Size', hint: 'e.g. 832x480, 480x832' },
  { value: 'seconds', label: 'Seconds', hint: 'e.g. 2, 4' },
  { value: 'model', label: 'Model', hint: 'model ids, e.g. preview' },
  { value: 'prompt_replace', label: 'Prompt words', hint: 'replacements, one per line' },
];

export const PARAM_LABEL: Record<SweepParam, string> = Object.fromEntries(
  PARAMS.map((p) => [p.value, p.label]),
) as Record<SweepParam, string>;

export interface AxisDraft {
  param: SweepParam;
  values: string;
  /** prompt_replace: the words of the base prompt each value replaces. */
  find: string;
}

export interface ParsedAxis {
  axis: SweepAxisIn;
  count: number;
}

const TEXT_PARAMS = new Set<SweepParam>(['negative_prompt', 'prompt_replace']);
const RANGE = /^\s*(-?\d+)\s*(?:\.\.|-|–)\s*(-?\d+)\s*$/;

/** An axis's values and count, or the reason it cannot be sent. */
export function parseAxis(draft: AxisDraft, basePrompt: string): ParsedAxis | { error: string } {
  const text = draft.values.trim();
  const name = PARAM_LABEL[draft.param];
  if (!text) return { error: `${name}: give at least one value.` };
  if (draft.param === 'seed') {
    const range = RANGE.exec(text);
    if (range) {
      const start = Number(range[1]);
      const end = Number(range[2]);
      if (end < start) return { error: `${name}: a range runs from the smaller seed to the larger (${text}).` };
      const count = end - start + 1;
      return { axis: { param: 'seed', range: [start, count] }, count };
    }
  }
  if (TEXT_PARAMS.has(draft.param)) {
    const values = text
      .split('\n')
      .map((v) => v.trim())
      .filter(Boolean);
    if (draft.param === 'prompt_replace') {
      if (!draft.find.trim()) return { error: `${name}: say which words of the prompt to replace.` };
      if (!basePrompt.includes(draft.find.trim())) {
        return { error: `${name}: "${draft.find.trim()}" is not in the prompt.` };
      }
      return { axis: { param: 'prompt_replace', find: draft.find.trim(), values }, count: values.length };
    }
    return { axis: { param: draft.param, values }, count: values.length };
  }
  const values = text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (draft.param === 'seed' || draft.param === 'num_inference_steps' || draft.param === 'seconds') {
    const bad = values.find((v) => !/^\d+$/.test(v));
    if (bad !== undefined) return { error: `${name}: "${bad}" is not a whole number.` };
    return { axis: { param: draft.param, values: values.map(Number) }, count: values.length };
  }
  if (draft.param === 'size') {
    const bad = values.find((v) => !/^\d+x\d+$/.test(v));
    if (bad !== undefined) return { error: `${name}: "${bad}" is not a size like 832x480.` };
  }
  return { axis: { param: draft.param, values }, count: values.length };
}

/** The server's own words for too many cells (400 too_many_cells). */
export function tooManyCellsMessage(counts: number[]): string {
  const total = counts.reduce((a, b) => a * b, 1);
  return `${counts.map(String).join(' x ')} = ${String(total)} cells; a sweep makes at most ${String(MAX_CELLS)}.`;
}

export interface AxesCheck {
  axes: SweepAxisIn[];
  cells: number;
  /** Per axis, its complaint (null when fine). */
  errors: (string | null)[];
  /** The whole form's complaint: a param twice, too many cells. */
  error: string | null;
}

export function checkAxes(drafts: AxisDraft[], basePrompt: string): AxesCheck {
  const errors: (string | null)[] = [];
  const axes: SweepAxisIn[] = [];
  const counts: number[] = [];
  const seen = new Set<SweepParam>();
  let error: string | null = null;
  for (const d of drafts) {
    if (seen.has(d.param)) error = `${PARAM_LABEL[d.param]} is on two axes: each setting can be on one axis only.`;
    seen.add(d.param);
    const parsed = parseAxis(d, basePrompt);
    if ('error' in parsed) {
      errors.push(parsed.error);
    } else {
      errors.push(null);
      axes.push(parsed.axis);
      counts.push(parsed.count);
    }
  }
  const cells = counts.reduce((a, b) => a * b, 1);
  if (!error && drafts.length === 0) error = 'Add an axis to sweep.';
  if (!error && cells > MAX_CELLS) error = tooManyCellsMessage(counts);
  return { axes, cells: counts.length ? cells : 0, errors, error };
}
