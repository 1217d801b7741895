import { createHash } from 'node:crypto';

/**
 * The set of source snapshots a policy has already copied into one destination, held as
 * one 64-bit fingerprint per copy in a sorted typed array: 8 bytes a copy, so a pass over
 * 100,000 copies holds under 1 MB per destination instead of 100,000 strings. Two
 * distinct sources share a fingerprint with probability about n·m/2^64 for m new
 * snapshots against n copies (5·10^-12 for 1,000 against 100,000); the client token still
 * prevents a duplicate either way, only such a pair's copy would be skipped.
 */
export class CopiedIndex {
  #values = new BigUint64Array(1024);
  #size = 0;
  #sorted = true;

  static fingerprint(sourceRegion: string, sourceSnapshotId: string): bigint {
    return createHash('sha256')
      .update(sourceRegion)
      .update('\u0000')
      .update(sourceSnapshotId)
      .digest()
      .readBigUInt64BE(0);
  }

  add(sourceRegion: string, sourceSnapshotId: string): void {
    if (this.#size === this.#values.length) {
      const bigger = new BigUint64Array(this.#values.length * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#size++] = CopiedIndex.fingerprint(sourceRegion, sourceSnapshotId);
    this.#sorted = false;
  }

  has(sourceRegion: string, sourceSnapshotId: string): boolean {
    if (!this.#sorted) {
      this.#values.subarray(0, this.#size).sort();
      this.#sorted = true;
    }
    const want = CopiedIndex.fingerprint(sourceRegion, sourceSnapshotId);
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.#values[mid]!;
      if (v === want) return true;
      if (v < want) lo = mid + 1;
      else hi = mid;
    }
    return false;
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes the fingerprints take. */
  get bytes(): number {
    return this.#values.byteLength;
  }
}
