// One video in the grid: a scrubbable poster (or the player once opened), its prompt and actions.
import { Ban, Clock, Loader2, TriangleAlert } from 'lucide-react';
import { useState } from 'react';
import { type CardHandlers } from './CardActions';
import CardControls from './CardControls';
import CredentialsMark from './CredentialsMark';
import SelectCheckbox from './SelectCheckbox';
import SoundBadge from './SoundBadge';
import SpriteScrub from './SpriteScrub';
import { thumbnailUrl } from './api/videoGeneration';
import { usePlayerSource } from './hooks/usePlayerSource';
import type { ModelCapabilities, Video } from './types/chat';

interface Props extends CardHandlers {
  video: Video;
  caps: ModelCapabilities | undefined;
  selected: boolean;
  onSelect: (id: string, selected: boolean) => void;
}

function Placeholder({ video }: { video: Video }) {
  let icon = <Clock className="h-6 w-6" aria-hidden="true" />;
  let text = 'Queued';
  if (video.status === 'in_progress') {
    icon = <Loader2 className="h-6 w-6 animate-spin" aria-hidden="true" />;
    text = `Generating ${Math.round(video.progress)}%`;
  } else if (video.status === 'failed') {
    icon = <TriangleAlert className="h-6 w-6 text-red-400" aria-hidden="true" />;
    text = 'Failed';
  } else if (video.status === 'cancelled') {
    icon = <Ban className="h-6 w-6" aria-hidden="true" />;
    text = 'Cancelled';
  }
  return (
    <div className="flex aspect-video w-full flex-col items-center justify-center gap-2 rounded-lg bg-zinc-950 text-sm text-zinc-400">
      {icon}
      {text}
    </div>
  );
}

/** The opened tile's player: its signed link is made only once someone plays it. */
function TilePlayer({ video }: { video: Video }) {
  const source = usePlayerSource(video);
  return (
    <video
      controls
      autoPlay
      muted // a preview in the grid: its sound only when the person turns it on (the open card plays it)
      playsInline
      src={source.src}
      onError={source.fallBack}
      poster={thumbnailUrl(video)}
      className="aspect-video w-full rounded-lg bg-black object-contain"
      aria-label={`Generated video: ${video.prompt.slice(0, 80)}`}
    />
  );
}

export default function GalleryTile({ video, caps, selected, onSelect, ...handlers }: Props) {
  const [playing, setPlaying] = useState(false);
  const done = video.status === 'completed';
  return (
    <article
      className={`flex flex-col gap-2 rounded-xl border bg-zinc-900 p-2 ${selected ? 'border-brand-light' : 'border-zinc-800'}`}
      aria-label={`Video: ${video.prompt.slice(0, 80)}`}
      data-testid="gallery-tile"
      data-status={video.status}
      data-video-id={video.id}
    >
      {done && playing ? (
        <TilePlayer video={video} />
      ) : done ? (
        <SpriteScrub video={video} onPlay={() => setPlaying(true)} />
      ) : (
        <Placeholder video={video} />
      )}
      <div className="flex items-start gap-2 px-1">
        <SelectCheckbox video={video} selected={selected} onSelect={onSelect} className="mt-1 shrink-0" />
        <p className="line-clamp-2 min-w-0 flex-1 text-sm break-words text-zinc-200" title={video.prompt}>
          {video.prompt}
        </p>
        {done ? <SoundBadge video={video} compact /> : null}
        {done ? <CredentialsMark videoId={video.id} /> : null}
      </div>
      <CardControls video={video} caps={caps} busy={false} {...handlers} />
    </article>
  );
}
