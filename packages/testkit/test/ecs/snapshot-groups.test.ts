import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EcsInstance } from '../../src/ecs/index.js';
import {
  blockNetwork,
  copyRequest,
  type EcsHarness,
  HANGZHOU,
  loadEcs,
  MODES,
  makeHarness,
  SHANGHAI,
  sdkError,
} from './harness.js';

beforeAll(blockNetwork);

describe.each(MODES)('snapshot-consistent groups via $mounting ($signing)', ({ mounting, signing }) => {
  let h: EcsHarness;
  let instance: EcsInstance;
  beforeEach(async () => {
    h = await makeHarness(mounting, {}, signing);
    instance = h.sim.addInstance({
      account: h.account,
      region: HANGZHOU,
      disks: [
        { sizeGiB: 40, usedGiB: 10 },
        { sizeGiB: 200, usedGiB: 120, changeGiB: 8 },
        { sizeGiB: 100, usedGiB: 30 },
      ],
    });
  });
  afterEach(async () => {
    await h.close();
  });
  const group = (fields: Record<string, unknown>) =>
    new h.mod.CreateSnapshotGroupRequest({ regionId: HANGZHOU, ...fields });

  it('CreateSnapshotGroup takes one snapshot per disk at one time; the group is progressing, then accomplished', async () => {
    const c = h.client(HANGZHOU);
    const since = h.sim.world.requests.size;
    const r = await c.createSnapshotGroup(
      group({
        instanceId: instance.id,
        name: 'nightly',
        description: 'nightly group',
        tag: [new h.mod.CreateSnapshotGroupRequestTag({ key: 'set', value: 'nightly-1' })],
      }),
    );
    const id = r.body?.snapshotGroupId ?? '';
    expect(id).toMatch(/^ssg-[a-z0-9]{20}$/);
    expect(h.sim.world.requests.entries()[since]!.params).toMatchObject({
      InstanceId: instance.id,
      Name: 'nightly',
      'Tag.1.Key': 'set',
    });
    const g = h.sim.snapshotGroup(id)!;
    const members = g.snapshotIds.map((s) => h.sim.world.snapshots.get(s)!);
    expect(members.map((s) => s.volumeId)).toEqual(instance.disks.map((d) => d.diskId));
    expect(new Set(members.map((s) => s.startedAt)).size).toBe(1);
    expect(members.map((s) => s.diskType)).toEqual(['system', 'data', 'data']);

    const describe = async () =>
      (
        await c.describeSnapshotGroups(
          new h.mod.DescribeSnapshotGroupsRequest({ regionId: HANGZHOU, snapshotGroupId: [id] }),
        )
      ).body?.snapshotGroups?.snapshotGroup?.[0];
    const first = await describe();
    expect(first).toMatchObject({
      snapshotGroupId: id,
      status: 'progressing',
      instanceId: instance.id,
      name: 'nightly',
    });
    expect(first?.tags?.tag).toEqual([expect.objectContaining({ key: 'set', value: 'nightly-1' })]);
    expect(first?.snapshots?.snapshot?.map((s) => s.snapshotId)).toEqual(g.snapshotIds);
    h.clock.advance(3_600_000);
    const done = await describe();
    expect(done?.status).toBe('accomplished');
    expect(done?.snapshots?.snapshot?.every((s) => s.progress === '100%' && s.available === true)).toBe(true);

    // The members are ordinary snapshots: DescribeSnapshots finds them by instance.
    const listed = await c.describeSnapshots(
      new h.mod.DescribeSnapshotsRequest({ regionId: HANGZHOU, instanceId: instance.id }),
    );
    expect(listed.body?.snapshots?.snapshot?.map((s) => s.snapshotId).sort()).toEqual(
      [...g.snapshotIds].sort(),
    );
  });

  it('DiskId.N, ExcludeDiskId.N, ClientToken, and the filters of DescribeSnapshotGroups', async () => {
    const c = h.client(HANGZHOU);
    const [system, data, logs] = instance.disks;
    const a = await c.createSnapshotGroup(
      group({ instanceId: instance.id, excludeDiskId: [logs!.diskId], clientToken: 'tok-1' }),
    );
    expect(h.sim.snapshotGroup(a.body!.snapshotGroupId!)!.snapshotIds).toHaveLength(2);
    const again = await c.createSnapshotGroup(
      group({ instanceId: instance.id, excludeDiskId: [logs!.diskId], clientToken: 'tok-1' }),
    );
    expect(again.body?.snapshotGroupId).toBe(a.body?.snapshotGroupId);
    const b = await c.createSnapshotGroup(group({ diskId: [data!.diskId], name: 'data-only' }));
    const bg = h.sim.snapshotGroup(b.body!.snapshotGroupId!)!;
    expect(bg.snapshotIds.map((s) => h.sim.world.snapshots.get(s)!.volumeId)).toEqual([data!.diskId]);
    // The data disk was snapshotted before: the second snapshot is incremental.
    expect(h.sim.world.snapshots.get(bg.snapshotIds[0]!)!.changedGiB).toBe(8);
    expect(system).toBeDefined();

    const ids = async (fields: Record<string, unknown>) =>
      (
        await c.describeSnapshotGroups(
          new h.mod.DescribeSnapshotGroupsRequest({ regionId: HANGZHOU, ...fields }),
        )
      ).body?.snapshotGroups?.snapshotGroup?.map((g) => g.snapshotGroupId) ?? [];
    expect(await ids({ name: 'data-only' })).toEqual([b.body?.snapshotGroupId]);
    expect(await ids({ status: ['progressing'] })).toHaveLength(2);
    expect(await ids({ status: ['accomplished'] })).toEqual([]);
    const page1 = await c.describeSnapshotGroups(
      new h.mod.DescribeSnapshotGroupsRequest({ regionId: HANGZHOU, maxResults: 1 }),
    );
    expect(page1.body?.snapshotGroups?.snapshotGroup).toHaveLength(1);
    const page2 = await c.describeSnapshotGroups(
      new h.mod.DescribeSnapshotGroupsRequest({
        regionId: HANGZHOU,
        maxResults: 1,
        nextToken: page1.body?.nextToken,
      }),
    );
    expect(page2.body?.snapshotGroups?.snapshotGroup?.[0]?.snapshotGroupId).toBe(b.body?.snapshotGroupId);
    expect(page2.body?.nextToken).toBe('');
  });

  it('DeleteSnapshotGroup deletes the group and its snapshots, listing each', async () => {
    const c = h.client(HANGZHOU);
    const g = h.sim.addSnapshotGroup({ instanceId: instance.id, tags: { set: 'seeded' } });
    const r = await c.deleteSnapshotGroup(
      new h.mod.DeleteSnapshotGroupRequest({ regionId: HANGZHOU, snapshotGroupId: g.id }),
    );
    const items = r.body?.operationProgressSet?.operationProgress ?? [];
    expect(items.map((p) => p.relatedItemSet?.relatedItem?.[0]?.value)).toEqual(g.snapshotIds);
    expect(items.every((p) => p.operationStatus === 'Success')).toBe(true);
    for (const id of g.snapshotIds) expect(h.sim.world.deleted.has(id)).toBe(true);
    expect(h.sim.snapshotGroup(g.id)).toBeUndefined();
    const again = await sdkError(
      c.deleteSnapshotGroup(
        new h.mod.DeleteSnapshotGroupRequest({ regionId: HANGZHOU, snapshotGroupId: g.id }),
      ),
    );
    expect(again.code).toBe('InvalidSnapshotGroupId.NotFound');
  });

  it('a group member copies like any snapshot (CopySnapshot per member)', async () => {
    const g = h.sim.addSnapshotGroup({ instanceId: instance.id });
    const r = await h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: g.snapshotIds[1]! }));
    expect(h.sim.snapshot(r.body!.snapshotId!)).toMatchObject({ region: SHANGHAI, state: 'pending' });
  });

  it.each([
    ['neither InstanceId nor DiskId.N', () => ({}), 'MissingParameter'],
    [
      'DiskId.N with ExcludeDiskId.N',
      (i: EcsInstance) => ({
        instanceId: i.id,
        diskId: [i.disks[0]!.diskId],
        excludeDiskId: [i.disks[1]!.diskId],
      }),
      'InvalidParameter',
    ],
    [
      'an instance that does not exist',
      () => ({ instanceId: 'i-doesnotexist00000000' }),
      'InvalidInstanceId.NotFound',
    ],
    ['a disk that does not exist', () => ({ diskId: ['d-doesnotexist00000000'] }), 'InvalidDiskId.NotFound'],
    [
      'every disk excluded',
      (i: EcsInstance) => ({ instanceId: i.id, excludeDiskId: i.disks.map((d) => d.diskId) }),
      'InvalidParameter',
    ],
    [
      'an invalid name',
      (i: EcsInstance) => ({ instanceId: i.id, name: '1-starts-with-a-digit' }),
      'InvalidName.Malformed',
    ],
  ] as const)('CreateSnapshotGroup refuses %s and creates nothing', async (_name, build, code) => {
    const before = h.sim.world.snapshots.size;
    const err = await sdkError(h.client(HANGZHOU).createSnapshotGroup(group(build(instance))));
    expect(err.code).toBe(code);
    expect(h.sim.world.snapshots.size).toBe(before);
  });

  it('a disk never attached to an instance cannot join a group (IncorrectDiskStatus)', async () => {
    const loose = h.sim.addDisk({ account: h.account, region: HANGZHOU, sizeGiB: 20 });
    const err = await sdkError(h.client(HANGZHOU).createSnapshotGroup(group({ diskId: [loose.id] })));
    expect(err.code).toBe('IncorrectDiskStatus');
  });
});

describe('what ECS does not offer: snapshot sharing across accounts', () => {
  it('the ECS SDK (API 2014-05-26) has no operation that shares a snapshot; images are shared instead', async () => {
    const { Client } = await loadEcs();
    const methods = Object.getOwnPropertyNames(Client.prototype);
    expect(methods.filter((m) => /snapshot/i.test(m) && /(share|permission)/i.test(m))).toEqual([]);
    expect(methods).toContain('modifyImageSharePermission');
  });

  it('the simulator answers a made-up share action with InvalidAction.NotFound, and another account cannot copy or see the snapshot', async () => {
    const h = await makeHarness('server');
    try {
      const reply = await h.sim.handler.handle({
        method: 'POST',
        url: `/?RegionId=${HANGZHOU}`,
        headers: { 'x-acs-action': 'ModifySnapshotSharePermission', host: 'ecs.aliyuncs.com' },
        body: '',
      });
      expect('status' in reply && reply.status).toBe(404);
      expect('body' in reply && JSON.parse(reply.body).Code).toBe('InvalidAction.NotFound');
      const other = h.sim.addAccount();
      const theirs = h.sim.addSnapshot({ account: other.id, region: HANGZHOU, sizeGiB: 10 });
      const err = await sdkError(h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: theirs.id })));
      expect(err.code).toBe('InvalidSnapshotId.NotFound');
    } finally {
      await h.close();
    }
  });
});

describe.each(MODES.slice(0, 2))(
  'ModifySnapshotAttribute via $mounting ($signing)',
  ({ mounting, signing }) => {
    let h: EcsHarness;
    beforeEach(async () => {
      h = await makeHarness(mounting, {}, signing);
    });
    afterEach(async () => {
      await h.close();
    });
    const modify = (fields: Record<string, unknown>) => new h.mod.ModifySnapshotAttributeRequest(fields);

    it('renames, re-describes and extends retention; shortening retention is refused', async () => {
      const s = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10, retentionDays: 5 });
      const c = h.client(HANGZHOU);
      await c.modifySnapshotAttribute(
        modify({
          snapshotId: s.id,
          snapshotName: 'kept-longer',
          description: 'now 30 days',
          retentionDays: 30,
        }),
      );
      expect(h.sim.snapshot(s.id)).toMatchObject({
        name: 'kept-longer',
        description: 'now 30 days',
        retentionDays: 30,
      });
      const err = await sdkError(c.modifySnapshotAttribute(modify({ snapshotId: s.id, retentionDays: 10 })));
      expect(err.code).toBe('InvalidRetentionDays.Malformed');
      expect(h.sim.snapshot(s.id)!.retentionDays).toBe(30);
    });

    it.each([
      ['an unknown snapshot', { snapshotId: 's-doesnotexist000000000' }, 'InvalidSnapshotId.NotFound'],
      ['RetentionDays 0', { retentionDays: 0 }, 'InvalidRetentionDays.Malformed'],
      ['a name starting with auto', { snapshotName: 'auto-daily' }, 'InvalidSnapshotName.Malformed'],
    ] as const)('refuses %s', async (_name, fields, code) => {
      const s = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
      const err = await sdkError(
        h.client(HANGZHOU).modifySnapshotAttribute(modify({ snapshotId: s.id, ...fields })),
      );
      expect(err.code).toBe(code);
    });
  },
);
