import { MAX_TIMER_MS } from './clock.js';

/** Default longest wait for one provider request, ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * The error a provider call ends with when its deadline passes. Named and coded as a
 * socket timeout, so that {@link classifyNetworkError} reads it as "sent, no reply in
 * time": retryable, and possibly applied when the call mutates.
 */
export function requestTimeoutError(timeoutMs: number): Error {
  return Object.assign(new Error(`no reply within ${timeoutMs} ms (request timeout)`), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
  });
}

/** The error a provider call ends with when its caller aborts it. */
function abortedError(reason: unknown): Error {
  return Object.assign(new Error('the call was aborted'), { name: 'AbortError', cause: reason });
}

/** Options of {@link withCallDeadline}. */
export interface CallDeadlineOptions {
  /** Longest time the call may take, ms (real time: it bounds a network request). */
  readonly timeoutMs: number;
  /** The caller's signal: aborting it ends the call at once. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Runs one provider call with a deadline. `run` gets a signal of its own, aborted when the
 * caller's signal aborts or `timeoutMs` passes; whatever `run` does with it (an SDK may
 * ignore it, or notice late), the returned promise settles by then: with an `AbortError`
 * when the caller aborted, with {@link requestTimeoutError} when the time ran out.
 *
 * The call's signal is derived with `AbortSignal.any`, which adds no listener to the
 * caller's signal: a signal shared by hundreds of concurrent calls (a batch) collects
 * none, so Node never warns about a listener leak.
 */
export async function withCallDeadline<T>(
  run: (signal: AbortSignal) => Promise<T>,
  options: CallDeadlineOptions,
): Promise<T> {
  const caller = options.signal;
  if (caller?.aborted) throw abortedError(caller.reason);
  const deadline = new AbortController();
  const signal = caller === undefined ? deadline.signal : AbortSignal.any([caller, deadline.signal]);
  const timeoutMs = Math.min(MAX_TIMER_MS, Math.max(1, options.timeoutMs));
  const timer = setTimeout(() => deadline.abort(requestTimeoutError(timeoutMs)), timeoutMs);
  let onAbort = (): void => {};
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error('stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  // Whichever loses the race settles later, unobserved.
  stopped.catch(() => {});
  try {
    const work = run(signal);
    work.catch(() => {});
    return await Promise.race([work, stopped]);
  } catch (err) {
    // The caller's abort wins over the deadline; an SDK reports either as its own abort error.
    if (caller?.aborted) throw abortedError(caller.reason);
    if (deadline.signal.aborted) throw requestTimeoutError(timeoutMs);
    throw err;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Checks a timeout option of an adapter: a whole number of ms from 1 up to
 * {@link MAX_TIMER_MS}. Returns an issue message, or `undefined` when it is fine.
 */
export function timeoutOptionIssue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMER_MS) {
    return `must be a whole number of ms from 1 to ${MAX_TIMER_MS}`;
  }
  return undefined;
}
