import { Heap } from 'heap-js';

/**
 * Items waiting for their turn, in order, some not before a given time. Taking the next
 * due item and adding one are O(log n), so a queue of 100,000 requests is scheduled in
 * O(n log n), not O(n²) (no array scans or splices from the front).
 *
 * Order: an item added `first` (a retry, a throttled call) comes before the others; items
 * that become due after a wait come before the others too (they were retries); the rest
 * keep the order they were added in.
 */
export class DueQueue<T> {
  /** Due items put back at the front: the last pushed is taken first. */
  readonly #front: T[] = [];
  /** Due items in arrival order, read from `#head`. */
  #back: (T | undefined)[] = [];
  #head = 0;
  /** Items not due yet: a binary min-heap on (at, seq). */
  readonly #waiting = new Heap<{ at: number; seq: number; item: T }>((a, b) => a.at - b.at || a.seq - b.seq);
  #seq = 0;

  /** Number of items, due or not. */
  get size(): number {
    return this.#front.length + this.#back.length - this.#head + this.#waiting.size();
  }

  /** Adds an item, due at `notBefore` (ms; default now); `first` puts it ahead of the due ones. */
  add(item: T, now: number, options: { readonly notBefore?: number; readonly first?: boolean } = {}): void {
    const notBefore = options.notBefore ?? 0;
    const first = options.first ?? false;
    if (notBefore > now) {
      this.#waiting.push({ at: notBefore, seq: this.#seq++, item });
    } else if (first) {
      this.#front.push(item);
    } else {
      this.#back.push(item);
    }
  }

  /** The next item due at `now`, removed; undefined when none is due. */
  take(now: number): T | undefined {
    // Waits that are over go to the front, earliest first.
    const due: T[] = [];
    while ((this.#waiting.peek()?.at ?? Number.POSITIVE_INFINITY) <= now) due.push(this.#waiting.pop()!.item);
    for (let i = due.length - 1; i >= 0; i--) this.#front.push(due[i]!);
    if (this.#front.length > 0) return this.#front.pop();
    if (this.#head < this.#back.length) {
      const item = this.#back[this.#head] as T;
      this.#back[this.#head++] = undefined;
      if (this.#head > 1024 && this.#head * 2 > this.#back.length) {
        this.#back = this.#back.slice(this.#head);
        this.#head = 0;
      }
      return item;
    }
    return undefined;
  }

  /** True when an item is due at `now`. */
  hasDue(now: number): boolean {
    return (
      this.#front.length > 0 ||
      this.#head < this.#back.length ||
      (this.#waiting.peek()?.at ?? Number.POSITIVE_INFINITY) <= now
    );
  }

  /** When the next item is due: `now` or earlier if one is due, Infinity when empty. */
  nextDueAt(): number {
    if (this.#front.length > 0 || this.#head < this.#back.length) return Number.NEGATIVE_INFINITY;
    return this.#waiting.peek()?.at ?? Number.POSITIVE_INFINITY;
  }

  /** Removes and returns every item: front, then arrival order, then the waiting ones by time. */
  drain(): T[] {
    const out = [...this.#front.reverse(), ...(this.#back.slice(this.#head) as T[])];
    const waiting: T[] = [];
    while (this.#waiting.size() > 0) waiting.push(this.#waiting.pop()!.item);
    this.#front.length = 0;
    this.#back = [];
    this.#head = 0;
    return [...out, ...waiting];
  }
}
