import { type Clock, systemClock } from '@snapcopy/core';

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

  /** Waits `ms` of virtual time: `ms / scale` real milliseconds, abortable like the system clock. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(Math.max(0, ms / this.scale), signal);
  }
}
