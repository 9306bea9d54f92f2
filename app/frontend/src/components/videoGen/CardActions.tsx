// A video's actions, as one roving toolbar (one Tab stop per card): download, favorite, reuse,
// remix, extend, generate again / retry / cancel, delete.
import { Copy, Download, FastForward, Pencil, RotateCcw, Star, Trash2, X } from 'lucide-react';
import RovingToolbar from './RovingToolbar';
import { downloadUrl, isTerminal } from './api/videoGeneration';
import type { DeriveMode } from './DeriveForm';
import type { ModelCapabilities, Video } from './types/chat';

export interface CardHandlers {
  onCancel: (id: string) => void;
  onRetry: (id: string) => void;
  onDelete: (video: Video) => void;
  onReuse: (video: Video) => void;
  onFavorite: (id: string, favorite: boolean) => void;
  onRemix: (id: string, prompt: string) => Promise<unknown>;
  onExtend: (id: string, prompt: string, seconds: string | null) => Promise<unknown>;
}

const buttonBase =
  'inline-flex min-h-11 items-center gap-1.5 rounded-md px-3 text-sm font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-50 sm:min-h-9';
export const primaryButton = `${buttonBase} bg-brand text-white hover:bg-brand-light`;
export const secondaryButton = `${buttonBase} border border-zinc-700 text-zinc-200 hover:bg-zinc-800`;

interface Props extends Omit<CardHandlers, 'onRemix' | 'onExtend'> {
  video: Video;
  caps: ModelCapabilities | undefined;
  busy: boolean;
  onDerive: (mode: DeriveMode) => void;
  className?: string;
}

export default function CardActions({
  video,
  caps,
  busy,
  onDerive,
  onCancel,
  onRetry,
  onDelete,
  onReuse,
  onFavorite,
  className,
}: Props) {
  const active = !isTerminal(video.status);
  const done = video.status === 'completed';
  return (
    <RovingToolbar label={`Actions for this video`} className={className}>
      {done ? (
        <a href={downloadUrl(video)} download className={primaryButton} data-testid="job-download">
          <Download className="h-4 w-4" aria-hidden="true" /> Download
        </a>
      ) : null}
      {done ? (
        <button
          type="button"
          onClick={() => onFavorite(video.id, !video.favorite)}
          aria-pressed={video.favorite}
          aria-label={video.favorite ? 'Remove from favorites' : 'Add to favorites'}
          title={video.favorite ? 'Favorite' : 'Add to favorites'}
          className={`${secondaryButton} ${video.favorite ? 'text-amber-300' : ''}`}
          data-testid="job-favorite"
        >
          <Star className="h-4 w-4" fill={video.favorite ? 'currentColor' : 'none'} aria-hidden="true" />
        </button>
      ) : null}
      <button
        type="button"
        onClick={() => onReuse(video)}
        className={secondaryButton}
        title="Put this prompt and its settings in the prompt box"
        data-testid="job-reuse"
      >
        <Copy className="h-4 w-4" aria-hidden="true" /> Reuse
      </button>
      {done && caps?.remix !== false ? (
        <button type="button" onClick={() => onDerive('remix')} className={secondaryButton} data-testid="job-remix">
          <Pencil className="h-4 w-4" aria-hidden="true" /> Remix
        </button>
      ) : null}
      {done && caps?.extend ? (
        <button type="button" onClick={() => onDerive('extend')} className={secondaryButton} data-testid="job-extend">
          <FastForward className="h-4 w-4" aria-hidden="true" /> Extend
        </button>
      ) : null}
      {active ? (
        <button
          type="button"
          onClick={() => onCancel(video.id)}
          // Once asked, the worker stops the job at its next step; asking again changes nothing.
          disabled={busy || video.cancel_requested}
          className={secondaryButton}
          data-testid="job-cancel"
        >
          <X className="h-4 w-4" aria-hidden="true" /> {video.cancel_requested ? 'Cancelling…' : 'Cancel'}
        </button>
      ) : (
        <button
          type="button"
          onClick={() => onRetry(video.id)}
          disabled={busy}
          className={secondaryButton}
          title={done ? 'Same prompt, settings and seed' : undefined}
          data-testid="job-retry"
        >
          <RotateCcw className="h-4 w-4" aria-hidden="true" /> {done ? 'Generate again' : 'Retry'}
        </button>
      )}
      <button
        type="button"
        onClick={() => onDelete(video)}
        disabled={busy}
        aria-label={`Delete “${video.prompt.slice(0, 60)}”`}
        className={`${secondaryButton} hover:border-red-500/60 hover:text-red-300`}
        data-testid="job-delete"
      >
        <Trash2 className="h-4 w-4" aria-hidden="true" /> Delete
      </button>
    </RovingToolbar>
  );
}
