// End to end against the EC2 simulator (testkit) over 127.0.0.1, through the real SDK:
// every flow and the faults the issue names. Cloud-side effects are read from the
// simulator's world, never taken from the adapter's word.
import { type CopyStatus, is, type RetryPolicy, SnapcopyError } from '@snapcopy/core';
import { LINEAGE_TAGS, STATE_TAGS } from '@snapcopy/core/driver';
import { Ec2Simulator, KEY_NOT_ACCESSIBLE, type SimServer, VirtualClock } from '@snapcopy/testkit';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsEbsSnapshotCopier, createAwsEbsCopier } from '../src/index.js';

const CALLER = '111122223333';
const OWNER = '444455556666';
const EAST = 'us-east-1';
const WEST = 'us-west-2';
const FAST_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

interface World {
  clock: VirtualClock;
  sim: Ec2Simulator;
  server: SimServer;
  copier: AwsEbsSnapshotCopier;
  /** A copier in "another process": same account, nothing remembered. */
  other: () => AwsEbsSnapshotCopier;
  copiers: AwsEbsSnapshotCopier[];
}

let w: World;

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const clock = new VirtualClock();
  const sim = new Ec2Simulator({ clock, throttling: false });
  sim.addRegions(EAST, WEST);
  sim.addAccount({
    id: CALLER,
    accessKeyId: 'AKIAE2ECALLER0000001',
    secretAccessKey: 'e2e-caller-secret-0123456789',
  });
  sim.addAccount({
    id: OWNER,
    accessKeyId: 'AKIAE2EOWNER00000002',
    secretAccessKey: 'e2e-owner-secret-0123456789',
  });
  const server = await sim.listen();
  const copiers: AwsEbsSnapshotCopier[] = [];
  const make = (retry: RetryPolicy = FAST_RETRY) => {
    const c = createAwsEbsCopier({
      credentials: sim.credentials(CALLER),
      endpoint: server.url,
      clock,
      retry,
    });
    copiers.push(c);
    return c;
  };
  w = { clock, sim, server, copier: make(), other: () => make(), copiers };
});

afterEach(async () => {
  for (const c of w.copiers) c.destroy();
  await w.server.close();
  nock.enableNetConnect();
});

const copiesInWorld = () => [...w.sim.world.snapshots.values()].filter((s) => s.copy);
const source = (over: Partial<Parameters<Ec2Simulator['addSnapshot']>[0]> = {}) =>
  w.sim.addSnapshot({ account: CALLER, region: EAST, sizeGiB: 8, ...over });
const request = (snapshotId: string, over: Record<string, unknown> = {}) => ({
  source: { region: EAST, snapshotId },
  destination: { region: WEST },
  ...over,
});

describe('flows', () => {
  it('plan → copy → status → wait: one copy in the destination, tagged, encrypted as planned', async () => {
    const src = source({ sizeGiB: 50, tags: { app: 'db' } });
    const plan = await w.copier.plan(
      request(src.id, { encryption: { encrypted: true }, tags: { team: 'dr' } }),
    );
    expect(plan.encryption).toMatchObject({ encrypted: true, keySource: 'default-key' });
    expect(plan.transfer).toBe('full');
    expect(plan.billableGiB.transfer).toBe(50);

    const handle = await w.copier.copy(plan.request, { plan });
    expect(handle).toMatchObject({ region: WEST, reused: false, sourceSnapshotId: src.id });

    const [first] = await w.copier.status([handle]);
    expect(first).toMatchObject({ state: 'pending', rawState: 'pending' });

    const seen: CopyStatus[] = [];
    const done = await w.copier.wait(handle, { minDelayMs: 10_000, onProgress: (s) => seen.push(s) });
    expect(done).toMatchObject({ state: 'completed', progress: 100, encrypted: true });
    expect(seen.at(-1)?.state).toBe('completed');
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.some((s) => s.state === 'pending' && s.progress > 0 && s.progress < 100)).toBe(true);

    const [copy, ...more] = copiesInWorld();
    expect(more).toHaveLength(0);
    expect(copy!.id).toBe(handle.snapshotId);
    expect(copy!.region).toBe(WEST);
    expect(copy!.encrypted).toBe(true);
    expect(copy!.kmsKeyId).toBe(w.sim.defaultKmsKey(CALLER, WEST).arn);
    expect(Object.fromEntries(copy!.tags)).toMatchObject({
      team: 'dr',
      [LINEAGE_TAGS.clientToken]: handle.clientToken,
      [LINEAGE_TAGS.sourceSnapshot]: src.id,
      [LINEAGE_TAGS.sourceRegion]: EAST,
      [LINEAGE_TAGS.sourceVolume]: src.volumeId,
    });
    // Tags of the source are not copied.
    expect(copy!.tags.has('app')).toBe(false);
  });

  it('a later copy of the same volume to the same key plans incremental', async () => {
    const first = source({ sizeGiB: 20 });
    const h = await w.copier.copy(request(first.id));
    await w.copier.wait(h, { minDelayMs: 10_000 });
    const second = source({ volumeId: first.volumeId, sizeGiB: 20 });
    const plan = await w.copier.plan(request(second.id));
    expect(plan.transfer).toBe('incremental');
  });

  it('a snapshot shared by another account: crossAccountCopy under your default key', async () => {
    const partnerKey = w.sim.addKey({
      account: OWNER,
      region: EAST,
      aliases: ['partner'],
      usableBy: [CALLER],
    });
    const shared = w.sim.addSnapshot({
      account: OWNER,
      region: EAST,
      sizeGiB: 4,
      encrypted: true,
      kmsKeyId: partnerKey.arn,
      sharedWith: [CALLER],
    });
    const plan = await w.copier.plan(request(shared.id));
    expect(plan.source).toMatchObject({ ownership: 'shared', ownerAccount: OWNER });
    expect(plan.encryption.keySource).toBe('default-key');
    const handle = await w.copier.copy(plan.request, { plan });
    expect(await w.copier.wait(handle, { minDelayMs: 10_000 })).toMatchObject({ state: 'completed' });
    expect(w.sim.snapshot(handle.snapshotId)!.account).toBe(CALLER);
  });

  it('status of 200 ids in one region is one DescribeSnapshots request', async () => {
    const src = source();
    const made = await w.copier.copy(request(src.id));
    const refs = [
      made,
      ...Array.from({ length: 199 }, (_, i) => ({
        region: WEST,
        snapshotId: `snap-0${i.toString(16).padStart(16, '0')}`,
      })),
    ];
    const before = w.sim.world.requests.size;
    const statuses = await w.copier.status(refs);
    expect(w.sim.world.requests.count('DescribeSnapshots', before)).toBe(1);
    expect(statuses[0]!.state).toBe('pending');
    expect(statuses[1]).toMatchObject({ state: 'failed', rawState: 'absent' });
  });
});

describe('wait', () => {
  it('a timed-out wait leaves the copy running', async () => {
    const src = source({ sizeGiB: 500 });
    const handle = await w.copier.copy(request(src.id));
    const err = await w.copier
      .wait(handle, { timeoutMs: 60_000, minDelayMs: 10_000 })
      .catch((e: unknown) => e);
    expect(is(err, 'TIMEOUT')).toBe(true);
    expect(w.sim.snapshot(handle.snapshotId)?.state).toBe('pending');
    expect(w.sim.world.requests.count('DeleteSnapshot')).toBe(0);
  });

  it('an aborted wait rejects with CANCELLED and leaves the copy running', async () => {
    const src = source({ sizeGiB: 500 });
    const handle = await w.copier.copy(request(src.id));
    const abort = new AbortController();
    let polls = 0;
    const err = await w.copier
      .wait(handle, {
        signal: abort.signal,
        minDelayMs: 10_000,
        onProgress: () => {
          if (++polls === 2) abort.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(is(err, 'CANCELLED')).toBe(true);
    expect(w.sim.snapshot(handle.snapshotId)?.state).toBe('pending');
  });

  it('an inaccessible key: the copy starts, then fails, and wait says why', async () => {
    w.sim.addKey({ account: CALLER, region: WEST, aliases: ['revoked'], accessible: false });
    const src = source({ sizeGiB: 10 });
    const plan = await w.copier.plan(
      request(src.id, { encryption: { encrypted: true, kmsKeyId: 'alias/revoked' } }),
    );
    expect(plan.reasons.join(' ')).toMatch(/fails the copy after it has started/);
    const handle = await w.copier.copy(plan.request, { plan });
    const final = await w.copier.wait(handle, { minDelayMs: 5_000 });
    expect(final).toMatchObject({ state: 'failed', rawState: 'error', message: KEY_NOT_ACCESSIBLE });
    expect(w.sim.snapshot(handle.snapshotId)?.stateMessage).toBe(KEY_NOT_ACCESSIBLE);
  });
});

describe('faults', () => {
  it('throttled CopySnapshot is retried with the same token: one copy', async () => {
    const src = source();
    w.sim.faults.throttleNext('CopySnapshot', 2);
    const handle = await w.copier.copy(request(src.id));
    expect(w.sim.faults.injected.throttle).toBe(2);
    expect(copiesInWorld().map((s) => s.id)).toStrictEqual([handle.snapshotId]);
  });

  it('throttling beyond the retry budget → THROTTLED, retryable, with the request id', async () => {
    const src = source();
    w.sim.faults.throttleNext('DescribeSnapshots', 5);
    const err = (await w.copier.plan(request(src.id)).catch((e: unknown) => e)) as SnapcopyError;
    expect(err).toMatchObject({ code: 'THROTTLED', retryable: true, providerCode: 'RequestLimitExceeded' });
    expect(err.requestId).toMatch(/.+/);
    expect(w.sim.faults.injected.throttle).toBe(3);
  });

  it('5xx on CopySnapshot (nothing made): not sent again within the consistency window; after it, looked up and copied once', async () => {
    const src = source();
    w.sim.faults.failNext('CopySnapshot');
    const req = request(src.id, { clientToken: 'tok-5xx' });
    // A 5xx may come after EC2 acted, and EC2's listings may lag: a lookup finding nothing
    // right away proves nothing, so the copy is not sent again yet.
    const err = (await w.copier.copy(req).catch((e: unknown) => e)) as SnapcopyError;
    expect(err).toMatchObject({
      code: 'PROVIDER_ERROR',
      ambiguous: true,
      details: { clientToken: 'tok-5xx' },
    });
    expect(err.details?.retryAfterMs).toBeGreaterThan(0);
    expect(w.sim.world.requests.count('CopySnapshot')).toBe(1);
    expect(copiesInWorld()).toHaveLength(0);
    w.clock.advance(w.copier.capabilities.consistencyWindowMs);
    const handle = await w.copier.copy(req);
    expect(handle.reused).toBe(false);
    expect(copiesInWorld()).toHaveLength(1);
    expect(w.sim.world.requests.count('CopySnapshot')).toBe(2);
  });

  it('5xx on status is retried', async () => {
    const src = source();
    const handle = await w.copier.copy(request(src.id));
    w.sim.faults.failNext('DescribeSnapshots');
    const [s] = await w.copier.status([handle]);
    expect(s!.state).toBe('pending');
  });

  it('the reply to CopySnapshot dropped after the copy was made: exactly one copy, found by its token', async () => {
    const src = source();
    w.sim.faults.dropResponseNext('CopySnapshot');
    const req = request(src.id, { clientToken: 'tok-dropped' });
    const handle = await w.copier.copy(req);
    expect(w.sim.faults.injected['drop-after']).toBe(1);
    expect(handle.reused).toBe(true);
    expect(copiesInWorld().map((s) => s.id)).toStrictEqual([handle.snapshotId]);
    // The same token again, from another process: still the one copy.
    const again = await w.other().copy(req);
    expect(again).toMatchObject({ snapshotId: handle.snapshotId, reused: true });
    expect(copiesInWorld()).toHaveLength(1);
    expect(w.sim.world.requests.count('CopySnapshot')).toBe(1);
  });

  it('a client token reused for another source → INVALID_REQUEST naming the earlier copy, nothing copied', async () => {
    const first = source();
    const second = source();
    const handle = await w.copier.copy(request(first.id, { clientToken: 'tok-reused' }));
    for (const copier of [w.copier, w.other()]) {
      const err = (await copier
        .copy(request(second.id, { clientToken: 'tok-reused' }))
        .catch((e: unknown) => e)) as SnapcopyError;
      expect(err).toMatchObject({ code: 'INVALID_REQUEST', retryable: false });
      expect(err.message).toContain(`client token already used for a copy of ${first.id}`);
      expect(err.message).toContain(handle.snapshotId);
    }
    expect(copiesInWorld().map((s) => s.id)).toStrictEqual([handle.snapshotId]);
  });

  it('a connection reset before CopySnapshot acted: ambiguous for the caller, sent again after the window, one copy', async () => {
    const src = source();
    w.sim.faults.resetNext('CopySnapshot');
    const req = request(src.id, { clientToken: 'tok-reset' });
    const err = (await w.copier.copy(req).catch((e: unknown) => e)) as SnapcopyError;
    expect(err).toMatchObject({ ambiguous: true, details: { clientToken: 'tok-reset' } });
    expect(copiesInWorld()).toHaveLength(0);
    w.clock.advance(w.copier.capabilities.consistencyWindowMs);
    const handle = await w.copier.copy(req);
    expect(copiesInWorld().map((s) => s.id)).toStrictEqual([handle.snapshotId]);
  });

  it('the 21st concurrent copy into a region → QUOTA_EXCEEDED, retryable; accepted once one finishes', async () => {
    const noRetry = createAwsEbsCopier({
      credentials: w.sim.credentials(CALLER),
      endpoint: w.server.url,
      clock: w.clock,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    w.copiers.push(noRetry);
    const handles = [];
    for (let i = 0; i < 20; i++) handles.push(await noRetry.copy(request(source({ sizeGiB: 100 + i }).id)));
    const extra = source({ sizeGiB: 1 });
    const err = (await noRetry.copy(request(extra.id)).catch((e: unknown) => e)) as SnapcopyError;
    expect(err).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      retryable: true,
      providerCode: 'ResourceLimitExceeded',
    });
    expect(copiesInWorld()).toHaveLength(20);
    await noRetry.wait(handles[0]!, { minDelayMs: 30_000 });
    const h = await noRetry.copy(request(extra.id));
    expect(h.reused).toBe(false);
    expect(copiesInWorld()).toHaveLength(21);
  });

  it('wrong credentials → ACCESS_DENIED without the secret in the message', async () => {
    const secret = 'e2e-wrong-secret-0123456789abcdef';
    const bad = createAwsEbsCopier({
      credentials: { accessKeyId: 'AKIAE2ECALLER0000001', secretAccessKey: secret },
      endpoint: w.server.url,
      clock: w.clock,
    });
    w.copiers.push(bad);
    const err = (await bad
      .status([{ region: WEST, snapshotId: 'snap-0123456789abcdef0' }])
      .catch((e: unknown) => e)) as SnapcopyError;
    expect(err.code).toBe('ACCESS_DENIED');
    expect(JSON.stringify(err.toJSON())).not.toContain(secret);
    expect(err.message).not.toContain(secret);
  });
});

describe('cancel', () => {
  it('a pending copy: on-completion; reads cancelled here and in another process; the cloud deletes it on completion', async () => {
    const src = source({ sizeGiB: 100 });
    const handle = await w.copier.copy(request(src.id));
    const result = await w.copier.cancel(handle);
    expect(result.takesEffect).toBe('on-completion');

    const inWorld = w.sim.snapshot(handle.snapshotId)!;
    expect(inWorld.copy?.deleteRequested).toBe(true);
    expect(inWorld.tags.get(STATE_TAGS.cancelled)).toBe('true');

    expect((await w.copier.status([handle]))[0]).toMatchObject({ state: 'cancelled', rawState: 'pending' });
    expect((await w.other().status([handle]))[0]).toMatchObject({ state: 'cancelled', rawState: 'pending' });

    w.clock.advance(w.sim.world.remainingMs(handle.snapshotId) + 1);
    w.sim.world.advance();
    expect(w.sim.snapshot(handle.snapshotId)).toBeUndefined();
    expect((await w.copier.status([handle]))[0]).toMatchObject({ state: 'cancelled', rawState: 'absent' });
    // wait on a cancelled copy ends at once with the terminal state.
    expect((await w.copier.wait(handle)).state).toBe('cancelled');
  });

  it('a copy with the maximum 50 tags (45 yours + 5 lineage): the cancel tag is skipped and the copy still deleted', async () => {
    const src = source({ sizeGiB: 100 });
    const tags = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`k${i}`, `v${i}`]));
    const handle = await w.copier.copy(request(src.id, { tags }));
    expect(w.sim.snapshot(handle.snapshotId)!.tags.size).toBe(50);
    const result = await w.copier.cancel(handle);
    expect(result.takesEffect).toBe('on-completion');
    const inWorld = w.sim.snapshot(handle.snapshotId)!;
    expect(inWorld.copy?.deleteRequested).toBe(true);
    expect(inWorld.tags.has(STATE_TAGS.cancelled)).toBe(false);
    // This process remembers the cancel without the tag.
    expect((await w.copier.status([handle]))[0]).toMatchObject({ state: 'cancelled', rawState: 'pending' });
    w.clock.advance(w.sim.world.remainingMs(handle.snapshotId) + 1);
    w.sim.world.advance();
    expect(w.sim.snapshot(handle.snapshotId)).toBeUndefined();
  });

  it('a completed copy is kept without force, deleted at once with it; a missing one is already-gone', async () => {
    const src = source();
    const handle = await w.copier.copy(request(src.id));
    await w.copier.wait(handle, { minDelayMs: 10_000 });
    await expect(w.copier.cancel(handle)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(w.sim.snapshot(handle.snapshotId)?.state).toBe('completed');
    expect((await w.copier.cancel(handle, { force: true })).takesEffect).toBe('immediate');
    expect(w.sim.snapshot(handle.snapshotId)).toBeUndefined();
    expect((await w.copier.cancel(handle)).takesEffect).toBe('already-gone');
  });
});

describe('credentials from the SDK default chain', () => {
  it('AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from the environment work, and the secret is redacted', async () => {
    const saved = { ...process.env };
    // A fresh account whose secret no copier was given: only the chain can register it.
    const envAccount = w.sim.addAccount({
      id: '999988887777',
      secretAccessKey: 'env-only-secret-0123456789abcdef',
    });
    const creds = w.sim.credentials(envAccount.id);
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      // The chain must stop at the environment: never probe instance metadata.
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    try {
      const fromEnv = createAwsEbsCopier({ endpoint: w.server.url, clock: w.clock });
      w.copiers.push(fromEnv);
      const src = source({ account: envAccount.id });
      const handle = await fromEnv.copy(request(src.id));
      expect(w.sim.snapshot(handle.snapshotId)?.account).toBe(envAccount.id);
      const err = new SnapcopyError('PROVIDER_ERROR', `echo ${creds.secretAccessKey}`);
      expect(err.message).not.toContain(creds.secretAccessKey);
    } finally {
      process.env = saved;
    }
  });
});

describe('nock mounting', () => {
  it('the same flow through nock on the public endpoints (no endpoint option)', async () => {
    const mount = w.sim.mountNock();
    try {
      const copier = createAwsEbsCopier({ credentials: w.sim.credentials(CALLER), clock: w.clock });
      w.copiers.push(copier);
      const src = source();
      const handle = await copier.copy(request(src.id));
      expect((await copier.wait(handle, { minDelayMs: 10_000 })).state).toBe('completed');
      const copyRequest = w.sim.world.requests.entries().find((e) => e.operation === 'CopySnapshot');
      expect(copyRequest?.region).toBe(WEST);
    } finally {
      mount.stop();
    }
  });
});
