import { Search, Star } from 'lucide-react';
const control =
  'min-h-11 rounded-md border border-zinc-700 bg-zinc-950 px-3 py-2 text-sm text-zinc-100 placeholder:text-zinc-500';
import type { GalleryFilters as Filters } from './hooks/useGallery';
import type { VideoModel } from './types/chat';

interface Props {
  filters: Filters;
  onChange: (next: Filters) => void;
  models: VideoModel[];
}

export default function GalleryFilters({ filters, onChange, models }: Props) {
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  return (
    <div className="flex flex-wrap items-center gap-2" role="search" aria-label="Find videos">
      <div className="relative min-w-48 flex-1">
        <Search className="absolute top-3.5 left-3 h-4 w-4 text-zinc-500" aria-hidden="true" />
        <input
          type="search"
          value={filters.q}
          onChange={(e) => set({ q: e.target.value })}
          placeholder="Search prompts"
          aria-label="Search prompts"
          className={`${control} w-full pl-9`}
          data-testid="gallery-search"
        />
      </div>
      <select
        value={filters.status}
        onChange={(e) => set({ status: e.target.value as Filters['status'] })}
        aria-label="Status"
        className={control}
        data-testid="gallery-status"
      >
        <option value="">Any status</option>
        <option value="completed">Finished</option>
        <option value="active">In progress</option>
        <option value="failed">Failed or cancelled</option>
      </select>
      <select
        value={filters.model}
        onChange={(e) => set({ model: e.target.value })}
        aria-label="Model"
        className={control}
        data-testid="gallery-model"
      >
        <option value="">Any model</option>
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {m.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        onClick={() => set({ favorites: !filters.favorites })}
        aria-pressed={filters.favorites}
        className={`inline-flex min-h-11 items-center gap-1.5 rounded-md border px-3 text-sm ${filters.favorites ? 'border-amber-400/60 text-amber-300' : 'border-zinc-700 text-zinc-300 hover:bg-zinc-800'}`}
        data-testid="gallery-favorites"
      >
        <Star className="h-4 w-4" fill={filters.favorites ? 'currentColor' : 'none'} aria-hidden="true" /> Favorites
      </button>
    </div>
  );
}
