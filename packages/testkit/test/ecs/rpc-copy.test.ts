import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BEIJING,
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

describe.each(MODES)('CopySnapshot via $mounting ($signing)', ({ mounting, signing }) => {
  let h: EcsHarness;
  beforeEach(async () => {
    h = await makeHarness(mounting, {}, signing);
  });
  afterEach(async () => {
    await h.close();
  });
  const copies = () => [...h.sim.world.snapshots.values()].filter((s) => s.copy);

  it('starts a progressing copy in the destination that completes in virtual time', async () => {
    const src = h.sim.addSnapshot({
      account: h.account,
      region: HANGZHOU,
      sizeGiB: 20,
      tags: { src: 'only' },
    });
    const r = await h
      .client(HANGZHOU)
      .copySnapshot(
        copyRequest(h, { snapshotId: src.id, retentionDays: 7, tag: [{ key: 'team', value: 'storage' }] }),
      );
    const id = r.body?.snapshotId ?? '';
    expect(id).toMatch(/^s-[a-z0-9]{20}$/);
    expect(r.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    const copy = h.sim.snapshot(id)!;
    expect(copy.region).toBe(SHANGHAI);
    expect(copy.state).toBe('pending');
    expect([...copy.tags]).toEqual([['team', 'storage']]);
    expect(copy.retentionDays).toBe(7);
    h.clock.advance(10_000);
    expect(h.sim.snapshot(id)!.progress).toBe(50);
    h.clock.advance(10_000);
    expect(h.sim.snapshot(id)!.state).toBe('completed');
  });

  it('ClientToken: the same token returns the same snapshot and makes no second copy', async () => {
    const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
    const c = h.client(HANGZHOU);
    const token = '123e4567-e89b-12d3-a456-426655440000';
    const first = await c.copySnapshot(copyRequest(h, { snapshotId: src.id, clientToken: token }));
    h.clock.advance(30 * 86_400_000);
    const again = await c.copySnapshot(copyRequest(h, { snapshotId: src.id, clientToken: token }));
    expect(again.body?.snapshotId).toBe(first.body?.snapshotId);
    expect(copies()).toHaveLength(1);
    expect(h.sim.world.ledger.entries()).toHaveLength(1);
    const other = await c.copySnapshot(copyRequest(h, { snapshotId: src.id, clientToken: 'another-token' }));
    expect(other.body?.snapshotId).not.toBe(first.body?.snapshotId);
  });

  it('ClientToken is scoped to the account', async () => {
    const other = h.sim.addAccount();
    const mine = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
    const theirs = h.sim.addSnapshot({ account: other.id, region: HANGZHOU, sizeGiB: 10 });
    const creds = h.sim.credentials(other.id);
    const a = await h
      .client(HANGZHOU)
      .copySnapshot(copyRequest(h, { snapshotId: mine.id, clientToken: 't-1' }));
    const b = await h
      .client(HANGZHOU, { accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret })
      .copySnapshot(copyRequest(h, { snapshotId: theirs.id, clientToken: 't-1' }));
    expect(b.body?.snapshotId).not.toBe(a.body?.snapshotId);
    expect(h.sim.world.snapshots.get(b.body!.snapshotId!)?.account).toBe(other.id);
  });

  it('refuses a standard copy within the region, allows an encrypted one', async () => {
    const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
    const c = h.client(HANGZHOU);
    const err = await sdkError(
      c.copySnapshot(copyRequest(h, { snapshotId: src.id, destinationRegionId: HANGZHOU })),
    );
    expect(err.code).toBe('InvalidOperation.NotSupportCopyInSameRegion');
    expect(err.statusCode).toBe(403);
    expect(copies()).toHaveLength(0);
    const ok = await c.copySnapshot(
      copyRequest(h, { snapshotId: src.id, destinationRegionId: HANGZHOU, encrypted: true }),
    );
    const copy = h.sim.snapshot(ok.body!.snapshotId!)!;
    expect(copy.region).toBe(HANGZHOU);
    expect(copy.encrypted).toBe(true);
  });

  describe('encryption outcome', () => {
    it('Encrypted=true without a key: the destination service key alias/acs/ecs', async () => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
      const r = await h
        .client(HANGZHOU)
        .copySnapshot(copyRequest(h, { snapshotId: src.id, encrypted: true }));
      const copy = h.sim.snapshot(r.body!.snapshotId!)!;
      expect(copy.encrypted).toBe(true);
      expect(copy.kmsKeyId).toBe(h.sim.serviceKey(h.account, SHANGHAI).id);
    });

    it('Encrypted=true with a CMK of the destination (by id or alias): that key', async () => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
      const key = h.sim.addKey({ account: h.account, region: SHANGHAI, alias: 'alias/backup' });
      const c = h.client(HANGZHOU);
      const byId = await c.copySnapshot(
        copyRequest(h, { snapshotId: src.id, encrypted: true, KMSKeyId: key.id }),
      );
      expect(h.sim.snapshot(byId.body!.snapshotId!)!.kmsKeyId).toBe(key.id);
      const src2 = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
      const byAlias = await c.copySnapshot(
        copyRequest(h, { snapshotId: src2.id, encrypted: true, KMSKeyId: 'alias/backup' }),
      );
      expect(h.sim.snapshot(byAlias.body!.snapshotId!)!.kmsKeyId).toBe(key.id);
    });

    it('an encrypted-disk snapshot copied without Encrypted stays encrypted; Encrypted=false is refused', async () => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10, encrypted: true });
      expect(src.encrypted).toBe(true);
      const c = h.client(HANGZHOU);
      const err = await sdkError(c.copySnapshot(copyRequest(h, { snapshotId: src.id, encrypted: false })));
      expect([err.statusCode, err.code]).toEqual([403, 'InvalidEncrypted.NotSupportDecrypt']);
      const r = await c.copySnapshot(copyRequest(h, { snapshotId: src.id }));
      const copy = h.sim.snapshot(r.body!.snapshotId!)!;
      expect(copy.encrypted).toBe(true);
      expect(copy.kmsKeyId).toBe(h.sim.serviceKey(h.account, SHANGHAI).id);
    });
  });

  describe('synchronous key errors (nothing is created)', () => {
    const cases: Array<{ rule: string; setup: (h: EcsHarness) => Record<string, unknown>; code: string }> = [
      {
        rule: 'unknown key',
        setup: () => ({ encrypted: true, KMSKeyId: '0e478b7a-4262-4802-b8cb-00d3fb40ffff' }),
        code: 'InvalidParameter.KMSKeyId.NotFound',
      },
      {
        rule: 'a key of the source region, not the destination',
        setup: (h) => ({
          encrypted: true,
          KMSKeyId: h.sim.addKey({ account: h.account, region: HANGZHOU }).id,
        }),
        code: 'InvalidParameter.KMSKeyId.NotFound',
      },
      {
        rule: 'a disabled key',
        setup: (h) => ({
          encrypted: true,
          KMSKeyId: h.sim.addKey({ account: h.account, region: SHANGHAI, enabled: false }).id,
        }),
        code: 'InvalidParameter.KMSKeyId.CMKNotEnabled',
      },
      {
        rule: 'a key ECS may not use',
        setup: (h) => ({
          encrypted: true,
          KMSKeyId: h.sim.addKey({ account: h.account, region: SHANGHAI, usable: false }).id,
        }),
        code: 'InvalidParameter.KMSKeyId.KMSUnauthorized',
      },
      {
        rule: "another account's key not shared with us",
        setup: (h) => ({
          encrypted: true,
          KMSKeyId: h.sim.addKey({ account: h.sim.addAccount().id, region: SHANGHAI }).id,
        }),
        code: 'InvalidParameter.KMSKeyId.CMKUnauthorized',
      },
      {
        rule: 'KMSKeyId without Encrypted=true',
        setup: (h) => ({ KMSKeyId: h.sim.addKey({ account: h.account, region: SHANGHAI }).id }),
        code: 'InvalidEncrypted.NotMatchKmsKeyId',
      },
      {
        rule: 'KMS not activated',
        setup: (h) => {
          h.sim.setKmsEnabled(h.account, false);
          return { encrypted: true };
        },
        code: 'InvalidParameter.KmsNotEnabled',
      },
    ];
    it.each(cases)('$rule → 403 $code', async ({ setup, code }) => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
      const err = await sdkError(
        h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id, ...setup(h) })),
      );
      expect([err.statusCode, err.code]).toEqual([403, code]);
      expect(copies()).toHaveLength(0);
      expect(h.sim.world.ledger.entries()).toHaveLength(0);
    });
  });

  describe('source checks', () => {
    const cases: Array<{ rule: string; fixture: Record<string, unknown>; status: number; code: string }> = [
      {
        rule: 'archived snapshot',
        fixture: { category: 'archive' },
        status: 403,
        code: 'OperationDenied.SnapshotCategoryNotSupportCopy',
      },
      {
        rule: 'local (flash) snapshot',
        fixture: { category: 'flash' },
        status: 403,
        code: 'InvalidSnapshotCategory.NotSupportCopy',
      },
      {
        rule: 'snapshot still being created',
        fixture: { status: 'progressing' },
        status: 403,
        code: 'InvalidSnapshotId.NotReady',
      },
    ];
    it.each(cases)('$rule → $status $code', async ({ fixture, status, code }) => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10, ...fixture });
      const err = await sdkError(h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id })));
      expect([err.statusCode, err.code]).toEqual([status, code]);
    });

    it('a snapshot of another region (RegionId is the source region) → 403 InvalidSnapshotId.NotFound', async () => {
      const src = h.sim.addSnapshot({ account: h.account, region: BEIJING, sizeGiB: 10 });
      const err = await sdkError(h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id })));
      expect([err.statusCode, err.code]).toEqual([403, 'InvalidSnapshotId.NotFound']);
    });
  });

  describe('parameter validation', () => {
    const cases: Array<{ rule: string; fields: Record<string, unknown>; status: number; code: string }> = [
      {
        rule: 'RetentionDays 0',
        fields: { retentionDays: 0 },
        status: 403,
        code: 'InvalidRetentionDays.Malformed',
      },
      {
        rule: 'RetentionDays 65537',
        fields: { retentionDays: 65537 },
        status: 403,
        code: 'InvalidRetentionDays.Malformed',
      },
      {
        rule: 'a name starting with a digit',
        fields: { destinationSnapshotName: '1copy' },
        status: 403,
        code: 'InvalidSnapshotName.Malformed',
      },
      {
        rule: 'a one-character description',
        fields: { destinationSnapshotDescription: 'x' },
        status: 403,
        code: 'InvalidDescription.Malformed',
      },
      {
        rule: 'no name (required by the reference)',
        fields: { destinationSnapshotName: undefined },
        status: 400,
        code: 'MissingParameter',
      },
      {
        rule: 'an unknown destination region',
        fields: { destinationRegionId: 'xx-nowhere-1' },
        status: 403,
        code: 'InvalidRegionId.NotExists',
      },
      {
        rule: 'a reserved tag key',
        fields: { tag: [{ key: 'acs:x', value: 'v' }] },
        status: 400,
        code: 'InvalidTagKey.Malformed',
      },
      {
        rule: 'duplicate tag keys',
        fields: {
          tag: [
            { key: 'a', value: '1' },
            { key: 'a', value: '2' },
          ],
        },
        status: 400,
        code: 'Duplicate.TagKey',
      },
      {
        rule: '21 tags',
        fields: { tag: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, value: 'v' })) },
        status: 400,
        code: 'InvalidTagCount',
      },
      {
        rule: 'a ClientToken over 64 characters',
        fields: { clientToken: 'x'.repeat(65) },
        status: 400,
        code: 'InvalidParameter',
      },
    ];
    it.each(cases)('$rule → $status $code', async ({ fields, status, code }) => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
      const err = await sdkError(
        h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id, ...fields })),
      );
      expect([err.statusCode, err.code]).toEqual([status, code]);
    });

    it('RetentionDays 1 and 65536 are accepted', async () => {
      const c = h.client(HANGZHOU);
      for (const days of [1, 65536]) {
        const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
        const r = await c.copySnapshot(copyRequest(h, { snapshotId: src.id, retentionDays: days }));
        expect(h.sim.snapshot(r.body!.snapshotId!)!.retentionDays).toBe(days);
      }
    });
  });

  it('an unfinished copy of the same disk to the same region blocks the next one', async () => {
    const first = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
    const second = h.sim.addSnapshot({
      account: h.account,
      region: HANGZHOU,
      diskId: first.volumeId,
      sizeGiB: 10,
    });
    const c = h.client(HANGZHOU);
    await c.copySnapshot(copyRequest(h, { snapshotId: first.id }));
    const err = await sdkError(c.copySnapshot(copyRequest(h, { snapshotId: second.id })));
    expect([err.statusCode, err.code]).toEqual([403, 'InvalidOperation.UnfinishedCrossRegionCopy']);
    await c.copySnapshot(copyRequest(h, { snapshotId: second.id, destinationRegionId: BEIJING }));
    h.clock.advance(10_000);
    await c.copySnapshot(copyRequest(h, { snapshotId: second.id }));
    expect(copies()).toHaveLength(3);
  });

  it('an injected async failure: the copy starts progressing, then reports failed', async () => {
    const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
    h.sim.failNextCopies(1);
    const r = await h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id }));
    const id = r.body!.snapshotId!;
    const status = async () =>
      (
        await h
          .client(SHANGHAI)
          .describeSnapshots(
            new h.mod.DescribeSnapshotsRequest({ regionId: SHANGHAI, snapshotIds: JSON.stringify([id]) }),
          )
      ).body!.snapshots!.snapshot![0]!.status;
    expect(await status()).toBe('progressing');
    h.clock.advance(1_000);
    expect(await status()).toBe('failed');
    const next = await h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id }));
    h.clock.advance(10_000);
    expect(h.sim.snapshot(next.body!.snapshotId!)?.state).toBe('completed');
  });

  it('retention: a completed copy is released after RetentionDays of virtual time', async () => {
    const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
    const r = await h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id, retentionDays: 1 }));
    const id = r.body!.snapshotId!;
    h.clock.advance(10_000 + 86_400_000 - 1);
    const describe = (ids: string[]) =>
      h
        .client(SHANGHAI)
        .describeSnapshots(
          new h.mod.DescribeSnapshotsRequest({ regionId: SHANGHAI, snapshotIds: JSON.stringify(ids) }),
        );
    expect((await describe([id])).body?.snapshots?.snapshot).toHaveLength(1);
    h.clock.advance(1);
    expect((await describe([id])).body?.snapshots?.snapshot).toHaveLength(0);
    expect(h.sim.world.deleted.has(id)).toBe(true);
  });

  describe('billing ledger', () => {
    it('standard copies: full snapshot first, then the delta of the lineage', async () => {
      const s1 = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 30, diskSizeGiB: 100 });
      const s2 = h.sim.addSnapshot({
        account: h.account,
        region: HANGZHOU,
        diskId: s1.volumeId,
        sizeGiB: 32,
        changedGiB: 4,
      });
      const c = h.client(HANGZHOU);
      const a = await c.copySnapshot(copyRequest(h, { snapshotId: s1.id }));
      h.clock.advance(60_000);
      const b = await c.copySnapshot(copyRequest(h, { snapshotId: s2.id }));
      const ledger = h.sim.world.ledger;
      expect(ledger.forSnapshot(a.body!.snapshotId!)).toMatchObject({
        cloud: 'ecs',
        sizeBasis: 'snapshot',
        transfer: 'full',
        transferGiB: 30,
        sourceRegion: HANGZHOU,
        destinationRegion: SHANGHAI,
      });
      expect(ledger.forSnapshot(b.body!.snapshotId!)).toMatchObject({
        sizeBasis: 'delta',
        transfer: 'incremental',
        transferGiB: 4,
      });
    });

    it('encrypted copies: disk size for an unencrypted source, delta with the same key, full again on a key change', async () => {
      const s1 = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 30, diskSizeGiB: 100 });
      const s2 = h.sim.addSnapshot({
        account: h.account,
        region: HANGZHOU,
        diskId: s1.volumeId,
        sizeGiB: 31,
        changedGiB: 2,
      });
      const cmk = h.sim.addKey({ account: h.account, region: SHANGHAI });
      const c = h.client(HANGZHOU);
      const ledger = h.sim.world.ledger;
      const first = await c.copySnapshot(copyRequest(h, { snapshotId: s1.id, encrypted: true }));
      expect(ledger.forSnapshot(first.body!.snapshotId!)).toMatchObject({
        sizeBasis: 'disk',
        transferGiB: 100,
      });
      h.clock.advance(600_000);
      const same = await c.copySnapshot(copyRequest(h, { snapshotId: s2.id, encrypted: true }));
      expect(ledger.forSnapshot(same.body!.snapshotId!)).toMatchObject({
        sizeBasis: 'delta',
        transferGiB: 2,
      });
      h.clock.advance(600_000);
      const rekey = await c.copySnapshot(
        copyRequest(h, { snapshotId: s2.id, encrypted: true, KMSKeyId: cmk.id }),
      );
      expect(ledger.forSnapshot(rekey.body!.snapshotId!)).toMatchObject({
        sizeBasis: 'disk',
        transfer: 'full',
        transferGiB: 100,
      });
    });

    it('a same-region encrypted copy moves no data between regions but stores the disk size', async () => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 30, diskSizeGiB: 100 });
      const r = await h
        .client(HANGZHOU)
        .copySnapshot(copyRequest(h, { snapshotId: src.id, encrypted: true, destinationRegionId: HANGZHOU }));
      expect(h.sim.world.ledger.forSnapshot(r.body!.snapshotId!)).toMatchObject({
        sizeBasis: 'disk',
        transfer: 'full',
        transferGiB: 0,
        storageGiB: 100,
      });
    });

    it('"Copy a snapshot": going back to an earlier key is a key change too (service → CMK → service: full each time)', async () => {
      const s1 = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 30, diskSizeGiB: 100 });
      const s2 = h.sim.addSnapshot({
        account: h.account,
        region: HANGZHOU,
        diskId: s1.volumeId,
        sizeGiB: 31,
        changedGiB: 2,
      });
      const s3 = h.sim.addSnapshot({
        account: h.account,
        region: HANGZHOU,
        diskId: s1.volumeId,
        sizeGiB: 33,
        changedGiB: 3,
      });
      const cmk = h.sim.addKey({ account: h.account, region: SHANGHAI });
      const c = h.client(HANGZHOU);
      const billed = async (snapshotId: string, extra: Record<string, unknown>) => {
        const r = await c.copySnapshot(copyRequest(h, { snapshotId, encrypted: true, ...extra }));
        h.clock.advance(600_000);
        return h.sim.world.ledger.forSnapshot(r.body!.snapshotId!);
      };
      expect(await billed(s1.id, {})).toMatchObject({ sizeBasis: 'disk', transferGiB: 100 });
      expect(await billed(s2.id, { KMSKeyId: cmk.id })).toMatchObject({
        sizeBasis: 'disk',
        transferGiB: 100,
      });
      expect(await billed(s3.id, {})).toMatchObject({
        sizeBasis: 'disk',
        transfer: 'full',
        transferGiB: 100,
      });
      // Same key as the most recent copy: the blocks changed since that copy's source (s2 → s3).
      const s4 = h.sim.addSnapshot({
        account: h.account,
        region: HANGZHOU,
        diskId: s1.volumeId,
        sizeGiB: 33,
        changedGiB: 1,
      });
      expect(await billed(s4.id, {})).toMatchObject({
        sizeBasis: 'delta',
        transfer: 'incremental',
        transferGiB: 1,
      });
    });

    it('a delta runs from the source of the most recent copy, skipping snapshots never copied', async () => {
      const s1 = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 30, diskSizeGiB: 100 });
      h.sim.addSnapshot({
        account: h.account,
        region: HANGZHOU,
        diskId: s1.volumeId,
        sizeGiB: 32,
        changedGiB: 4,
      });
      const s3 = h.sim.addSnapshot({
        account: h.account,
        region: HANGZHOU,
        diskId: s1.volumeId,
        sizeGiB: 33,
        changedGiB: 1,
      });
      const c = h.client(HANGZHOU);
      await c.copySnapshot(copyRequest(h, { snapshotId: s1.id }));
      h.clock.advance(600_000);
      const r = await c.copySnapshot(copyRequest(h, { snapshotId: s3.id }));
      // s2 rewrote 28..32 GiB, s3 rewrote 31..33: 5 GiB differ between s1 and s3.
      expect(h.sim.world.ledger.forSnapshot(r.body!.snapshotId!)).toMatchObject({
        sizeBasis: 'delta',
        transferGiB: 5,
      });
      expect(h.sim.world.blocks.changedGiBBetween(s1.id, s3.id)).toBe(5);
    });

    it('a copy cancelled (deleted) before it completes stores nothing; only what had moved is transferred', async () => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 100, diskSizeGiB: 100 });
      const r = await h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id }));
      const id = r.body!.snapshotId!;
      h.clock.advance(25_000); // a quarter of 100 GiB at 1 GiB/s
      await h.client(SHANGHAI).deleteSnapshot(new h.mod.DeleteSnapshotRequest({ snapshotId: id }));
      expect(h.sim.world.snapshots.has(id)).toBe(false);
      expect(h.sim.world.ledger.forSnapshot(id)).toMatchObject({
        transfer: 'full',
        transferGiB: 25,
        storageGiB: 0,
        settled: 'cancelled',
      });
    });

    it('a copy that fails asynchronously stores and bills nothing', async () => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 40 });
      h.sim.failNextCopies(1);
      const r = await h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id }));
      h.clock.advance(600_000);
      expect(h.sim.snapshot(r.body!.snapshotId!)?.state).toBe('error');
      expect(h.sim.world.ledger.forSnapshot(r.body!.snapshotId!)).toMatchObject({
        transferGiB: 0,
        storageGiB: 0,
        settled: 'failed',
      });
    });

    it('encrypted copy of an encrypted snapshot: full snapshot size', async () => {
      const src = h.sim.addSnapshot({
        account: h.account,
        region: HANGZHOU,
        sizeGiB: 30,
        diskSizeGiB: 100,
        encrypted: true,
      });
      const r = await h
        .client(HANGZHOU)
        .copySnapshot(copyRequest(h, { snapshotId: src.id, encrypted: true }));
      expect(h.sim.world.ledger.forSnapshot(r.body!.snapshotId!)).toMatchObject({
        sizeBasis: 'snapshot',
        transfer: 'full',
        transferGiB: 30,
      });
    });
  });
});

describe('CopySnapshot options', () => {
  it('serializeCopiesPerDisk=false lets copies of one disk overlap', async () => {
    const h = await makeHarness('nock', { serializeCopiesPerDisk: false });
    try {
      const first = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
      const second = h.sim.addSnapshot({
        account: h.account,
        region: HANGZHOU,
        diskId: first.volumeId,
        sizeGiB: 10,
      });
      const c = h.client(HANGZHOU);
      await c.copySnapshot(copyRequest(h, { snapshotId: first.id }));
      await c.copySnapshot(copyRequest(h, { snapshotId: second.id }));
      expect(h.sim.world.pendingCopies(h.account, SHANGHAI)).toBe(2);
    } finally {
      await h.close();
    }
  });

  it('requireDestinationNameAndDescription=false accepts a copy without them', async () => {
    const h = await makeHarness('nock', { requireDestinationNameAndDescription: false });
    try {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
      const r = await h.client(HANGZHOU).copySnapshot(
        new h.mod.CopySnapshotRequest({
          regionId: HANGZHOU,
          snapshotId: src.id,
          destinationRegionId: SHANGHAI,
        }),
      );
      expect(h.sim.snapshot(r.body!.snapshotId!)?.name).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});
