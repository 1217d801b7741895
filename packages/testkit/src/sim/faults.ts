/** What a simulator can do to a request instead of (or besides) serving it. */
export type FaultKind =
  /** Reject with the cloud's throttling error; nothing is applied. */
  | 'throttle'
  /** Reject with a 5xx internal error; nothing is applied. */
  | 'server-error'
  /** Apply the request, then drop the connection: the caller sees a failure, the effect exists. */
  | 'drop-after'
  /** Reset the connection before anything is applied. */
  | 'reset'
  /**
   * Apply the request, then never answer: the connection stays open until the caller
   * gives up (its timeout or abort) or the server closes. An endpoint that hangs.
   */
  | 'hang-after'
  /**
   * Apply the request, then answer 200 with a body that is not the cloud's reply (a
   * proxy's or captive portal's HTML page): the caller must not read it as an answer.
   */
  | 'garbage'
  /** Serve normally after a real-time delay of `latencyMs`. */
  | 'latency'
  /**
   * Accept the connection and never answer (nothing is applied) until
   * {@link FaultInjector.releaseHangs} runs — the sandbox calls it when it stops — then drop it.
   */
  | 'hang';

/** One fault rule. `times` counts down per matching request; `probability` draws per request. */
export interface FaultRule {
  /** Operation name, or `*` for every operation. */
  readonly operation: string;
  readonly kind: FaultKind;
  /** Affect the next N matching requests (default: unlimited when `probability` is set, else 1). */
  readonly times?: number;
  /** Affect each matching request with this probability (seeded, reproducible). */
  readonly probability?: number;
  /** For `latency`: real milliseconds to wait. */
  readonly latencyMs?: number;
}

interface LiveRule extends FaultRule {
  remaining: number;
}

/** mulberry32: small, fast, seedable; reproducible chaos. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Per-operation fault injection for a simulator. */
export class FaultInjector {
  #rules: LiveRule[] = [];
  #random: () => number;
  /** Faults injected so far, by kind. */
  readonly injected: Record<FaultKind, number> = {
    throttle: 0,
    'server-error': 0,
    'drop-after': 0,
    reset: 0,
    'hang-after': 0,
    garbage: 0,
    latency: 0,
    hang: 0,
  };
  readonly #hung = new Set<() => void>();

  constructor(seed = 1) {
    this.#random = seededRandom(seed);
  }

  /** Adds a rule; rules are consulted in the order added. */
  add(rule: FaultRule): this {
    const remaining = rule.times ?? (rule.probability === undefined ? 1 : Number.POSITIVE_INFINITY);
    this.#rules.push({ ...rule, remaining });
    return this;
  }

  /** Throttle the next `n` requests for `operation`. */
  throttleNext(operation: string, n = 1): this {
    return this.add({ operation, kind: 'throttle', times: n });
  }

  /** Fail the next `n` requests with a 5xx. */
  failNext(operation: string, n = 1): this {
    return this.add({ operation, kind: 'server-error', times: n });
  }

  /** Apply the next `n` requests, then drop their responses. */
  dropResponseNext(operation: string, n = 1): this {
    return this.add({ operation, kind: 'drop-after', times: n });
  }

  /** Reset the connection of the next `n` requests before applying them. */
  resetNext(operation: string, n = 1): this {
    return this.add({ operation, kind: 'reset', times: n });
  }

  /** Apply the next `n` requests, then answer them with a 200 that is not the cloud's reply. */
  garbageNext(operation: string, n = 1): this {
    return this.add({ operation, kind: 'garbage', times: n });
  }

  /** Random faults on every request of the listed operations (all by default). */
  chaos(
    rates: Partial<Record<'throttle' | 'server-error' | 'drop-after' | 'reset' | 'garbage', number>>,
    operation = '*',
  ): this {
    for (const [kind, probability] of Object.entries(rates)) {
      if (probability && probability > 0) this.add({ operation, kind: kind as FaultKind, probability });
    }
    return this;
  }

  /** Hang the next `n` requests for `operation` until {@link releaseHangs}. */
  hangNext(operation: string, n = 1): this {
    return this.add({ operation, kind: 'hang', times: n });
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules = [];
  }

  /**
   * What a front-end awaits for a `hang` fault: resolves only when {@link releaseHangs}
   * runs, so a hung request holds its connection without a timer of its own.
   */
  hang(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#hung.add(resolve);
    });
  }

  /** Requests hanging now. */
  get hanging(): number {
    return this.#hung.size;
  }

  /** Lets every hung request go (its connection is then dropped, never answered). */
  releaseHangs(): void {
    const waiting = [...this.#hung];
    this.#hung.clear();
    for (const resolve of waiting) resolve();
  }

  /**
   * The fault for this request, if any; consumes a count of the matching rule. `also`
   * names finer kinds of the operation that rules may target (e.g. a lookup by tag).
   */
  pick(operation: string, ...also: string[]): { kind: FaultKind; latencyMs: number } | undefined {
    for (const rule of this.#rules) {
      if (rule.remaining <= 0) continue;
      if (rule.operation !== '*' && rule.operation !== operation && !also.includes(rule.operation)) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      rule.remaining -= 1;
      this.injected[rule.kind] += 1;
      return { kind: rule.kind, latencyMs: rule.latencyMs ?? 0 };
    }
    return undefined;
  }
}

/** What a `garbage` fault answers: a 200 HTML page, as a proxy in the way would send. */
export const GARBAGE_REPLY = Object.freeze({
  status: 200,
  headers: Object.freeze({ 'content-type': 'text/html; charset=utf-8' }),
  body: '<!DOCTYPE html><html><head><title>Welcome</title></head><body><p>It works!</p></body></html>',
});

/**
 * A token bucket in virtual time: `capacity` tokens, refilled at `refillPerSecond`.
 * EC2 throttles each API action this way.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    now: number,
  ) {
    this.#tokens = capacity;
    this.#last = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#last) / 1000;
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsed * this.refillPerSecond);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
