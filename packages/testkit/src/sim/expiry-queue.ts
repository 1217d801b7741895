import { Heap } from 'heap-js';

interface Entry {
  readonly at: number;
  readonly id: string;
}

/**
 * A min-heap of (time, id): the snapshots whose retention may end, earliest first. An
 * entry is a time to look again, not a verdict: the owner re-checks the snapshot when it
 * comes due (its retention may have been extended, or it may be gone) and pushes a new
 * entry if needed. Advancing the clock by 400 days costs one pop per snapshot due, not
 * one step per day.
 */
export class ExpiryQueue {
  readonly #heap = new Heap<Entry>((a, b) => a.at - b.at);

  get size(): number {
    return this.#heap.size();
  }

  /** The earliest time in the queue, if any. */
  peek(): number | undefined {
    return this.#heap.peek()?.at;
  }

  push(id: string, at: number): void {
    this.#heap.push({ id, at });
  }

  /** Removes and returns the ids due at or before `now`, earliest first. */
  popDue(now: number): string[] {
    const out: string[] = [];
    while ((this.#heap.peek()?.at ?? Number.POSITIVE_INFINITY) <= now) out.push(this.#heap.pop()!.id);
    return out;
  }
}
