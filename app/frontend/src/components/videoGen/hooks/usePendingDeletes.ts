// Delete with undo: a deleted video disappears at once but is only deleted on the server when
// the undo time has passed (or the page is left). Jobs still running are cancelled at once, so
// they stop using the model while the undo is offered.
import { useCallback, useEffect, useRef, useState } from 'react';
import { API_BASE, csrfToken, isTerminal } from '../api/videoGeneration';
import type { Video } from '../types/chat';

export const UNDO_MS = 6000;

export interface PendingDeletes {
  /** Ids hidden while their undo runs. */
  hidden: ReadonlySet<string>;
  /** The last batch, for the undo toast. */
  batch: { ids: string[]; until: number } | null;
  remove: (videos: readonly Video[]) => void;
  undo: () => void;
  /** Delete the pending batch now. */
  commit: () => void;
}

export function usePendingDeletes(
  removeMany: (ids: readonly string[]) => Promise<void>,
  cancel: (id: string) => Promise<void>,
  undoMs = UNDO_MS,
): PendingDeletes {
  const [hidden, setHidden] = useState<ReadonlySet<string>>(() => new Set());
  const [batch, setBatch] = useState<{ ids: string[]; until: number } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const batchRef = useRef<string[]>([]);

  const flush = useCallback(() => {
    clearTimeout(timer.current);
    const ids = batchRef.current;
    batchRef.current = [];
    setBatch(null);
    if (ids.length === 0) return;
    void removeMany(ids).finally(() =>
      setHidden((h) => {
        const next = new Set(h);
        for (const id of ids) next.delete(id);
        return next;
      }),
    );
  }, [removeMany]);

  const remove = useCallback(
    (videos: readonly Video[]) => {
      if (videos.length === 0) return;
      flush(); // one undo at a time: an earlier batch is deleted now
      for (const v of videos) if (!isTerminal(v.status)) void cancel(v.id);
      const ids = videos.map((v) => v.id);
      batchRef.current = ids;
      setHidden((h) => new Set([...h, ...ids]));
      setBatch({ ids, until: Date.now() + undoMs });
      timer.current = setTimeout(flush, undoMs);
    },
    [flush, cancel, undoMs],
  );

  const undo = useCallback(() => {
    clearTimeout(timer.current);
    const ids = batchRef.current;
    batchRef.current = [];
    setBatch(null);
    setHidden((h) => {
      const next = new Set(h);
      for (const id of ids) next.delete(id);
      return next;
    });
  }, []);

  // Leaving the page (or closing the tab) deletes what was deleted: no surprise comebacks.
  useEffect(() => {
    const onHide = () => {
      const token = csrfToken();
      for (const id of batchRef.current) {
        void fetch(`${API_BASE}/videos/${encodeURIComponent(id)}`, {
          method: 'DELETE',
          keepalive: true,
          credentials: 'same-origin',
          headers: token ? { 'X-CSRFToken': token } : {},
        }).catch(() => undefined);
      }
      batchRef.current = [];
    };
    window.addEventListener('pagehide', onHide);
    return () => {
      window.removeEventListener('pagehide', onHide);
      clearTimeout(timer.current);
      onHide();
    };
  }, []);

  return { hidden, batch, remove, undo, commit: flush };
}
