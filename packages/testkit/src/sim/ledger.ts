import { AppendOnlyLog } from './append-log.js';

/** What one copy was billed for, as the simulated cloud computed it. */
export interface LedgerEntry {
  readonly at: number;
  readonly cloud: 'ec2' | 'ecs';
  readonly account: string;
  readonly snapshotId: string;
  readonly sourceSnapshotId: string;
  readonly sourceRegion: string;
  readonly destinationRegion: string;
  /** `none`, `delta`, `snapshot` or `disk`. */
  readonly sizeBasis: 'none' | 'delta' | 'snapshot' | 'disk';
  readonly transfer: 'none' | 'incremental' | 'full';
  readonly transferGiB: number;
  readonly storageGiB: number;
  readonly timeBasedGiB: number;
  /**
   * Set when the copy ended without a snapshot and the charge was revised: `failed` (nothing
   * stored or moved), `cancelled` (nothing stored; the transfer of what had moved).
   */
  readonly settled?: 'failed' | 'cancelled';
}

/** The billing ledger of a simulated cloud. */
export class BillingLedger extends AppendOnlyLog<LedgerEntry> {
  charge(entry: LedgerEntry): void {
    this.append(entry);
  }

  /** Revises the charge of a copy that ended without a snapshot (no-op when it was not billed). */
  settle(
    snapshotId: string,
    outcome: NonNullable<LedgerEntry['settled']>,
    revise: (entry: LedgerEntry) => Pick<LedgerEntry, 'transferGiB' | 'storageGiB' | 'timeBasedGiB'>,
  ): void {
    const i = this.list.findIndex((e) => e.snapshotId === snapshotId);
    const entry = this.list[i];
    if (!entry || entry.settled !== undefined) return;
    this.list[i] = { ...entry, ...revise(entry), settled: outcome };
  }

  /** The entry for a copy, if it was billed. */
  forSnapshot(snapshotId: string): LedgerEntry | undefined {
    return this.list.find((e) => e.snapshotId === snapshotId);
  }
}
