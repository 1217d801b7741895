import { is } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { describeReply, EcsWireStub, ecsError, wireSnapshot } from './support/ecs-wire-stub.js';
import { STUB_ORIGIN, stubCopier } from './support/nock-copier.js';
import { localNetworkOnly } from './support/nock-lifecycle.js';

const DST = 'cn-shanghai';

let stub: EcsWireStub;
localNetworkOnly(() => stub?.stop());

/** Serves DescribeSnapshots from a table of known snapshots, honouring SnapshotIds. */
function serveKnown(known: Record<string, Record<string, unknown>>): EcsWireStub {
  stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', (p) => {
    const ids = JSON.parse(p.SnapshotIds ?? '[]') as string[];
    return {
      body: describeReply(
        ids.filter((id) => known[id]).map((id) => wireSnapshot({ SnapshotId: id, ...known[id] })),
      ),
    };
  });
  return stub;
}

describe('status: one DescribeSnapshots per region and 100 ids', () => {
  const rows: { rule: string; wire?: Record<string, unknown>; expect: Record<string, unknown> }[] = [
    {
      rule: 'progressing "56%" → pending 56',
      wire: { Status: 'progressing', Progress: '56%', RemainTime: 30 },
      expect: { state: 'pending', progress: 56, rawState: 'progressing' },
    },
    {
      rule: 'progressing "100%" (not yet accomplished) → pending, capped at 99',
      wire: { Status: 'progressing', Progress: '100%' },
      expect: { state: 'pending', progress: 99, rawState: 'progressing' },
    },
    {
      rule: 'accomplished → completed 100',
      wire: { Status: 'accomplished', Progress: '100%', Encrypted: true, KMSKeyId: 'kms-1' },
      expect: {
        state: 'completed',
        progress: 100,
        rawState: 'accomplished',
        encrypted: true,
        kmsKeyId: 'kms-1',
      },
    },
    {
      rule: 'failed → failed',
      wire: { Status: 'failed', Progress: '12%' },
      expect: { state: 'failed', rawState: 'failed' },
    },
    {
      rule: 'an unreadable progress → 0',
      wire: { Status: 'progressing', Progress: 'n/a' },
      expect: { state: 'pending', progress: 0 },
    },
    {
      rule: 'absent, not cancelled here → failed, says it no longer exists',
      expect: { state: 'failed', rawState: 'absent', message: expect.stringMatching(/no longer exists/) },
    },
  ];

  for (const row of rows) {
    it(row.rule, async () => {
      serveKnown(row.wire ? { 's-c1': row.wire } : {});
      const [status] = await stubCopier().status([{ region: DST, snapshotId: 's-c1' }]);
      expect(status).toMatchObject({ region: DST, snapshotId: 's-c1', ...row.expect });
      expect(stub.of('DescribeSnapshots')[0]!.params).toEqual({
        RegionId: DST,
        MaxResults: '100',
        SnapshotIds: '["s-c1"]',
      });
    });
  }

  it('250 ids in one region → 3 calls of 100, 100 and 50, statuses in request order', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `s-c${String(i).padStart(4, '0')}`);
    serveKnown(Object.fromEntries(ids.map((id) => [id, { Status: 'progressing', Progress: '10%' }])));
    const statuses = await stubCopier().status(ids.map((snapshotId) => ({ region: DST, snapshotId })));
    const batches = stub
      .of('DescribeSnapshots')
      .map((c) => (JSON.parse(c.params.SnapshotIds!) as string[]).length);
    expect(batches.sort((a, b) => b - a)).toEqual([100, 100, 50]);
    expect(statuses.map((s) => s.snapshotId)).toEqual(ids);
    expect(statuses.every((s) => s.state === 'pending' && s.progress === 10)).toBe(true);
  });

  it('ids in two regions → one call per region, each with its RegionId', async () => {
    serveKnown({ 's-a': { Status: 'accomplished' }, 's-b': { Status: 'accomplished' } });
    await stubCopier().status([
      { region: 'cn-shanghai', snapshotId: 's-a' },
      { region: 'cn-beijing', snapshotId: 's-b' },
    ]);
    const calls = stub.of('DescribeSnapshots').map((c) => [c.params.RegionId, c.params.SnapshotIds]);
    expect(calls.sort()).toEqual([
      ['cn-beijing', '["s-b"]'],
      ['cn-shanghai', '["s-a"]'],
    ]);
  });

  it('throttled status is retried and succeeds', async () => {
    serveKnown({ 's-c1': { Status: 'accomplished' } });
    stub.on(
      'DescribeSnapshots',
      () => ecsError(400, 'Throttling.Api'),
      () => ({ body: describeReply([wireSnapshot({ SnapshotId: 's-c1' })]) }),
    );
    const [s] = await stubCopier().status([{ region: DST, snapshotId: 's-c1' }]);
    expect(s?.state).toBe('completed');
    expect(stub.of('DescribeSnapshots')).toHaveLength(2);
  });
});

/** A copy snapcopy made (it carries the client-token lineage tag), as DescribeSnapshots shows it. */
const madeBySnapcopy = (id: string) =>
  wireSnapshot({
    SnapshotId: id,
    Status: 'progressing',
    Tags: { Tag: [{ TagKey: 'snapcopy:client-token', TagValue: 'tok-0001' }] },
  });

/** DescribeSnapshots answers with `snapshots` whatever ids are asked for. */
const describing =
  (...snapshots: Record<string, unknown>[]) =>
  () => ({ body: describeReply(snapshots) });

describe('cancel: DeleteSnapshot, immediate', () => {
  it('sends SnapshotId and Force=false (no RegionId) and reports immediate', async () => {
    stub = new EcsWireStub(STUB_ORIGIN)
      .on('DescribeSnapshots', describing(madeBySnapcopy('s-c1')))
      .on('DeleteSnapshot', () => ({ body: { RequestId: 'REQ-DEL' } }));
    const result = await stubCopier().cancel({ region: DST, snapshotId: 's-c1' });
    expect(result).toMatchObject({ region: DST, snapshotId: 's-c1', takesEffect: 'immediate' });
    expect(stub.of('DescribeSnapshots')[0]!.params).toEqual({
      RegionId: DST,
      MaxResults: '100',
      SnapshotIds: '["s-c1"]',
    });
    expect(stub.of('DeleteSnapshot')[0]!.params).toEqual({ SnapshotId: 's-c1', Force: 'false' });
  });

  it('a snapshot without the snapcopy:client-token tag (a source, a backup) is not deleted: INVALID_REQUEST', async () => {
    stub = new EcsWireStub(STUB_ORIGIN)
      .on('DescribeSnapshots', describing(wireSnapshot({ SnapshotId: 's-source0001' })))
      .on('DeleteSnapshot', () => ({ body: { RequestId: 'REQ-DEL' } }));
    const err = await stubCopier()
      .cancel({ region: DST, snapshotId: 's-source0001' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', retryable: false });
    expect(String((err as Error).message)).toMatch(/not a copy made by snapcopy/);
    expect(stub.of('DeleteSnapshot')).toHaveLength(0);
  });

  it('a snapshot DescribeSnapshots does not return → already-gone, nothing deleted', async () => {
    stub = new EcsWireStub(STUB_ORIGIN)
      .on('DescribeSnapshots', describing())
      .on('DeleteSnapshot', () => ({ body: { RequestId: 'REQ-DEL' } }));
    const result = await stubCopier().cancel({ region: DST, snapshotId: 's-gone' });
    expect(result.takesEffect).toBe('already-gone');
    expect(stub.of('DeleteSnapshot')).toHaveLength(0);
  });

  it('InvalidSnapshotId.NotFound from DeleteSnapshot (gone in between) → already-gone', async () => {
    stub = new EcsWireStub(STUB_ORIGIN)
      .on('DescribeSnapshots', describing(madeBySnapcopy('s-gone')))
      .on('DeleteSnapshot', () => ecsError(404, 'InvalidSnapshotId.NotFound'));
    const result = await stubCopier().cancel({ region: DST, snapshotId: 's-gone' });
    expect(result.takesEffect).toBe('already-gone');
  });

  it('a lost reply, then NotFound on the retry → the first delete worked: immediate', async () => {
    stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', describing(madeBySnapcopy('s-c1'))).on(
      'DeleteSnapshot',
      () => ({ error: { code: 'ECONNRESET', message: 'socket hang up' } }),
      () => ecsError(404, 'InvalidSnapshotId.NotFound'),
    );
    const result = await stubCopier().cancel({ region: DST, snapshotId: 's-c1' });
    expect(result.takesEffect).toBe('immediate');
    expect(stub.of('DeleteSnapshot')).toHaveLength(2);
  });

  it("a lost reply, then the copy absent on the retry's lookup → the first delete worked: immediate", async () => {
    stub = new EcsWireStub(STUB_ORIGIN)
      .on('DescribeSnapshots', describing(madeBySnapcopy('s-c1')), describing())
      .on('DeleteSnapshot', () => ({ error: { code: 'ECONNRESET', message: 'socket hang up' } }));
    const copier = stubCopier();
    const result = await copier.cancel({ region: DST, snapshotId: 's-c1' });
    expect(result.takesEffect).toBe('immediate');
    expect(stub.of('DeleteSnapshot')).toHaveLength(1);
    const [after] = await copier.status([{ region: DST, snapshotId: 's-c1' }]);
    expect(after).toMatchObject({ state: 'cancelled' });
  });

  it('a delete refused outright (throttled, never applied), then the copy gone: already-gone, not cancelled by us', async () => {
    stub = new EcsWireStub(STUB_ORIGIN)
      .on('DescribeSnapshots', describing(madeBySnapcopy('s-c1')), describing())
      .on('DeleteSnapshot', () => ecsError(400, 'Throttling.User'));
    const copier = stubCopier({ retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
    const err = await copier.cancel({ region: DST, snapshotId: 's-c1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'THROTTLED', ambiguous: false });
    const result = await copier.cancel({ region: DST, snapshotId: 's-c1' });
    expect(result.takesEffect).toBe('already-gone');
    const [after] = await copier.status([{ region: DST, snapshotId: 's-c1' }]);
    expect(after).toMatchObject({ state: 'failed', rawState: 'absent' });
  });

  it('a delete whose reply was lost (ambiguous), then the copy gone: that delete worked, immediate', async () => {
    stub = new EcsWireStub(STUB_ORIGIN)
      .on('DescribeSnapshots', describing(madeBySnapcopy('s-c1')), describing())
      .on('DeleteSnapshot', () => ecsError(500, 'InternalError'));
    const copier = stubCopier({ retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
    const err = await copier.cancel({ region: DST, snapshotId: 's-c1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR', ambiguous: true });
    expect((await copier.cancel({ region: DST, snapshotId: 's-c1' })).takesEffect).toBe('immediate');
  });

  it('after cancel, the absent copy reads cancelled; another copier (process) reads failed', async () => {
    stub = new EcsWireStub(STUB_ORIGIN)
      .on('DeleteSnapshot', () => ({ body: { RequestId: 'REQ-DEL' } }))
      .on('DescribeSnapshots', describing(madeBySnapcopy('s-c1')), describing());
    const copier = stubCopier();
    await copier.cancel({ region: DST, snapshotId: 's-c1' });
    const [mine] = await copier.status([{ region: DST, snapshotId: 's-c1' }]);
    expect(mine).toMatchObject({ state: 'cancelled', rawState: 'absent' });
    const [theirs] = await stubCopier().status([{ region: DST, snapshotId: 's-c1' }]);
    expect(theirs).toMatchObject({ state: 'failed', rawState: 'absent' });
  });

  it('a snapshot in use (SnapshotCreatedDisk) is not deleted: INVALID_REQUEST', async () => {
    stub = new EcsWireStub(STUB_ORIGIN)
      .on('DescribeSnapshots', describing(madeBySnapcopy('s-c1')))
      .on('DeleteSnapshot', () => ecsError(403, 'SnapshotCreatedDisk'));
    const err = await stubCopier()
      .cancel({ region: DST, snapshotId: 's-c1' })
      .catch((e: unknown) => e);
    expect(is(err, 'INVALID_REQUEST')).toBe(true);
  });
});

describe('wait over the injected clock', () => {
  it('polls until accomplished, reporting progress', async () => {
    stub = new EcsWireStub(STUB_ORIGIN).on(
      'DescribeSnapshots',
      () => ({
        body: describeReply([wireSnapshot({ SnapshotId: 's-c1', Status: 'progressing', Progress: '0%' })]),
      }),
      () => ({
        body: describeReply([wireSnapshot({ SnapshotId: 's-c1', Status: 'progressing', Progress: '50%' })]),
      }),
      () => ({ body: describeReply([wireSnapshot({ SnapshotId: 's-c1', Status: 'accomplished' })]) }),
    );
    const seen: number[] = [];
    const final = await stubCopier().wait(
      { region: DST, snapshotId: 's-c1' },
      { onProgress: (s) => seen.push(s.progress) },
    );
    expect(final.state).toBe('completed');
    expect(seen).toEqual([0, 50, 100]);
  });
});
