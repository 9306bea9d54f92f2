import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, connection } from './connection';
import { getVideo } from './api/videoGeneration';

afterEach(() => {
  connection.reset();
  vi.unstubAllGlobals();
});

describe('connection', () => {
  it('backs off 1, 2, 4, 8 s up to 15 s', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n))).toEqual([1000, 2000, 4000, 8000, 15000, 15000]);
    expect(backoffDelay(2, 500, 1500)).toBe(1500);
  });

  it('goes offline when a request cannot reach the studio and online at the next answer', async () => {
    const listener = vi.fn();
    connection.subscribe(listener);
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))),
    );
    await expect(getVideo('video_x')).rejects.toMatchObject({ code: 'network_error' });
    expect(connection.get()).toBe('offline');
    expect(connection.offlineSince).not.toBeNull();

    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(new Response('{"error":{"message":"gone"}}', { status: 404 }))),
    );
    await expect(getVideo('video_x')).rejects.toMatchObject({ status: 404 });
    expect(connection.get()).toBe('online');
    expect(connection.reconnects).toBe(1);
    expect(listener).toHaveBeenCalledTimes(2);
  });
});
