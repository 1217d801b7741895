import {
  CopySnapshotCommand,
  type CopySnapshotCommandInput,
  DeleteSnapshotCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/sim/index.js';
import { A, type buildWorld, freshFixture, MOUNTINGS } from './harness.js';

type World = ReturnType<typeof buildWorld>;
type Expected = Pick<LedgerEntry, 'transfer' | 'sizeBasis' | 'transferGiB' | 'storageGiB' | 'timeBasedGiB'>;

/** Starts a copy into `region` and lets `advanceMs` of virtual time pass (default: an hour). */
type Copy = (region: string, input: Partial<CopySnapshotCommandInput>, advanceMs?: number) => Promise<string>;

interface Row {
  readonly rule: string;
  /** Copies made first (each completes before the next unless told), then the measured copy. */
  readonly before?: (w: World, copy: Copy, client: (region: string) => EC2Client) => Promise<void>;
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
    rule: 'EBS guide: the most recent copy was deleted, an older one is still there → full',
    region: 'us-west-2',
    before: async (w, copy, client) => {
      await copy('us-west-2', { SourceSnapshotId: w.snaps.plain.id });
      const recent = await copy('us-west-2', { SourceSnapshotId: later(w).id });
      await client('us-west-2').send(new DeleteSnapshotCommand({ SnapshotId: recent }));
    },
    input: (w) => ({ SourceSnapshotId: third(w).id }),
    expect: { transfer: 'full', sizeBasis: 'snapshot', transferGiB: 72, storageGiB: 72, timeBasedGiB: 0 },
  },
  {
    rule: 'EBS guide: the most recent copy is still pending → incremental on top of it (delta since its source)',
    region: 'us-west-2',
    before: async (w, copy) => {
      await copy('us-west-2', { SourceSnapshotId: w.snaps.plain.id });
      await copy('us-west-2', { SourceSnapshotId: later(w).id }, 0);
    },
    input: (w) => ({ SourceSnapshotId: third(w).id }),
    expect: { transfer: 'incremental', sizeBasis: 'delta', transferGiB: 3, storageGiB: 3, timeBasedGiB: 0 },
  },
  {
    rule: 'EBS guide: an older copy under another key, the most recent unencrypted → full (all copies must match)',
    region: 'us-west-2',
    before: async (w, copy) => {
      await copy('us-west-2', {
        SourceSnapshotId: w.snaps.plain.id,
        Encrypted: true,
        KmsKeyId: 'alias/backup',
      });
      await copy('us-west-2', { SourceSnapshotId: later(w).id });
    },
    input: (w) => ({ SourceSnapshotId: third(w).id }),
    expect: { transfer: 'full', sizeBasis: 'snapshot', transferGiB: 72, storageGiB: 72, timeBasedGiB: 0 },
  },
  {
    rule: 'the delta runs from the snapshot the most recent copy was made from (plain → third skips later)',
    region: 'us-west-2',
    before: async (w, copy) => {
      await copy('us-west-2', { SourceSnapshotId: w.snaps.plain.id });
    },
    input: (w) => ({ SourceSnapshotId: third(w).id }),
    // later rewrote 62..70 GiB, third 69..72: the union is 10 GiB (what ListChangedBlocks lists).
    expect: { transfer: 'incremental', sizeBasis: 'delta', transferGiB: 10, storageGiB: 10, timeBasedGiB: 0 },
  },
  {
    rule: 'the same snapshot copied again → incremental, nothing changed',
    region: 'us-west-2',
    before: async (w, copy) => {
      await copy('us-west-2', { SourceSnapshotId: w.snaps.plain.id });
    },
    input: (w) => ({ SourceSnapshotId: w.snaps.plain.id }),
    expect: { transfer: 'incremental', sizeBasis: 'delta', transferGiB: 0, storageGiB: 0, timeBasedGiB: 0 },
  },
  {
    rule: 'a most recent copy that failed on its key never completed → the older copy is the base',
    region: 'us-west-2',
    before: async (w, copy) => {
      await copy('us-west-2', { SourceSnapshotId: w.snaps.plain.id });
      await copy('us-west-2', { SourceSnapshotId: later(w).id, Encrypted: true, KmsKeyId: 'alias/revoked' });
    },
    input: (w) => ({ SourceSnapshotId: third(w).id }),
    expect: { transfer: 'incremental', sizeBasis: 'delta', transferGiB: 10, storageGiB: 10, timeBasedGiB: 0 },
  },
  {
    rule: 'EBS guide: the most recent copy is archived → full',
    region: 'us-west-2',
    before: async (w, copy) => {
      const id = await copy('us-west-2', { SourceSnapshotId: w.snaps.plain.id });
      w.sim.world.snapshots.get(id)!.category = 'archive';
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

/** A third snapshot of plain's volume, after later: 72 GiB, 3 changed. */
function third(w: World) {
  later(w);
  const found = [...w.sim.world.snapshots.values()].find((s) => s.description === 'third');
  return (
    found ??
    w.sim.addSnapshot({
      account: A,
      region: 'us-east-1',
      volumeId: w.snaps.plain.volumeId,
      sizeGiB: 72,
      changedGiB: 3,
      description: 'third',
    })
  );
}

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
    const copy: Copy = async (region, input, advanceMs = 3_600_000) => {
      const out = await client(region).send(
        new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: '', ...input }),
      );
      w.clock.advance(advanceMs);
      return out.SnapshotId!;
    };
    await row.before?.(w, copy, client);
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

  it('a copy building on a pending copy starts after it: it waits, then moves its delta', async () => {
    const w = f.w;
    const west = f.m.client(A, 'us-west-2');
    const copy = async (id: string) =>
      (await west.send(new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: id })))
        .SnapshotId!;
    const first = await copy(w.snaps.plain.id);
    w.clock.advance(20_000); // 64 GiB at 1 GiB/s: 44 s still to go
    const second = await copy(later(w).id);
    const a = w.sim.snapshot(first)!;
    const b = w.sim.snapshot(second)!;
    expect(b.copy!.durationMs).toBe(44_000 + 10_000); // the wait, then 8 GiB (the 10 s minimum)
    w.clock.advance(44_000);
    w.sim.world.advance();
    expect([a.state, b.state]).toEqual(['completed', 'pending']);
    w.clock.advance(10_000);
    w.sim.world.advance();
    expect(b.state).toBe('completed');
  });

  it('a copy that failed on a key it cannot use stores and bills nothing', async () => {
    const w = f.w;
    const west = f.m.client(A, 'us-west-2');
    const { SnapshotId } = await west.send(
      new CopySnapshotCommand({
        SourceRegion: 'us-east-1',
        SourceSnapshotId: w.snaps.plain.id,
        Encrypted: true,
        KmsKeyId: 'alias/revoked',
      }),
    );
    expect(w.sim.world.ledger.forSnapshot(SnapshotId!)).toMatchObject({ transferGiB: 64, storageGiB: 64 });
    w.clock.advance(3_600_000);
    w.sim.world.advance();
    expect(w.sim.snapshot(SnapshotId!)!.state).toBe('error');
    expect(w.sim.world.ledger.forSnapshot(SnapshotId!)).toMatchObject({
      transferGiB: 0,
      storageGiB: 0,
      timeBasedGiB: 0,
      settled: 'failed',
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
