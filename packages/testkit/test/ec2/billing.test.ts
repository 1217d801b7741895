import { CopySnapshotCommand, type CopySnapshotCommandInput, type EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/sim/index.js';
import { A, type buildWorld, freshFixture, MOUNTINGS } from './harness.js';

type World = ReturnType<typeof buildWorld>;
type Expected = Pick<LedgerEntry, 'transfer' | 'sizeBasis' | 'transferGiB' | 'storageGiB' | 'timeBasedGiB'>;

interface Row {
  readonly rule: string;
  /** Copies made first (each completes before the next), then the measured copy. */
  readonly before?: (
    w: World,
    copy: (region: string, input: Partial<CopySnapshotCommandInput>) => Promise<string>,
  ) => Promise<void>;
  readonly region: string;
  readonly input: (w: World) => Partial<CopySnapshotCommandInput>;
  readonly expect: Expected;
}

// plain: 64 GiB of a 100 GiB volume, 6 GiB changed. A second snapshot of the same volume
// ("later") has 70 GiB, 8 changed.
const ROWS: readonly Row[] = [
  {
    rule: 'same account and region, unencrypted, no key change → metadata only, free',
    region: 'us-east-1',
    input: (w) => ({ SourceSnapshotId: w.snaps.plain.id }),
    expect: { transfer: 'none', sizeBasis: 'none', transferGiB: 0, storageGiB: 0, timeBasedGiB: 0 },
  },
  {
    rule: 'same account and region, encrypted, same key → metadata only, free',
    region: 'us-east-1',
    input: (w) => ({ SourceSnapshotId: w.snaps.encrypted.id }),
    expect: { transfer: 'none', sizeBasis: 'none', transferGiB: 0, storageGiB: 0, timeBasedGiB: 0 },
  },
  {
    rule: 'same region, new key → full copy, no transfer charge',
    region: 'us-east-1',
    input: (w) => ({ SourceSnapshotId: w.snaps.plain.id, Encrypted: true }),
    expect: { transfer: 'full', sizeBasis: 'snapshot', transferGiB: 0, storageGiB: 64, timeBasedGiB: 0 },
  },
  {
    rule: 'first copy to another region → full, transfer = snapshot size',
    region: 'us-west-2',
    input: (w) => ({ SourceSnapshotId: w.snaps.plain.id }),
    expect: { transfer: 'full', sizeBasis: 'snapshot', transferGiB: 64, storageGiB: 64, timeBasedGiB: 0 },
  },
  {
    rule: 'later copy of the same lineage, earlier copy present with the same key → incremental (changed GiB)',
    region: 'us-west-2',
    before: async (w, copy) => {
      await copy('us-west-2', { SourceSnapshotId: w.snaps.plain.id });
    },
    input: (w) => ({ SourceSnapshotId: later(w).id }),
    expect: { transfer: 'incremental', sizeBasis: 'delta', transferGiB: 8, storageGiB: 8, timeBasedGiB: 0 },
  },
  {
    rule: 'earlier copy present but with another key → full',
    region: 'us-west-2',
    before: async (w, copy) => {
      await copy('us-west-2', {
        SourceSnapshotId: w.snaps.plain.id,
        Encrypted: true,
        KmsKeyId: 'alias/backup',
      });
    },
    input: (w) => ({ SourceSnapshotId: later(w).id }),
    expect: { transfer: 'full', sizeBasis: 'snapshot', transferGiB: 70, storageGiB: 70, timeBasedGiB: 0 },
  },
  {
    rule: 'copies in the destination with mixed keys → full even when one matches',
    region: 'us-west-2',
    before: async (w, copy) => {
      await copy('us-west-2', { SourceSnapshotId: w.snaps.plain.id });
      await copy('us-west-2', { SourceSnapshotId: w.snaps.plain.id, Encrypted: true });
    },
    input: (w) => ({ SourceSnapshotId: later(w).id }),
    expect: { transfer: 'full', sizeBasis: 'snapshot', transferGiB: 70, storageGiB: 70, timeBasedGiB: 0 },
  },
  {
    rule: 'earlier copy deleted → full again',
    region: 'us-west-2',
    before: async (w, copy) => {
      const id = await copy('us-west-2', { SourceSnapshotId: w.snaps.plain.id });
      w.sim.world.remove(id);
    },
    input: (w) => ({ SourceSnapshotId: later(w).id }),
    expect: { transfer: 'full', sizeBasis: 'snapshot', transferGiB: 70, storageGiB: 70, timeBasedGiB: 0 },
  },
  {
    rule: 'time-based copy → per-GiB fee on the GiB copied',
    region: 'us-west-2',
    input: (w) => ({ SourceSnapshotId: w.snaps.plain.id, CompletionDurationMinutes: 15 }),
    expect: { transfer: 'full', sizeBasis: 'snapshot', transferGiB: 64, storageGiB: 64, timeBasedGiB: 64 },
  },
  {
    rule: 'a shared snapshot copied in its own region → full (a new account holds the data)',
    region: 'us-east-1',
    input: (w) => ({ SourceSnapshotId: w.snaps.sharedPlain.id }),
    expect: { transfer: 'full', sizeBasis: 'snapshot', transferGiB: 0, storageGiB: 20, timeBasedGiB: 0 },
  },
];

function later(w: World) {
  const found = [...w.sim.world.snapshots.values()].find((s) => s.description === 'later');
  return (
    found ??
    w.sim.addSnapshot({
      account: A,
      region: 'us-east-1',
      volumeId: w.snaps.plain.volumeId,
      sizeGiB: 70,
      changedGiB: 8,
      description: 'later',
    })
  );
}

describe.each(MOUNTINGS)('billing ledger of CopySnapshot (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);

  it.each(ROWS.map((r) => [r.rule, r] as const))('%s', async (_rule, row) => {
    const w = f.w;
    const clients = new Map<string, EC2Client>();
    const client = (region: string) => {
      const c = clients.get(region) ?? f.m.client(A, region);
      clients.set(region, c);
      return c;
    };
    const copy = async (region: string, input: Partial<CopySnapshotCommandInput>) => {
      const out = await client(region).send(
        new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: '', ...input }),
      );
      w.clock.advance(3_600_000);
      return out.SnapshotId!;
    };
    await row.before?.(w, copy);
    later(w);
    const { SnapshotId } = await client(row.region).send(
      new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: '', ...row.input(w) }),
    );
    const entry = w.sim.world.ledger.forSnapshot(SnapshotId!);
    expect(entry).toMatchObject({
      ...row.expect,
      account: A,
      destinationRegion: row.region,
      sourceRegion: 'us-east-1',
    });
  });

  it('copy duration follows the GiB moved: a free metadata copy takes the minimum, a full one size/throughput', async () => {
    const w = f.w;
    const east = f.m.client(A, 'us-east-1');
    const west = f.m.client(A, 'us-west-2');
    const meta = await east.send(
      new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: w.snaps.plain.id }),
    );
    const full = await west.send(
      new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: w.snaps.plain.id }),
    );
    expect(w.sim.snapshot(meta.SnapshotId!)!.copy!.durationMs).toBe(10_000);
    expect(w.sim.snapshot(full.SnapshotId!)!.copy!.durationMs).toBe(64_000);
  });
});
