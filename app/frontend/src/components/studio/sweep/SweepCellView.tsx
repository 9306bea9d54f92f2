import { ExternalLink, Film, Repeat, Star } from 'lucide-react';
import { useCallback, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { Sweep, SweepCell } from '../api';
import { pushStoryboardInbox, videoContentUrl } from '../api';
import { setFavorite, errorText } from '../../videoGen/api/videoGeneration';
import { saveDraft, saveSettings } from '../../videoGen/settingsStore';
import { VIDEO_GENERATION_PATH, STORYBOARD_PATH } from '../../../routes/paths';
import type { SharedClock } from './sharedClock';
import { cellSettings } from './cells';

const STATE_TEXT: Record<SweepCell['status'], string> = {
  queued: 'Queued',
  in_progress: 'Making…',
  completed: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  deleted: 'Deleted',
};

// 32 px each and never squeezed: in a narrow cell (a phone) they wrap onto a second line instead.
const action = 'inline-flex h-8 w-8 shrink-0 items-center justify-center rounded text-zinc-200 hover:bg-zinc-800';

export default function SweepCellView({
  sweep,
  cell,
  label,
  clock,
}: {
  sweep: Sweep;
  cell: SweepCell;
  label: string;
  clock: SharedClock;
}) {
  const navigate = useNavigate();
  const [favorite, setFav] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const done = cell.status === 'completed';
  const register = useCallback((el: HTMLVideoElement | null) => (el ? clock.add(el) : undefined), [clock]);
  const settings = cellSettings(sweep, cell);
  return (
    <figure className="flex min-w-0 flex-col gap-1" data-testid="sweep-cell" data-status={cell.status}>
      <div className="aspect-video overflow-hidden rounded bg-zinc-950">
        {done ? (
          <video
            ref={register}
            src={videoContentUrl(cell.video_id)}
            muted
            playsInline
            preload="auto"
            aria-label={label}
            data-video-id={cell.video_id}
            className="h-full w-full object-cover"
          />
        ) : (
          <p className="flex h-full items-center justify-center text-xs text-zinc-300" data-testid="cell-state">
            {STATE_TEXT[cell.status]}
          </p>
        )}
      </div>
      <figcaption className="flex flex-wrap items-center gap-1 text-xs text-zinc-300">
        <span className="mr-auto max-w-full min-w-0 truncate">{label}</span>
        {done ? (
          <>
            <a
              className={action}
              href={videoContentUrl(cell.video_id)}
              target="_blank"
              rel="noreferrer"
              aria-label={`Open ${label}`}
            >
              <ExternalLink className="h-4 w-4" aria-hidden="true" />
            </a>
            <button
              type="button"
              className={action}
              aria-label={`Reuse the settings of ${label}`}
              onClick={() => {
                saveSettings(settings.settings);
                saveDraft(settings.prompt);
                void navigate(VIDEO_GENERATION_PATH);
              }}
            >
              <Repeat className="h-4 w-4" aria-hidden="true" />
            </button>
            <button
              type="button"
              className={action}
              aria-label={`Favourite ${label}`}
              aria-pressed={favorite}
              onClick={() => {
                setFavorite(cell.video_id, !favorite).then(
                  (v) => setFav(v.favorite),
                  (err: unknown) => setNote(errorText(err)),
                );
              }}
            >
              <Star className={`h-4 w-4 ${favorite ? 'fill-amber-300 text-amber-300' : ''}`} aria-hidden="true" />
            </button>
            <button
              type="button"
              className={action}
              aria-label={`Add ${label} to the storyboard`}
              onClick={() => {
                pushStoryboardInbox({ prompt: settings.prompt, seed: settings.seed, seconds: settings.seconds });
                setNote('added');
              }}
            >
              <Film className="h-4 w-4" aria-hidden="true" />
            </button>
          </>
        ) : null}
      </figcaption>
      {note === 'added' ? (
        <p className="text-xs text-zinc-300" role="status">
          Added to the next storyboard.{' '}
          <button type="button" className="underline" onClick={() => void navigate(STORYBOARD_PATH)}>
            Open storyboard
          </button>
        </p>
      ) : note ? (
        <p className="text-xs text-red-300" role="alert">
          {note}
        </p>
      ) : null}
    </figure>
  );
}
