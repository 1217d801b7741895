import type { Clock } from '@snapcopy/core';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * A clock whose time moves only when told to. `advance(ms)` moves it by hand; with
 * `autoAdvance` (the default) it jumps to the earliest pending sleep as soon as the
 * event loop has nothing else queued, so code that sleeps runs at once, in virtual-time
 * order, and tests never wait for real time.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];
  #scheduled = false;
  readonly autoAdvance: boolean;

  constructor(options: { start?: number | Date; autoAdvance?: boolean } = {}) {
    const start = options.start ?? Date.UTC(2026, 0, 1);
    this.#now = typeof start === 'number' ? start : start.getTime();
    this.autoAdvance = options.autoAdvance ?? true;
  }

  now(): number {
    return this.#now;
  }

  /** Number of sleeps not yet finished. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      if (this.autoAdvance) this.#schedule();
    });
  }

  /** Moves time forward by `ms`, waking every sleep that falls due, in order. */
  advance(ms: number): void {
    const target = this.#now + Math.max(0, ms);
    while (this.#timers.length > 0 && this.#timers[0]!.at <= target) {
      const timer = this.#timers.shift()!;
      this.#now = Math.max(this.#now, timer.at);
      timer.resolve();
    }
    this.#now = target;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate runs after pending I/O callbacks and microtasks: sleeps registered
    // together are released together, earliest first.
    setImmediate(() => {
      this.#scheduled = false;
      const next = this.#timers[0];
      if (!next) return;
      const due = next.at;
      this.#now = Math.max(this.#now, due);
      while (this.#timers.length > 0 && this.#timers[0]!.at <= due) this.#timers.shift()!.resolve();
      if (this.#timers.length > 0) this.#schedule();
    });
  }
}
