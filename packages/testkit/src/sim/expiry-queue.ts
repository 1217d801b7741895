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
  readonly #heap: Entry[] = [];

  get size(): number {
    return this.#heap.length;
  }

  /** The earliest time in the queue, if any. */
  peek(): number | undefined {
    return this.#heap[0]?.at;
  }

  push(id: string, at: number): void {
    const h = this.#heap;
    h.push({ id, at });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= h[i]!.at) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  /** Removes and returns the ids due at or before `now`, earliest first. */
  popDue(now: number): string[] {
    const out: string[] = [];
    while (this.#heap.length > 0 && this.#heap[0]!.at <= now) out.push(this.#pop().id);
    return out;
  }

  #pop(): Entry {
    const h = this.#heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.at < h[m]!.at) m = l;
        if (r < h.length && h[r]!.at < h[m]!.at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
