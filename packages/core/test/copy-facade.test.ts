import { describe, expect, it } from 'vitest';
import { defineCapabilities, is, SnapcopyError } from '../src/index.js';
import { LINEAGE_TAGS, STATE_TAGS } from '../src/driver.js';
import { FAKE_CAPS, FakeCloud, FakeCopier, JumpClock, lostReply } from './support/fake-driver.js';

function setup(capabilities = FAKE_CAPS, maxAttempts = 3) {
  const clock = new JumpClock();
  const cloud = new FakeCloud(clock);
  return { clock, cloud, c: new FakeCopier(cloud, clock, capabilities, maxAttempts) };
}

const request = {
  source: { region: 'us-east-1', snapshotId: 'snap-1' },
  destination: { region: 'us-west-2' },
};

describe('the copy facade: parsing, retries, status, wait, cancel', () => {
  it('rejects invalid input before any provider call', async () => {
    const { c, cloud } = setup();
    await expect(c.copy({ ...request, retentionDays: 0 })).rejects.toSatisfy((e) => is(e, 'INVALID_REQUEST'));
    expect(cloud.calls).toEqual([]);
  });

  it('refuses a request needing a missing capability with UNSUPPORTED before any provider call', async () => {
    const { c, cloud } = setup();
    await expect(c.plan({ ...request, retentionDays: 3 })).rejects.toSatisfy((e) => is(e, 'UNSUPPORTED'));
    expect(cloud.calls).toEqual([]);
  });

  it('retries a retryable copy failure with the same client token', async () => {
    const { c, cloud } = setup();
    cloud.fault(
      'start',
      { kind: 'refuse', error: new SnapcopyError('THROTTLED', 'slow') },
      { kind: 'refuse', error: new SnapcopyError('PROVIDER_ERROR', 'refused, retry', { retryable: true }) },
    );
    const handle = await c.copy({ ...request, clientToken: 'tok-1' });
    expect(cloud.calls.filter((x) => x.op === 'start').map((x) => x.detail)).toEqual([
      'tok-1',
      'tok-1',
      'tok-1',
    ]);
    expect(cloud.withToken('tok-1').map((x) => x.id)).toEqual([handle.snapshotId]);
    expect(handle.clientToken).toBe('tok-1');
  });

  it('does not retry a non-retryable failure', async () => {
    const { c, cloud } = setup();
    cloud.fault('start', { kind: 'refuse', error: new SnapcopyError('ACCESS_DENIED', 'no') });
    await expect(c.copy(request)).rejects.toSatisfy((e) => is(e, 'ACCESS_DENIED'));
    expect(cloud.count('start')).toBe(1);
  });

  it('generates one client token per copy call and keeps it across retries', async () => {
    const { c, cloud } = setup();
    cloud.fault('start', { kind: 'refuse', error: new SnapcopyError('THROTTLED', 'slow') });
    const h = await c.copy(request);
    expect(cloud.calls.filter((x) => x.op === 'start').map((x) => x.detail)).toEqual([
      h.clientToken,
      h.clientToken,
    ]);
    expect(h.clientToken).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('wraps anything an adapter throws into a SnapcopyError via _mapError', async () => {
    const { c } = setup();
    await expect(
      c.plan({ ...request, source: { region: 'us-east-1', snapshotId: 'sdk-crash' } }),
    ).rejects.toSatisfy((e) => is(e, 'PROVIDER_ERROR') && (e as Error).message.includes('socket exploded'));
  });

  it('uses a given plan instead of planning again, and refuses a plan made for another request', async () => {
    const { c, cloud } = setup();
    const plan = await c.plan({ ...request, clientToken: 't-9' });
    await c.copy(request, { plan });
    expect(c.planCalls).toBe(1);
    expect(cloud.withToken('t-9')).toHaveLength(1);
    await expect(c.copy({ ...request, destination: { region: 'eu-west-1' } }, { plan })).rejects.toSatisfy(
      (e) => is(e, 'INVALID_REQUEST'),
    );
  });

  it('batches status by region and by maxIdsPerStatusCall, answering in the order asked', async () => {
    const { c, cloud } = setup();
    const refs = [
      ...['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => ({ region: 'rx-east-1', snapshotId: id })),
      { region: 'rx-west-1', snapshotId: 'x' },
    ];
    const out = await c.status(refs);
    expect(out.map((s) => s.snapshotId)).toEqual(refs.map((r) => r.snapshotId));
    const sizes = cloud.calls.filter((x) => x.op === 'describe').map((x) => x.detail!.split(',').length);
    expect(sizes.sort()).toEqual([1, 1, 3, 3]);
  });

  it('wait polls until terminal with growing delays and reports progress', async () => {
    const { c, clock, cloud } = setup();
    cloud.add({ id: 'w', region: 'rx-east-1', state: 'pending', progress: 0, tags: {}, createdAt: 0 });
    const seen: number[] = [];
    const final = await c.wait(
      { region: 'rx-east-1', snapshotId: 'w' },
      { minDelayMs: 1000, maxDelayMs: 2000, onProgress: (s) => seen.push(s.progress) },
    );
    expect(final.state).toBe('completed');
    expect(seen).toEqual([25, 50, 75, 100]);
    expect(clock.sleeps).toEqual([1000, 1500, 2000]);
  });

  it('wait times out with TIMEOUT and the last status, leaving the copy alone', async () => {
    const { c, cloud } = setup();
    cloud.add({ id: 'slow', region: 'rx-east-1', state: 'pending', progress: 0, tags: {}, createdAt: 0 });
    cloud.step = 1;
    const err = await c
      .wait({ region: 'rx-east-1', snapshotId: 'slow' }, { timeoutMs: 1500, minDelayMs: 1000 })
      .catch((e) => e);
    expect(is(err, 'TIMEOUT')).toBe(true);
    expect((err as SnapcopyError).details?.lastStatus).toMatchObject({
      snapshotId: 'slow',
      state: 'pending',
    });
  });

  it.each([
    ['timeoutMs NaN', { timeoutMs: Number.NaN }, 'timeoutMs'],
    ['timeoutMs negative', { timeoutMs: -1 }, 'timeoutMs'],
    ['timeoutMs infinite', { timeoutMs: Number.POSITIVE_INFINITY }, 'timeoutMs'],
    ['minDelayMs NaN', { minDelayMs: Number.NaN }, 'minDelayMs'],
    ['minDelayMs negative', { minDelayMs: -5 }, 'minDelayMs'],
    ['maxDelayMs NaN', { maxDelayMs: Number.NaN }, 'maxDelayMs'],
    ['maxDelayMs infinite', { maxDelayMs: Number.POSITIVE_INFINITY }, 'maxDelayMs'],
  ])(
    'wait refuses %s with INVALID_REQUEST before any status call (rule: finite, not negative)',
    async (_n, options, path) => {
      const { c, cloud } = setup();
      const err = await c.wait({ region: 'rx-east-1', snapshotId: 'w' }, options).catch((e) => e);
      expect(is(err, 'INVALID_REQUEST')).toBe(true);
      expect((err as SnapcopyError).issues.map((i) => i.path)).toEqual([path]);
      expect(cloud.calls).toEqual([]);
    },
  );

  it('wait rejects with CANCELLED when aborted', async () => {
    const { c } = setup();
    const ac = new AbortController();
    ac.abort();
    await expect(c.wait({ region: 'rx-east-1', snapshotId: 'x' }, { signal: ac.signal })).rejects.toSatisfy(
      (e) => is(e, 'CANCELLED'),
    );
  });

  it('cancel is UNSUPPORTED when the manifest says cancelByDelete is false', async () => {
    const { c, cloud } = setup(defineCapabilities({ crossRegionCopy: true }));
    await expect(c.cancel({ region: 'rx-east-1', snapshotId: 'x' })).rejects.toSatisfy((e) =>
      is(e, 'UNSUPPORTED'),
    );
    expect(cloud.calls).toEqual([]);
  });

  it('status refuses malformed refs with INVALID_REQUEST', async () => {
    const { c, cloud } = setup();
    await expect(c.status([{ region: '', snapshotId: 'x' }])).rejects.toSatisfy((e) =>
      is(e, 'INVALID_REQUEST'),
    );
    expect(cloud.calls).toEqual([]);
  });

  it('adds a cost only when the caller gives a price table', async () => {
    const { c } = setup();
    expect((await c.plan(request)).cost).toBeUndefined();
    const priced = await c.plan(request, {
      prices: {
        currency: 'USD',
        source: 'test',
        asOf: '2026-01-01',
        transferPerGiB: { '*': 0.02 },
        storagePerGiBMonth: 0.05,
      },
    });
    expect(priced.cost?.oneOff).toBeCloseTo(0.16);
  });
});

const EMULATED = FAKE_CAPS; // nativeIdempotencyToken: false
const NATIVE = defineCapabilities({ ...FAKE_CAPS, nativeIdempotencyToken: true });
const tagged = (token: string, source = 'snap-1', region = 'us-east-1') => ({
  [LINEAGE_TAGS.clientToken]: token,
  [LINEAGE_TAGS.sourceSnapshot]: source,
  [LINEAGE_TAGS.sourceRegion]: region,
});

describe('the copy protocol: one client token, one copy', () => {
  it('looks the token up before copying: an earlier copy is returned, reused: true, nothing new made', async () => {
    const { c, cloud } = setup();
    const earlier = cloud.add({
      region: 'us-west-2',
      state: 'pending',
      progress: 0,
      tags: tagged('tok'),
      createdAt: 5,
    });
    const h = await c.copy({ ...request, clientToken: 'tok' });
    expect(h).toMatchObject({ snapshotId: earlier.id, reused: true });
    expect(cloud.count('start')).toBe(0);
    expect(cloud.copies.size).toBe(1);
  });

  it('a token already used for a copy of another source is INVALID_REQUEST, and nothing is made', async () => {
    const { c, cloud } = setup();
    cloud.add({
      region: 'us-west-2',
      state: 'completed',
      progress: 100,
      tags: tagged('tok', 'snap-9'),
      createdAt: 5,
    });
    const err = await c.copy({ ...request, clientToken: 'tok' }).catch((e) => e);
    expect(is(err, 'INVALID_REQUEST')).toBe(true);
    expect((err as SnapcopyError).issues[0]?.path).toBe('clientToken');
    expect(cloud.count('start')).toBe(0);
  });

  it('a lost reply is followed by a lookup that finds the copy: exactly one copy, reused: true', async () => {
    const { c, cloud } = setup();
    cloud.fault('start', { kind: 'lose-reply', error: lostReply() });
    const h = await c.copy({ ...request, clientToken: 'tok' });
    expect(cloud.withToken('tok').map((x) => x.id)).toEqual([h.snapshotId]);
    expect(h.reused).toBe(true);
    expect(cloud.count('start')).toBe(1);
  });

  it('a lost reply whose lookup then fails ends in an ambiguous, retryable error naming the token; a retry finds the copy', async () => {
    const { c, cloud } = setup(EMULATED, 1);
    cloud.fault('start', { kind: 'lose-reply', error: lostReply() });
    cloud.after.set('start', () =>
      cloud.fault('find', {
        kind: 'refuse',
        error: new SnapcopyError('PROVIDER_ERROR', '5xx', { retryable: true }),
      }),
    );
    const err = (await c.copy({ ...request, clientToken: 'tok' }).catch((e) => e)) as SnapcopyError;
    expect(err).toMatchObject({
      code: 'PROVIDER_ERROR',
      ambiguous: true,
      retryable: true,
      details: { clientToken: 'tok' },
    });
    const again = await c.copy({ ...request, clientToken: 'tok' });
    expect(again.reused).toBe(true);
    expect(cloud.withToken('tok').map((x) => x.id)).toEqual([again.snapshotId]);
    expect(cloud.count('start')).toBe(1);
  });

  it('a lost reply the lookups cannot see yet is not sent again within the consistency window', async () => {
    const caps = defineCapabilities({ ...FAKE_CAPS, consistencyWindowMs: 60_000 });
    const { c, cloud, clock } = setup(caps, 5);
    cloud.fault('start', { kind: 'lose-reply', error: lostReply() });
    cloud.after.set('start', () => {
      for (const copy of cloud.withToken('tok')) cloud.lagging.add(copy.id);
    });
    const err = (await c.copy({ ...request, clientToken: 'tok' }).catch((e) => e)) as SnapcopyError;
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR', ambiguous: true, details: { clientToken: 'tok' } });
    expect(err.details?.retryAfterMs).toBeGreaterThan(0);
    expect(cloud.count('start')).toBe(1);
    expect(cloud.withToken('tok')).toHaveLength(1);
    // Past the window the listing has caught up: the retry finds the copy, still one.
    clock.t += 60_000;
    cloud.lagging.clear();
    const again = await c.copy({ ...request, clientToken: 'tok' });
    expect(again.reused).toBe(true);
    expect(cloud.count('start')).toBe(1);
  });

  it('without a native token, two copies for one token (another runner raced) converge to the oldest; the newer is tagged and deleted', async () => {
    const { c, cloud } = setup(EMULATED);
    // Another runner's copy appears between our lookup and our copy call.
    const other = {
      id: 'snap-aaaaaaaa',
      region: 'us-west-2',
      state: 'pending' as const,
      progress: 0,
      tags: tagged('tok'),
      createdAt: 1,
    };
    cloud.after.set('find', () => cloud.add(other));
    const h = await c.copy({ ...request, clientToken: 'tok' });
    expect(h.snapshotId).toBe(other.id);
    expect(h.reused).toBe(true);
    expect(h.duplicatesRemoved).toHaveLength(1);
    expect(cloud.withToken('tok').map((x) => x.id)).toEqual([other.id]);
    expect(cloud.calls.some((x) => x.op === 'tag')).toBe(true);
  });

  it('with a native token, no lookup follows the copy call', async () => {
    const { c, cloud } = setup(NATIVE);
    await c.copy({ ...request, clientToken: 'tok' });
    expect(cloud.calls.map((x) => x.op)).toEqual(['plan', 'find', 'start']);
  });

  it('find returns the token copy as a handle, or undefined; it needs a clientToken and never copies', async () => {
    const { c, cloud } = setup();
    expect(await c.find({ ...request, clientToken: 'tok' })).toBeUndefined();
    const made = cloud.add({
      region: 'us-west-2',
      state: 'pending',
      progress: 0,
      tags: tagged('tok'),
      createdAt: 7,
    });
    expect(await c.find({ ...request, clientToken: 'tok' })).toMatchObject({
      snapshotId: made.id,
      reused: true,
    });
    await expect(c.find(request)).rejects.toSatisfy((e) => is(e, 'INVALID_REQUEST'));
    expect(cloud.count('start')).toBe(0);
  });

  it('validate parses and checks with no provider call, and fills the token', () => {
    const { c, cloud } = setup();
    const v = c.validate(request);
    expect(v.clientToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => c.validate({ ...request, retentionDays: 3 })).toThrow(/retention/);
    expect(cloud.calls).toEqual([]);
  });

  it('copy with the plan made for the very same input parses nothing again and plans once', async () => {
    const { c } = setup();
    const input = { ...request, clientToken: 'same' };
    const plan = await c.plan(input);
    const h = await c.copy(input, { plan });
    expect(h.clientToken).toBe('same');
    expect(c.planCalls).toBe(1);
  });
});

describe('the copy protocol: status and cancel', () => {
  it('a copy the provider no longer returns reads failed; one this copier cancelled reads cancelled', async () => {
    const { c, cloud } = setup();
    const gone = await c.status([{ region: 'us-west-2', snapshotId: 'snap-ffffffff' }]);
    expect(gone[0]).toMatchObject({ state: 'failed', rawState: 'absent' });
    const made = cloud.add({
      region: 'us-west-2',
      state: 'pending',
      progress: 0,
      tags: tagged('t'),
      createdAt: 1,
    });
    const r = await c.cancel({ region: 'us-west-2', snapshotId: made.id });
    expect(r.takesEffect).toBe('immediate');
    expect(cloud.copies.has(made.id)).toBe(false);
    expect((await c.status([{ region: 'us-west-2', snapshotId: made.id }]))[0]).toMatchObject({
      state: 'cancelled',
    });
  });

  it('a copy tagged cancelled (by any process) reads cancelled while it still exists', async () => {
    const { c, cloud } = setup();
    const made = cloud.add({
      region: 'us-west-2',
      state: 'pending',
      progress: 0,
      tags: { ...tagged('t'), [STATE_TAGS.cancelled]: 'true' },
      createdAt: 1,
    });
    expect((await c.status([{ region: 'us-west-2', snapshotId: made.id }]))[0]?.state).toBe('cancelled');
  });

  it('a duplicate tagged superseded reads cancelled with replacedBy, and wait follows it to the copy kept', async () => {
    const { c, cloud } = setup();
    const kept = cloud.add({
      region: 'us-west-2',
      state: 'pending',
      progress: 0,
      tags: tagged('t'),
      createdAt: 1,
    });
    const dup = cloud.add({
      region: 'us-west-2',
      state: 'pending',
      progress: 0,
      tags: { ...tagged('t'), [STATE_TAGS.supersededBy]: kept.id },
      createdAt: 2,
    });
    const [s] = await c.status([{ region: 'us-west-2', snapshotId: dup.id }]);
    expect(s).toMatchObject({ state: 'cancelled', replacedBy: kept.id });
    const final = await c.wait({ region: 'us-west-2', snapshotId: dup.id }, { minDelayMs: 1, maxDelayMs: 1 });
    expect(final).toMatchObject({ snapshotId: kept.id, state: 'completed' });
  });

  it('cancel refuses to delete what snapcopy did not make, and deletes nothing', async () => {
    const { c, cloud } = setup();
    const source = cloud.add({
      region: 'us-west-2',
      state: 'completed',
      progress: 100,
      tags: { team: 'x' },
      createdAt: 1,
    });
    await expect(c.cancel({ region: 'us-west-2', snapshotId: source.id })).rejects.toSatisfy((e) =>
      is(e, 'INVALID_REQUEST'),
    );
    expect(cloud.copies.has(source.id)).toBe(true);
    expect(cloud.count('delete')).toBe(0);
  });

  it('a delete whose reply was lost, retried and found gone, is reported as done (not already-gone)', async () => {
    const { c, cloud } = setup();
    const made = cloud.add({
      region: 'us-west-2',
      state: 'pending',
      progress: 0,
      tags: tagged('t'),
      createdAt: 1,
    });
    cloud.fault('delete', { kind: 'lose-reply', error: lostReply() });
    const r = await c.cancel({ region: 'us-west-2', snapshotId: made.id });
    expect(r.takesEffect).toBe('immediate');
    expect(cloud.copies.has(made.id)).toBe(false);
    expect((await c.status([{ region: 'us-west-2', snapshotId: made.id }]))[0]?.state).toBe('cancelled');
  });

  it('cancel of an id that never existed is already-gone, and a later status reads failed', async () => {
    const { c } = setup();
    const r = await c.cancel({ region: 'us-west-2', snapshotId: 'snap-00000000' });
    expect(r.takesEffect).toBe('already-gone');
    expect((await c.status([{ region: 'us-west-2', snapshotId: 'snap-00000000' }]))[0]?.state).toBe('failed');
  });

  it('on a provider whose delete takes effect on completion, cancelling a pending copy says so', async () => {
    const { c, cloud } = setup(defineCapabilities({ ...FAKE_CAPS, cancelTakesEffect: 'on-completion' }));
    const made = cloud.add({
      region: 'us-west-2',
      state: 'pending',
      progress: 0,
      tags: tagged('t'),
      createdAt: 1,
    });
    const r = await c.cancel({ region: 'us-west-2', snapshotId: made.id });
    expect(r.takesEffect).toBe('on-completion');
  });
});

/** An object whose every property read throws: what a hostile or broken caller may pass. */
const throwingGetters = (keys: readonly string[]) =>
  Object.defineProperties(
    {},
    Object.fromEntries(
      keys.map((k) => [
        k,
        {
          enumerable: true,
          get() {
            throw new TypeError(`getter ${k} exploded`);
          },
        },
      ]),
    ),
  );
/** A Proxy whose traps throw. */
const hostileProxy = <T extends object>(target: T): T =>
  new Proxy(target, {
    get() {
      throw new TypeError('trap get');
    },
    ownKeys() {
      throw new TypeError('trap ownKeys');
    },
    has() {
      throw new TypeError('trap has');
    },
    getOwnPropertyDescriptor() {
      throw new TypeError('trap getOwnPropertyDescriptor');
    },
  });

describe('hostile input (throwing getters, Proxies) fails with INVALID_REQUEST, never a TypeError, before any call', () => {
  const ref = { region: 'rx-east-1', snapshotId: 'x' };
  const cases: readonly [string, (c: FakeCopier) => Promise<unknown>][] = [
    [
      'plan: a request whose getters throw',
      (c) => c.plan(throwingGetters(['source', 'destination']) as never),
    ],
    ['plan: a Proxy request', (c) => c.plan(hostileProxy({ ...request }))],
    ['plan: options whose getters throw', (c) => c.plan(request, throwingGetters(['signal']) as never)],
    ['plan: a signal that is not an AbortSignal', (c) => c.plan(request, { signal: {} as AbortSignal })],
    ['copy: a Proxy request', (c) => c.copy(hostileProxy({ ...request }))],
    ['copy: a Proxy plan', (c) => c.copy(request, { plan: hostileProxy({}) as never })],
    ['copy: options that are a Proxy', (c) => c.copy(request, hostileProxy({}))],
    [
      'find: a request whose clientToken getter throws',
      (c) => c.find(throwingGetters(['clientToken']) as never),
    ],
    ['status: a Proxy array', (c) => c.status(hostileProxy([ref]))],
    [
      'status: a ref whose getters throw',
      (c) => c.status([throwingGetters(['region', 'snapshotId']) as never]),
    ],
    ['wait: a Proxy ref', (c) => c.wait(hostileProxy({ ...ref }))],
    ['wait: options whose getters throw', (c) => c.wait(ref, throwingGetters(['timeoutMs']) as never)],
    ['cancel: a ref whose getters throw', (c) => c.cancel(throwingGetters(['region']) as never)],
    ['cancel: a Proxy ref', (c) => c.cancel(hostileProxy({ ...ref }))],
  ];
  it.each(cases)('%s', async (_name, call) => {
    const { c, cloud } = setup();
    const err = await call(c).catch((e: unknown) => e);
    expect(is(err, 'INVALID_REQUEST'), String(err)).toBe(true);
    expect(cloud.calls).toEqual([]);
  });

  it('validate: a Proxy request throws INVALID_REQUEST synchronously', () => {
    const { c } = setup();
    expect(() => c.validate(hostileProxy({ ...request }))).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});

describe('ids of copies named by the caller are checked by the provider before any call', () => {
  class StrictIds extends FakeCopier {
    protected override _validateCopyId(id: string, path: string): void {
      if (!/^snap-[0-9a-f]{8}$/.test(id)) {
        throw new SnapcopyError('INVALID_REQUEST', `${path}: bad id`, {
          issues: [{ path, message: 'bad id' }],
        });
      }
    }
  }
  const strict = () => {
    const clock = new JumpClock();
    const cloud = new FakeCloud(clock);
    return { cloud, c: new StrictIds(cloud, clock) };
  };
  it.each([
    [
      'status',
      (c: FakeCopier) =>
        c.status([
          { region: 'rx-east-1', snapshotId: 'snap-0000000a' },
          { region: 'rx-east-1', snapshotId: 'nope' },
        ]),
      'refs.1.snapshotId',
    ],
    ['wait', (c: FakeCopier) => c.wait({ region: 'rx-east-1', snapshotId: 'snap-xyz' }), 'refs.0.snapshotId'],
    [
      'cancel',
      (c: FakeCopier) => c.cancel({ region: 'rx-east-1', snapshotId: 'snap-1 ' }),
      'refs.0.snapshotId',
    ],
    [
      'a region that is not a region id',
      (c: FakeCopier) => c.status([{ region: 'us east 1', snapshotId: 'snap-0000000a' }]),
      'refs.0.region',
    ],
  ] as const)('%s', async (_name, call, path) => {
    const { c, cloud } = strict();
    const err = (await call(c).catch((e: unknown) => e)) as SnapcopyError;
    expect(is(err, 'INVALID_REQUEST')).toBe(true);
    expect(err.issues.map((i) => i.path)).toEqual([path]);
    expect(cloud.calls).toEqual([]);
  });
});

describe('wait with a status call in flight at its deadline', () => {
  it('does not retry past the deadline: a call that fails after it ends the wait with TIMEOUT', async () => {
    const { c, cloud, clock } = setup();
    cloud.add({ id: 'w', region: 'rx-east-1', state: 'pending', progress: 0, tags: {}, createdAt: 0 });
    // The call hangs until its request timeout (virtual 30 s here), well past the 1.5 s deadline.
    cloud.after.set('describe', () => {
      clock.t += 30_000;
    });
    const timeout = new SnapcopyError('PROVIDER_ERROR', 'no reply in time', { retryable: true });
    cloud.fault('describe', { kind: 'lose-reply', error: timeout });
    const err = (await c
      .wait({ region: 'rx-east-1', snapshotId: 'w' }, { timeoutMs: 1500 })
      .catch((e) => e)) as SnapcopyError;
    expect(err.code).toBe('TIMEOUT');
    expect(err.cause).toBe(timeout);
    expect(cloud.count('describe')).toBe(1);
  });

  it('still retries a failed call while the deadline is far', async () => {
    const { c, cloud } = setup();
    cloud.add({ id: 'w', region: 'rx-east-1', state: 'pending', progress: 90, tags: {}, createdAt: 0 });
    cloud.fault('describe', {
      kind: 'refuse',
      error: new SnapcopyError('PROVIDER_ERROR', 'blip', { retryable: true }),
    });
    const status = await c.wait({ region: 'rx-east-1', snapshotId: 'w' }, { timeoutMs: 60_000 });
    expect(status.state).toBe('completed');
    expect(cloud.count('describe')).toBe(2);
  });
});
