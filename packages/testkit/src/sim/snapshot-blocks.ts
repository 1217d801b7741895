import {
  type BlockRanges,
  blockSpan,
  blocksToGiB,
  countBlocks,
  firstBlocks,
  gibToBlocks,
  intersectBlocks,
  lastBlocks,
  NO_BLOCKS,
  normalizeBlockRanges,
  subtractBlocks,
  unionBlocks,
} from './block-ranges.js';

/** Explicit blocks of a snapshot, relative to the previous snapshot of its volume. */
export interface SnapshotBlocksInput {
  /** Blocks written since the previous snapshot: `[start, end)` block index ranges. */
  readonly written?: Iterable<readonly [number, number]>;
  /** Blocks that held data in the previous snapshot and no longer do (trimmed). */
  readonly trimmed?: Iterable<readonly [number, number]>;
}

/** What {@link SnapshotBlockModel.record} needs to place a snapshot on its volume's timeline. */
export interface RecordSnapshotBlocks {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly volumeSizeGiB: number;
  /** Data in the snapshot, GiB. Default: the written blocks, else the volume size. */
  readonly sizeGiB?: number;
  /** GiB that differ from the previous snapshot of the volume (exact; checked). */
  readonly changedGiB?: number;
  /** Used when `changedGiB` is absent, moved into what the sizes allow. */
  readonly defaultChangedGiB?: number;
  readonly blocks?: SnapshotBlocksInput;
}

/** The sizes the model settled on, in GiB (whole blocks). */
export interface MeasuredSnapshot {
  readonly sizeGiB: number;
  readonly changedGiB: number;
}

interface TimelineEntry {
  readonly snapshotId: string;
  /** Blocks written or trimmed since the previous entry. */
  readonly touched: BlockRanges;
  /** Every block holding data in this snapshot. */
  readonly data: BlockRanges;
}

interface VolumeTimeline {
  volumeBlocks: number;
  readonly entries: TimelineEntry[];
}

interface Position {
  readonly volumeId: string;
  readonly index: number;
}

/** A snapshot model a caller got wrong: sizes that no block layout can give. */
export class SnapshotBlocksError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotBlocksError';
  }
}

/**
 * The block-level truth behind snapshot sizes. Each volume has a timeline of its snapshots
 * in creation order; each entry records which blocks were written or trimmed since the
 * previous one and the blocks its snapshot holds, all as ranges. A snapshot's `sizeGiB` is
 * its block count, its `changedGiB` the blocks that differ from the previous snapshot of
 * its volume, and the blocks that differ between any two snapshots of one volume are what
 * the EBS direct APIs' ListChangedBlocks reports and what an incremental copy moves. A
 * copy holds exactly its source's blocks, so it takes its source's place on the timeline.
 * Deleted snapshots stay on the timeline: the blocks changed between two survivors still
 * include what a deleted snapshot in between wrote.
 */
export class SnapshotBlockModel {
  readonly #volumes = new Map<string, VolumeTimeline>();
  readonly #positions = new Map<string, Position>();

  /**
   * Adds a snapshot at the end of its volume's timeline and returns its sizes. Without
   * explicit blocks the layout is generated: data fills the volume from block 0, a later
   * snapshot overwrites the highest blocks it changes and appends the new ones; the first
   * snapshot of a volume whose changed GiB are less than its size has an earlier, unknown
   * snapshot (deleted) holding the rest.
   */
  record(input: RecordSnapshotBlocks): MeasuredSnapshot {
    if (this.#positions.has(input.snapshotId)) {
      throw new SnapshotBlocksError(`snapshot ${input.snapshotId} is already on a volume timeline`);
    }
    const volumeBlocks = gibToBlocks(input.volumeSizeGiB);
    let timeline = this.#volumes.get(input.volumeId);
    const previous = timeline?.entries[timeline.entries.length - 1]?.data;
    const placed = input.blocks
      ? explicitLayout(input, previous ?? NO_BLOCKS, volumeBlocks)
      : generatedLayout(input, previous, volumeBlocks);
    if (!timeline) {
      timeline = { volumeBlocks, entries: [] };
      this.#volumes.set(input.volumeId, timeline);
    }
    timeline.volumeBlocks = Math.max(timeline.volumeBlocks, volumeBlocks);
    timeline.entries.push({ snapshotId: input.snapshotId, touched: placed.touched, data: placed.data });
    this.#positions.set(input.snapshotId, { volumeId: input.volumeId, index: timeline.entries.length - 1 });
    return {
      sizeGiB: blocksToGiB(countBlocks(placed.data)),
      changedGiB: blocksToGiB(countBlocks(placed.touched)),
    };
  }

  /** Records that `copyId` holds exactly the blocks of `sourceId` (a completed copy's data). */
  recordCopy(copyId: string, sourceId: string): void {
    const at = this.#positions.get(sourceId);
    if (at) this.#positions.set(copyId, at);
  }

  /** Whether the model knows the snapshot. */
  has(snapshotId: string): boolean {
    return this.#positions.has(snapshotId);
  }

  /** The volume (lineage) whose timeline the snapshot is on. */
  lineageOf(snapshotId: string): string | undefined {
    return this.#positions.get(snapshotId)?.volumeId;
  }

  /** Blocks the volume of the snapshot can hold. */
  volumeBlocksOf(snapshotId: string): number {
    const at = this.#position(snapshotId);
    return this.#volumes.get(at.volumeId)!.volumeBlocks;
  }

  /** Every block that holds data in the snapshot. */
  dataOf(snapshotId: string): BlockRanges {
    const at = this.#position(snapshotId);
    return this.#volumes.get(at.volumeId)!.entries[at.index]!.data;
  }

  /** Whether two snapshots are of one volume lineage (the only ones whose blocks compare). */
  related(a: string, b: string): boolean {
    const pa = this.#positions.get(a);
    const pb = this.#positions.get(b);
    return pa !== undefined && pb !== undefined && pa.volumeId === pb.volumeId;
  }

  /**
   * Blocks whose content differs between two snapshots of one volume: written or trimmed
   * by any snapshot after the older one up to the newer one, and holding data in at least
   * one of the two. Throws when the snapshots are not of one lineage.
   */
  changedBetween(a: string, b: string): BlockRanges {
    const pa = this.#position(a);
    const pb = this.#position(b);
    if (pa.volumeId !== pb.volumeId) {
      throw new SnapshotBlocksError(`${a} and ${b} are not snapshots of the same volume`);
    }
    if (pa.index === pb.index) return NO_BLOCKS;
    const entries = this.#volumes.get(pa.volumeId)!.entries;
    const lo = Math.min(pa.index, pb.index);
    const hi = Math.max(pa.index, pb.index);
    let touched: BlockRanges = NO_BLOCKS;
    for (let i = lo + 1; i <= hi; i++) touched = unionBlocks(touched, entries[i]!.touched);
    return intersectBlocks(touched, unionBlocks(entries[lo]!.data, entries[hi]!.data));
  }

  /** GiB that differ between two snapshots of one volume (see {@link changedBetween}). */
  changedGiBBetween(a: string, b: string): number {
    return blocksToGiB(countBlocks(this.changedBetween(a, b)));
  }

  #position(snapshotId: string): Position {
    const at = this.#positions.get(snapshotId);
    if (!at) throw new SnapshotBlocksError(`snapshot ${snapshotId} has no block model`);
    return at;
  }
}

interface Layout {
  readonly touched: BlockRanges;
  readonly data: BlockRanges;
}

function explicitLayout(input: RecordSnapshotBlocks, previous: BlockRanges, volumeBlocks: number): Layout {
  const written = normalizeBlockRanges(input.blocks?.written ?? []);
  const trimmed = intersectBlocks(normalizeBlockRanges(input.blocks?.trimmed ?? []), previous);
  const beyond = written.find(([, end]) => end > volumeBlocks);
  if (beyond) {
    throw new SnapshotBlocksError(
      `snapshot ${input.snapshotId} writes block ${beyond[1] - 1}, past the end of its ${input.volumeSizeGiB} GiB volume (${volumeBlocks} blocks)`,
    );
  }
  const data = unionBlocks(subtractBlocks(previous, trimmed), written);
  const touched = unionBlocks(written, trimmed);
  const layout = { touched, data };
  checkStated(input, layout);
  return layout;
}

function checkStated(input: RecordSnapshotBlocks, layout: Layout): void {
  const size = countBlocks(layout.data);
  const changed = countBlocks(layout.touched);
  if (input.sizeGiB !== undefined && gibToBlocks(input.sizeGiB) !== size) {
    throw new SnapshotBlocksError(
      `snapshot ${input.snapshotId}: sizeGiB ${input.sizeGiB} does not match its blocks (${blocksToGiB(size)} GiB)`,
    );
  }
  if (input.changedGiB !== undefined && gibToBlocks(input.changedGiB) !== changed) {
    throw new SnapshotBlocksError(
      `snapshot ${input.snapshotId}: changedGiB ${input.changedGiB} does not match its blocks (${blocksToGiB(changed)} GiB)`,
    );
  }
}

/** The changed blocks a generated layout can have: [min, max]. */
function changedBounds(size: number, previous: number | undefined): readonly [number, number] {
  if (previous === undefined) return [0, size];
  return size >= previous ? [size - previous, size] : [previous - size, previous];
}

function generatedLayout(
  input: RecordSnapshotBlocks,
  previous: BlockRanges | undefined,
  volumeBlocks: number,
): Layout {
  const size = gibToBlocks(input.sizeGiB ?? input.volumeSizeGiB);
  const prevCount = previous === undefined ? undefined : countBlocks(previous);
  const [min, max] = changedBounds(size, prevCount);
  let changed: number;
  if (input.changedGiB !== undefined) {
    changed = gibToBlocks(input.changedGiB);
    if (changed < min || changed > max) {
      throw new SnapshotBlocksError(
        prevCount === undefined
          ? `snapshot ${input.snapshotId}: changedGiB ${input.changedGiB} exceeds its size ${input.sizeGiB} GiB`
          : `snapshot ${input.snapshotId}: changedGiB ${input.changedGiB} is impossible after a ${blocksToGiB(prevCount)} GiB snapshot when it holds ${blocksToGiB(size)} GiB (between ${blocksToGiB(min)} and ${blocksToGiB(max)})`,
      );
    }
  } else {
    changed = Math.min(max, Math.max(min, gibToBlocks(input.defaultChangedGiB ?? blocksToGiB(size))));
  }
  if (size > volumeBlocks) {
    throw new SnapshotBlocksError(
      `snapshot ${input.snapshotId} holds ${blocksToGiB(size)} GiB, more than its ${input.volumeSizeGiB} GiB volume`,
    );
  }
  if (previous === undefined) {
    // The unchanged part was written by an earlier snapshot the world does not know.
    return { touched: blockSpan(size - changed, size), data: blockSpan(0, size) };
  }
  const prev = prevCount!;
  if (size >= prev) {
    const grown = size - prev;
    const free = subtractBlocks(blockSpan(0, volumeBlocks), previous);
    const added = firstBlocks(free, grown);
    if (countBlocks(added) < grown) {
      throw new SnapshotBlocksError(
        `snapshot ${input.snapshotId} grows past the end of its ${input.volumeSizeGiB} GiB volume`,
      );
    }
    const overwritten = lastBlocks(previous, changed - grown);
    return { touched: unionBlocks(overwritten, added), data: unionBlocks(previous, added) };
  }
  const trimmed = lastBlocks(previous, prev - size);
  const kept = subtractBlocks(previous, trimmed);
  const overwritten = lastBlocks(kept, changed - (prev - size));
  return { touched: unionBlocks(trimmed, overwritten), data: kept };
}
