// The grid view: search and filters over every video, newest first, with scrubbable posters.
import { Loader2 } from 'lucide-react';
import { useState } from 'react';
import type { CardHandlers } from './CardActions';
import GalleryFilters from './GalleryFilters';
import GalleryTile from './GalleryTile';
import { NO_FILTERS, useGallery } from './hooks/useGallery';
import type { Video, VideoModel } from './types/chat';

interface Props extends CardHandlers {
  /** The page's videos, newest first, without those being deleted. */
  videos: readonly Video[];
  hidden: ReadonlySet<string>;
  models: VideoModel[];
  selected: ReadonlySet<string>;
  onSelect: (id: string, selected: boolean) => void;
}

export default function Gallery({ videos, hidden, models, selected, onSelect, ...handlers }: Props) {
  const [filters, setFilters] = useState(NO_FILTERS);
  const gallery = useGallery(filters, videos);
  const shown = gallery.videos.filter((v) => !hidden.has(v.id));
  const capsOf = (id: string) => models.find((m) => m.id === id)?.capabilities;
  return (
    <div className="mx-auto flex w-full max-w-6xl flex-col gap-4 px-4 py-4 sm:px-6" data-testid="gallery">
      <GalleryFilters filters={filters} onChange={setFilters} models={models} />
      {gallery.isLoading ? (
        <p role="status" className="flex items-center gap-2 text-sm text-zinc-400">
          <Loader2 className="h-4 w-4 animate-spin" aria-hidden="true" /> Searching…
        </p>
      ) : null}
      {gallery.error ? (
        <p role="alert" className="text-sm text-red-300">
          {gallery.error}
        </p>
      ) : null}
      {!gallery.isLoading && shown.length === 0 ? (
        <p className="py-10 text-center text-sm text-zinc-400" data-testid="gallery-empty">
          {gallery.filtered ? 'No video matches these filters.' : 'No videos yet.'}
        </p>
      ) : null}
      <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Videos">
        {shown.map((v) => (
          <li key={v.id}>
            <GalleryTile
              video={v}
              caps={capsOf(v.model)}
              selected={selected.has(v.id)}
              onSelect={onSelect}
              {...handlers}
            />
          </li>
        ))}
      </ul>
      {gallery.hasMore ? (
        <button
          type="button"
          onClick={gallery.loadMore}
          className="mx-auto min-h-11 rounded-full border border-zinc-700 px-4 text-sm text-zinc-300 hover:bg-zinc-800"
        >
          More
        </button>
      ) : null}
    </div>
  );
}
