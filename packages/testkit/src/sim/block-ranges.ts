/**
 * Sets of block indexes kept as sorted, disjoint, half-open ranges `[start, end)`, so a
 * 16 TiB volume (33,554,432 blocks of 512 KiB) costs a handful of numbers, not one entry
 * per block. Every function returns a new normalized value and never mutates its input.
 */

/** One range of block indexes, `[start, end)`. */
export type BlockRange = readonly [start: number, end: number];
/** Sorted, disjoint, non-adjacent ranges. */
export type BlockRanges = readonly BlockRange[];

/** Bytes in one block, as the EBS direct APIs report it in `BlockSize`. */
export const BLOCK_BYTES = 524_288;
/** Blocks in one GiB. */
export const BLOCKS_PER_GIB = (1024 * 1024 * 1024) / BLOCK_BYTES;

/** GiB as a whole number of blocks (rounded to the nearest block). */
export function gibToBlocks(gib: number): number {
  return Math.round(gib * BLOCKS_PER_GIB);
}

/** A block count in GiB. */
export function blocksToGiB(blocks: number): number {
  return blocks / BLOCKS_PER_GIB;
}

/** The empty set. */
export const NO_BLOCKS: BlockRanges = Object.freeze([]);

/** `[start, end)` as a set (empty when `end <= start`). */
export function blockSpan(start: number, end: number): BlockRanges {
  return end > start ? [[start, end]] : NO_BLOCKS;
}

/**
 * Sorts and merges ranges given in any order. Throws a `RangeError` for a range whose
 * bounds are not non-negative integers with `start < end`.
 */
export function normalizeBlockRanges(ranges: Iterable<readonly [number, number]>): BlockRanges {
  const list: [number, number][] = [];
  for (const [start, end] of ranges) {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start) {
      throw new RangeError(
        `block range [${start}, ${end}) is not valid: use whole block indexes with 0 <= start < end`,
      );
    }
    list.push([start, end]);
  }
  list.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [start, end] of list) {
    const last = out[out.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

/** Number of blocks in the set. */
export function countBlocks(ranges: BlockRanges): number {
  let n = 0;
  for (const [start, end] of ranges) n += end - start;
  return n;
}

/** Blocks in either set. */
export function unionBlocks(a: BlockRanges, b: BlockRanges): BlockRanges {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return normalizeBlockRanges([...a, ...b]);
}

/** Blocks in both sets. */
export function intersectBlocks(a: BlockRanges, b: BlockRanges): BlockRanges {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [as, ae] = a[i]!;
    const [bs, be] = b[j]!;
    const start = Math.max(as, bs);
    const end = Math.min(ae, be);
    if (start < end) out.push([start, end]);
    if (ae < be) i++;
    else j++;
  }
  return out;
}

/** Blocks of `a` that are not in `b`. */
export function subtractBlocks(a: BlockRanges, b: BlockRanges): BlockRanges {
  if (a.length === 0 || b.length === 0) return a;
  const out: [number, number][] = [];
  let j = 0;
  for (const [start0, end] of a) {
    let start = start0;
    while (j < b.length && b[j]![1] <= start) j++;
    let k = j;
    while (k < b.length && b[k]![0] < end) {
      const [bs, be] = b[k]!;
      if (bs > start) out.push([start, bs]);
      start = Math.max(start, be);
      if (start >= end) break;
      k++;
    }
    if (start < end) out.push([start, end]);
  }
  return out;
}

/** The `n` lowest blocks of the set (all of it when it has fewer). */
export function firstBlocks(ranges: BlockRanges, n: number): BlockRanges {
  const out: [number, number][] = [];
  let left = n;
  for (const [start, end] of ranges) {
    if (left <= 0) break;
    const take = Math.min(left, end - start);
    out.push([start, start + take]);
    left -= take;
  }
  return out;
}

/** The `n` highest blocks of the set (all of it when it has fewer). */
export function lastBlocks(ranges: BlockRanges, n: number): BlockRanges {
  const out: [number, number][] = [];
  let left = n;
  for (let i = ranges.length - 1; i >= 0 && left > 0; i--) {
    const [start, end] = ranges[i]!;
    const take = Math.min(left, end - start);
    out.unshift([end - take, end]);
    left -= take;
  }
  return out;
}

/**
 * Up to `max` block indexes of the set from `from` on, in ascending order, and the index
 * to continue from when more remain.
 */
export function blockIndexesFrom(
  ranges: BlockRanges,
  from: number,
  max: number,
): { readonly indexes: number[]; readonly next?: number } {
  const indexes: number[] = [];
  for (const [start, end] of ranges) {
    if (end <= from) continue;
    for (let b = Math.max(start, from); b < end; b++) {
      if (indexes.length === max) return { indexes, next: b };
      indexes.push(b);
    }
  }
  return { indexes };
}

/** Whether a block index is in the set. */
export function hasBlock(ranges: BlockRanges, index: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = ranges[mid]!;
    if (index < start) hi = mid - 1;
    else if (index >= end) lo = mid + 1;
    else return true;
  }
  return false;
}
