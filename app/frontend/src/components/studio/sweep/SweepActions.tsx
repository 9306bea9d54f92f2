// A sweep's own actions beside its grid: cancel the cells still queued or running, delete the
// sweep with its cells' videos and grid (asked first).
import { X } from 'lucide-react';
import type { Sweep } from '../api';
import ConfirmDelete from '../ConfirmDelete';

const button =
  'inline-flex min-h-10 items-center gap-1.5 rounded border border-zinc-700 px-3 py-1.5 text-sm text-zinc-100 hover:bg-zinc-800 disabled:opacity-50';

interface Props {
  sweep: Sweep;
  busy: boolean;
  onCancel: () => void;
  onDelete: () => void;
}

const plural = (n: number, one: string) => `${String(n)} ${one}${n === 1 ? '' : 's'}`;

export default function SweepActions({ sweep, busy, onCancel, onDelete }: Props) {
  const pending = sweep.cells.filter((c) => c.status === 'queued' || c.status === 'in_progress').length;
  const videos = sweep.cells.filter((c) => c.status !== 'deleted').length;
  return (
    <div role="group" aria-label="Sweep actions" className="flex flex-wrap items-center gap-2">
      {pending > 0 ? (
        <button
          type="button"
          className={button}
          disabled={busy}
          onClick={onCancel}
          title="Finished cells keep their videos"
          data-testid="sweep-cancel"
        >
          <X className="h-4 w-4" aria-hidden="true" /> Cancel {plural(pending, 'pending cell')}
        </button>
      ) : null}
      <ConfirmDelete
        label="Delete sweep"
        question={`Delete this sweep, its ${plural(videos, 'video')} and its grid?`}
        busy={busy}
        onConfirm={onDelete}
        testId="sweep-delete"
      />
    </div>
  );
}
