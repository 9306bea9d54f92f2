// A video's actions, as one roving toolbar (one Tab stop per card): download, favorite, reuse,
// remix, extend, generate again / retry / cancel, delete.
import { Copy, Download, FastForward, type LucideIcon, Pencil, RotateCcw, Star, Trash2, X } from 'lucide-react';
import type { ButtonHTMLAttributes } from 'react';
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

interface ActionButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type' | 'className'> {
  icon: LucideIcon;
  /** Fills the icon (a favorite's star). */
  filled?: boolean;
  /** Classes added to the secondary button's. */
  extraClass?: string;
  testId: string;
}

/** One of the toolbar's secondary buttons: its icon, then its label if it has one. */
function ActionButton({ icon: Icon, filled = false, extraClass, testId, children, ...rest }: ActionButtonProps) {
  return (
    <button
      type="button"
      className={extraClass ? `${secondaryButton} ${extraClass}` : secondaryButton}
      data-testid={testId}
      {...rest}
    >
      <Icon className="h-4 w-4" fill={filled ? 'currentColor' : 'none'} aria-hidden="true" />
      {children == null ? null : <> {children}</>}
    </button>
  );
}

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
        <ActionButton
          icon={Star}
          filled={video.favorite}
          onClick={() => onFavorite(video.id, !video.favorite)}
          aria-pressed={video.favorite}
          aria-label={video.favorite ? 'Remove from favorites' : 'Add to favorites'}
          title={video.favorite ? 'Favorite' : 'Add to favorites'}
          extraClass={video.favorite ? 'text-amber-300' : undefined}
          testId="job-favorite"
        />
      ) : null}
      <ActionButton
        icon={Copy}
        onClick={() => onReuse(video)}
        title="Put this prompt and its settings in the prompt box"
        testId="job-reuse"
      >
        Reuse
      </ActionButton>
      {done && caps?.remix !== false ? (
        <ActionButton icon={Pencil} onClick={() => onDerive('remix')} testId="job-remix">
          Remix
        </ActionButton>
      ) : null}
      {done && caps?.extend ? (
        <ActionButton icon={FastForward} onClick={() => onDerive('extend')} testId="job-extend">
          Extend
        </ActionButton>
      ) : null}
      {active ? (
        <ActionButton
          icon={X}
          onClick={() => onCancel(video.id)}
          // Once asked, the worker stops the job at its next step; asking again changes nothing.
          disabled={busy || video.cancel_requested}
          testId="job-cancel"
        >
          {video.cancel_requested ? 'Cancelling…' : 'Cancel'}
        </ActionButton>
      ) : (
        <ActionButton
          icon={RotateCcw}
          onClick={() => onRetry(video.id)}
          disabled={busy}
          title={done ? 'Same prompt, settings and seed' : undefined}
          testId="job-retry"
        >
          {done ? 'Generate again' : 'Retry'}
        </ActionButton>
      )}
      <ActionButton
        icon={Trash2}
        onClick={() => onDelete(video)}
        disabled={busy}
        aria-label={`Delete “${video.prompt.slice(0, 60)}”`}
        extraClass="hover:border-red-500/60 hover:text-red-300"
        testId="job-delete"
      >
        Delete
      </ActionButton>
    </RovingToolbar>
  );
}
