import type { Clock } from '@snapcopy/core';

/**
 * Real time sped up: `scale` virtual seconds pass per real second. The sandbox uses it
 * so that copies made by real clients visibly progress, fast.
 */
export class ScaledClock implements Clock {
  readonly scale: number;
  readonly #virtualStart: number;
  readonly #realStart: number;

  constructor(options: { scale?: number; start?: number } = {}) {
    this.scale = options.scale ?? 1;
    if (!(this.scale > 0)) throw new RangeError('ScaledClock: scale must be > 0');
    this.#realStart = Date.now();
    this.#virtualStart = options.start ?? this.#realStart;
  }

  now(): number {
    return this.#virtualStart + (Date.now() - this.#realStart) * this.scale;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms / this.scale),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
