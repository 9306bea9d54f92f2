import { describe, expect, it, vi } from 'vitest';
import { SubmitQueue } from './submitQueue';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SubmitQueue', () => {
  it('sends one at a time, in order, and loses none entered while one is in flight', async () => {
    const gates = [deferred<string>(), deferred<string>(), deferred<string>()];
    const sent: string[] = [];
    const send = vi.fn((p: string) => {
      sent.push(p);
      return gates[sent.length - 1].promise;
    });
    const onSent = vi.fn();
    const q = new SubmitQueue(send, { onSent });
    q.enqueue('a', 'a');
    q.enqueue('b', 'b');
    q.enqueue('c', 'c');
    expect(send).toHaveBeenCalledTimes(1);
    expect(q.pending().map((p) => p.text)).toEqual(['a', 'b', 'c']);
    gates[0].resolve('A');
    await vi.waitFor(() => expect(send).toHaveBeenCalledTimes(2));
    gates[1].resolve('B');
    await vi.waitFor(() => expect(send).toHaveBeenCalledTimes(3));
    gates[2].resolve('C');
    await vi.waitFor(() => expect(onSent).toHaveBeenCalledTimes(3));
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(q.pending()).toEqual([]);
  });

  it('reports a failure with its text and goes on with the next', async () => {
    const onFailed = vi.fn();
    const onSent = vi.fn();
    const q = new SubmitQueue((p: string) => (p === 'bad' ? Promise.reject(new Error('no')) : Promise.resolve(p)), {
      onFailed,
      onSent,
    });
    q.enqueue('bad', 'bad');
    q.enqueue('good', 'good');
    await vi.waitFor(() => expect(onSent).toHaveBeenCalledTimes(1));
    expect(onFailed).toHaveBeenCalledWith(expect.objectContaining({ text: 'bad' }), expect.any(Error));
  });

  it('ignores the same text entered twice while it is still waiting (a double Enter)', () => {
    const q = new SubmitQueue(() => new Promise<never>(() => undefined));
    expect(q.enqueue('x', 'x')).not.toBeNull();
    expect(q.enqueue('x', 'x')).toBeNull();
    expect(q.pending()).toHaveLength(1);
  });

  it('tells subscribers when the pending list changes', async () => {
    const q = new SubmitQueue((p: string) => Promise.resolve(p));
    const listener = vi.fn();
    q.subscribe(listener);
    q.enqueue('x', 'x');
    await vi.waitFor(() => expect(q.pending()).toHaveLength(0));
    expect(listener).toHaveBeenCalledTimes(2);
  });
});
