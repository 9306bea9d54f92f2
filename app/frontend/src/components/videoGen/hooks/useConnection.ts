// Keeps `connection` (is the studio there?) current: while it is away, /healthz is probed with
// backoff; a dropped live stream makes it look at once; a slow heartbeat notices an outage while
// nothing else is asking. When the studio answers again the page's queries are refreshed.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { backoffDelay, connection, type Reachability } from '../connection';
import { noteRestarts, unfinishedSnapshot } from './videoCache';

export const HEALTH_URL = '/healthz';

export interface ConnectionTimings {
  baseMs?: number;
  maxMs?: number;
  heartbeatMs?: number;
}

export interface ConnectionState {
  state: Reachability;
  offlineSince: number | null;
  /** When the next probe runs (ms since epoch), while offline. */
  nextTryAt: number | null;
  retryNow: () => void;
}

async function probe(): Promise<boolean> {
  try {
    const res = await fetch(HEALTH_URL, { cache: 'no-store', signal: AbortSignal.timeout(5000) });
    return res.status < 500 || res.status === 503; // 503: up but busy
  } catch {
    return false;
  }
}

export function useConnection({ baseMs = 1000, maxMs = 15_000, heartbeatMs = 10_000 }: ConnectionTimings = {}) {
  const client = useQueryClient();
  const state = useSyncExternalStore(connection.subscribe, connection.get, connection.get);
  const [nextTryAt, setNextTryAt] = useState<number | null>(null);
  const [kick, setKick] = useState(0);

  // Online: look now and then, and at once when a stream drops.
  useEffect(() => {
    if (state !== 'online') return;
    let stopped = false;
    const look = () => {
      void probe().then((ok) => {
        if (!stopped && !ok) connection.reportFailure();
      });
    };
    const timer = setInterval(look, heartbeatMs);
    const off = connection.onSuspect(look);
    return () => {
      stopped = true;
      clearInterval(timer);
      off();
    };
  }, [state, heartbeatMs]);

  // Offline: probe with backoff until the studio answers.
  useEffect(() => {
    if (state !== 'offline') return;
    let stopped = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      const delay = backoffDelay(attempt, baseMs, maxMs);
      attempt += 1;
      setNextTryAt(Date.now() + delay);
      timer = setTimeout(() => {
        void probe().then((ok) => {
          if (stopped) return;
          if (ok) connection.reportOk();
          else schedule();
        });
      }, delay);
    };
    schedule();
    return () => {
      stopped = true;
      clearTimeout(timer);
      setNextTryAt(null);
    };
  }, [state, baseMs, maxMs, kick]);

  // Back online: what the page shows may be minutes old.
  const reconnects = connection.reconnects;
  useEffect(() => {
    if (reconnects === 0) return;
    // Jobs that were running may have started over if the studio restarted: compare after.
    const before = unfinishedSnapshot(client);
    void client.invalidateQueries().then(() => noteRestarts(client, before));
  }, [reconnects, client]);

  return {
    state,
    offlineSince: connection.offlineSince,
    nextTryAt: state === 'offline' ? nextTryAt : null,
    retryNow: () => setKick((k) => k + 1),
  } satisfies ConnectionState;
}
