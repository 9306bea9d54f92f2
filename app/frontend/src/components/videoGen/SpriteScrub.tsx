// A finished video's poster that scrubs through its spritesheet under the pointer.
import { Play } from 'lucide-react';
import { type PointerEvent, useState } from 'react';
import { spritesheetUrl, thumbnailUrl } from './api/videoGeneration';
import { spriteGrid, spriteStyle } from './sprite';
import type { Video } from './types/chat';

export default function SpriteScrub({ video, onPlay }: { video: Video; onPlay: () => void }) {
  const [fraction, setFraction] = useState<number | null>(null);
  const grid = spriteGrid(video.metadata?.frames);
  const w = video.metadata?.width ?? 16;
  const h = video.metadata?.height ?? 9;
  const onMove = (e: PointerEvent<HTMLButtonElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    setFraction(box.width > 0 ? (e.clientX - box.left) / box.width : 0);
  };
  const scrubbing = fraction != null;
  return (
    <button
      type="button"
      onClick={onPlay}
      onPointerMove={onMove}
      onPointerLeave={() => setFraction(null)}
      aria-label={`Play “${video.prompt.slice(0, 60)}”`}
      className="group relative block aspect-video w-full overflow-hidden rounded-lg bg-black"
      data-testid="gallery-scrub"
      data-scrubbing={scrubbing ? 'true' : undefined}
    >
      {/* The clip's own shape, centred in the tile's 16:9 box. */}
      <span
        className="relative mx-auto block h-full max-w-full"
        style={{ aspectRatio: `${w} / ${h}` }}
        aria-hidden="true"
      >
        {scrubbing ? (
          <span
            className="absolute inset-0 bg-no-repeat"
            style={{ backgroundImage: `url("${spritesheetUrl(video)}")`, ...spriteStyle(grid, fraction) }}
            data-testid="gallery-sprite"
          />
        ) : (
          <img
            src={thumbnailUrl(video)}
            alt=""
            loading="lazy"
            className="absolute inset-0 h-full w-full object-contain"
          />
        )}
      </span>
      {scrubbing ? (
        <span
          className="absolute bottom-0 left-0 h-1 bg-brand-light"
          style={{ width: `${Math.round(fraction * 100)}%` }}
          aria-hidden="true"
        />
      ) : null}
      <span className="absolute inset-0 flex items-center justify-center opacity-0 transition-opacity group-hover:opacity-100 group-focus-visible:opacity-100">
        <Play className="h-10 w-10 rounded-full bg-black/50 p-2 text-white" aria-hidden="true" />
      </span>
    </button>
  );
}
