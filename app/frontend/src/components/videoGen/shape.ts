// The shape of a video from a model's capabilities: size presets (aspect choices) and lengths.
import type { ModelCapabilities } from './types/chat';

export const SIZE_MIN = 64;
export const SIZE_MAX = 1920;
const FALLBACK_SIZE: [number, number] = [832, 480];

export interface SizePreset {
  value: string;
  label: string;
}

function parse(size: string): [number, number] | null {
  const m = /^(\d+)x(\d+)$/.exec(size.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** "16:9"-style ratio for common shapes, else the rounded decimal. */
export function aspectLabel(size: string): string {
  const wh = parse(size);
  if (!wh) return size;
  const [w, h] = wh;
  const known: [string, number][] = [
    ['16:9', 16 / 9],
    ['9:16', 9 / 16],
    ['1:1', 1],
    ['4:3', 4 / 3],
    ['3:4', 3 / 4],
  ];
  for (const [name, r] of known) if (Math.abs(w / h - r) < 0.05) return name; // 832x480 is "about 16:9"
  const g = gcd(w, h);
  return w / g <= 32 && h / g <= 32 ? `${w / g}:${h / g}` : (w / h).toFixed(2);
}

function orientation(size: string): string {
  const wh = parse(size);
  if (!wh) return 'Size';
  if (wh[0] > wh[1]) return 'Landscape';
  return wh[0] < wh[1] ? 'Portrait' : 'Square';
}

const round16 = (n: number) => Math.min(SIZE_MAX, Math.max(SIZE_MIN, Math.round(n / 16) * 16));

/** Whether the model takes any size (multiples of 16 within limits), not only a list. */
export function acceptsAnySize(caps: ModelCapabilities | undefined): boolean {
  return caps?.accepts_size !== false && !(caps?.sizes && caps.sizes.length > 0);
}

/**
 * The sizes to offer: the model's own list, or landscape / portrait / square shapes of about
 * the default size's area when it takes any size.
 */
export function sizePresets(caps: ModelCapabilities | undefined): SizePreset[] {
  if (caps?.accepts_size === false) return [];
  const listed = (caps?.sizes ?? []).filter((s) => parse(s) !== null);
  const values: string[] = [];
  if (listed.length > 0) values.push(...listed);
  else {
    const base = parse(caps?.default_size ?? '') ?? FALLBACK_SIZE;
    const [w, h] = base;
    const side = round16(Math.sqrt(w * h));
    for (const v of [`${w}x${h}`, `${h}x${w}`, `${side}x${side}`]) if (!values.includes(v)) values.push(v);
  }
  return values.map((value) => ({ value, label: `${orientation(value)} ${aspectLabel(value)} · ${value}` }));
}

/** Why a typed size is refused by a model that takes any size, or null when it is fine. */
export function sizeError(size: string): string | null {
  const wh = parse(size);
  if (!wh) return 'Size must look like 832x480.';
  const [w, h] = wh;
  if (w % 16 || h % 16 || w < SIZE_MIN || h < SIZE_MIN || w > SIZE_MAX || h > SIZE_MAX) {
    return `Width and height must be multiples of 16 from ${SIZE_MIN} to ${SIZE_MAX}.`;
  }
  return null;
}

/** The lengths (whole seconds) to offer: the model's list, or 1 to max_seconds. */
export function secondsOptions(caps: ModelCapabilities | undefined): number[] {
  if (!caps) return [];
  if (caps.seconds && caps.seconds.length > 0) return [...caps.seconds].sort((a, b) => a - b);
  const max = Math.max(0, Math.floor(caps.max_seconds));
  return Array.from({ length: max }, (_, i) => i + 1);
}

/** About how many frames a length makes at the model's rate, for the hint next to the control. */
export function framesFor(seconds: number, caps: ModelCapabilities | undefined): number | null {
  return caps?.fps ? Math.round(seconds * caps.fps) + 1 : null;
}
