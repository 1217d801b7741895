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

describe.each(MODES)('DescribeSnapshots via $mounting ($signing)', ({ mounting, signing }) => {
  let h: EcsHarness;
  beforeEach(async () => {
    h = await makeHarness(mounting, {}, signing);
  });
  afterEach(async () => {
    await h.close();
  });
  const describeIn = (region: string, fields: Record<string, unknown> = {}) =>
    h.client(region).describeSnapshots(new h.mod.DescribeSnapshotsRequest({ regionId: region, ...fields }));
  /** Seeds `n` snapshots one virtual minute apart; returns their ids oldest first. */
  const seed = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      h.clock.advance(60_000);
      return h.sim.addSnapshot({ account: h.account, region: SHANGHAI, sizeGiB: 1, name: `snap${i}` }).id;
    });

  it('returns every field of the reference with its wire type for a progressing copy', async () => {
    const src = h.sim.addSnapshot({
      account: h.account,
      region: HANGZHOU,
      sizeGiB: 10,
      diskSizeGiB: 20,
      diskType: 'system',
    });
    const r = await h.client(HANGZHOU).copySnapshot(
      copyRequest(h, {
        snapshotId: src.id,
        retentionDays: 7,
        encrypted: true,
        tag: [{ key: 'k', value: 'v' }],
      }),
    );
    h.clock.advance(5_000);
    const d = await describeIn(SHANGHAI, { snapshotIds: JSON.stringify([r.body!.snapshotId]) });
    const s = d.body!.snapshots!.snapshot![0]!;
    expect(s).toMatchObject({
      snapshotId: r.body!.snapshotId,
      snapshotName: 'copy-of-snap',
      description: 'copied by the test suite',
      status: 'progressing',
      progress: '25%',
      remainTime: 15,
      sourceSnapshotId: src.id,
      sourceRegionId: HANGZHOU,
      sourceDiskId: src.volumeId,
      sourceDiskSize: '20',
      sourceDiskType: 'system',
      regionId: SHANGHAI,
      encrypted: true,
      KMSKeyId: h.sim.serviceKey(h.account, SHANGHAI).id,
      retentionDays: 7,
      category: 'standard',
      available: false,
      instantAccess: false,
      snapshotType: 'user',
      usage: 'none',
      creationTime: '2026-01-01T00:00:00Z',
      fullSnapshotSizeInBytes: 10 * 1024 ** 3,
      tags: { tag: [{ tagKey: 'k', tagValue: 'v' }] },
    });
    h.clock.advance(15_000);
    const done = (await describeIn(SHANGHAI, { snapshotIds: JSON.stringify([r.body!.snapshotId]) })).body!
      .snapshots!.snapshot![0]!;
    expect(done).toMatchObject({ status: 'accomplished', progress: '100%', remainTime: 0, available: true });
    expect(done.lastModifiedTime).toBe('2026-01-01T00:00:20Z');
  });

  it('answers an empty region with an empty array, never an object', async () => {
    const d = await describeIn(SHANGHAI);
    expect(d.body?.snapshots?.snapshot).toEqual([]);
    expect(d.body?.totalCount).toBe(0);
  });

  it('SnapshotIds: up to 100 ids, unknown ids are simply absent, 101 ids → 403 InvalidSnapshotIds.Malformed', async () => {
    const ids = seed(100);
    const d = await describeIn(SHANGHAI, {
      snapshotIds: JSON.stringify([...ids.slice(0, 99), 's-doesnotexist0000000']),
      maxResults: 100,
    });
    expect(d.body!.snapshots!.snapshot!.map((s) => s.snapshotId).sort()).toEqual(ids.slice(0, 99).sort());
    const full = await describeIn(SHANGHAI, { snapshotIds: JSON.stringify(ids), maxResults: 100 });
    expect(full.body!.snapshots!.snapshot).toHaveLength(100);
    const err = await sdkError(describeIn(SHANGHAI, { snapshotIds: JSON.stringify([...ids, 's-x']) }));
    expect([err.statusCode, err.code]).toEqual([403, 'InvalidSnapshotIds.Malformed']);
    const bad = await sdkError(describeIn(SHANGHAI, { snapshotIds: 's-1,s-2' }));
    expect([bad.statusCode, bad.code]).toEqual([403, 'InvalidSnapshotIds.Malformed']);
  });

  it('token paging: MaxResults/NextToken walks every snapshot once, newest first', async () => {
    const ids = seed(25);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const d = await describeIn(SHANGHAI, { maxResults: 10, ...(token ? { nextToken: token } : {}) });
      seen.push(...d.body!.snapshots!.snapshot!.map((s) => s.snapshotId!));
      token = d.body!.nextToken || undefined;
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('offset paging: PageNumber/PageSize with TotalCount', async () => {
    const ids = seed(25);
    const p3 = await describeIn(SHANGHAI, { pageNumber: 3, pageSize: 10 });
    expect(p3.body).toMatchObject({ totalCount: 25, pageNumber: 3, pageSize: 10 });
    expect(p3.body!.snapshots!.snapshot!.map((s) => s.snapshotId)).toEqual(ids.slice(0, 5).reverse());
    const p1 = await describeIn(SHANGHAI, { pageNumber: 1, pageSize: 7, status: 'accomplished' });
    expect(p1.body!.snapshots!.snapshot!.map((s) => s.snapshotId)).toEqual(ids.slice(-7).reverse());
    expect(p1.body!.totalCount).toBe(25);
  });

  it('rejects MaxResults outside 1–100', async () => {
    const err = await sdkError(describeIn(SHANGHAI, { maxResults: 101 }));
    expect([err.statusCode, err.code]).toEqual([400, 'InvalidParameter']);
  });

  describe('filters', () => {
    it('Status, DiskId, SnapshotName, Encrypted, KMSKeyId, Category and Tag.N', async () => {
      const cmk = h.sim.addKey({ account: h.account, region: SHANGHAI });
      const plain = h.sim.addSnapshot({
        account: h.account,
        region: SHANGHAI,
        sizeGiB: 1,
        name: 'plain',
        tags: { env: 'prod' },
      });
      const enc = h.sim.addSnapshot({
        account: h.account,
        region: SHANGHAI,
        sizeGiB: 1,
        kmsKeyId: cmk.id,
        tags: { env: 'dev' },
      });
      const archived = h.sim.addSnapshot({
        account: h.account,
        region: SHANGHAI,
        sizeGiB: 1,
        category: 'archive',
      });
      const busy = h.sim.addSnapshot({
        account: h.account,
        region: SHANGHAI,
        sizeGiB: 1,
        status: 'progressing',
      });
      const ids = async (fields: Record<string, unknown>) =>
        (await describeIn(SHANGHAI, fields)).body!.snapshots!.snapshot!.map((s) => s.snapshotId).sort();
      expect(await ids({ status: 'progressing' })).toEqual([busy.id]);
      expect(await ids({ diskId: plain.volumeId })).toEqual([plain.id]);
      expect(await ids({ snapshotName: 'plain' })).toEqual([plain.id]);
      expect(await ids({ encrypted: true })).toEqual([enc.id]);
      expect(await ids({ KMSKeyId: cmk.id })).toEqual([enc.id]);
      expect(await ids({ category: 'archive' })).toEqual([archived.id]);
      expect(await ids({ tag: [{ key: 'env', value: 'prod' }] })).toEqual([plain.id]);
      expect(await ids({ tag: [{ key: 'env' }] })).toEqual([plain.id, enc.id].sort());
      const err = await sdkError(describeIn(SHANGHAI, { status: 'done' }));
      expect([err.statusCode, err.code]).toEqual([404, 'InvalidStatus.NotFound']);
    });

    it('Filter.N CreationStartTime/CreationEndTime select a time window', async () => {
      const ids = seed(5); // created at 00:01 … 00:05
      const window = await describeIn(SHANGHAI, {
        filter: [
          { key: 'CreationStartTime', value: '2026-01-01T00:02Z' },
          { key: 'CreationEndTime', value: '2026-01-01T00:04Z' },
        ],
      });
      expect(window.body!.snapshots!.snapshot!.map((s) => s.snapshotId)).toEqual([ids[3], ids[2], ids[1]]);
      const err = await sdkError(describeIn(SHANGHAI, { filter: [{ key: 'Colour', value: 'x' }] }));
      expect([err.statusCode, err.code]).toEqual([404, 'InvalidFilterKey.NotFound']);
    });

    it("never shows another account's snapshots", async () => {
      const other = h.sim.addAccount();
      const theirs = h.sim.addSnapshot({ account: other.id, region: SHANGHAI, sizeGiB: 1 });
      const d = await describeIn(SHANGHAI, { snapshotIds: JSON.stringify([theirs.id]) });
      expect(d.body!.snapshots!.snapshot).toEqual([]);
    });
  });

  it('DryRun=true answers 400 DryRunOperation', async () => {
    const err = await sdkError(describeIn(SHANGHAI, { dryRun: true }));
    expect([err.statusCode, err.code]).toEqual([400, 'DryRunOperation']);
  });

  it('an unknown RegionId → 404 InvalidRegionId.NotFound', async () => {
    const err = await sdkError(describeIn('xx-nowhere-1'));
    expect([err.statusCode, err.code]).toEqual([404, 'InvalidRegionId.NotFound']);
  });
});
