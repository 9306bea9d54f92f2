import { describe, expect, it } from 'vitest';
import type { ClockVideo } from './sharedClock';
import { SharedClock, loopDistance, loopSpread } from './sharedClock';

class FakeVideo implements ClockVideo {
  currentTime = 0;
  paused = true;
  seeking = false;
  seeks = 0;
  constructor(readonly duration = 2) {}
  play() {
    this.paused = false;
    return undefined;
  }
  pause() {
    this.paused = true;
  }
  /** Plays `ms` on its own, at its own rate. */
  advance(ms: number, rate = 1) {
    if (!this.paused) this.currentTime = Math.min(this.duration, this.currentTime + (ms / 1000) * rate);
  }
}

function setup(n = 3) {
  let now = 0;
  const frames: ((now: number) => void)[] = [];
  const clock = new SharedClock({
    fps: 16,
    now: () => now,
    requestFrame: (cb) => frames.push(cb),
    cancelFrame: () => undefined,
  });
  const videos = Array.from({ length: n }, () => new FakeVideo());
  for (const v of videos) clock.add(v);
  const step = (ms: number) => {
    now += ms;
    const pending = frames.splice(0);
    for (const cb of pending) cb(now);
  };
  return { clock, videos, step, setNow: (t: number) => (now = t), getNow: () => now };
}

describe('SharedClock', () => {
  it('starts every video together and leaves those within half a frame alone', async () => {
    const { clock, videos, step } = setup();
    await clock.play();
    expect(videos.every((v) => !v.paused)).toBe(true);
    for (const v of videos) v.advance(500);
    videos[1].currentTime += 0.02; // 20 ms: under half a frame (31.25 ms) at 16 fps
    step(500);
    expect(clock.corrections).toBe(0);
    expect(videos[1].currentTime).toBeCloseTo(0.52);
  });

  it('sets a video that drifted more than half a frame back to the clock', async () => {
    const { clock, videos, step } = setup();
    await clock.play();
    videos[0].advance(1000);
    videos[1].advance(1000, 0.9); // 100 ms behind
    videos[2].advance(1000, 1.05); // 50 ms ahead
    step(1000);
    expect(clock.corrections).toBe(2);
    expect(videos.map((v) => v.currentTime)).toEqual([1, 1, 1]);
    expect(
      loopSpread(
        videos.map((v) => v.currentTime),
        2,
      ),
    ).toBeLessThan(1 / 16);
  });

  it('keeps the cells within a frame of each other across the loop', async () => {
    const { clock, videos, step } = setup();
    await clock.play();
    let worst = 0;
    for (let i = 0; i < 240; i++) {
      // Each fake runs at a slightly different rate; the clock wraps at 2 s.
      videos.forEach((v, k) => {
        v.advance(16, 1 + (k - 1) * 0.01);
      });
      step(16);
      worst = Math.max(
        worst,
        loopSpread(
          videos.map((v) => v.currentTime),
          clock.duration,
        ),
      );
    }
    expect(worst).toBeLessThan(1 / 16);
    expect(clock.time()).toBeLessThan(2);
  });

  it('pauses and seeks every video together', async () => {
    const { clock, videos } = setup();
    await clock.play();
    clock.pause();
    expect(videos.every((v) => v.paused)).toBe(true);
    clock.seek(1.25);
    expect(videos.map((v) => v.currentTime)).toEqual([1.25, 1.25, 1.25]);
    expect(clock.time()).toBe(1.25);
  });

  it('measures distance on the loop', () => {
    expect(loopDistance(0.01, 1.99, 2)).toBeCloseTo(0.02);
    expect(loopSpread([0.5, 0.52, 0.49], 2)).toBeCloseTo(0.03);
  });
});
