import { type Clock, systemClock } from '@snapcopy/core';

/**
 * Real time sped up: `scale` virtual seconds pass per real second. The sandbox uses it
 * so that copies made by real clients visibly progress, fast.
 */
export class ScaledClock implements Clock {
  readonly scale: number;
  readonly #virtualStart: number;
  readonly #realStart: number;
  #skippedMs = 0;

  /**
   * `start`: the virtual time at `realStart` (default: real now). `realStart`: the real
   * epoch ms it counts from (default: now); processes that pass the same `start`,
   * `realStart` and `scale` share one clock.
   */
  constructor(options: { scale?: number; start?: number; realStart?: number } = {}) {
    this.scale = options.scale ?? 1;
    if (!(this.scale > 0)) throw new RangeError('ScaledClock: scale must be > 0');
    this.#realStart = options.realStart ?? Date.now();
    this.#virtualStart = options.start ?? this.#realStart;
  }

  now(): number {
    return this.#virtualStart + this.#skippedMs + (Date.now() - this.#realStart) * this.scale;
  }

  /**
   * Jumps `ms` of virtual time ahead at once (the sandbox's "advance the clock"). Sleeps
   * already running keep their real-time deadlines: clients in other processes poll.
   */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError('ScaledClock: advance takes ms >= 0');
    this.#skippedMs += ms;
  }

  /** Waits `ms` of virtual time: `ms / scale` real milliseconds, abortable like the system clock. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(Math.max(0, ms / this.scale), signal);
  }
}
