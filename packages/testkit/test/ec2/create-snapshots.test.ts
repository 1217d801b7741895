import { CreateSnapshotsCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ec2Instance } from '../../src/ec2/index.js';
import { A, B, failure, freshFixture, MOUNTINGS } from './harness.js';

describe.each(MOUNTINGS)('CreateSnapshots: multi-volume sets (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);
  let instance: Ec2Instance;
  beforeEach(() => {
    instance = f.w.sim.addInstance({
      account: A,
      region: 'us-east-1',
      tags: { Name: 'db-1' },
      volumes: [
        { sizeGiB: 8, usedGiB: 4, tags: { role: 'root' } },
        {
          sizeGiB: 100,
          usedGiB: 60,
          changeGiB: 5,
          kmsKeyId: 'alias/backup',
          tags: { role: 'data', team: 'db' },
        },
        { sizeGiB: 50, usedGiB: 20, tags: { role: 'logs' } },
      ],
    });
  });
  const create = (extra: Record<string, unknown> = {}) =>
    new CreateSnapshotsCommand({
      InstanceSpecification: { InstanceId: instance.id },
      Description: 'nightly set',
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: 'set', Value: 'nightly-1' },
            { Key: 'role', Value: 'set-member' },
          ],
        },
      ],
      ...extra,
    });

  it('takes one snapshot per attached volume, one start time, the same description and tags; pending until taken', async () => {
    const { sim, clock, keys } = f.w;
    const ec2 = f.m.client(A, 'us-east-1');
    const since = sim.world.requests.size;
    const out = await ec2.send(create({ CopyTagsFromSource: 'volume' }));
    expect(sim.world.requests.entries()[since]!.params).toMatchObject({
      'InstanceSpecification.InstanceId': instance.id,
      CopyTagsFromSource: 'volume',
      'TagSpecification.1.ResourceType': 'snapshot',
    });
    const snaps = out.Snapshots!;
    expect(snaps.map((s) => s.VolumeId)).toEqual(instance.attachments.map((a) => a.volumeId));
    expect(new Set(snaps.map((s) => s.StartTime!.getTime())).size).toBe(1);
    for (const s of snaps) {
      expect(s).toMatchObject({ State: 'pending', Description: 'nightly set', OwnerId: A, Progress: '0%' });
      const inWorld = sim.snapshot(s.SnapshotId!)!;
      // The request's tags win over the volume's on a shared key.
      expect(inWorld.tags.get('set')).toBe('nightly-1');
      expect(inWorld.tags.get('role')).toBe('set-member');
    }
    expect(sim.snapshot(snaps[1]!.SnapshotId!)).toMatchObject({
      encrypted: true,
      kmsKeyId: keys.backupEast.arn,
      sizeGiB: 60,
    });
    expect(sim.snapshot(snaps[1]!.SnapshotId!)!.tags.get('team')).toBe('db');
    expect(snaps[0]!.Encrypted).toBe(false);

    clock.advance(3_600_000);
    const described = await ec2.send(
      new DescribeSnapshotsCommand({ SnapshotIds: snaps.map((s) => s.SnapshotId!) }),
    );
    expect(described.Snapshots!.every((s) => s.State === 'completed' && s.Progress === '100%')).toBe(true);
    // None of the set is a copy: nothing was billed.
    expect(sim.world.ledger.entries()).toHaveLength(0);
  });

  it('ExcludeBootVolume and ExcludeDataVolumeId.N leave volumes out; a second set is incremental', async () => {
    const { sim } = f.w;
    const ec2 = f.m.client(A, 'us-east-1');
    const [root, data, logs] = instance.attachments;
    const since = sim.world.requests.size;
    const out = await ec2.send(
      create({
        InstanceSpecification: {
          InstanceId: instance.id,
          ExcludeBootVolume: true,
          ExcludeDataVolumeIds: [logs!.volumeId],
        },
      }),
    );
    expect(sim.world.requests.entries()[since]!.params).toMatchObject({
      'InstanceSpecification.ExcludeBootVolume': 'true',
      'InstanceSpecification.ExcludeDataVolumeId.1': logs!.volumeId,
    });
    expect(out.Snapshots!.map((s) => s.VolumeId)).toEqual([data!.volumeId]);
    expect(sim.snapshot(out.Snapshots![0]!.SnapshotId!)!.changedGiB).toBe(60);
    const second = await ec2.send(create());
    expect(second.Snapshots!.map((s) => s.VolumeId)).toEqual([
      root!.volumeId,
      data!.volumeId,
      logs!.volumeId,
    ]);
    expect(sim.snapshot(second.Snapshots![1]!.SnapshotId!)!.changedGiB).toBe(5);
    expect(sim.snapshot(second.Snapshots![0]!.SnapshotId!)!.changedGiB).toBe(4);
  });

  it.each([
    [
      'an instance that does not exist',
      () => create({ InstanceSpecification: { InstanceId: 'i-0123456789abcdef0' } }),
      A,
      'InvalidInstanceID.NotFound',
    ],
    ["another account's instance", () => create(), B, 'InvalidInstanceID.NotFound'],
    [
      'a malformed instance id',
      () => create({ InstanceSpecification: { InstanceId: 'web-1' } }),
      A,
      'InvalidInstanceID.Malformed',
    ],
    [
      'the root volume named as a data volume to exclude',
      () =>
        create({
          InstanceSpecification: {
            InstanceId: instance.id,
            ExcludeDataVolumeIds: [instance.attachments[0]!.volumeId],
          },
        }),
      A,
      'InvalidParameterValue',
    ],
    [
      'nothing left to snapshot',
      () =>
        create({
          InstanceSpecification: {
            InstanceId: instance.id,
            ExcludeBootVolume: true,
            ExcludeDataVolumeIds: instance.attachments.slice(1).map((a) => a.volumeId),
          },
        }),
      A,
      'InvalidParameterValue',
    ],
    [
      'CopyTagsFromSource other than volume',
      () => create({ CopyTagsFromSource: 'instance' }),
      A,
      'InvalidParameterValue',
    ],
  ] as const)('refuses %s, creating nothing', async (_name, build, account, code) => {
    const before = f.w.sim.world.snapshots.size;
    const err = await failure(f.m.client(account, 'us-east-1').send(build()));
    expect(err.name).toBe(code);
    expect(f.w.sim.world.snapshots.size).toBe(before);
  });

  it('a seeded set (takeSnapshotSet, completed) is there at once with its common tag', async () => {
    const { sim } = f.w;
    const set = sim.takeSnapshotSet(instance.id, {
      completed: true,
      tags: new Map([['backup-set', 'weekly']]),
    });
    expect(set).toHaveLength(3);
    const out = await f.m
      .client(A, 'us-east-1')
      .send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:backup-set', Values: ['weekly'] }] }));
    expect(out.Snapshots!.map((s) => s.SnapshotId).sort()).toEqual(set.map((s) => s.id).sort());
    expect(out.Snapshots!.every((s) => s.State === 'completed')).toBe(true);
  });
});
