import {
  CopySnapshotCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  GetEbsDefaultKmsKeyIdCommand,
  GetEbsEncryptionByDefaultCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { A, B, failure, freshFixture, MOUNTINGS } from './harness.js';

describe.each(MOUNTINGS)('EC2 operations through the real SDK (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);

  it('CopySnapshot creates a pending copy in the client region that completes with progress', async () => {
    const { sim, clock, snaps } = f.w;
    const ec2 = f.m.client(A, 'us-west-2');
    const out = await ec2.send(
      new CopySnapshotCommand({
        SourceRegion: 'us-east-1',
        SourceSnapshotId: snaps.plain.id,
        Description: 'dr copy',
        TagSpecifications: [
          {
            ResourceType: 'snapshot',
            Tags: [
              { Key: 'team', Value: 'storage' },
              { Key: 'empty', Value: '' },
            ],
          },
        ],
      }),
    );
    expect(out.SnapshotId).toMatch(/^snap-[0-9a-f]{17}$/);
    expect(out.Tags).toEqual([
      { Key: 'team', Value: 'storage' },
      { Key: 'empty', Value: '' },
    ]);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const copy = sim.snapshot(out.SnapshotId!)!;
    expect(copy.region).toBe('us-west-2');
    expect(copy.account).toBe(A);

    const describe = () =>
      ec2
        .send(new DescribeSnapshotsCommand({ SnapshotIds: [out.SnapshotId!] }))
        .then((r) => r.Snapshots![0]!);
    const first = await describe();
    expect(first).toMatchObject({
      State: 'pending',
      Progress: '0%',
      Description: 'dr copy',
      VolumeId: 'vol-ffffffff',
    });
    // 64 GiB at 1024 MiB/s of virtual time: 64 s.
    clock.advance(32_000);
    expect((await describe()).Progress).toBe('50%');
    clock.advance(32_000);
    const done = await describe();
    expect(done).toMatchObject({ State: 'completed', Progress: '100%', VolumeSize: 100, OwnerId: A });
    expect(done.CompletionTime?.getTime()).toBe(clock.now());
  });

  it('DescribeSnapshots returns owned and shared snapshots, Owner self only the owned ones', async () => {
    const { snaps } = f.w;
    const ec2 = f.m.client(A, 'us-east-1');
    const all = await ec2.send(new DescribeSnapshotsCommand({}));
    const ids = new Set(all.Snapshots!.map((s) => s.SnapshotId));
    expect(ids).toEqual(
      new Set([
        snaps.plain.id,
        snaps.encrypted.id,
        snaps.sharedEncrypted.id,
        snaps.sharedPrivateKey.id,
        snaps.sharedPlain.id,
      ]),
    );
    const self = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    expect(new Set(self.Snapshots!.map((s) => s.SnapshotId))).toEqual(
      new Set([snaps.plain.id, snaps.encrypted.id]),
    );
    const byOwner = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: [B] }));
    expect(byOwner.Snapshots!.every((s) => s.OwnerId === B)).toBe(true);
    expect(byOwner.Snapshots).toHaveLength(3);
  });

  it('DeleteSnapshot removes a completed snapshot; a second delete is InvalidSnapshot.NotFound', async () => {
    const { sim, snaps } = f.w;
    const ec2 = f.m.client(A, 'us-east-1');
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snaps.plain.id }));
    expect(sim.snapshot(snaps.plain.id)).toBeUndefined();
    const err = await failure(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snaps.plain.id })));
    expect(err.name).toBe('InvalidSnapshot.NotFound');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it("DeleteSnapshot of another account's shared snapshot is InvalidSnapshot.NotFound", async () => {
    const ec2 = f.m.client(A, 'us-east-1');
    const err = await failure(ec2.send(new DeleteSnapshotCommand({ SnapshotId: f.w.snaps.sharedPlain.id })));
    expect(err.name).toBe('InvalidSnapshot.NotFound');
    expect(f.w.sim.snapshot(f.w.snaps.sharedPlain.id)).toBeDefined();
  });

  it('CreateTags adds and overwrites keys; DeleteTags removes by key, by key+value, or all', async () => {
    const { sim, snaps } = f.w;
    const ec2 = f.m.client(A, 'us-east-1');
    const id = snaps.plain.id;
    await ec2.send(
      new CreateTagsCommand({
        Resources: [id, snaps.encrypted.id],
        Tags: [
          { Key: 'team', Value: 'storage' },
          { Key: 'tier', Value: 'gold' },
          { Key: 'empty', Value: '' },
        ],
      }),
    );
    await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'tier', Value: 'silver' }] }));
    expect(Object.fromEntries(sim.snapshot(id)!.tags)).toEqual({
      team: 'storage',
      tier: 'silver',
      empty: '',
    });
    const d = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }));
    expect(d.Snapshots![0]!.Tags).toEqual([
      { Key: 'team', Value: 'storage' },
      { Key: 'tier', Value: 'silver' },
      { Key: 'empty', Value: '' },
    ]);
    await ec2.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: 'tier', Value: 'gold' }] }));
    expect(sim.snapshot(id)!.tags.get('tier')).toBe('silver');
    await ec2.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: 'tier' }] }));
    expect(sim.snapshot(id)!.tags.has('tier')).toBe(false);
    await ec2.send(new DeleteTagsCommand({ Resources: [id] }));
    expect(sim.snapshot(id)!.tags.size).toBe(0);
    expect(sim.snapshot(snaps.encrypted.id)!.tags.size).toBe(3);
  });

  it.each([
    ['an aws: key is InvalidParameterValue', [{ Key: 'aws:x', Value: '1' }], 'InvalidParameterValue'],
    [
      'a 128-character key is InvalidParameterValue',
      [{ Key: 'k'.repeat(128), Value: '1' }],
      'InvalidParameterValue',
    ],
    [
      'a 257-character value is InvalidParameterValue',
      [{ Key: 'k', Value: 'v'.repeat(257) }],
      'InvalidParameterValue',
    ],
    [
      'more than 50 tags on a resource is TagLimitExceeded',
      Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: '' })),
      'TagLimitExceeded',
    ],
  ])('CreateTags: %s', async (_rule, tags, code) => {
    const ec2 = f.m.client(A, 'us-east-1');
    const err = await failure(
      ec2.send(new CreateTagsCommand({ Resources: [f.w.snaps.plain.id], Tags: tags })),
    );
    expect(err.name).toBe(code);
    expect(f.w.sim.snapshot(f.w.snaps.plain.id)!.tags.size).toBe(0);
  });

  it('CreateTags on an unknown snapshot is InvalidSnapshot.NotFound and tags nothing', async () => {
    const ec2 = f.m.client(A, 'us-east-1');
    const err = await failure(
      ec2.send(
        new CreateTagsCommand({
          Resources: [f.w.snaps.plain.id, 'snap-00000000000000000'],
          Tags: [{ Key: 'a', Value: 'b' }],
        }),
      ),
    );
    expect(err.name).toBe('InvalidSnapshot.NotFound');
    expect(f.w.sim.snapshot(f.w.snaps.plain.id)!.tags.size).toBe(0);
  });

  it('GetEbsEncryptionByDefault and GetEbsDefaultKmsKeyId follow the account and region settings', async () => {
    const { sim, keys } = f.w;
    const west = f.m.client(A, 'us-west-2');
    const east = f.m.client(A, 'us-east-1');
    expect((await west.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(false);
    expect((await west.send(new GetEbsDefaultKmsKeyIdCommand({}))).KmsKeyId).toBe(
      `arn:aws:kms:us-west-2:${A}:alias/aws/ebs`,
    );
    sim.setEncryptionByDefault(A, 'us-west-2', true);
    sim.setDefaultKmsKey(A, 'us-west-2', 'alias/backup');
    expect((await west.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(true);
    expect((await west.send(new GetEbsDefaultKmsKeyIdCommand({}))).KmsKeyId).toBe(keys.backupWest.arn);
    expect((await east.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(false);
  });

  it('DescribeVolumes lists the caller volumes, by id and by filter; an unknown id is InvalidVolume.NotFound', async () => {
    const { sim, snaps } = f.w;
    const ec2 = f.m.client(A, 'us-east-1');
    const vol = sim.addVolume({
      account: A,
      region: 'us-east-1',
      sizeGiB: 500,
      encrypted: true,
      tags: { app: 'db' },
    });
    const byId = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [vol.id] }));
    expect(byId.Volumes).toHaveLength(1);
    expect(byId.Volumes![0]).toMatchObject({
      VolumeId: vol.id,
      Size: 500,
      Encrypted: true,
      KmsKeyId: sim.defaultKmsKey(A, 'us-east-1').arn,
      State: 'available',
      AvailabilityZone: 'us-east-1a',
      Tags: [{ Key: 'app', Value: 'db' }],
    });
    expect(byId.Volumes![0]!.CreateTime).toBeInstanceOf(Date);
    const all = await ec2.send(new DescribeVolumesCommand({}));
    expect(new Set(all.Volumes!.map((v) => v.VolumeId))).toEqual(
      new Set([snaps.plain.volumeId, snaps.encrypted.volumeId, vol.id]),
    );
    const tagged = await ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'tag:app', Values: ['db'] }] }),
    );
    expect(tagged.Volumes!.map((v) => v.VolumeId)).toEqual([vol.id]);
    const err = await failure(ec2.send(new DescribeVolumesCommand({ VolumeIds: ['vol-00000000000000000'] })));
    expect(err.name).toBe('InvalidVolume.NotFound');
  });

  it.each([
    [
      'CopySnapshot',
      (id: string) =>
        new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: id, DryRun: true }),
    ],
    ['DescribeSnapshots', () => new DescribeSnapshotsCommand({ DryRun: true })],
    ['DeleteSnapshot', (id: string) => new DeleteSnapshotCommand({ SnapshotId: id, DryRun: true })],
    [
      'CreateTags',
      (id: string) =>
        new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'a', Value: 'b' }], DryRun: true }),
    ],
  ] as const)('DryRun on %s is 412 DryRunOperation and changes nothing', async (_op, command) => {
    const { sim, snaps } = f.w;
    const before = sim.world.snapshots.size;
    const ec2 = f.m.client(A, 'us-east-1');
    const err = await failure(ec2.send(command(snaps.plain.id) as never));
    expect(err.name).toBe('DryRunOperation');
    expect(err.$metadata?.httpStatusCode).toBe(412);
    expect(sim.world.snapshots.size).toBe(before);
    expect(sim.snapshot(snaps.plain.id)!.tags.size).toBe(0);
  });

  it('an unknown Action is 400 InvalidAction', async () => {
    const ec2 = f.m.client(A, 'us-east-1');
    // Rewrite the serialized body before it is signed (same length: content-length is set).
    ec2.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { body: string };
        req.body = req.body.replace('Action=DescribeSnapshots', 'Action=RebootTheCloudNow');
        return next(args);
      },
      { step: 'build' },
    );
    const err = await failure(ec2.send(new DescribeSnapshotsCommand({})));
    expect(err.name).toBe('InvalidAction');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(f.w.sim.world.requests.entries().at(-1)).toMatchObject({
      operation: 'RebootTheCloudNow',
      errorCode: 'InvalidAction',
    });
  });
});
