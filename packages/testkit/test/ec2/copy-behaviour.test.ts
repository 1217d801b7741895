import {
  CopySnapshotCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  GetEbsEncryptionByDefaultCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { KEY_NOT_ACCESSIBLE } from '../../src/ec2/index.js';
import { A, failure, freshFixture, MOUNTINGS } from './harness.js';

const copyPlain = (id: string, extra: Record<string, unknown> = {}) =>
  new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: id, ...extra });

describe.each(MOUNTINGS)('CopySnapshot behaviour (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);

  it('an inaccessible key fails asynchronously: the call succeeds, the copy goes pending, then error', async () => {
    const { sim, clock, snaps, keys } = f.w;
    const ec2 = f.m.client(A, 'us-west-2');
    const out = await ec2.send(copyPlain(snaps.plain.id, { Encrypted: true, KmsKeyId: 'alias/revoked' }));
    const describe = async () =>
      (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [out.SnapshotId!] }))).Snapshots![0]!;
    expect(await describe()).toMatchObject({ State: 'pending', KmsKeyId: keys.revokedWest.arn });
    clock.advance(60_000);
    const failed = await describe();
    expect(failed.State).toBe('error');
    expect(failed.StateMessage).toBe(KEY_NOT_ACCESSIBLE);
    expect(sim.world.pendingCopies(A, 'us-west-2')).toBe(0);
  });

  it('the 21st concurrent copy into a region is ResourceLimitExceeded; other regions and later copies are fine', async () => {
    const { sim, clock, snaps } = f.w;
    const west = f.m.client(A, 'us-west-2');
    for (let i = 0; i < 20; i++) await west.send(copyPlain(snaps.plain.id));
    const before = sim.world.snapshots.size;
    const err = await failure(west.send(copyPlain(snaps.plain.id)));
    expect(err.name).toBe('ResourceLimitExceeded');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(sim.world.snapshots.size).toBe(before);
    await f.m.client(A, 'eu-west-1').send(copyPlain(snaps.plain.id));
    clock.advance(3_600_000);
    await west.send(copyPlain(snaps.plain.id));
    expect(sim.world.pendingCopies(A, 'us-west-2')).toBe(1);
  });

  it('deleting a pending copy takes effect when the copy completes; it stays visible as pending until then', async () => {
    const { sim, clock, snaps } = f.w;
    const ec2 = f.m.client(A, 'us-west-2');
    const { SnapshotId } = await ec2.send(copyPlain(snaps.plain.id));
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: SnapshotId! }));
    clock.advance(30_000);
    const still = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [SnapshotId!] }));
    expect(still.Snapshots![0]).toMatchObject({ State: 'pending' });
    expect(sim.world.deleted.has(SnapshotId!)).toBe(false);
    clock.advance(40_000);
    const err = await failure(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [SnapshotId!] })));
    expect(err.name).toBe('InvalidSnapshot.NotFound');
    expect(sim.world.deleted.has(SnapshotId!)).toBe(true);
  });

  it.each([
    [
      'source missing → InvalidSnapshot.NotFound',
      { SourceSnapshotId: 'snap-00000000000000000' },
      'InvalidSnapshot.NotFound',
    ],
    [
      'source in another region → InvalidSnapshot.NotFound',
      { SourceRegion: 'us-west-2' },
      'InvalidSnapshot.NotFound',
    ],
    [
      'source not shared with the caller → InvalidSnapshot.NotFound',
      { SourceSnapshotId: 'notShared' },
      'InvalidSnapshot.NotFound',
    ],
    [
      'malformed source id → InvalidSnapshotID.Malformed',
      { SourceSnapshotId: 'snap-xyz' },
      'InvalidSnapshotID.Malformed',
    ],
    ['unknown source region → InvalidRegion', { SourceRegion: 'mars-north-1' }, 'InvalidRegion'],
    ['source still pending → IncorrectState', { SourceSnapshotId: 'pendingCopy' }, 'IncorrectState'],
    ['archived source → IncorrectState', { SourceSnapshotId: 'archived' }, 'IncorrectState'],
    [
      'KmsKeyId without Encrypted → InvalidParameterDependency',
      { KmsKeyId: 'alias/backup' },
      'InvalidParameterDependency',
    ],
    [
      'CompletionDurationMinutes not a multiple of 15 → InvalidParameterValue',
      { CompletionDurationMinutes: 20 },
      'InvalidParameterValue',
    ],
    [
      'CompletionDurationMinutes above 2880 → InvalidParameterValue',
      { CompletionDurationMinutes: 2895 },
      'InvalidParameterValue',
    ],
    [
      'TagSpecification for another resource type → InvalidParameterValue',
      { TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'a', Value: 'b' }] }] },
      'InvalidParameterValue',
    ],
    [
      'more than 50 tags → TagLimitExceeded',
      {
        TagSpecifications: [
          {
            ResourceType: 'snapshot',
            Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: '' })),
          },
        ],
      },
      'TagLimitExceeded',
    ],
  ] as const)('synchronous validation: %s', async (_rule, change, code) => {
    const { sim, snaps } = f.w;
    const pendingCopy = sim.world.startCopy({
      source: snaps.plain,
      account: A,
      region: 'us-east-1',
      encrypted: false,
      movedGiB: 1,
      billing: {
        cloud: 'ec2',
        account: A,
        sourceSnapshotId: snaps.plain.id,
        sourceRegion: 'us-east-1',
        destinationRegion: 'us-east-1',
        sizeBasis: 'none',
        transfer: 'none',
        transferGiB: 0,
        storageGiB: 0,
        timeBasedGiB: 0,
      },
    });
    const archived = sim.addSnapshot({ account: A, region: 'us-east-1', sizeGiB: 5, storageTier: 'archive' });
    const named: Record<string, string> = {
      notShared: snaps.notShared.id,
      pendingCopy: pendingCopy.id,
      archived: archived.id,
    };
    const input = { SourceRegion: 'us-east-1', SourceSnapshotId: snaps.plain.id, ...change } as Record<
      string,
      unknown
    >;
    input.SourceSnapshotId = named[input.SourceSnapshotId as string] ?? input.SourceSnapshotId;
    const before = sim.world.snapshots.size;
    const err = await failure(f.m.client(A, 'us-west-2').send(new CopySnapshotCommand(input as never)));
    expect(err.name).toBe(code);
    expect(err.$fault).toBe('client');
    expect(sim.world.snapshots.size).toBe(before);
  });

  it('the SDK-added PresignedUrl and DestinationRegion are accepted, and the URL never reaches the request log', async () => {
    const { sim, snaps } = f.w;
    await f.m.client(A, 'us-west-2').send(copyPlain(snaps.plain.id));
    const entry = sim.world.requests.entries().at(-1)!;
    expect(entry).toMatchObject({
      operation: 'CopySnapshot',
      region: 'us-west-2',
      account: A,
      httpStatus: 200,
    });
    expect(entry.params.DestinationRegion).toBe('us-west-2');
    expect(entry.params).not.toHaveProperty('PresignedUrl');
    expect(JSON.stringify(sim.world.requests.entries())).not.toMatch(/Signature|X-Amz-Credential/);
  });

  it('every reply carries x-amzn-requestid, the same id the request log holds', async () => {
    const { sim } = f.w;
    const ok = await f.m.client(A, 'us-east-1').send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    const err = await failure(
      f.m
        .client(A, 'us-east-1')
        .send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-00000000000000000'] })),
    );
    const [first, second] = sim.world.requests.entries().slice(-2);
    expect(ok.$metadata.requestId).toBe(first!.requestId);
    expect(err.$metadata?.requestId).toBe(second!.requestId);
    expect(second!.errorCode).toBe('InvalidSnapshot.NotFound');
  });
});

describe.each(MOUNTINGS)('authentication (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);

  it('a wrong secret is 403 SignatureDoesNotMatch, an unknown access key 401 AuthFailure; nothing is applied', async () => {
    const { sim, snaps } = f.w;
    const { accessKeyId } = sim.credentials(A);
    const before = sim.world.snapshots.size;
    const wrongSecret = f.m.client(A, 'us-west-2', { accessKeyId, secretAccessKey: 'not-the-secret' });
    const e1 = await failure(wrongSecret.send(copyPlain(snaps.plain.id)));
    expect([e1.name, e1.$metadata?.httpStatusCode]).toEqual(['SignatureDoesNotMatch', 403]);
    const unknown = f.m.client(A, 'us-west-2', { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' });
    const e2 = await failure(unknown.send(copyPlain(snaps.plain.id)));
    expect([e2.name, e2.$metadata?.httpStatusCode]).toEqual(['AuthFailure', 401]);
    expect(sim.world.snapshots.size).toBe(before);
    expect(sim.world.requests.entries().map((e) => e.account)).toEqual([undefined, undefined]);
  });

  it('a region the simulator does not have is 401 AuthFailure', async () => {
    const err = await failure(f.m.client(A, 'ap-south-2').send(new DescribeSnapshotsCommand({})));
    expect(err.name).toBe('AuthFailure');
  });
});

describe.each(MOUNTINGS)('faults (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);

  it('throttle → 503 RequestLimitExceeded, server-error → 500 InternalError; neither applies the copy', async () => {
    const { sim, snaps } = f.w;
    const ec2 = f.m.client(A, 'us-west-2');
    sim.faults.throttleNext('CopySnapshot').failNext('CopySnapshot');
    const before = sim.world.snapshots.size;
    const e1 = await failure(ec2.send(copyPlain(snaps.plain.id)));
    expect([e1.name, e1.$metadata?.httpStatusCode, e1.$fault]).toEqual([
      'RequestLimitExceeded',
      503,
      'server',
    ]);
    const e2 = await failure(ec2.send(copyPlain(snaps.plain.id)));
    expect([e2.name, e2.$metadata?.httpStatusCode, e2.$fault]).toEqual(['InternalError', 500, 'server']);
    expect(sim.world.snapshots.size).toBe(before);
    await ec2.send(copyPlain(snaps.plain.id));
    expect(sim.world.snapshots.size).toBe(before + 1);
  });

  it('reset drops the connection before applying: the caller fails and no copy exists', async () => {
    const { sim, snaps } = f.w;
    sim.faults.resetNext('CopySnapshot');
    const before = sim.world.snapshots.size;
    await failure(f.m.client(A, 'us-west-2').send(copyPlain(snaps.plain.id)));
    expect(sim.world.snapshots.size).toBe(before);
    expect(sim.world.requests.entries().at(-1)?.fault).toBe('reset');
  });

  it('drop-after applies the copy, then drops the reply: the caller fails, exactly one copy exists', async () => {
    const { sim, snaps } = f.w;
    sim.faults.dropResponseNext('CopySnapshot');
    const ec2 = f.m.client(A, 'us-west-2');
    await failure(ec2.send(copyPlain(snaps.plain.id)));
    const copies = [...sim.world.snapshots.values()].filter(
      (s) => s.copy?.sourceSnapshotId === snaps.plain.id,
    );
    expect(copies).toHaveLength(1);
    expect(copies[0]!.region).toBe('us-west-2');
    const listed = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    expect(listed.Snapshots!.map((s) => s.SnapshotId)).toEqual([copies[0]!.id]);
  });

  it('hang-after applies the copy and never answers: only the caller ends the call; exactly one copy exists', async () => {
    const { sim, snaps } = f.w;
    sim.faults.add({ operation: 'CopySnapshot', kind: 'hang-after' });
    const ec2 = f.m.client(A, 'us-west-2');
    const caller = new AbortController();
    const call = ec2.send(copyPlain(snaps.plain.id), { abortSignal: caller.signal });
    // The copy is applied before the reply is held back; the caller gives up without one.
    await expect.poll(() => sim.faults.injected['hang-after'], { timeout: 5_000, interval: 10 }).toBe(1);
    caller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    const copies = [...sim.world.snapshots.values()].filter(
      (s) => s.copy?.sourceSnapshotId === snaps.plain.id,
    );
    expect(copies).toHaveLength(1);
    expect(sim.world.requests.entries().at(-1)?.fault).toBe('hang-after');
  });

  it('latency delays the reply by the asked time and still serves it', async () => {
    const { sim } = f.w;
    sim.faults.add({ operation: 'GetEbsEncryptionByDefault', kind: 'latency', latencyMs: 30 });
    const t0 = performance.now();
    const out = await f.m.client(A, 'us-east-1').send(new GetEbsEncryptionByDefaultCommand({}));
    expect(out.EbsEncryptionByDefault).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(sim.world.requests.entries().at(-1)?.fault).toBe('latency');
  });
});

describe.each(MOUNTINGS)('throttling by token buckets in virtual time (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);

  it('filtered DescribeSnapshots: 100 in a burst, the 101st is 503 RequestLimitExceeded, +20 per virtual second', async () => {
    const { clock } = f.w;
    const ec2 = f.m.client(A, 'us-east-1');
    const call = () =>
      ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'status', Values: ['completed'] }] }));
    for (let i = 0; i < 100; i++) await call();
    const err = await failure(call());
    expect([err.name, err.$metadata?.httpStatusCode]).toEqual(['RequestLimitExceeded', 503]);
    clock.advance(1000);
    for (let i = 0; i < 20; i++) await call();
    expect((await failure(call())).name).toBe('RequestLimitExceeded');
    // Buckets are per action: another action still has its tokens.
    await ec2.send(new GetEbsEncryptionByDefaultCommand({}));
  });

  it('unfiltered, unpaginated DescribeSnapshots draws from the smaller 50-token bucket', async () => {
    const ec2 = f.m.client(A, 'us-east-1');
    for (let i = 0; i < 50; i++) await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    expect((await failure(ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] })))).name).toBe(
      'RequestLimitExceeded',
    );
    await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 5 }));
  });

  it('buckets are per account and region', async () => {
    const { sim } = f.w;
    sim.throttle!.reset();
    const east = f.m.client(A, 'us-east-1');
    for (let i = 0; i < 50; i++) await east.send(new DescribeSnapshotsCommand({}));
    expect((await failure(east.send(new DescribeSnapshotsCommand({})))).name).toBe('RequestLimitExceeded');
    await f.m.client(A, 'us-west-2').send(new DescribeSnapshotsCommand({}));
    await f.m.client('222222222222', 'us-east-1').send(new DescribeSnapshotsCommand({}));
  });
});

describe.each(MOUNTINGS)('throttling overrides (%s mounting)', (mounting) => {
  const f = freshFixture(mounting, { throttling: { CopySnapshot: { capacity: 2, refillPerSecond: 1 } } });

  it('a CopySnapshot bucket of 2 throttles the third copy and nothing is applied', async () => {
    const { sim, snaps } = f.w;
    const ec2 = f.m.client(A, 'us-west-2');
    await ec2.send(copyPlain(snaps.plain.id));
    await ec2.send(copyPlain(snaps.plain.id));
    const before = sim.world.snapshots.size;
    expect((await failure(ec2.send(copyPlain(snaps.plain.id)))).name).toBe('RequestLimitExceeded');
    expect(sim.world.snapshots.size).toBe(before);
  });
});
