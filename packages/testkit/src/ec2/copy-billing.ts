import type { LedgerEntry } from '../sim/ledger.js';

/** A snapshot as far as billing cares. */
export interface BillingSnapshotView {
  readonly encrypted: boolean;
  readonly kmsKeyArn?: string;
  readonly state: 'pending' | 'completed' | 'error';
}

/** What decides what a copy transfers and stores. */
export interface CopyBillingInput {
  readonly account: string;
  readonly source: BillingSnapshotView & {
    readonly id: string;
    readonly region: string;
    readonly account: string;
    readonly sizeGiB: number;
    readonly changedGiB: number;
  };
  readonly destinationRegion: string;
  readonly destination: { readonly encrypted: boolean; readonly kmsKeyArn?: string };
  /** The caller's snapshots of the same volume lineage already in the destination region. */
  readonly destinationLineage: readonly BillingSnapshotView[];
  readonly completionDurationMinutes?: number;
}

/** The ledger entry of a copy, plus the GiB that must move (it sets the copy's duration). */
export type CopyBilling = Omit<LedgerEntry, 'at' | 'snapshotId'> & { readonly movedGiB: number };

const sameKey = (
  a: { encrypted: boolean; kmsKeyArn?: string },
  b: { encrypted: boolean; kmsKeyArn?: string },
) => a.encrypted === b.encrypted && (!a.encrypted || a.kmsKeyArn === b.kmsKeyArn);

/**
 * EBS copy billing, as the simulated cloud computes it:
 * - same account and region, encryption and key unchanged: metadata only, free;
 * - incremental (the changed GiB) when a completed snapshot of the same volume lineage is
 *   in the destination and every live snapshot of that lineage there uses the copy's key;
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
    };
  }
  const live = input.destinationLineage.filter((s) => s.state !== 'error');
  const incremental =
    live.some((s) => s.state === 'completed') && live.every((s) => sameKey(s, input.destination));
  const movedGiB = incremental ? source.changedGiB : source.sizeGiB;
  return {
    ...base,
    sizeBasis: incremental ? 'delta' : 'snapshot',
    transfer: incremental ? 'incremental' : 'full',
    transferGiB: crossRegion ? movedGiB : 0,
    storageGiB: movedGiB,
    timeBasedGiB: input.completionDurationMinutes !== undefined ? movedGiB : 0,
    movedGiB,
  };
}
