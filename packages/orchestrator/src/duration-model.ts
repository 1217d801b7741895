/**
 * How long copies of one queue take, learned from those that finished: the median of
 * the last {@link DurationModel.window} copies' milliseconds per GiB moved, times the next
 * copy's size. Only copies seen from their start count (a resumed copy's duration is
 * unknown).
 */
export class DurationModel {
  /** Copies remembered. */
  static readonly window = 50;
  readonly #msPerGiB: number[] = [];

  /** Records a copy of `sizeGiB` that took `ms` from start to completion. */
  learn(ms: number, sizeGiB: number): void {
    if (!(ms > 0) || !(sizeGiB > 0)) return;
    this.#msPerGiB.push(ms / sizeGiB);
    if (this.#msPerGiB.length > DurationModel.window) this.#msPerGiB.shift();
  }

  /** Expected duration of a copy of `sizeGiB`, ms; undefined until a copy finished. */
  expectedMs(sizeGiB: number): number | undefined {
    if (this.#msPerGiB.length === 0) return undefined;
    const sorted = [...this.#msPerGiB].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]! * sizeGiB;
  }
}

/**
 * GiB a copy moves, as its plan says (a snapshot's or an image's: the sum over its backing
 * snapshots); at least 1 so that tiny copies still count time.
 */
export function copySizeGiB(plan: { billableGiB: { transfer: number }; source: object } | undefined): number {
  const sourceSize = (plan?.source as { sizeGiB?: number } | undefined)?.sizeGiB;
  return Math.max(1, plan?.billableGiB.transfer ?? sourceSize ?? 1);
}
