import { Pause, Play } from 'lucide-react';
import { useSyncExternalStore } from 'react';
import type { SharedClock } from './sharedClock';

/** One play/pause and one scrub bar for every cell of the grid. */
export default function ClockControls({ clock, disabled }: { clock: SharedClock; disabled: boolean }) {
  const time = useSyncExternalStore(
    (cb) => clock.subscribe(cb),
    () => Math.round(clock.time() * clock.fps) / clock.fps,
  );
  const playing = useSyncExternalStore(
    (cb) => clock.subscribe(cb),
    () => clock.isPlaying,
  );
  const duration = clock.duration;
  return (
    <div className="flex items-center gap-3" data-testid="grid-clock">
      <button
        type="button"
        className="inline-flex min-h-10 items-center gap-1 rounded bg-brand px-3 py-1.5 text-sm font-medium text-white hover:opacity-90 disabled:opacity-50"
        disabled={disabled}
        onClick={() => (playing ? clock.pause() : void clock.play())}
        data-testid="grid-play"
      >
        {playing ? <Pause className="h-4 w-4" aria-hidden="true" /> : <Play className="h-4 w-4" aria-hidden="true" />}
        {playing ? 'Pause all' : 'Play all'}
      </button>
      <input
        type="range"
        aria-label="Position of every cell"
        min={0}
        max={duration || 0}
        step={1 / clock.fps}
        value={Math.min(time, duration || 0)}
        disabled={disabled}
        onChange={(e) => clock.seek(Number(e.target.value))}
        className="min-w-0 flex-1 accent-[#8b78b0]"
        data-testid="grid-scrub"
      />
      <span className="w-20 text-right text-xs text-zinc-300 tabular-nums">
        {time.toFixed(2)} / {duration.toFixed(2)} s
      </span>
    </div>
  );
}
