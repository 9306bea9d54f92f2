import { Download, Trash2 } from 'lucide-react';
import CloseButton from './CloseButton';
import { downloadUrl } from './api/videoGeneration';
import type { Video } from './types/chat';

/** Triggers the browser's download of each finished video, one after another. */
export function downloadAll(videos: readonly Video[]): void {
  videos
    .filter((v) => v.status === 'completed')
    .forEach((v, i) => {
      setTimeout(() => {
        const a = document.createElement('a');
        a.href = downloadUrl(v);
        a.download = '';
        document.body.append(a);
        a.click();
        a.remove();
      }, i * 300);
    });
}

interface Props {
  selected: readonly Video[];
  onDelete: () => void;
  onClear: () => void;
}

export default function SelectionBar({ selected, onDelete, onClear }: Props) {
  if (selected.length === 0) return null;
  const finished = selected.filter((v) => v.status === 'completed').length;
  return (
    <div
      className="flex flex-wrap items-center gap-2 border-b border-zinc-800 bg-zinc-900 px-4 py-2 text-sm sm:px-6"
      role="region"
      aria-label="Selected videos"
      data-testid="selection-bar"
    >
      <span className="font-medium">{selected.length} selected</span>
      <button
        type="button"
        onClick={() => downloadAll(selected)}
        disabled={finished === 0}
        className="inline-flex min-h-11 items-center gap-1.5 rounded-md border border-zinc-700 px-3 hover:bg-zinc-800 disabled:opacity-50"
        data-testid="bulk-download"
      >
        <Download className="h-4 w-4" aria-hidden="true" /> Download {finished}
      </button>
      <button
        type="button"
        onClick={onDelete}
        className="inline-flex min-h-11 items-center gap-1.5 rounded-md border border-zinc-700 px-3 hover:border-red-500/60 hover:text-red-300"
        data-testid="bulk-delete"
      >
        <Trash2 className="h-4 w-4" aria-hidden="true" /> Delete {selected.length}
      </button>
      <CloseButton
        label="Clear selection"
        onClick={onClear}
        className="ml-auto inline-flex rounded-md hover:bg-zinc-800"
      />
    </div>
  );
}
