// Whether the studio answers, as seen by this page: every API call reports its outcome here,
// and while the studio is away a health probe backs off until it answers again.

export type Reachability = 'online' | 'offline';

/** Delay before the `attempt`-th retry (0-based): base, 2x, 4x, ... up to max. */
export function backoffDelay(attempt: number, baseMs = 1000, maxMs = 15_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
}

export class ConnectionStore {
  private state: Reachability = 'online';
  /** When the studio was first found away (ms since epoch), null while online. */
  offlineSince: number | null = null;
  /** Bumped on each return to online, so listeners can refresh what went stale. */
  reconnects = 0;
  private readonly listeners = new Set<() => void>();
  private suspectListeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly get = (): Reachability => this.state;

  /** A request got an answer (any HTTP status): the studio is there. */
  reportOk(): void {
    if (this.state === 'online') return;
    this.state = 'online';
    this.offlineSince = null;
    this.reconnects += 1;
    this.emit();
  }

  /** A request could not reach the studio at all. */
  reportFailure(now = Date.now()): void {
    if (this.state === 'offline') return;
    this.state = 'offline';
    this.offlineSince = now;
    this.emit();
  }

  /** Something hints the studio may be gone (a live stream dropped): look now. */
  suspect(): void {
    for (const l of this.suspectListeners) l();
  }

  onSuspect(listener: () => void): () => void {
    this.suspectListeners.add(listener);
    return () => this.suspectListeners.delete(listener);
  }

  /** For tests. */
  reset(): void {
    this.state = 'online';
    this.offlineSince = null;
    this.reconnects = 0;
    this.listeners.clear();
    this.suspectListeners = new Set();
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

export const connection = new ConnectionStore();
