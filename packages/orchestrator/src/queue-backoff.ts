import { backoffDelay } from '@snapcopy/core/driver';

/**
 * Throttling backoff shared by every call of one queue: when the provider throttles
 * one call, the whole queue pauses, and each further throttle before a success
 * doubles the cap (full jitter). Any successful call resets it.
 */
export class QueueBackoff {
  #strikes = 0;
  #pausedUntil = 0;

  constructor(
    private readonly policy: { readonly baseDelayMs: number; readonly maxDelayMs: number },
    private readonly random: () => number,
  ) {}

  /** The queue must not send anything before this time (ms). */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /** Throttles in a row without a success in between. */
  get strikes(): number {
    return this.#strikes;
  }

  /** Records a throttle at `now`; returns the pause it causes, ms. */
  strike(now: number): number {
    this.#strikes += 1;
    const delay = Math.max(
      1,
      backoffDelay({ maxAttempts: Number.POSITIVE_INFINITY, ...this.policy }, this.#strikes, this.random),
    );
    // Calls already in flight may report throttles after the pause was set: never shorten it.
    this.#pausedUntil = Math.max(this.#pausedUntil, now + delay);
    return delay;
  }

  /** Records a call that was not throttled. */
  success(): void {
    this.#strikes = 0;
  }
}
