import type { BatchItemState, ItemPhase } from './batch-item.js';
import type { BatchCounts, CopyOutcome } from './types.js';

type Bucket = 'queued' | 'copying' | 'running' | 'completed' | 'failed' | 'cancelled' | 'notFinished';

function bucketOf(phase: ItemPhase, outcome: CopyOutcome | undefined): Bucket {
  if (phase !== 'done') return phase;
  if (outcome === 'completed' || outcome === 'failed' || outcome === 'cancelled') return outcome;
  return 'notFinished';
}

/** Every count of a batch but its total, at zero. */
export function zeroCounts(): Omit<BatchCounts, 'total'> {
  return { queued: 0, copying: 0, running: 0, completed: 0, failed: 0, cancelled: 0, notFinished: 0 };
}

/**
 * A batch's counts per stage and mean percent, kept up to date as items move, so that
 * reporting after each change costs O(1) rather than a pass over every request (which
 * made a batch of many quickly-failing requests quadratic).
 */
export class BatchProgress {
  readonly #counts: Record<Bucket, number> = zeroCounts();
  readonly #percentOf = new Map<number, number>();
  #percentSum = 0;
  readonly #total: number;

  constructor(items: readonly BatchItemState[]) {
    this.#total = items.length;
    for (const item of items) {
      this.#counts[bucketOf(item.phase, item.outcome)] += 1;
      const p = item.phase === 'done' ? 100 : (item.status?.progress ?? 0);
      this.#percentOf.set(item.index, p);
      this.#percentSum += p;
    }
  }

  /** Moves an item to `phase` (and, for `done`, its outcome), keeping the counts right. */
  move(item: BatchItemState, phase: ItemPhase, outcome?: CopyOutcome): void {
    this.#counts[bucketOf(item.phase, item.outcome)] -= 1;
    item.phase = phase;
    if (outcome !== undefined) item.outcome = outcome;
    this.#counts[bucketOf(item.phase, item.outcome)] += 1;
    this.#setPercent(item, phase === 'done' ? 100 : (item.status?.progress ?? 0));
  }

  /** Records a progress reading of a running item. */
  progressed(item: BatchItemState): void {
    if (item.phase !== 'done') this.#setPercent(item, item.status?.progress ?? 0);
  }

  #setPercent(item: BatchItemState, p: number): void {
    this.#percentSum += p - (this.#percentOf.get(item.index) ?? 0);
    this.#percentOf.set(item.index, p);
  }

  counts(): BatchCounts {
    return { total: this.#total, ...this.#counts };
  }

  /** Mean progress over every request, 0-100 (finished ones count 100). */
  percent(): number {
    return this.#total === 0 ? 100 : this.#percentSum / this.#total;
  }
}
