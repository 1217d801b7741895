import { is, isSnapcopyError } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { BEIJING, HANGZHOU, makeSimHarness, SHANGHAI, type SimHarness } from './support/sim-harness.js';
import { localNetworkOnly } from './support/nock-lifecycle.js';

let h: SimHarness;

localNetworkOnly(() => h?.close());

function source(
  fixture: { encrypted?: boolean; category?: 'standard' | 'archive' | 'flash'; diskId?: string } = {},
) {
  return h.sim.addSnapshot({
    account: h.account,
    region: HANGZHOU,
    sizeGiB: 20,
    diskSizeGiB: 40,
    ...fixture,
  });
}

const copyCount = (op: string) => h.sim.world.requests.count(op);

describe.each(['server', 'nock'] as const)('end to end against the ECS simulator (%s)', (mounting) => {
  it('plan → copy → wait: a standard cross-region copy with tags, name, retention and lineage', async () => {
    h = await makeSimHarness(mounting);
    const src = source();
    const copier = h.copier();
    const request = {
      source: { region: HANGZHOU, snapshotId: src.id },
      destination: { region: SHANGHAI },
      tags: { team: 'storage' },
      name: 'dr-copy',
      retentionDays: 30,
    };
    const plan = await copier.plan(request);
    expect(plan).toMatchObject({ transfer: 'full', sizeBasis: 'snapshot', encryption: { encrypted: false } });
    const handle = await copier.copy(request, { plan });
    expect(handle).toMatchObject({ region: SHANGHAI, sourceRegion: HANGZHOU, reused: false });

    const copy = h.sim.snapshot(handle.snapshotId)!;
    expect(copy).toMatchObject({
      region: SHANGHAI,
      state: 'pending',
      encrypted: false,
      retentionDays: 30,
      name: 'dr-copy',
    });
    expect(Object.fromEntries(copy.tags)).toEqual({
      team: 'storage',
      'snapcopy:client-token': handle.clientToken,
      'snapcopy:source-snapshot': src.id,
      'snapcopy:source-region': HANGZHOU,
      'snapcopy:source-volume': src.volumeId,
      'snapcopy:key': 'none',
    });
    const copyRequest = h.sim.world.requests.entries().find((e) => e.operation === 'CopySnapshot')!;
    expect(copyRequest.region).toBe(HANGZHOU);

    const seen: string[] = [];
    const final = await copier.wait(handle, { onProgress: (s) => seen.push(s.state) });
    expect(final).toMatchObject({ state: 'completed', progress: 100, rawState: 'accomplished' });
    expect(seen.at(0)).toBe('pending');
    const billed = h.sim.world.ledger.entries();
    expect(billed).toHaveLength(1);
    expect(billed[0]).toMatchObject({ transfer: plan.transfer, sizeBasis: plan.sizeBasis });
  });

  it('the plan agrees with the cloud on size basis: first encrypted copy (disk), then incremental, then key change', async () => {
    h = await makeSimHarness(mounting);
    const cmkA = h.sim.addKey({ account: h.account, region: SHANGHAI }).id;
    const cmkB = h.sim.addKey({ account: h.account, region: SHANGHAI }).id;
    const first = source();
    const copier = h.copier();
    const steps: [snapshotId: string, key: string][] = [];
    steps.push([first.id, cmkA]);
    const second = h.sim.addSnapshot({
      account: h.account,
      region: HANGZHOU,
      sizeGiB: 20,
      changedGiB: 2,
      diskId: first.volumeId,
    });
    steps.push([second.id, cmkA]);
    const third = h.sim.addSnapshot({
      account: h.account,
      region: HANGZHOU,
      sizeGiB: 20,
      changedGiB: 2,
      diskId: first.volumeId,
    });
    steps.push([third.id, cmkB]);
    const planned: string[] = [];
    for (const [snapshotId, key] of steps) {
      const req = {
        source: { region: HANGZHOU, snapshotId },
        destination: { region: SHANGHAI },
        encryption: { encrypted: true, kmsKeyId: key },
      };
      const plan = await copier.plan(req);
      planned.push(`${plan.transfer}/${plan.sizeBasis}`);
      const handle = await copier.copy(req, { plan });
      await copier.wait(handle);
      expect(h.sim.snapshot(handle.snapshotId)).toMatchObject({ encrypted: true, kmsKeyId: key });
    }
    const billed = h.sim.world.ledger.entries().map((e) => `${e.transfer}/${e.sizeBasis}`);
    // ECS reports no changed size, so the plan bills an incremental copy on the delta with
    // the snapshot size as its stated upper bound; the cloud bills the delta itself.
    expect(planned).toEqual(['full/disk', 'incremental/delta', 'full/disk']);
    expect(billed).toEqual(['full/disk', 'incremental/delta', 'full/disk']);
  });

  it('throttling: the copy is retried and exactly one copy exists', async () => {
    h = await makeSimHarness(mounting);
    const src = source();
    h.sim.faults.throttleNext('CopySnapshot', 2);
    const handle = await h
      .copier()
      .copy({ source: { region: HANGZHOU, snapshotId: src.id }, destination: { region: SHANGHAI } });
    expect(copyCount('CopySnapshot')).toBe(3);
    expect(h.copiesOf(src.id)).toEqual([handle.snapshotId]);
  });

  it('a response dropped after the copy was made: exactly one copy, found again by its token', async () => {
    h = await makeSimHarness(mounting);
    const src = source();
    h.sim.faults.dropResponseNext('CopySnapshot');
    const handle = await h
      .copier()
      .copy({ source: { region: HANGZHOU, snapshotId: src.id }, destination: { region: SHANGHAI } });
    expect(h.copiesOf(src.id)).toEqual([handle.snapshotId]);
    expect(handle.reused).toBe(true);
    expect(copyCount('CopySnapshot')).toBe(1);
  });

  it('the same client token twice (a new process resuming): the same copy, reported reused', async () => {
    h = await makeSimHarness(mounting);
    const src = source();
    const request = {
      source: { region: HANGZHOU, snapshotId: src.id },
      destination: { region: SHANGHAI },
      clientToken: 'resume-token-1',
    };
    const a = await h.copier().copy(request);
    const b = await h.copier().copy(request);
    expect(b.snapshotId).toBe(a.snapshotId);
    // Found by its token tag before CopySnapshot, as on AWS: the new process knows it is a reuse.
    expect(a.reused).toBe(false);
    expect(b.reused).toBe(true);
    expect(copyCount('CopySnapshot')).toBe(1);
    expect(h.copiesOf(src.id)).toEqual([a.snapshotId]);
  });

  it('a client token reused for another source → INVALID_REQUEST naming the earlier copy, no wrong copy', async () => {
    h = await makeSimHarness(mounting);
    const first = source();
    const second = source();
    const to = (snapshotId: string) => ({
      source: { region: HANGZHOU, snapshotId },
      destination: { region: SHANGHAI },
      clientToken: 'reused-token-1',
    });
    const copier = h.copier();
    const a = await copier.copy(to(first.id));
    for (const c of [copier, h.copier()]) {
      const err = await c.copy(to(second.id)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_REQUEST', retryable: false });
      expect((err as Error).message).toContain(`client token already used for a copy of ${first.id}`);
      expect((err as Error).message).toContain(a.snapshotId);
    }
    expect(h.copiesOf(second.id)).toEqual([]);
    expect(h.copiesOf(first.id)).toEqual([a.snapshotId]);
  });

  it('a client token reused for another destination → INVALID_REQUEST (ECS IdempotentParameterMismatch)', async () => {
    h = await makeSimHarness(mounting);
    const src = source();
    const request = (region: string) => ({
      source: { region: HANGZHOU, snapshotId: src.id },
      destination: { region },
      clientToken: 'reused-token-2',
    });
    const a = await h.copier().copy(request(SHANGHAI));
    const err = await h
      .copier()
      .copy(request(BEIJING))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'INVALID_REQUEST',
      retryable: false,
      providerCode: 'IdempotentParameterMismatch',
    });
    expect(h.copiesOf(src.id)).toEqual([a.snapshotId]);
  });

  it('an unknown key: KMS says so, the plan refuses it (ENCRYPTION_RULE), nothing sent, nothing created', async () => {
    h = await makeSimHarness(mounting);
    const src = source();
    const before = h.sim.world.snapshots.size;
    const err = await h
      .copier()
      .copy({
        source: { region: HANGZHOU, snapshotId: src.id },
        destination: { region: SHANGHAI },
        encryption: { encrypted: true, kmsKeyId: '00000000-0000-0000-0000-000000000000' },
      })
      .catch((e: unknown) => e);
    // KMS says the key does not exist: the plan refuses it as ECS would, before any CopySnapshot.
    expect(err).toMatchObject({
      code: 'ENCRYPTION_RULE',
      retryable: false,
      details: { rule: 'key-exists', mirrorsProviderCode: 'InvalidParameter.KMSKeyId.NotFound' },
    });
    expect(h.sim.world.snapshots.size).toBe(before);
    expect(h.sim.world.ledger.entries()).toHaveLength(0);
    expect(copyCount('CopySnapshot')).toBe(0);
    expect(copyCount('DescribeKey')).toBe(1);
  });

  it('retention expiry: past RetentionDays the copy is gone and reads failed/absent', async () => {
    h = await makeSimHarness(mounting);
    const src = source();
    const copier = h.copier();
    const handle = await copier.copy({
      source: { region: HANGZHOU, snapshotId: src.id },
      destination: { region: SHANGHAI },
      retentionDays: 1,
    });
    expect((await copier.wait(handle)).state).toBe('completed');
    h.clock.advance(2 * 86_400_000);
    const [status] = await copier.status([handle]);
    expect(status).toMatchObject({ state: 'failed', rawState: 'absent' });
    expect(status!.message).toMatch(/retention/);
    expect(h.sim.snapshot(handle.snapshotId)).toBeUndefined();
  });

  it('cancel of an in-progress copy: gone at once, reads cancelled', async () => {
    h = await makeSimHarness(mounting);
    const src = source();
    const copier = h.copier();
    const handle = await copier.copy({
      source: { region: HANGZHOU, snapshotId: src.id },
      destination: { region: SHANGHAI },
    });
    h.clock.advance(1_000);
    const [running] = await copier.status([handle]);
    expect(running?.state).toBe('pending');
    const result = await copier.cancel(handle);
    expect(result.takesEffect).toBe('immediate');
    expect(h.sim.snapshot(handle.snapshotId)).toBeUndefined();
    const [after] = await copier.status([handle]);
    expect(after).toMatchObject({ state: 'cancelled', rawState: 'absent' });
    expect((await copier.cancel(handle)).takesEffect).toBe('already-gone');
  });

  it('same-region standard copy: UNSUPPORTED before any mutating call; encrypted in-region works', async () => {
    h = await makeSimHarness(mounting);
    const src = source();
    const copier = h.copier();
    const err = await copier
      .copy({ source: { region: HANGZHOU, snapshotId: src.id }, destination: { region: HANGZHOU } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNSUPPORTED', details: { scope: 'request' } });
    expect(copyCount('CopySnapshot')).toBe(0);
    const handle = await copier.copy({
      source: { region: HANGZHOU, snapshotId: src.id },
      destination: { region: HANGZHOU },
      encryption: { encrypted: true },
    });
    expect(h.sim.snapshot(handle.snapshotId)).toMatchObject({ region: HANGZHOU, encrypted: true });
  });

  it('an archived source is refused before CopySnapshot', async () => {
    h = await makeSimHarness(mounting);
    const src = source({ category: 'archive' });
    const err = await h
      .copier()
      .copy({ source: { region: HANGZHOU, snapshotId: src.id }, destination: { region: SHANGHAI } })
      .catch((e: unknown) => e);
    expect(is(err, 'UNSUPPORTED')).toBe(true);
    expect(copyCount('CopySnapshot')).toBe(0);
  });

  it('a wrong secret is ACCESS_DENIED (the simulator verifies signatures)', async () => {
    h = await makeSimHarness(mounting);
    const err = await h
      .copier({
        credentials: { accessKeyId: h.credentials.accessKeyId, accessKeySecret: 'wrong-secret-123456' },
      })
      .status([{ region: SHANGHAI, snapshotId: 's-nothing' }])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ACCESS_DENIED' });
    expect((err as Error).message).not.toContain('wrong-secret-123456');
  });
});

describe('end to end, server mounting only', () => {
  it('status of 200 ids in one region is 2 DescribeSnapshots calls', async () => {
    h = await makeSimHarness('server');
    const refs = Array.from({ length: 200 }, () => ({ region: SHANGHAI, snapshotId: source().id }));
    const before = h.sim.world.requests.size;
    const statuses = await h
      .copier()
      .status(refs.map((r) => ({ region: HANGZHOU, snapshotId: r.snapshotId })));
    expect(h.sim.world.requests.count('DescribeSnapshots', before)).toBe(2);
    expect(statuses.every((s) => s.state === 'completed')).toBe(true);
  });

  it('a second copy of a disk while the first is unfinished: QUOTA_EXCEEDED, retryable', async () => {
    h = await makeSimHarness('server');
    const first = source();
    const second = h.sim.addSnapshot({
      account: h.account,
      region: HANGZHOU,
      sizeGiB: 20,
      diskId: first.volumeId,
    });
    const copier = h.copier({ retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
    await copier.copy({
      source: { region: HANGZHOU, snapshotId: first.id },
      destination: { region: SHANGHAI },
    });
    const err = await copier
      .copy({ source: { region: HANGZHOU, snapshotId: second.id }, destination: { region: SHANGHAI } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      retryable: true,
      providerCode: 'InvalidOperation.UnfinishedCrossRegionCopy',
    });
  });

  it('wait that times out leaves the copy running', async () => {
    h = await makeSimHarness('server', { throughputMiBps: 1 });
    const src = source();
    const copier = h.copier();
    const handle = await copier.copy({
      source: { region: HANGZHOU, snapshotId: src.id },
      destination: { region: SHANGHAI },
    });
    const err = await copier.wait(handle, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(is(err, 'TIMEOUT')).toBe(true);
    expect(h.sim.snapshot(handle.snapshotId)?.state).toBe('pending');
  });

  it('chaos (throttling, 5xx, dropped replies, resets): every token yields exactly one copy', async () => {
    h = await makeSimHarness('server', { faultSeed: 7 });
    const sources = Array.from({ length: 12 }, () => source());
    h.sim.faults.chaos({ throttle: 0.2, 'server-error': 0.15, 'drop-after': 0.2, reset: 0.1 });
    const copier = h.copier({ retry: { maxAttempts: 12, baseDelayMs: 50, maxDelayMs: 500 } });
    const results = await Promise.allSettled(
      sources.map((s) =>
        copier.copy({ source: { region: HANGZHOU, snapshotId: s.id }, destination: { region: BEIJING } }),
      ),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    for (const f of failed) expect(isSnapcopyError((f as PromiseRejectedResult).reason)).toBe(true);
    expect(failed).toHaveLength(0);
    for (const [i, s] of sources.entries()) {
      const r = results[i] as PromiseFulfilledResult<{ snapshotId: string }>;
      expect(h.copiesOf(s.id)).toEqual([r.value.snapshotId]);
    }
    expect(h.sim.faults.injected['drop-after']).toBeGreaterThan(0);
  });
});
