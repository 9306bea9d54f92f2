// Prompts are never lost: each submit joins a queue that sends one at a time, so a prompt
// entered while another is being sent waits its turn instead of being dropped.

export interface PendingSubmit<P> {
  id: number;
  /** The prompt box's text when it was submitted (what the box is compared with afterwards). */
  text: string;
  params: P;
}

export interface SubmitQueueEvents<P, R> {
  onSent?: (item: PendingSubmit<P>, result: R) => void;
  onFailed?: (item: PendingSubmit<P>, error: unknown) => void;
}

export class SubmitQueue<P, R> {
  private items: PendingSubmit<P>[] = [];
  private sending = false;
  private seq = 0;
  private snapshot: readonly PendingSubmit<P>[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    private send: (params: P) => Promise<R>,
    private readonly events: SubmitQueueEvents<P, R> = {},
  ) {}

  /** Send the next submits through another function (a newer callback). */
  setSender(send: (params: P) => Promise<R>): void {
    this.send = send;
  }

  /** Be told when the pending list changes (one added, sent or failed). */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Waiting and in-flight submits, oldest first (the first is being sent while `busy`). */
  readonly pending = (): readonly PendingSubmit<P>[] => {
    return this.snapshot;
  };

  get busy(): boolean {
    return this.sending;
  }

  /** Queue a submit; returns its id, or null when the same text is already waiting (a double Enter). */
  enqueue(text: string, params: P): number | null {
    if (this.items.some((i) => i.text === text)) return null;
    this.seq += 1;
    this.items.push({ id: this.seq, text, params });
    this.changed();
    void this.pump();
    return this.seq;
  }

  private changed(): void {
    this.snapshot = [...this.items];
    for (const l of this.listeners) l();
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.items.length > 0) {
        const item = this.items[0];
        try {
          const result = await this.send(item.params);
          this.items.shift();
          this.changed();
          this.events.onSent?.(item, result);
        } catch (error) {
          this.items.shift();
          this.changed();
          this.events.onFailed?.(item, error);
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
