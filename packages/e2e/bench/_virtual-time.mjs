// Virtual time for benchmarks that drive the real SDKs through nock: it moves only when no
// provider call is in flight. Shared by the orchestrator and policy benchmarks.

/**
 * Virtual time that moves only when no provider call is in flight: the next due sleep is
 * released once the event loop is idle and every tracked call has returned. (A clock that
 * jumps while HTTP requests are still being answered would make calls look minutes long.)
 */
export class QuiescentClock {
  #now = Date.UTC(2026, 0, 1);
  #timers = [];
  #seq = 0;
  #scheduled = false;
  #inflight = 0;

  now() {
    return this.#now;
  }

  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve };
      signal?.addEventListener(
        'abort',
        () => {
          this.#timers = this.#timers.filter((t) => t !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
      this.#timers.push(timer);
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      this.#kick();
    });
  }

  /** Counts `fn()` as a call in flight until it settles. */
  async track(fn) {
    this.#inflight++;
    try {
      return await fn();
    } finally {
      this.#inflight--;
      this.#kick();
    }
  }

  #kick() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#inflight > 0 || this.#timers.length === 0) return;
      const due = this.#timers[0].at;
      this.#now = Math.max(this.#now, due);
      while (this.#timers.length > 0 && this.#timers[0].at <= due) this.#timers.shift().resolve();
      this.#kick();
    });
  }
}

/**
 * The copier, with every provider call counted as in flight on `clock` (a listing's pages
 * are read before any sleep is due, and `validate` makes no call).
 */
export function trackedCopier(copier, clock) {
  return {
    provider: copier.provider,
    capabilities: copier.capabilities,
    validate: (r) => copier.validate(r),
    find: (r, o) => clock.track(() => copier.find(r, o)),
    ...(copier.planMany ? { planMany: (rs, o) => clock.track(() => copier.planMany(rs, o)) } : {}),
    ...(copier.findMany ? { findMany: (rs, o) => clock.track(() => copier.findMany(rs, o)) } : {}),
    list: (q, o) => copier.list(q, o),
    keyAccess: (region, key, o) => clock.track(() => copier.keyAccess(region, key, o)),
    plan: (r, o) => clock.track(() => copier.plan(r, o)),
    copy: (r, o) => clock.track(() => copier.copy(r, o)),
    status: (refs, o) => clock.track(() => copier.status(refs, o)),
    wait: (ref, o) => copier.wait(ref, o),
    cancel: (ref, o) => clock.track(() => copier.cancel(ref, o)),
  };
}
