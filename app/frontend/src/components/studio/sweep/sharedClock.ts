// One clock for every cell of a sweep grid: a single play/pause and scrub position, and on each
// animation frame every video that drifted more than half a frame from the clock is set to it.

/** What the clock needs of a video element (a fake one in the unit tests). */
export interface ClockVideo {
  currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  readonly seeking?: boolean;
  play(): Promise<void> | undefined;
  pause(): void;
  addEventListener?(type: 'seeked', listener: () => void, options?: { once?: boolean }): void;
}

export interface ClockOptions {
  fps?: number;
  now?: () => number;
  requestFrame?: (cb: (now: number) => void) => number;
  cancelFrame?: (handle: number) => void;
}

/** The circular distance between two positions of a loop of `period` seconds. */
export function loopDistance(a: number, b: number, period: number): number {
  const d = Math.abs(a - b);
  if (!(period > 0)) return d;
  const m = d % period;
  return Math.min(m, period - m);
}

/** The largest distance between any two of `times` on a loop of `period` seconds. */
export function loopSpread(times: readonly number[], period: number): number {
  let worst = 0;
  for (let i = 0; i < times.length; i++) {
    for (let j = i + 1; j < times.length; j++) worst = Math.max(worst, loopDistance(times[i], times[j], period));
  }
  return worst;
}

function waitSeeked(video: ClockVideo, timeoutMs = 1000): Promise<void> {
  if (!video.seeking || !video.addEventListener) return Promise.resolve();
  const add = video.addEventListener.bind(video);
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    add(
      'seeked',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function start(video: ClockVideo): void {
  const started = video.play();
  if (started) started.catch(() => undefined); // a blocked play is retried on the next frame
}

export class SharedClock {
  fps: number;
  private readonly videos = new Set<ClockVideo>();
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;
  private readonly requestFrame: (cb: (now: number) => void) => number;
  private readonly cancelFrame: (handle: number) => void;
  private frame: number | null = null;
  private playing = false;
  /** The clock's time (s) at `anchor` (ms, of `now`). */
  private origin = 0;
  private anchor = 0;
  /** Seeks made to correct drift, for the page's diagnostics and the tests. */
  corrections = 0;

  constructor(options: ClockOptions = {}) {
    this.fps = options.fps ?? 16;
    this.now = options.now ?? (() => performance.now());
    this.requestFrame = options.requestFrame ?? ((cb) => requestAnimationFrame(cb));
    this.cancelFrame = options.cancelFrame ?? ((h) => cancelAnimationFrame(h));
  }

  get halfFrame(): number {
    return 0.5 / this.fps;
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  /** The loop's length: the longest video's (a shorter one holds its last frame). */
  get duration(): number {
    let d = 0;
    for (const v of this.videos) if (Number.isFinite(v.duration)) d = Math.max(d, v.duration);
    return d;
  }

  time(now = this.now()): number {
    const t = this.playing ? this.origin + (now - this.anchor) / 1000 : this.origin;
    const d = this.duration;
    return d > 0 ? t % d : t;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(video: ClockVideo): () => void {
    this.videos.add(video);
    const t = this.time();
    // Re-adding a video that is in step (a re-render) must not seek it.
    if (loopDistance(video.currentTime, t, this.duration) > this.halfFrame) video.currentTime = t;
    if (this.playing) start(video);
    return () => this.videos.delete(video);
  }

  /** Pause every video, seek all to the clock, wait for their seeks, then start all together. */
  async play(): Promise<void> {
    const t = this.time();
    for (const v of this.videos) {
      v.pause();
      v.currentTime = t;
    }
    await Promise.all([...this.videos].map((v) => waitSeeked(v)));
    this.origin = t;
    this.anchor = this.now();
    this.playing = true;
    for (const v of this.videos) start(v);
    this.schedule();
    this.emit();
  }

  pause(): void {
    this.origin = this.time();
    this.playing = false;
    for (const v of this.videos) {
      v.pause();
      v.currentTime = this.origin;
    }
    this.stopFrames();
    this.emit();
  }

  /** Move every video to `seconds` together. */
  seek(seconds: number): void {
    const d = this.duration;
    this.origin = d > 0 ? Math.max(0, Math.min(seconds, d)) : Math.max(0, seconds);
    this.anchor = this.now();
    for (const v of this.videos) v.currentTime = this.origin;
    this.emit();
  }

  /** One step: bring back every video more than half a frame off the clock. */
  tick(now = this.now()): number {
    const t = this.time(now);
    const d = this.duration;
    let fixed = 0;
    for (const v of this.videos) {
      if (v.seeking) continue; // its seek is on the way; judge it next frame
      const end = Number.isFinite(v.duration) ? v.duration : d;
      const target = Math.min(t, end);
      if (loopDistance(v.currentTime, target, d) > this.halfFrame) {
        v.currentTime = target;
        fixed += 1;
      }
      if (this.playing && v.paused && t < end - this.halfFrame) start(v);
      if (!this.playing && !v.paused) v.pause();
    }
    this.corrections += fixed;
    this.emit();
    return fixed;
  }

  /** Stop the frames (the grid is gone); the videos are let go by their own cleanups. */
  dispose(): void {
    this.playing = false;
    this.stopFrames();
  }

  private schedule(): void {
    if (this.frame !== null) return;
    const loop = (now: number) => {
      this.frame = null;
      if (!this.playing) return;
      this.tick(now);
      this.frame = this.requestFrame(loop);
    };
    this.frame = this.requestFrame(loop);
  }

  private stopFrames(): void {
    if (this.frame !== null) this.cancelFrame(this.frame);
    this.frame = null;
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
