// A video's actions, as one roving toolbar (one Tab stop per card): download, favorite, reuse,
// remix, extend, copy a link, while queued run next / move to end / edit, generate again / retry / cancel, delete.
import {
  ArrowDownToLine,
  ChevronsUp,
  Copy,
  Download,
  FastForward,
  Link,
  type LucideIcon,
  Pencil,
  RotateCcw,
  SquarePen,
  Star,
  Trash2,
  X,
} from 'lucide-react';
import type { ButtonHTMLAttributes } from 'react';
import RovingToolbar from './RovingToolbar';
import { downloadUrl, isTerminal } from './api/videoGeneration';
import type { DeriveMode } from './DeriveForm';
import { LAST_POSITION, type QueuePlace } from './hooks/useQueue';
import type { ModelCapabilities, Video, VideoUpdate } from './types/chat';

/** Which of an enhanced video's texts "Reuse" puts in the prompt box. */
export type ReuseText = 'prompt' | 'original';

export interface CardHandlers {
  onCancel: (id: string) => void;
  onRetry: (id: string) => void;
  onDelete: (video: Video) => void;
  /** `text`: 'original' puts the person's own words (before enhancing) in the box instead of the prompt. */
  onReuse: (video: Video, text?: ReuseText) => void;
  onFavorite: (id: string, favorite: boolean) => void;
  onRemix: (id: string, prompt: string) => Promise<unknown>;
  onExtend: (id: string, prompt: string, seconds: string | null) => Promise<unknown>;
  /** Move a queued video (POST /v1/videos/{id}); without it, no run next / move to end. */
  onMove?: (id: string, place: QueuePlace) => Promise<unknown>;
  /** Change a queued video's parameters; without it, no edit. */
  onEditQueued?: (id: string, changes: VideoUpdate) => Promise<unknown>;
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
export function ActionButton({ icon: Icon, filled = false, extraClass, testId, children, ...rest }: ActionButtonProps) {
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

interface Props extends Omit<CardHandlers, 'onRemix' | 'onExtend' | 'onMove' | 'onEditQueued'> {
  video: Video;
  caps: ModelCapabilities | undefined;
  busy: boolean;
  onDerive: (mode: DeriveMode) => void;
  /** Move it in the queue (shown while queued, when given). */
  onMove?: (place: QueuePlace) => void;
  /** Open the form that edits its parameters (shown while queued, when given). */
  onEdit?: () => void;
  /** The Edit button's id, to give it the focus back when its form closes. */
  editId?: string;
  /** Open (or close) the form that copies a signed link to a completed video's file. */
  onLink?: () => void;
  /** That form is open; `linkId`: its button's id, to give it the focus back when the form closes. */
  linkOpen?: boolean;
  linkId?: string;
  /** A move is on its way: the move buttons do nothing meanwhile (and keep the focus). */
  steering?: boolean;
  className?: string;
}

/** The prompt as a short quote for a button's accessible name. */
const quote = (text: string) => `“${text.length > 60 ? `${text.slice(0, 57)}…` : text}”`;

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
  onMove,
  onEdit,
  editId,
  onLink,
  linkOpen = false,
  linkId,
  steering = false,
  className,
}: Props) {
  const active = !isTerminal(video.status);
  const done = video.status === 'completed';
  const queued = video.status === 'queued' && !video.cancel_requested;
  const enhanced = video.original_prompt != null && video.original_prompt !== '';
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
        title={
          enhanced
            ? 'Put the enhanced prompt and its settings in the prompt box'
            : 'Put this prompt and its settings in the prompt box'
        }
        testId="job-reuse"
      >
        Reuse
      </ActionButton>
      {enhanced ? (
        <ActionButton
          icon={Copy}
          onClick={() => onReuse(video, 'original')}
          title="Put your own words (before enhancing) and the settings in the prompt box"
          testId="job-reuse-original"
        >
          Reuse my words
        </ActionButton>
      ) : null}
      {queued && onMove ? (
        <>
          <ActionButton
            icon={ChevronsUp}
            onClick={() => onMove({ queue_position: 1 })}
            disabled={busy}
            aria-disabled={steering || undefined}
            extraClass="aria-disabled:cursor-wait aria-disabled:opacity-60"
            aria-label={`Run next: ${quote(video.prompt)}`}
            title="Start this one before the others waiting"
            testId="job-run-next"
          >
            Run next
          </ActionButton>
          <ActionButton
            icon={ArrowDownToLine}
            onClick={() => onMove({ queue_position: LAST_POSITION })}
            disabled={busy}
            aria-disabled={steering || undefined}
            extraClass="aria-disabled:cursor-wait aria-disabled:opacity-60"
            aria-label={`Move to end: ${quote(video.prompt)}`}
            title="Let the others waiting go first"
            testId="job-move-end"
          >
            Move to end
          </ActionButton>
        </>
      ) : null}
      {queued && onEdit && video.operation === 'generate' ? (
        <ActionButton
          icon={SquarePen}
          id={editId}
          onClick={onEdit}
          disabled={busy}
          aria-label={`Edit: ${quote(video.prompt)}`}
          title="Change its prompt, negative prompt, seed or steps before it starts"
          testId="job-edit"
        >
          Edit
        </ActionButton>
      ) : null}
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
      {done && onLink ? (
        <ActionButton
          icon={Link}
          id={linkId}
          onClick={onLink}
          aria-expanded={linkOpen}
          title="A link to its file that anyone can open, for a time you choose"
          testId="job-link"
        >
          Copy link…
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
