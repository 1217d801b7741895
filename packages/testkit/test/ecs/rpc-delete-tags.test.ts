import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  blockNetwork,
  copyRequest,
  type EcsHarness,
  HANGZHOU,
  MODES,
  makeHarness,
  SHANGHAI,
  sdkError,
} from './harness.js';

beforeAll(blockNetwork);

describe.each(MODES)('DeleteSnapshot and tag calls via $mounting ($signing)', ({ mounting, signing }) => {
  let h: EcsHarness;
  beforeEach(async () => {
    h = await makeHarness(mounting, {}, signing);
  });
  afterEach(async () => {
    await h.close();
  });
  const del = (id: string, region = SHANGHAI) =>
    h.client(region).deleteSnapshot(new h.mod.DeleteSnapshotRequest({ snapshotId: id }));

  it('deleting a progressing copy cancels it at once and removes the partial snapshot', async () => {
    const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 100 });
    const r = await h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id }));
    const id = r.body!.snapshotId!;
    h.clock.advance(30_000);
    expect(h.sim.snapshot(id)?.state).toBe('pending');
    await del(id);
    expect(h.sim.world.snapshots.has(id)).toBe(false);
    expect(h.sim.world.deleted.has(id)).toBe(true);
    const d = await h
      .client(SHANGHAI)
      .describeSnapshots(
        new h.mod.DescribeSnapshotsRequest({ regionId: SHANGHAI, snapshotIds: JSON.stringify([id]) }),
      );
    expect(d.body!.snapshots!.snapshot).toEqual([]);
    // Cancelled means no copy to block the next one of the same disk.
    await h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id }));
  });

  it('needs no RegionId: ids are global (sent to any regional endpoint)', async () => {
    const s = h.sim.addSnapshot({ account: h.account, region: SHANGHAI, sizeGiB: 1 });
    await del(s.id, HANGZHOU);
    expect(h.sim.world.snapshots.has(s.id)).toBe(false);
  });

  it('an unknown id → 404 InvalidSnapshotId.NotFound; so is a snapshot of another account', async () => {
    const err = await sdkError(del('s-doesnotexist00000000'));
    expect([err.statusCode, err.code]).toEqual([404, 'InvalidSnapshotId.NotFound']);
    const other = h.sim.addAccount();
    const theirs = h.sim.addSnapshot({ account: other.id, region: SHANGHAI, sizeGiB: 1 });
    const err2 = await sdkError(del(theirs.id));
    expect(err2.code).toBe('InvalidSnapshotId.NotFound');
    expect(h.sim.world.snapshots.has(theirs.id)).toBe(true);
  });

  it('TagResources, ListTagResources and UntagResources on snapshots', async () => {
    const a = h.sim.addSnapshot({ account: h.account, region: SHANGHAI, sizeGiB: 1 });
    const b = h.sim.addSnapshot({ account: h.account, region: SHANGHAI, sizeGiB: 1, tags: { keep: 'me' } });
    const c = h.client(SHANGHAI);
    await c.tagResources(
      new h.mod.TagResourcesRequest({
        regionId: SHANGHAI,
        resourceType: 'snapshot',
        resourceId: [a.id, b.id],
        tag: [
          { key: 'snapcopy:token', value: 't-1' },
          { key: 'empty', value: '' },
        ],
      }),
    );
    expect(Object.fromEntries(b.tags)).toEqual({ keep: 'me', 'snapcopy:token': 't-1', empty: '' });
    const byTag = await c.listTagResources(
      new h.mod.ListTagResourcesRequest({
        regionId: SHANGHAI,
        resourceType: 'snapshot',
        tag: [{ key: 'keep', value: 'me' }],
      }),
    );
    const rows = byTag.body!.tagResources!.tagResource!;
    expect(new Set(rows.map((r) => r.resourceId))).toEqual(new Set([b.id]));
    expect(rows).toContainEqual(
      expect.objectContaining({ resourceType: 'snapshot', tagKey: 'snapcopy:token', tagValue: 't-1' }),
    );
    const byId = await c.listTagResources(
      new h.mod.ListTagResourcesRequest({ regionId: SHANGHAI, resourceType: 'snapshot', resourceId: [a.id] }),
    );
    expect(byId.body!.tagResources!.tagResource!.map((r) => r.tagKey).sort()).toEqual([
      'empty',
      'snapcopy:token',
    ]);
    await c.untagResources(
      new h.mod.UntagResourcesRequest({
        regionId: SHANGHAI,
        resourceType: 'snapshot',
        resourceId: [a.id, b.id],
        tagKey: ['empty'],
      }),
    );
    expect([...b.tags.keys()].sort()).toEqual(['keep', 'snapcopy:token']);
    await c.untagResources(
      new h.mod.UntagResourcesRequest({
        regionId: SHANGHAI,
        resourceType: 'snapshot',
        resourceId: [a.id],
        all: true,
      }),
    );
    expect(a.tags.size).toBe(0);
  });

  it('ListTagResources pages 50 rows with NextToken', async () => {
    const ids = Array.from(
      { length: 30 },
      () =>
        h.sim.addSnapshot({ account: h.account, region: SHANGHAI, sizeGiB: 1, tags: { a: '1', b: '2' } }).id,
    );
    const c = h.client(SHANGHAI);
    const first = await c.listTagResources(
      new h.mod.ListTagResourcesRequest({
        regionId: SHANGHAI,
        resourceType: 'snapshot',
        tag: [{ key: 'a' }],
      }),
    );
    expect(first.body!.tagResources!.tagResource).toHaveLength(50);
    const second = await c.listTagResources(
      new h.mod.ListTagResourcesRequest({
        regionId: SHANGHAI,
        resourceType: 'snapshot',
        tag: [{ key: 'a' }],
        nextToken: first.body!.nextToken,
      }),
    );
    expect(second.body!.tagResources!.tagResource).toHaveLength(10);
    expect(second.body!.nextToken).toBe('');
    expect(ids).toHaveLength(30);
  });

  const tagErrors: Array<{ rule: string; fields: Record<string, unknown>; status: number; code: string }> = [
    {
      rule: 'an unknown snapshot',
      fields: { resourceId: ['s-doesnotexist00000000'] },
      status: 404,
      code: 'InvalidResourceId.NotFound',
    },
    {
      rule: 'an unmodelled resource type',
      fields: { resourceType: 'instance' },
      status: 404,
      code: 'InvalidResourceType.NotFound',
    },
    {
      rule: 'a reserved tag key',
      fields: { tag: [{ key: 'aliyun-x', value: 'v' }] },
      status: 400,
      code: 'InvalidTagKey.Malformed',
    },
    {
      rule: 'duplicate keys',
      fields: {
        tag: [
          { key: 'k', value: '1' },
          { key: 'k', value: '2' },
        ],
      },
      status: 400,
      code: 'Duplicate.TagKey',
    },
    {
      rule: '51 resources',
      fields: { resourceId: Array.from({ length: 51 }, (_, i) => `s-${i}`) },
      status: 400,
      code: 'NumberExceed.ResourceIds',
    },
    {
      rule: '21 tags',
      fields: { tag: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, value: 'v' })) },
      status: 400,
      code: 'NumberExceed.Tags',
    },
  ];
  it.each(tagErrors)('TagResources with $rule → $status $code', async ({ fields, status, code }) => {
    const s = h.sim.addSnapshot({ account: h.account, region: SHANGHAI, sizeGiB: 1 });
    const err = await sdkError(
      h.client(SHANGHAI).tagResources(
        new h.mod.TagResourcesRequest({
          regionId: SHANGHAI,
          resourceType: 'snapshot',
          resourceId: [s.id],
          tag: [{ key: 'k', value: 'v' }],
          ...fields,
        }),
      ),
    );
    expect([err.statusCode, err.code]).toEqual([status, code]);
  });
});
