import { Undo2 } from 'lucide-react';
import { useEffect, useRef } from 'react';
import type { PendingDeletes } from './hooks/usePendingDeletes';

/** "Deleted. Undo" for the last delete, while it can still be undone. */
export default function UndoToast({ deletes }: { deletes: PendingDeletes }) {
  const undoRef = useRef<HTMLButtonElement>(null);
  const batch = deletes.batch;
  const key = batch?.until;
  useEffect(() => {
    // Keyboard users land on Undo (the deleted card took their focus with it).
    if (key != null && document.activeElement === document.body) undoRef.current?.focus();
  }, [key]);
  if (!batch) return null;
  const n = batch.ids.length;
  return (
    <div
      role="status"
      className="fixed bottom-24 left-1/2 z-40 flex -translate-x-1/2 items-center gap-3 rounded-xl border border-zinc-700 bg-zinc-900 px-4 py-2 text-sm shadow-xl"
      data-testid="undo-toast"
    >
      <span>{n === 1 ? 'Video deleted.' : `${n} videos deleted.`}</span>
      <button
        ref={undoRef}
        type="button"
        onClick={deletes.undo}
        className="inline-flex min-h-11 items-center gap-1.5 rounded-md px-3 font-medium text-brand-light hover:bg-zinc-800"
        data-testid="undo-delete"
      >
        <Undo2 className="h-4 w-4" aria-hidden="true" /> Undo
      </button>
    </div>
  );
}
