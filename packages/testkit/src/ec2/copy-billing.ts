import type { LedgerEntry } from '../sim/ledger.js';

/** A snapshot's encryption, as billing compares it. */
export interface BillingKeyView {
  readonly encrypted: boolean;
  readonly kmsKeyArn?: string;
}

/**
 * A snapshot of the copied volume's lineage that the caller holds (or held) in the
 * destination region: earlier copies, live or deleted.
 */
export interface DestinationLineageSnapshot extends BillingKeyView {
  readonly id: string;
  /** The snapshot whose blocks it holds: a copy's source, else itself. */
  readonly blocksOf: string;
  /**
   * When it completed or will complete, ms; undefined when it never will (it failed or is
   * going to fail).
   */
  readonly completesAt?: number;
  /** Deleted, or a delete waits for it to complete (then it is gone as soon as it exists). */
  readonly gone: boolean;
  /** Moved to the archive tier. */
  readonly archived: boolean;
}

/** What decides what a copy transfers and stores. */
export interface CopyBillingInput {
  readonly account: string;
  readonly source: BillingKeyView & {
    readonly id: string;
    readonly region: string;
    readonly account: string;
    readonly sizeGiB: number;
  };
  readonly destinationRegion: string;
  readonly destination: BillingKeyView;
  /** The caller's snapshots of the source's volume lineage in the destination region, ever. */
  readonly destinationLineage: readonly DestinationLineageSnapshot[];
  /** The clock's now, ms: a base copy still pending makes the new copy wait for it. */
  readonly now: number;
  /** GiB whose blocks differ between the source and the snapshot `blocksOf` names. */
  readonly changedGiBSince: (blocksOf: string) => number;
  readonly completionDurationMinutes?: number;
}

/** Why a copy is full or incremental, in the user guide's terms. */
export type IncrementalDecision =
  | { readonly incremental: false; readonly reason: string }
  | {
      readonly incremental: true;
      /** The most recent copy in the destination, the one the new copy builds on. */
      readonly base: DestinationLineageSnapshot;
      /** How long the new copy waits for a base copy that is still pending, ms. */
      readonly waitMs: number;
    };

/**
 * The ledger entry of a copy, the GiB that must move (they set the copy's duration), the
 * wait for a pending base copy, and the decision behind them.
 */
export type CopyBilling = Omit<LedgerEntry, 'at' | 'snapshotId'> & {
  readonly movedGiB: number;
  readonly waitMs: number;
  readonly decision: IncrementalDecision;
};

const sameKey = (a: BillingKeyView, b: BillingKeyView) =>
  a.encrypted === b.encrypted && (!a.encrypted || a.kmsKeyArn === b.kmsKeyArn);

/**
 * Whether a cross-region or cross-account copy is incremental, from the EBS user guide
 * ("Copy an Amazon EBS snapshot", incremental snapshot copying): the most recently
 * completed copy of the lineage in the destination decides. The copy is incremental when
 * the lineage was copied there before, that most recent copy still exists and is not
 * archived, and every copy there is unencrypted or under the same KMS key as the new
 * one. A deleted most recent copy makes the next copy full even when older copies
 * remain. A copy still pending counts as the most recent once it completes: the new copy
 * starts after it (as the guide's earlier wording says) and builds on it. A copy that
 * fails never completes and does not count.
 */
export function decideIncremental(
  lineage: readonly DestinationLineageSnapshot[],
  destination: BillingKeyView,
  now: number,
): IncrementalDecision {
  let mostRecent: DestinationLineageSnapshot | undefined;
  for (const s of lineage) {
    if (s.completesAt === undefined) continue;
    if (!mostRecent || s.completesAt >= mostRecent.completesAt!) mostRecent = s;
  }
  if (!mostRecent) return { incremental: false, reason: 'no earlier copy of the lineage in the destination' };
  if (mostRecent.gone) return { incremental: false, reason: 'the most recent copy was deleted' };
  if (mostRecent.archived) return { incremental: false, reason: 'the most recent copy is archived' };
  const present = lineage.filter((s) => !s.gone && s.completesAt !== undefined);
  if (!present.every((s) => sameKey(s, destination))) {
    return {
      incremental: false,
      reason: 'copies in the destination are not all unencrypted or under the same KMS key',
    };
  }
  return { incremental: true, base: mostRecent, waitMs: Math.max(0, mostRecent.completesAt! - now) };
}

/**
 * EBS copy billing, as the simulated cloud computes it:
 * - same account and region, encryption and key unchanged: metadata only, free;
 * - incremental ({@link decideIncremental}): the blocks that differ between the source
 *   and the snapshot the most recent destination copy was made from, exactly what
 *   ListChangedBlocks reports for that pair;
 * - otherwise a full copy of the snapshot;
 * - data transfer is charged only across regions; time-based copy adds a per-GiB fee.
 */
export function computeCopyBilling(input: CopyBillingInput): CopyBilling {
  const { source } = input;
  const crossRegion = source.region !== input.destinationRegion;
  const base = {
    cloud: 'ec2' as const,
    account: input.account,
    sourceSnapshotId: source.id,
    sourceRegion: source.region,
    destinationRegion: input.destinationRegion,
  };
  if (!crossRegion && source.account === input.account && sameKey(source, input.destination)) {
    return {
      ...base,
      sizeBasis: 'none',
      transfer: 'none',
      transferGiB: 0,
      storageGiB: 0,
      timeBasedGiB: 0,
      movedGiB: 0,
      waitMs: 0,
      decision: { incremental: false, reason: 'same account, region and key: metadata only' },
    };
  }
  const decision = decideIncremental(input.destinationLineage, input.destination, input.now);
  const movedGiB = decision.incremental ? input.changedGiBSince(decision.base.blocksOf) : source.sizeGiB;
  return {
    ...base,
    sizeBasis: decision.incremental ? 'delta' : 'snapshot',
    transfer: decision.incremental ? 'incremental' : 'full',
    transferGiB: crossRegion ? movedGiB : 0,
    storageGiB: movedGiB,
    timeBasedGiB: input.completionDurationMinutes !== undefined ? movedGiB : 0,
    movedGiB,
    waitMs: decision.incremental ? decision.waitMs : 0,
    decision,
  };
}
