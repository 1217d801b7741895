import { CopyImageCommand, type CopyImageCommandInput, CopySnapshotCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { A, failure, freshFixture, MOUNTINGS } from './harness.js';
import { addImageFixtures } from './image-harness.js';

const copy = (SourceImageId: string, Name: string, extra: Partial<CopyImageCommandInput> = {}) =>
  new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId, Name, ...extra });

describe.each(MOUNTINGS)('AMI copy limits (%s mounting)', (mounting) => {
  const f = freshFixture(mounting, { imageCopyLimitPerRegion: 2, copyLimitPerRegion: 1 });
  const fx = {} as ReturnType<typeof addImageFixtures>;
  beforeEach(() => {
    Object.assign(fx, addImageFixtures(f.w));
  });

  it('concurrent AMI copies per destination Region: ResourceLimitExceeded beyond the limit, free again when one completes', async () => {
    const { clock } = f.w;
    const west = f.m.client(A, 'us-west-2');
    await west.send(copy(fx.images.plain.id, 'one'));
    await west.send(copy(fx.images.encrypted.id, 'two'));
    const err = await failure(west.send(copy(fx.images.mixed.id, 'three')));
    expect(err).toMatchObject({ name: 'ResourceLimitExceeded', $metadata: { httpStatusCode: 400 } });
    expect(err.message).toContain('2 concurrent AMI copies');
    // Another destination Region has its own count.
    await f.m.client(A, 'eu-west-1').send(copy(fx.images.mixed.id, 'three'));
    // The backing snapshot copies do not count against the CopySnapshot limit (1 here).
    await west.send(
      new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: f.w.snaps.plain.id }),
    );
    clock.advance(60_000);
    await west.send(copy(fx.images.mixed.id, 'three'));
  });
});

describe.each(MOUNTINGS)(
  'time-based AMI copies and the cumulative throughput quota (%s mounting)',
  (mounting) => {
    const f = freshFixture(mounting, { timeBasedThroughputMiBps: 100 });
    const fx = {} as ReturnType<typeof addImageFixtures>;
    beforeEach(() => {
      Object.assign(fx, addImageFixtures(f.w));
    });

    it('each backing snapshot takes from the quota: a copy slower than asked when short, refused when none is left', async () => {
      const { sim, clock } = f.w;
      const big = sim.addSnapshot({ account: A, region: 'us-east-1', volumeSizeGiB: 1000, sizeGiB: 1000 });
      const bigImage = sim.addImage({ account: A, region: 'us-east-1', name: 'big', snapshotIds: [big.id] });
      const west = f.m.client(A, 'us-west-2');
      const { ImageId } = await west.send(
        copy(bigImage.id, 'big-dr', { SnapshotCopyCompletionDurationMinutes: 15 }),
      );
      const snapshotCopy = sim.world.snapshots.get(sim.image(ImageId!)!.blockDevices[0]!.snapshotId!)!;
      // 1,024,000 MiB needs 1,138 MiB/s to finish in 15 minutes; 100 MiB/s are left, so 10,240 s.
      expect(snapshotCopy.copy).toMatchObject({ completionDurationMinutes: 15, durationMs: 10_240_000 });
      expect(sim.world.ledger.forSnapshot(snapshotCopy.id)).toMatchObject({
        timeBasedGiB: 1000,
        transferGiB: 1000,
      });
      const err = await failure(
        west.send(copy(fx.images.plain.id, 'late', { SnapshotCopyCompletionDurationMinutes: 60 })),
      );
      expect(err).toMatchObject({ name: 'ResourceLimitExceeded' });
      // A best-effort copy is not subject to the quota.
      await west.send(copy(fx.images.plain.id, 'best-effort'));
      clock.advance(10_240_000);
      await west.send(copy(fx.images.plain.id, 'late', { SnapshotCopyCompletionDurationMinutes: 60 }));
    });
  },
);

describe.each(MOUNTINGS)('AMI copy billing per backing snapshot (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);
  const fx = {} as ReturnType<typeof addImageFixtures>;
  beforeEach(() => {
    Object.assign(fx, addImageFixtures(f.w));
  });
  const entriesOf = (imageId: string) =>
    f.w.sim.image(imageId)!.blockDevices.map((d) => {
      const e = f.w.sim.world.ledger.forSnapshot(d.snapshotId!)!;
      return {
        source: e.sourceSnapshotId,
        transfer: e.transfer,
        sizeBasis: e.sizeBasis,
        transferGiB: e.transferGiB,
        storageGiB: e.storageGiB,
        timeBasedGiB: e.timeBasedGiB,
      };
    });

  it('a new Region or key is full, a later copy with the earlier one still there incremental; same Region and key free', async () => {
    const { clock } = f.w;
    const { plainRoot, plainData } = fx.backing;
    const west = f.m.client(A, 'us-west-2');
    const first = await west.send(copy(fx.images.plain.id, 'first'));
    expect(entriesOf(first.ImageId!)).toEqual([
      {
        source: plainRoot.id,
        transfer: 'full',
        sizeBasis: 'snapshot',
        transferGiB: 6,
        storageGiB: 6,
        timeBasedGiB: 0,
      },
      {
        source: plainData.id,
        transfer: 'full',
        sizeBasis: 'snapshot',
        transferGiB: 16,
        storageGiB: 16,
        timeBasedGiB: 0,
      },
    ]);
    clock.advance(60_000);
    const second = await west.send(
      copy(fx.images.plain.id, 'second', { SnapshotCopyCompletionDurationMinutes: 15 }),
    );
    // The same backing snapshots again: incremental on the most recent copy, whose source
    // is the very same snapshot, so no block differs and nothing moves.
    expect(entriesOf(second.ImageId!)).toEqual([
      {
        source: plainRoot.id,
        transfer: 'incremental',
        sizeBasis: 'delta',
        transferGiB: 0,
        storageGiB: 0,
        timeBasedGiB: 0,
      },
      {
        source: plainData.id,
        transfer: 'incremental',
        sizeBasis: 'delta',
        transferGiB: 0,
        storageGiB: 0,
        timeBasedGiB: 0,
      },
    ]);
    clock.advance(3_600_000);
    const rekeyed = await west.send(
      copy(fx.images.plain.id, 'rekeyed', { Encrypted: true, KmsKeyId: 'alias/backup' }),
    );
    expect(entriesOf(rekeyed.ImageId!).map((e) => [e.transfer, e.transferGiB])).toEqual([
      ['full', 6],
      ['full', 16],
    ]);
    const local = await f.m.client(A, 'us-east-1').send(copy(fx.images.plain.id, 'local'));
    expect(entriesOf(local.ImageId!).map((e) => [e.transfer, e.transferGiB, e.storageGiB])).toEqual([
      ['none', 0, 0],
      ['none', 0, 0],
    ]);
    expect(f.w.sim.world.ledger.entries()).toHaveLength(8);
  });

  it('a shared AMI is billed to the copier, transfer across Regions only', async () => {
    const east = f.m.client(A, 'us-east-1');
    const { ImageId } = await east.send(copy(fx.images.sharedPlain.id, 'mine-now'));
    expect(entriesOf(ImageId!)).toEqual([
      {
        source: fx.backing.bPlain.id,
        transfer: 'full',
        sizeBasis: 'snapshot',
        transferGiB: 0,
        storageGiB: 6,
        timeBasedGiB: 0,
      },
    ]);
    expect(f.w.sim.world.ledger.entries().every((e) => e.account === A)).toBe(true);
  });
});
