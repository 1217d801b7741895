import { describe, expect, it } from 'vitest';
import { copyListFilter, matchesCopyListQuery } from '../src/copy-listing.js';
import {
  type CancelRecord,
  estimateCopyCost,
  is,
  LISTING_TAGS,
  type Logger,
  MemoryCancelLedger,
  type PriceTable,
  redactingLogger,
  SnapcopyError,
} from '../src/index.js';
import {
  IMAGE_LINEAGE_TAGS,
  isLoopbackHost,
  LINEAGE_TAGS,
  refuseSandboxKeyOffLoopback,
  registerSecret,
  STATE_TAGS,
} from '../src/driver.js';
import { FAKE_CAPS, FakeCloud, FakeCopier, JumpClock } from './support/fake-driver.js';

const request = {
  source: { region: 'us-east-1', snapshotId: 'snap-1' },
  destination: { region: 'us-west-2' },
};

/** What a sink received: its level and arguments. */
type Received = { level: string; args: unknown[] };

/** A logger shaped like pino: `(obj, msg)` or `(msg)`, levels debug/info/warn/error. */
function pinoLike(): { logger: Logger; received: Received[] } {
  const received: Received[] = [];
  const at =
    (level: string) =>
    (...args: unknown[]) =>
      received.push({ level, args });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, received };
}

function setup(runtime: ConstructorParameters<typeof FakeCopier>[4] = {}) {
  const clock = new JumpClock();
  const cloud = new FakeCloud(clock);
  return { clock, cloud, c: new FakeCopier(cloud, clock, FAKE_CAPS, 3, runtime) };
}

describe('Logger: the pino and console shape', () => {
  it.each([
    {
      call: 'fields then message (pino)',
      args: [{ region: 'r' }, 'hello'],
      want: [{ region: 'r' }, 'hello'],
    },
    { call: 'message alone', args: ['hello'], want: ['hello'] },
    {
      call: 'the earlier (message, fields) order',
      args: ['hello', { region: 'r' }],
      want: [{ region: 'r' }, 'hello'],
    },
    { call: 'fields alone', args: [{ region: 'r' }], want: [{ region: 'r' }] },
  ])('$call reaches the sink as (fields, message)', ({ args, want }) => {
    const { logger, received } = pinoLike();
    (redactingLogger(logger).info as (...a: unknown[]) => void)(...args);
    expect(received).toEqual([{ level: 'info', args: want }]);
  });

  it('redacts secrets in both the message and the fields', () => {
    registerSecret('s3cr3t-value-for-the-logger');
    const { logger, received } = pinoLike();
    redactingLogger(logger).warn(
      { key: 's3cr3t-value-for-the-logger' },
      'signed with s3cr3t-value-for-the-logger',
    );
    expect(JSON.stringify(received)).not.toContain('s3cr3t-value-for-the-logger');
  });

  it('has an error level, and a sink without one gets error lines at warn', () => {
    const { logger, received } = pinoLike();
    redactingLogger(logger).error('boom');
    const { error: _e, ...noError } = logger;
    redactingLogger(noError).error('boom');
    expect(received.map((r) => r.level)).toEqual(['error', 'warn']);
  });

  it('console itself is a Logger (type and call)', () => {
    const lines: unknown[][] = [];
    const fakeConsole: Pick<Console, 'debug' | 'info' | 'warn' | 'error'> = {
      debug: (...a: unknown[]) => lines.push(a),
      info: (...a: unknown[]) => lines.push(a),
      warn: (...a: unknown[]) => lines.push(a),
      error: (...a: unknown[]) => lines.push(a),
    };
    const asLogger: Logger = fakeConsole; // compiles: console's methods take anything
    redactingLogger(asLogger).info({ n: 1 }, 'x');
    expect(lines).toEqual([[{ n: 1 }, 'x']]);
  });

  it('logs every provider call at debug with operation, region, status, request id and duration', async () => {
    const { logger, received } = pinoLike();
    const { c } = setup({ logger });
    await c.plan(request);
    const call = received.find(
      (r) => r.level === 'debug' && (r.args[0] as { operation?: string }).operation === 'plan',
    );
    expect(call?.args[0]).toMatchObject({
      provider: 'fake',
      operation: 'plan',
      region: 'rx-any-1',
      httpStatusCode: 200,
      requestId: expect.stringMatching(/^req-\d+$/),
      durationMs: expect.any(Number),
    });
  });
});

describe('$metadata on plans, handles and cancels', () => {
  it('a plan carries the status and request id of its provider calls', async () => {
    const { c } = setup();
    const plan = await c.plan(request);
    expect(plan.$metadata).toEqual({
      httpStatusCode: 200,
      requestId: 'req-1',
      requestIds: ['req-1'],
      attempts: 1,
    });
  });

  it('a handle counts every call that made it, retries included', async () => {
    const { c, cloud } = setup();
    cloud.fault('start', { kind: 'refuse', error: new SnapcopyError('THROTTLED', 'slow') });
    const handle = await c.copy({ ...request, clientToken: 'm-1' });
    const ops = cloud.calls.length;
    expect(handle.$metadata?.attempts).toBe(ops);
    expect(handle.$metadata?.requestIds).toHaveLength(ops - 1); // the refused call had no request id
    expect(handle.$metadata?.httpStatusCode).toBe(200);
  });

  it('plans of a batch each carry the batch calls', async () => {
    const { c } = setup();
    const [a] = await c.planMany([request]);
    expect(a?.ok && a.value.$metadata?.attempts).toBe(1);
  });
});

describe('cancel: a completed copy needs force; cancels are shared through a ledger', () => {
  it('refuses to delete a completed copy without force, naming id, region, size and completion', async () => {
    const { c, cloud } = setup();
    cloud.add({
      id: 'done',
      region: 'us-west-2',
      state: 'completed',
      progress: 100,
      tags: { [LINEAGE_TAGS.clientToken]: 't' },
      createdAt: 0,
      sizeGiB: 8,
      completedAt: Date.UTC(2026, 10, 1),
    });
    const err = await c.cancel({ region: 'us-west-2', snapshotId: 'done' }).catch((e) => e);
    expect(is(err, 'INVALID_REQUEST')).toBe(true);
    expect((err as Error).message).toMatch(/done in us-west-2, 8 GiB, completed 2026-11-01T00:00:00.000Z/);
    expect(cloud.copies.has('done')).toBe(true);
    expect(cloud.count('delete')).toBe(0);
    const forced = await c.cancel({ region: 'us-west-2', snapshotId: 'done' }, { force: true });
    expect(forced.takesEffect).toBe('immediate');
    expect(cloud.copies.has('done')).toBe(false);
  });

  it('a pending copy is cancelled without force', async () => {
    const { c, cloud } = setup();
    cloud.add({
      id: 'p',
      region: 'us-west-2',
      state: 'pending',
      progress: 10,
      tags: { [LINEAGE_TAGS.clientToken]: 't' },
      createdAt: 0,
    });
    await c.cancel({ region: 'us-west-2', snapshotId: 'p' });
    expect(cloud.copies.has('p')).toBe(false);
  });

  it('another copier sharing the ledger reads a copy it did not cancel as cancelled', async () => {
    const ledger = new MemoryCancelLedger();
    const clock = new JumpClock();
    const cloud = new FakeCloud(clock);
    const first = new FakeCopier(cloud, clock, FAKE_CAPS, 3, { cancelLedger: ledger });
    const second = new FakeCopier(cloud, clock, FAKE_CAPS, 3, { cancelLedger: ledger });
    const alone = new FakeCopier(cloud, clock, FAKE_CAPS, 3);
    cloud.add({
      id: 'c',
      region: 'us-west-2',
      state: 'pending',
      progress: 10,
      tags: { [LINEAGE_TAGS.clientToken]: 'tok' },
      createdAt: 0,
    });
    await first.cancel({ region: 'us-west-2', snapshotId: 'c' });
    const [shared] = await second.status([{ region: 'us-west-2', snapshotId: 'c' }]);
    const [unshared] = await alone.status([{ region: 'us-west-2', snapshotId: 'c' }]);
    expect(shared?.state).toBe('cancelled');
    expect(unshared?.state).toBe('failed');
    expect(ledger.lookup('fake', 'us-west-2', 'c')).toMatchObject({
      stateWhenCancelled: 'pending',
      clientToken: 'tok',
    } satisfies Partial<CancelRecord>);
  });
});

describe('wait options under the AWS SDK waiter names', () => {
  it('maxWaitTime (s) and minDelay/maxDelay (s) act as timeoutMs/minDelayMs/maxDelayMs', async () => {
    const { c, cloud, clock } = setup();
    cloud.add({ id: 'w', region: 'rx-east-1', state: 'pending', progress: 0, tags: {}, createdAt: 0 });
    cloud.step = 1;
    const err = await c
      .wait({ region: 'rx-east-1', snapshotId: 'w' }, { maxWaitTime: 3, minDelay: 1, maxDelay: 1 })
      .catch((e) => e);
    expect(is(err, 'TIMEOUT')).toBe(true);
    expect(clock.sleeps).toEqual([1000, 1000, 1000]);
  });

  it('abortSignal aborts like signal', async () => {
    const { c, cloud } = setup();
    cloud.add({ id: 'a', region: 'rx-east-1', state: 'pending', progress: 0, tags: {}, createdAt: 0 });
    const err = await c
      .wait({ region: 'rx-east-1', snapshotId: 'a' }, { abortSignal: AbortSignal.abort() })
      .catch((e) => e);
    expect(is(err, 'CANCELLED')).toBe(true);
  });
});

describe('listCopies: copies by lineage, page by page', () => {
  function seeded() {
    const s = setup();
    const tags = (token: string, source: string, extra: Record<string, string> = {}) => ({
      [LINEAGE_TAGS.clientToken]: token,
      [LINEAGE_TAGS.sourceSnapshot]: source,
      [LINEAGE_TAGS.sourceRegion]: 'us-east-1',
      ...extra,
    });
    for (const [id, t] of [
      ['a1', tags('batch-7.0', 'snap-a')],
      ['a2', tags('batch-7.1', 'snap-a')],
      ['b1', tags('solo', 'snap-b', { [LISTING_TAGS.policy]: 'nightly' })],
      ['c1', tags('batch-8.0', 'snap-c', { [STATE_TAGS.cancelled]: 'true' })],
    ] as const) {
      s.cloud.add({ id, region: 'us-west-2', state: 'pending', progress: 50, tags: t, createdAt: 0 });
    }
    s.cloud.add({
      id: 'not-ours',
      region: 'us-west-2',
      state: 'completed',
      progress: 100,
      tags: {},
      createdAt: 0,
    });
    s.cloud.add({
      id: 'elsewhere',
      region: 'eu-west-1',
      state: 'completed',
      progress: 100,
      tags: tags('x', 'snap-a'),
      createdAt: 0,
    });
    return s;
  }
  const ids = async (it: AsyncIterable<{ ref: { snapshotId: string } }>) => {
    const out: string[] = [];
    for await (const c of it) out.push(c.ref.snapshotId);
    return out;
  };

  it.each([
    { by: 'all of snapcopy in a region', query: {}, want: ['a1', 'a2', 'b1', 'c1'] },
    { by: 'source', query: { sourceId: 'snap-a' }, want: ['a1', 'a2'] },
    { by: 'client token', query: { clientToken: 'solo' }, want: ['b1'] },
    { by: 'batch', query: { batchId: 'batch-7' }, want: ['a1', 'a2'] },
    { by: 'policy', query: { policy: 'nightly' }, want: ['b1'] },
  ])('by $by', async ({ query, want }) => {
    const { c } = seeded();
    expect(await ids(c.listCopies({ region: 'us-west-2', ...query }))).toEqual(want);
  });

  it('pages follow the provider: each page has its $metadata; states apply cancels', async () => {
    const { c, cloud } = seeded();
    const pages = [];
    for await (const page of c.paginateListCopies({ region: 'us-west-2' })) pages.push(page);
    expect(pages.map((p) => p.copies.length)).toEqual([2, 2]);
    expect(pages.every((p) => p.$metadata.attempts === 1)).toBe(true);
    expect(cloud.count('list')).toBe(2);
    const c1 = pages[1]?.copies.find((x) => x.ref.snapshotId === 'c1');
    expect(c1).toMatchObject({ state: 'cancelled', batchId: 'batch-8', clientToken: 'batch-8.0' });
    const b1 = pages[1]?.copies.find((x) => x.ref.snapshotId === 'b1');
    expect(b1).toMatchObject({ policy: 'nightly', source: { region: 'us-east-1', id: 'snap-b' } });
  });

  // A query's source is the lineage tag of the copier's kind: the source snapshot on
  // snapshot copies, the source image on image copies (their lineage tags in lineage.ts
  // and image-lineage.ts).
  it.each([
    { kind: 'snapshot copies (the default)', tag: undefined, want: LINEAGE_TAGS.sourceSnapshot },
    { kind: 'image copies', tag: IMAGE_LINEAGE_TAGS.sourceImage, want: IMAGE_LINEAGE_TAGS.sourceImage },
  ])('the source of $kind is filtered by its own lineage tag', ({ tag, want }) => {
    const query = { region: 'us-west-2', sourceId: 'src-1', clientToken: 't' };
    const filter = copyListFilter(query, tag);
    expect(filter.tags).toEqual({ [LINEAGE_TAGS.clientToken]: 't', [want]: 'src-1' });
    const copy = {
      id: 'c',
      region: 'us-west-2',
      state: 'completed' as const,
      progress: 100,
      rawState: 'completed',
      tags: { [LINEAGE_TAGS.clientToken]: 't', [want]: 'src-1' },
    };
    expect(matchesCopyListQuery(copy, query, tag)).toBe(true);
    expect(matchesCopyListQuery({ ...copy, tags: { [LINEAGE_TAGS.clientToken]: 't' } }, query, tag)).toBe(
      false,
    );
  });

  it('refuses a bad query before any call', async () => {
    const { c, cloud } = seeded();
    const err = await ids(c.listCopies({ region: 'not a region' })).catch((e) => e);
    expect(is(err, 'INVALID_REQUEST')).toBe(true);
    expect(cloud.count('list')).toBe(0);
  });
});

describe('sandbox keys stay on this machine', () => {
  it.each([
    {
      row: 'a sandbox AWS key to loopback',
      key: 'AKIASANDBOX000000001',
      endpoint: 'http://127.0.0.1:4566',
      ok: true,
    },
    {
      row: 'a sandbox AWS key to localhost',
      key: 'AKIASANDBOX000000001',
      endpoint: 'http://localhost:4566',
      ok: true,
    },
    {
      row: 'a sandbox Alibaba key to host:port loopback',
      key: 'LTAI5tSANDBOX0000001',
      endpoint: '127.0.0.1:8080',
      ok: true,
    },
    {
      row: 'a sandbox key to the real cloud (no endpoint)',
      key: 'AKIASANDBOX000000001',
      endpoint: undefined,
      ok: false,
    },
    {
      row: 'a sandbox key to another host',
      key: 'LTAI5tSANDBOX0000001',
      endpoint: 'https://ecs.cn-hangzhou.aliyuncs.com',
      ok: false,
    },
    {
      row: 'a sandbox key to a private address',
      key: 'AKIASANDBOX000000001',
      endpoint: 'http://10.0.0.5:4566',
      ok: false,
    },
    { row: 'a real key anywhere', key: 'AKIAIOSFODNN7EXAMPLE', endpoint: undefined, ok: true },
  ])('$row', ({ key, endpoint, ok }) => {
    const run = () => refuseSandboxKeyOffLoopback(key, endpoint, 'aws');
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(/sandbox's access key/);
  });

  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('%s is loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
});

describe('regional price tables', () => {
  const p = (price: number) => ({ price, source: 'https://example.com/prices', asOf: '2026-12-01' });
  const table: PriceTable = {
    currency: 'USD',
    regions: {
      'us-east-1': { transferOutPerGiB: p(0.02) },
      'us-west-2': { storagePerGiBMonth: p(0.05), timeBasedPerGiB: p(0.01), kmsKeyPerMonth: p(1) },
      '*': { transferOutPerGiB: p(0.09) },
    },
    transferPerGiB: { 'us-east-1>eu-west-1': p(0.03) },
  };
  const gib = { transfer: 100, storage: 100, timeBased: 0 };
  const none = { customerManagedKey: false, serviceKey: false };

  it.each([
    {
      rule: 'transfer priced at the source region',
      from: 'us-east-1',
      to: 'us-west-2',
      oneOff: 2,
      monthly: 5,
      unpriced: [],
    },
    {
      rule: 'an exact pair wins over the source region',
      from: 'us-east-1',
      to: 'eu-west-1',
      oneOff: 3,
      monthly: 0,
      unpriced: ['storage-month'],
    },
    {
      rule: 'the * region is the fallback',
      from: 'ap-east-1',
      to: 'us-west-2',
      oneOff: 9,
      monthly: 5,
      unpriced: [],
    },
    {
      rule: 'same region moves nothing',
      from: 'us-west-2',
      to: 'us-west-2',
      oneOff: 0,
      monthly: 5,
      unpriced: [],
    },
  ])('$rule', ({ from, to, oneOff, monthly, unpriced }) => {
    const est = estimateCopyCost(
      { billableGiB: gib, kms: none, sourceRegion: from, destinationRegion: to },
      table,
    );
    expect(est.oneOff).toBeCloseTo(oneOff, 6);
    expect(est.monthly).toBeCloseTo(monthly, 6);
    expect(est.unpriced).toEqual(unpriced);
  });

  it('each line names its source and date; time-based and KMS at the destination', () => {
    const est = estimateCopyCost(
      {
        billableGiB: { transfer: 10, storage: 10, timeBased: 10 },
        kms: { customerManagedKey: true, serviceKey: false },
        sourceRegion: 'us-east-1',
        destinationRegion: 'us-west-2',
      },
      table,
    );
    expect(est.lines.map((l) => [l.item, l.amount, l.asOf])).toEqual([
      ['transfer', 0.2, '2026-12-01'],
      ['storage-month', 0.5, '2026-12-01'],
      ['time-based', 0.1, '2026-12-01'],
      ['customer-key-month', 1, '2026-12-01'],
    ]);
    expect(est.priceSource).toBe('https://example.com/prices as of 2026-12-01');
  });

  it('refuses a price without its source', () => {
    const bad = {
      currency: 'USD',
      regions: { '*': { storagePerGiBMonth: { price: 1, asOf: '2026-12-01' } } },
    };
    expect(() =>
      estimateCopyCost(
        { billableGiB: gib, kms: none, sourceRegion: 'a', destinationRegion: 'b' },
        bad as unknown as PriceTable,
      ),
    ).toThrow();
  });
});

describe('the ledger records a cancel even when the copy was gone after a lost delete reply', () => {
  it('records through a lost reply', async () => {
    const ledger = new MemoryCancelLedger();
    const { c, cloud } = setup({ cancelLedger: ledger });
    cloud.add({
      id: 'x',
      region: 'us-west-2',
      state: 'pending',
      progress: 0,
      tags: { [LINEAGE_TAGS.clientToken]: 't' },
      createdAt: 0,
    });
    cloud.fault('delete', {
      kind: 'lose-reply',
      error: new SnapcopyError('PROVIDER_ERROR', 'lost', { retryable: true, ambiguous: true }),
    });
    const result = await c.cancel({ region: 'us-west-2', snapshotId: 'x' });
    expect(result.takesEffect).toBe('immediate');
    expect(ledger.lookup('fake', 'us-west-2', 'x')).toBeDefined();
  });
});
