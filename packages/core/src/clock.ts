/**
 * Time as the SDK sees it. Waits and backoffs sleep through a clock so that tests and
 * simulators can drive them with virtual time instead of real sleeps.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The longest delay one Node timer takes (~24.8 days); a longer one fires at once, with a warning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function sleepOnce(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real clock. Sleeps longer than one timer allows (~24.8 days) are taken in parts. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: async (ms: number, signal?: AbortSignal) => {
    let left = Number.isFinite(ms) ? Math.max(0, ms) : MAX_TIMER_MS;
    do {
      const part = Math.min(left, MAX_TIMER_MS);
      await sleepOnce(part, signal);
      left -= part;
    } while (left > 0);
  },
});
