import {
  type ChangedBlock,
  type EBSClient,
  ListChangedBlocksCommand,
  type ListChangedBlocksCommandInput,
  ListSnapshotBlocksCommand,
} from '@aws-sdk/client-ebs';
import { CopySnapshotCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { A, B, failure, MOUNTINGS } from '../ec2/harness.js';
import { freshAwsFixture } from '../kms/aws-clients.js';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

/** Every changed block between two snapshots, following NextToken. */
async function allChanged(ebs: EBSClient, input: ListChangedBlocksCommandInput): Promise<ChangedBlock[]> {
  const out: ChangedBlock[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const r = await ebs.send(
      new ListChangedBlocksCommand({ ...input, ...(token ? { NextToken: token } : {}) }),
    );
    out.push(...(r.ChangedBlocks ?? []));
    token = r.NextToken;
    if (!token) return out;
  }
  throw new Error('too many pages');
}

const errorOf = async (p: Promise<unknown>) =>
  (await failure(p)) as Awaited<ReturnType<typeof failure>> & { Reason?: string };

describe.each(MOUNTINGS)('EBS direct APIs front-end (%s mounting)', (mounting) => {
  const f = freshAwsFixture(mounting);

  /** Two snapshots of a 1 GiB volume with explicit blocks. */
  const seeded = () => {
    const s1 = f.w.sim.addSnapshot({
      account: A,
      region: EAST,
      volumeSizeGiB: 1,
      blocks: {
        written: [
          [0, 100],
          [500, 600],
        ],
      },
    });
    const s2 = f.w.sim.addSnapshot({
      account: A,
      region: EAST,
      volumeId: s1.volumeId,
      blocks: {
        written: [
          [50, 60],
          [1000, 1001],
        ],
        trimmed: [[590, 600]],
      },
    });
    return { s1, s2 };
  };

  it('ListChangedBlocks lists exactly the blocks that differ, with each side’s token where it holds the block', async () => {
    const { s1, s2 } = seeded();
    expect([s1.sizeGiB * 2048, s2.sizeGiB * 2048, s2.changedGiB * 2048]).toEqual([200, 191, 21]);
    const r = await f.c
      .ebs(A, EAST)
      .send(new ListChangedBlocksCommand({ FirstSnapshotId: s1.id, SecondSnapshotId: s2.id }));
    expect(r).toMatchObject({ BlockSize: 524_288, VolumeSize: 1 });
    expect(r.NextToken).toBeUndefined();
    expect(r.ExpiryTime?.getTime()).toBe(f.w.clock.now() + 7 * 86_400_000);
    const blocks = r.ChangedBlocks ?? [];
    expect(blocks.map((b) => b.BlockIndex)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => 50 + i),
      ...Array.from({ length: 10 }, (_, i) => 590 + i),
      1000,
    ]);
    const sides = (i: number) => {
      const b = blocks.find((x) => x.BlockIndex === i)!;
      return [b.FirstBlockToken !== undefined, b.SecondBlockToken !== undefined];
    };
    expect([sides(50), sides(595), sides(1000)]).toEqual([
      [true, true],
      [true, false],
      [false, true],
    ]);
  });

  it('ListSnapshotBlocks lists the blocks holding data, from StartingBlockIndex, at least 100 per page', async () => {
    const { s2 } = seeded();
    const ebs = f.c.ebs(A, EAST);
    const first = await ebs.send(new ListSnapshotBlocksCommand({ SnapshotId: s2.id, MaxResults: 10 }));
    expect(first.Blocks?.map((b) => b.BlockIndex)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(first.Blocks?.[0]?.BlockToken).toMatch(/^[A-Za-z0-9+/=]+$/);
    const rest = await ebs.send(
      new ListSnapshotBlocksCommand({ SnapshotId: s2.id, StartingBlockIndex: 100 }),
    );
    expect(rest.Blocks?.map((b) => b.BlockIndex)).toEqual([
      ...Array.from({ length: 90 }, (_, i) => 500 + i),
      1000,
    ]);
    // NextToken wins over StartingBlockIndex.
    const next = await ebs.send(
      new ListSnapshotBlocksCommand({
        SnapshotId: s2.id,
        MaxResults: 100,
        StartingBlockIndex: 0,
        NextToken: first.NextToken!,
      }),
    );
    expect(next.Blocks?.[0]?.BlockIndex).toBe(500);
  });

  it('the changed blocks between two copies in the destination are what the incremental copy billed', async () => {
    const { plain } = f.w.snaps;
    const later = f.w.sim.addSnapshot({
      account: A,
      region: EAST,
      volumeId: plain.volumeId,
      sizeGiB: 70,
      changedGiB: 8,
    });
    const west = f.c.ec2(A, WEST);
    const copy = async (id: string) => {
      const { SnapshotId } = await west.send(
        new CopySnapshotCommand({ SourceRegion: EAST, SourceSnapshotId: id }),
      );
      f.w.clock.advance(3_600_000);
      return SnapshotId!;
    };
    const c1 = await copy(plain.id);
    const c2 = await copy(later.id);
    const billed = f.w.sim.world.ledger.forSnapshot(c2)!;
    expect(billed).toMatchObject({ transfer: 'incremental', transferGiB: 8 });
    const listed = await allChanged(f.c.ebs(A, WEST), { FirstSnapshotId: c1, SecondSnapshotId: c2 });
    expect(listed.length).toBe(billed.transferGiB * 2048);
    const atSource = await allChanged(f.c.ebs(A, EAST), {
      FirstSnapshotId: plain.id,
      SecondSnapshotId: later.id,
    });
    expect(atSource.map((b) => b.BlockIndex)).toEqual(listed.map((b) => b.BlockIndex));
  });

  const ERRORS: ReadonlyArray<{
    rule: string;
    call: (w: typeof f.w) => ListChangedBlocksCommandInput;
    account?: string;
    expect: [name: string, status: number, reason?: string];
  }> = [
    {
      rule: 'snapshots of different volumes → ValidationException UNRELATED_SNAPSHOTS',
      call: (w) => ({ FirstSnapshotId: w.snaps.plain.id, SecondSnapshotId: w.snaps.encrypted.id }),
      expect: ['ValidationException', 400, 'UNRELATED_SNAPSHOTS'],
    },
    {
      rule: 'a snapshot that does not exist → ResourceNotFoundException SNAPSHOT_NOT_FOUND',
      call: (w) => ({ FirstSnapshotId: 'snap-0123456789abcdef0', SecondSnapshotId: w.snaps.plain.id }),
      expect: ['ResourceNotFoundException', 404, 'SNAPSHOT_NOT_FOUND'],
    },
    {
      rule: 'a snapshot of another region is not found here (the APIs are regional)',
      call: (w) => ({ SecondSnapshotId: w.snaps.plain.id }),
      account: 'west',
      expect: ['ResourceNotFoundException', 404, 'SNAPSHOT_NOT_FOUND'],
    },
    {
      rule: "another account's snapshot not shared with the caller → AccessDeniedException UNAUTHORIZED_ACCOUNT",
      call: (w) => ({ SecondSnapshotId: w.snaps.notShared.id }),
      expect: ['AccessDeniedException', 403, 'UNAUTHORIZED_ACCOUNT'],
    },
    {
      rule: 'an encrypted snapshot whose KMS key the caller cannot use → AccessDeniedException DEPENDENCY_ACCESS_DENIED',
      call: (w) => ({ SecondSnapshotId: w.snaps.sharedPrivateKey.id }),
      expect: ['AccessDeniedException', 403, 'DEPENDENCY_ACCESS_DENIED'],
    },
    {
      rule: 'a malformed snapshot id → ValidationException INVALID_SNAPSHOT_ID',
      call: () => ({ SecondSnapshotId: 'snap-NOPE' }),
      expect: ['ValidationException', 400, 'INVALID_SNAPSHOT_ID'],
    },
    {
      rule: 'a page token this service did not issue → ValidationException INVALID_PAGE_TOKEN',
      call: (w) => ({ SecondSnapshotId: w.snaps.plain.id, NextToken: 'bm9wZQ==' }),
      expect: ['ValidationException', 400, 'INVALID_PAGE_TOKEN'],
    },
    {
      rule: 'MaxResults above 10,000 → ValidationException INVALID_PARAMETER_VALUE',
      call: (w) => ({ SecondSnapshotId: w.snaps.plain.id, MaxResults: 10_001 }),
      expect: ['ValidationException', 400, 'INVALID_PARAMETER_VALUE'],
    },
  ];
  it.each(ERRORS.map((r) => [r.rule, r] as const))('ListChangedBlocks: %s', async (_rule, row) => {
    const ebs = row.account === 'west' ? f.c.ebs(A, WEST) : f.c.ebs(row.account ?? A, EAST);
    const err = await errorOf(ebs.send(new ListChangedBlocksCommand(row.call(f.w))));
    expect([err.name, err.$metadata?.httpStatusCode, err.Reason]).toEqual(row.expect);
  });

  it('a snapshot shared with the caller can be read; a pending copy cannot (completed snapshots only)', async () => {
    const shared = await f.c
      .ebs(A, EAST)
      .send(new ListSnapshotBlocksCommand({ SnapshotId: f.w.snaps.sharedPlain.id, MaxResults: 100 }));
    expect(shared.VolumeSize).toBe(40);
    const { SnapshotId } = await f.c
      .ec2(A, WEST)
      .send(new CopySnapshotCommand({ SourceRegion: EAST, SourceSnapshotId: f.w.snaps.plain.id }));
    const err = await errorOf(
      f.c.ebs(A, WEST).send(new ListSnapshotBlocksCommand({ SnapshotId: SnapshotId! })),
    );
    expect([err.name, err.Reason]).toEqual(['ValidationException', 'INVALID_SNAPSHOT_ID']);
  });

  it('page tokens expire after 60 minutes of virtual time', async () => {
    const ebs = f.c.ebs(A, EAST);
    const first = await ebs.send(
      new ListSnapshotBlocksCommand({ SnapshotId: f.w.snaps.plain.id, MaxResults: 100 }),
    );
    expect(first.NextToken).toBeDefined();
    f.w.clock.advance(60 * 60_000 + 1);
    const err = await errorOf(
      ebs.send(
        new ListSnapshotBlocksCommand({ SnapshotId: f.w.snaps.plain.id, NextToken: first.NextToken! }),
      ),
    );
    expect([err.name, err.Reason]).toEqual(['ValidationException', 'INVALID_PAGE_TOKEN']);
  });

  it('SigV4 is verified for ebs, throttling faults answer RequestThrottledException', async () => {
    const { accessKeyId } = f.w.sim.credentials(A);
    const wrong = f.c.ebs(A, EAST, { accessKeyId, secretAccessKey: 'not-the-secret-0000' });
    const bad = await errorOf(wrong.send(new ListSnapshotBlocksCommand({ SnapshotId: f.w.snaps.plain.id })));
    expect([bad.name, bad.$metadata?.httpStatusCode]).toEqual(['InvalidSignatureException', 403]);
    f.w.sim.faults.throttleNext('ListChangedBlocks');
    const throttled = await errorOf(
      f.c.ebs(B, EAST).send(new ListChangedBlocksCommand({ SecondSnapshotId: f.w.snaps.notShared.id })),
    );
    expect([throttled.name, throttled.Reason]).toEqual(['RequestThrottledException', 'ACCOUNT_THROTTLED']);
    expect(f.w.sim.world.requests.entries().at(-1)).toMatchObject({
      operation: 'ListChangedBlocks',
      errorCode: 'RequestThrottledException',
      account: B,
    });
  });
});
