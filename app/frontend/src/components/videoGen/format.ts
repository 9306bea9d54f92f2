/** "45s", "2m 05s", "1h 02m": short enough for a status line. */
export function formatDuration(totalSeconds: number | null | undefined): string {
  if (totalSeconds == null || !Number.isFinite(totalSeconds) || totalSeconds < 0) return '–';
  const s = Math.round(totalSeconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes)) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

// One formatter for every card, made on first use: toLocaleString with options builds a new one
// (ICU data, a few milliseconds on a phone) on each call, and a history renders one per card.
let timeFormat: Intl.DateTimeFormat | null = null;

export function formatTime(unixSeconds: number): string {
  timeFormat ??= new Intl.DateTimeFormat(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  return timeFormat.format(new Date(unixSeconds * 1000));
}

/** "Queued: next to start" / "Queued: 2 ahead". queue_position 0 means next. */
export function queueText(position: number | null): string {
  if (position == null) return 'Queued';
  if (position === 0) return 'Queued: next to start';
  return `Queued: position ${position + 1} (${position} ahead)`;
}
