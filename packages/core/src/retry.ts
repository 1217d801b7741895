import type { Clock } from './clock.js';
import { isSnapcopyError, SnapcopyError } from './errors.js';

/** How core retries a provider call that failed with a retryable error. */
export interface RetryPolicy {
  /** Total attempts including the first (1 = no retry). */
  readonly maxAttempts: number;
  /** First backoff in ms; doubles each attempt, with full jitter. */
  readonly baseDelayMs: number;
  /** Cap on one backoff in ms. */
  readonly maxDelayMs: number;
}

/** Three attempts, 200 ms base, 5 s cap. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
});

/** Backoff before attempt `attempt + 1` (attempt counts from 1): full jitter over an exponential cap. */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * Runs `fn` until it succeeds, fails with a non-retryable error, or the attempts run
 * out. Sleeps through `clock` so that virtual time drives it in tests. Written by hand
 * rather than with p-retry because the sleep must come from the injected clock.
 */
export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  options: {
    policy: RetryPolicy;
    clock: Clock;
    signal?: AbortSignal;
    /** Epoch ms (on `clock`) after which no retry starts: a caller's deadline. */
    until?: number;
    /** Vetoes a retry of a retryable error (e.g. one that may only be retried much later). */
    shouldRetry?: (err: SnapcopyError) => boolean;
    onRetry?: (err: SnapcopyError, attempt: number) => void;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isSnapcopyError(err) || !err.retryable || attempt >= options.policy.maxAttempts) throw err;
      if (options.shouldRetry && !options.shouldRetry(err)) throw err;
      if (options.signal?.aborted) throw err;
      const delay = backoffDelay(options.policy, attempt);
      if (options.until !== undefined && options.clock.now() + delay >= options.until) throw err;
      options.onRetry?.(err, attempt);
      await options.clock.sleep(delay, options.signal).catch(() => {
        throw new SnapcopyError('CANCELLED', 'aborted while waiting to retry', { cause: err });
      });
    }
  }
}
