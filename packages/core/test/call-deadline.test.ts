import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { classifyNetworkError, timeoutOptionIssue, withCallDeadline } from '../src/driver.js';

/** A provider call that never settles by itself, as against an endpoint that never answers. */
const never = () => new Promise<never>(() => {});

describe('withCallDeadline: every provider call ends within its request timeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes a result through and clears its timer', async () => {
    await expect(withCallDeadline(async () => 'ok', { timeoutMs: 1000 })).resolves.toBe('ok');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes a failure through unchanged', async () => {
    const failure = new Error('refused');
    await expect(withCallDeadline(() => Promise.reject(failure), { timeoutMs: 1000 })).rejects.toBe(failure);
  });

  it('ends a call that ignores its signal at the deadline, as a sent request with no reply', async () => {
    const seen: AbortSignal[] = [];
    const call = withCallDeadline(
      (signal) => {
        seen.push(signal);
        return never();
      },
      { timeoutMs: 5000 },
    );
    const settled = call.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(4999);
    expect(seen[0]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const err = await settled;
    expect(seen[0]?.aborted).toBe(true);
    expect(err).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
    expect(classifyNetworkError(err)).toEqual({ code: 'ETIMEDOUT', sent: true, timeout: true });
  });

  it('a deadline reported by the SDK as its own abort is still a timeout', async () => {
    const call = withCallDeadline(
      (signal) =>
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () =>
            reject(Object.assign(new Error('x'), { name: 'AbortError' })),
          ),
        ),
      { timeoutMs: 100 },
    );
    const settled = call.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await settled).toMatchObject({ name: 'TimeoutError' });
  });

  it("ends a call at once when the caller's signal aborts, with an AbortError", async () => {
    const caller = new AbortController();
    const call = withCallDeadline(never, { timeoutMs: 30_000, signal: caller.signal });
    const settled = call.catch((e: unknown) => e);
    caller.abort(new Error('SIGINT'));
    expect(await settled).toMatchObject({ name: 'AbortError' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not start a call whose caller already aborted', async () => {
    const run = vi.fn(never);
    await expect(
      withCallDeadline(run, { timeoutMs: 1000, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(run).not.toHaveBeenCalled();
  });

  it('adds no listener to a signal shared by many concurrent calls (no MaxListenersExceededWarning)', async () => {
    const shared = new AbortController();
    const inner: AbortSignal[] = [];
    const calls = Array.from({ length: 50 }, () =>
      withCallDeadline(
        (signal) => {
          inner.push(signal);
          return never();
        },
        { timeoutMs: 60_000, signal: shared.signal },
      ).catch((e: unknown) => e),
    );
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
    shared.abort(new Error('stop'));
    const errors = await Promise.all(calls);
    expect(errors.every((e) => (e as Error).name === 'AbortError')).toBe(true);
    expect(inner.every((s) => s.aborted)).toBe(true);
  });
});

describe('timeoutOptionIssue: adapters take whole ms from 1 to the longest Node timer', () => {
  it.each([
    [undefined, true],
    [1, true],
    [30_000, true],
    [2 ** 31 - 1, true],
    [0, false],
    [-5, false],
    [1.5, false],
    [2 ** 31, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
    ['30000', false],
  ])('%s → accepted: %s', (value, ok) => {
    expect(timeoutOptionIssue(value) === undefined).toBe(ok);
  });
});
