import { useRef, useState } from 'react';
import type { Storyboard } from '../api';
import { storyboardContentUrl } from '../api';

/** The joined film with the seams marked on its progress bar (shots[].start_seconds). */
export default function PlayAll({ board }: { board: Storyboard }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [time, setTime] = useState(0);
  const duration = board.metadata?.duration ?? 0;
  const seams = board.shots.map((s) => ({ index: s.index, start: s.start_seconds ?? 0, prompt: s.prompt }));
  const pct = (t: number) => (duration > 0 ? Math.min(100, (t / duration) * 100) : 0);
  const seek = (t: number) => {
    const v = videoRef.current;
    if (v) v.currentTime = t;
  };
  return (
    <section aria-label="Play all" className="flex flex-col gap-2" data-testid="play-all">
      <video
        ref={videoRef}
        src={storyboardContentUrl(board.id)}
        controls
        playsInline
        preload="metadata"
        data-testid="joined-video"
        className="max-h-[50vh] w-full rounded bg-black"
        onTimeUpdate={(e) => setTime(e.currentTarget.currentTime)}
      />
      <div
        role="progressbar"
        aria-label="Film position"
        aria-valuemin={0}
        aria-valuemax={Math.round(duration * 10) / 10}
        aria-valuenow={Math.round(time * 10) / 10}
        data-testid="seam-bar"
        className="relative h-3 rounded bg-zinc-800"
      >
        <div className="h-full rounded bg-brand" style={{ width: `${String(pct(time))}%` }} />
        {seams.slice(1).map((s) => (
          <span
            key={s.index}
            data-testid="seam-marker"
            className="absolute top-[-3px] h-[18px] w-[3px] bg-amber-300"
            style={{ left: `${String(pct(s.start))}%` }}
            aria-hidden="true"
          />
        ))}
      </div>
      <ol className="flex flex-wrap gap-2 text-xs" aria-label="Jump to a shot">
        {seams.map((s) => (
          <li key={s.index}>
            <button
              type="button"
              onClick={() => seek(s.start)}
              className="rounded border border-zinc-700 px-2 py-1 text-zinc-200 hover:bg-zinc-800"
            >
              Shot {s.index + 1} at {s.start.toFixed(2)} s
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
