import { ArrowLeft, ArrowRight, Dices, GripVertical, Trash2 } from 'lucide-react';
import { Field } from '../../videoGen/Field';
import type { StoryboardShot } from '../api';
import { videoThumbnailUrl } from '../api';
import type { DraftShot, JoinChoice } from './shots';
import { SHOT_STATUS_TEXT } from './shots';

const input =
  'w-full rounded border border-zinc-700 bg-zinc-950 px-2 py-1 text-sm text-zinc-100 focus:border-brand focus:outline-none';
const label = 'block text-xs font-medium text-zinc-300';
const iconButton =
  'inline-flex h-9 w-9 items-center justify-center rounded border border-zinc-700 text-zinc-200 hover:bg-zinc-800 disabled:opacity-40';

// The shot's two counts: each id suffix is what the page has always used for that field.
const COUNTS = {
  seconds: { suffix: 'seconds', label: 'Seconds', max: 20 },
  crossfadeFrames: { suffix: 'frames', label: 'Crossfade frames', max: 64 },
} as const;

interface CountFieldProps {
  /** The shot's id prefix. */
  id: string;
  count: keyof typeof COUNTS;
  shot: DraftShot;
  onChange: (changes: Partial<DraftShot>) => void;
}

/** A labelled whole number of the shot's that never drops below 1. */
function CountField({ id, count, shot, onChange }: CountFieldProps) {
  const { suffix, label: text, max } = COUNTS[count];
  return (
    <Field id={`${id}-${suffix}`} label={text} labelClassName={label}>
      <input
        id={`${id}-${suffix}`}
        type="number"
        min={1}
        max={max}
        className={input}
        value={shot[count]}
        onChange={(e) => onChange({ [count]: Number(e.target.value) || 1 })}
      />
    </Field>
  );
}

const STATUS_TONE: Partial<Record<StoryboardShot['status'], string>> = {
  completed: 'bg-emerald-900 text-emerald-100',
  failed: 'bg-red-900 text-red-100',
  cancelled: 'bg-red-900 text-red-100',
  blocked: 'bg-red-900 text-red-100',
  stale: 'bg-amber-900 text-amber-100',
  changed: 'bg-amber-900 text-amber-100',
};

export interface ShotCardProps {
  shot: DraftShot;
  index: number;
  count: number;
  /** The server's view of this shot (status, video), once the board exists. */
  server: StoryboardShot | undefined;
  joins: JoinChoice[];
  joinNote: string | null;
  busy: boolean;
  onChange: (changes: Partial<DraftShot>) => void;
  onRemove: () => void;
  onMove: (to: number) => void;
  onReroll: (() => void) | null;
  dragProps: React.HTMLAttributes<HTMLLIElement> & { draggable: boolean };
}

export default function ShotCard(props: ShotCardProps) {
  const { shot, index, count, server, joins, joinNote, busy, onChange, onRemove, onMove, onReroll } = props;
  const n = index + 1;
  const id = `shot-${shot.key}`;
  const status = server?.status;
  return (
    <li
      {...props.dragProps}
      data-testid="shot-card"
      data-shot-index={index}
      data-shot-key={shot.key}
      aria-label={`Shot ${String(n)}`}
      className="flex w-72 shrink-0 snap-start flex-col gap-2 rounded-lg border border-zinc-800 bg-zinc-900 p-3"
    >
      <div className="flex items-center gap-2">
        <GripVertical className="h-4 w-4 cursor-grab text-zinc-400" aria-hidden="true" />
        <h2 className="text-sm font-semibold">Shot {n}</h2>
        {status ? (
          <span
            data-testid="shot-status"
            className={`ml-auto rounded-full px-2 py-0.5 text-xs ${STATUS_TONE[status] ?? 'bg-zinc-800 text-zinc-200'}`}
          >
            {SHOT_STATUS_TEXT[status]}
            {status === 'in_progress' ? ` ${String(server.progress)}%` : ''}
          </span>
        ) : (
          <span className="ml-auto text-xs text-zinc-400">New</span>
        )}
      </div>
      <div className="aspect-video overflow-hidden rounded bg-zinc-950">
        {server?.video_id && (status === 'completed' || status === 'stale' || status === 'changed') ? (
          <img
            src={videoThumbnailUrl(server.video_id)}
            alt={`Shot ${String(n)}: ${server.prompt}`}
            data-testid="shot-thumbnail"
            data-video-id={server.video_id}
            className="h-full w-full object-cover"
          />
        ) : (
          <p className="flex h-full items-center justify-center p-2 text-center text-xs text-zinc-400">
            {status ? SHOT_STATUS_TEXT[status] : 'Not made yet'}
          </p>
        )}
      </div>
      {server?.reason ? (
        <p className="text-xs text-amber-200" data-testid="shot-reason">
          {server.reason}
        </p>
      ) : null}
      <label className={label} htmlFor={`${id}-prompt`}>
        Prompt
      </label>
      <textarea
        id={`${id}-prompt`}
        rows={3}
        className={input}
        value={shot.prompt}
        onChange={(e) => onChange({ prompt: e.target.value })}
      />
      <div className="grid grid-cols-2 gap-2">
        <CountField id={id} count="seconds" shot={shot} onChange={onChange} />
        <Field id={`${id}-seed`} label="Seed" labelClassName={label}>
          <input
            id={`${id}-seed`}
            inputMode="numeric"
            placeholder="random"
            className={input}
            value={shot.seed}
            onChange={(e) => onChange({ seed: e.target.value.replace(/\D/g, '') })}
          />
        </Field>
      </div>
      {index > 0 ? (
        <div className="grid grid-cols-2 gap-2">
          <Field id={`${id}-join`} label="Join" labelClassName={label}>
            <select
              id={`${id}-join`}
              className={input}
              value={shot.join}
              aria-describedby={joinNote ? `${id}-join-note` : undefined}
              onChange={(e) => onChange({ join: e.target.value as DraftShot['join'] })}
            >
              {joins.map((j) => (
                <option key={j.value} value={j.value} disabled={j.disabled}>
                  {j.label}
                </option>
              ))}
            </select>
          </Field>
          {shot.join === 'crossfade' ? (
            <CountField id={id} count="crossfadeFrames" shot={shot} onChange={onChange} />
          ) : null}
          {joinNote ? (
            <p id={`${id}-join-note`} className="col-span-2 text-xs text-zinc-400">
              {joinNote}
            </p>
          ) : null}
        </div>
      ) : (
        <p className="text-xs text-zinc-400">The first shot starts the film (a cut).</p>
      )}
      <div className="mt-auto flex items-center gap-2 pt-1">
        <button
          type="button"
          className={iconButton}
          aria-label={`Move shot ${String(n)} left`}
          disabled={index === 0}
          onClick={() => onMove(index - 1)}
        >
          <ArrowLeft className="h-4 w-4" aria-hidden="true" />
        </button>
        <button
          type="button"
          className={iconButton}
          aria-label={`Move shot ${String(n)} right`}
          disabled={index === count - 1}
          onClick={() => onMove(index + 1)}
        >
          <ArrowRight className="h-4 w-4" aria-hidden="true" />
        </button>
        {onReroll ? (
          <button
            type="button"
            className={`${iconButton} w-auto gap-1 px-2 text-xs`}
            aria-label={`Re-roll shot ${String(n)}`}
            disabled={busy}
            onClick={onReroll}
          >
            <Dices className="h-4 w-4" aria-hidden="true" /> Re-roll
          </button>
        ) : null}
        <button
          type="button"
          className={`${iconButton} ml-auto`}
          aria-label={`Remove shot ${String(n)}`}
          disabled={count <= 1}
          onClick={onRemove}
        >
          <Trash2 className="h-4 w-4" aria-hidden="true" />
        </button>
      </div>
    </li>
  );
}
