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
}

/** The billing ledger of a simulated cloud. */
export class BillingLedger {
  readonly #entries: LedgerEntry[] = [];

  charge(entry: LedgerEntry): void {
    this.#entries.push(entry);
  }

  entries(): readonly LedgerEntry[] {
    return this.#entries;
  }

  /** The entry for a copy, if it was billed. */
  forSnapshot(snapshotId: string): LedgerEntry | undefined {
    return this.#entries.find((e) => e.snapshotId === snapshotId);
  }
}
