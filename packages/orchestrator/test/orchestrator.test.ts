import { defineCapabilities, type RetryPolicy } from '@snapcopy/core';
import {
  type BatchEvent,
  type BatchItemInput,
  CopyOrchestrator,
  MemoryCopyJournal,
  type OrchestratorOptions,
} from '@snapcopy/orchestrator';
import { REFERENCE_DESCRIBE_BY_IDS, REFERENCE_DESCRIBE_BY_TAG } from '@snapcopy/testkit';
import { describe, expect, it } from 'vitest';
import {
  copies,
  copiesPerToken,
  copyCallsFor,
  DESTINATION,
  lookupsFor,
  OTHER_DESTINATION,
  peakPending,
  received,
  referenceWorld,
  type World,
  type WorldOptions,
} from './support/reference-world.js';

const MIN_POLL = 5_000;

function setup(
  options: WorldOptions & {
    copierLimit?: number;
    orchestrator?: Partial<OrchestratorOptions>;
  } = {},
) {
  const world = referenceWorld({
    ...options,
    capabilities: {
      ...(options.copierLimit === undefined ? {} : { maxConcurrentCopiesPerRegion: options.copierLimit }),
      ...options.capabilities,
    },
  });
  const journal = new MemoryCopyJournal({ now: () => world.clock.now() });
  const orchestrator = new CopyOrchestrator({
    copiers: { ref: world.copier },
    journal,
    clock: world.clock,
    random: () => 0.5,
    ...options.orchestrator,
  });
  return { ...world, journal, orchestrator };
}

/** One copy per token in the cloud, and no other copy. */
function assertExactlyOnce(world: World, tokens: readonly string[]) {
  const perToken = copiesPerToken(world.cloud);
  for (const t of tokens) expect(perToken.get(t)?.length, `copies for token ${t}`).toBe(1);
  expect(copies(world.cloud)).toHaveLength(tokens.length);
}

const fast: RetryPolicy = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 };

describe('CopyOrchestrator: scheduling', () => {
  it('completes every copy once and never has more than the limit running in a region', async () => {
    const w = setup({ regionLimit: 5 });
    const result = await w.orchestrator.run(w.requests(40), { batchId: 'b1' });
    expect(result.counts.completed).toBe(40);
    expect(result.results.every((r) => r.outcome === 'completed' && r.plan && r.destination)).toBe(true);
    assertExactlyOnce(
      w,
      result.results.map((r) => r.clientToken),
    );
    expect(peakPending(w.cloud, DESTINATION)).toBe(5);
    expect(result.calls.quotaExceeded).toBe(0);
  });

  it('keeps a separate queue, and limit, per destination region', async () => {
    const w = setup({ regionLimit: 3, copierLimit: 3 });
    const items = [...w.requests(9, DESTINATION), ...w.requests(9, OTHER_DESTINATION)];
    const result = await w.orchestrator.run(items, { batchId: 'regions' });
    expect(result.counts.completed).toBe(18);
    expect(peakPending(w.cloud, DESTINATION)).toBe(3);
    expect(peakPending(w.cloud, OTHER_DESTINATION)).toBe(3);
    // Both regions ran at once: three waves of 600 s, not six.
    expect(result.finishedAt - result.startedAt).toBeLessThan(4 * 600_000);
  });

  it('reads all running copies of a queue with one status() call per poll round', async () => {
    const w = setup({ copierLimit: 5, maxIds: 2 });
    const result = await w.orchestrator.run(w.requests(10), { batchId: 'batched' });
    expect(result.counts.completed).toBe(10);
    expect(result.calls.status).toBe(w.copier.statusCalls.length);
    // Each call asked for every copy running at the time (5 per wave here).
    expect(w.copier.statusCalls.every((refs) => refs.length === 5)).toBe(true);
    // The copier split each into ceil(5 / 2) provider calls of at most 2 ids.
    const reads = received(w.cloud, 'describe-by-ids').filter((e) => e.region === DESTINATION);
    expect(reads.length).toBe(w.copier.statusCalls.length * 3);
    expect(reads.every((e) => e.params.ids!.split(',').length <= 2)).toBe(true);
  });

  it('adapts the poll interval: few rounds per wave and a makespan near ceil(N/L)·T', async () => {
    const T = 600_000;
    const w = setup({ copierLimit: 10 });
    const result = await w.orchestrator.run(w.requests(100), { batchId: 'makespan' });
    const makespan = result.finishedAt - result.startedAt;
    const ideal = Math.ceil(100 / 10) * T;
    expect(makespan).toBeGreaterThanOrEqual(ideal);
    expect(makespan).toBeLessThanOrEqual(ideal * 1.02 + MIN_POLL / 2);
    // A fixed 5 s poll would take 120 rounds per wave; the estimate needs at most four.
    expect(w.copier.statusCalls.length).toBeLessThanOrEqual(10 * 4);
  });

  it('uses the capability limit, an override, or a default when the provider gives none', () => {
    const w = referenceWorld();
    const declared = w.makeCopier(
      defineCapabilities({ ...w.capabilities, maxConcurrentCopiesPerRegion: 20 }),
    );
    const unknown = w.makeCopier(defineCapabilities({ ...w.capabilities, maxConcurrentCopiesPerRegion: 0 }));
    const o = new CopyOrchestrator({
      copiers: { declared, unknown, overridden: { copier: declared, maxConcurrentCopiesPerRegion: 7 } },
      clock: w.clock,
      unknownConcurrencyLimit: 4,
    });
    expect(o.concurrencyLimit('declared')).toBe(20);
    expect(o.concurrencyLimit('unknown')).toBe(4);
    expect(o.concurrencyLimit('overridden')).toBe(7);
  });

  it('holds at what runs when the provider reports its concurrency limit, and loses nothing', async () => {
    const w = setup({ regionLimit: 3, copierLimit: 5 });
    const result = await w.orchestrator.run(w.requests(12), { batchId: 'quota' });
    expect(result.counts.completed).toBe(12);
    expect(result.calls.quotaExceeded).toBeGreaterThan(0);
    expect(received(w.cloud, 'CopySnapshot').some((e) => e.errorCode === 'ResourceLimitExceeded')).toBe(true);
    assertExactlyOnce(
      w,
      result.results.map((r) => r.clientToken),
    );
  });
});

describe('CopyOrchestrator: retries and tokens', () => {
  it('derives tokens from the batch id and index, and keeps a token the caller gave', async () => {
    const w = setup();
    const items = w.requests(3);
    const result = await w.orchestrator.run([items[0]!, { ...items[1]!, clientToken: 'mine-1' }, items[2]!], {
      batchId: 'tok',
    });
    expect(result.results.map((r) => r.clientToken)).toEqual(['tok.0', 'mine-1', 'tok.2']);
    assertExactlyOnce(w, ['tok.0', 'mine-1', 'tok.2']);
  });

  it('journals the token as `copying` before the copy call is sent', async () => {
    const w = setup();
    const seen: Promise<string>[] = [];
    w.cloud.onRequest = (operation, params) => {
      if (operation !== 'CopySnapshot') return;
      // The in-memory journal answers with its state at the moment of the call.
      seen.push(
        w.journal.listEntries('jfirst').then((entries) => {
          const e = entries.find((x) => x.clientToken === params.clientToken);
          return `${e?.state}:${e?.attempts}`;
        }),
      );
    };
    await w.orchestrator.run(w.requests(3), { batchId: 'jfirst' });
    expect(await Promise.all(seen)).toEqual(['copying:1', 'copying:1', 'copying:1']);
  });

  it('a dropped copy reply is followed by a token lookup that finds the copy: exactly one copy, one call each', async () => {
    const w = setup();
    w.cloud.faults.dropResponseNext('CopySnapshot', 2);
    const result = await w.orchestrator.run(w.requests(4), { batchId: 'drop' });
    expect(result.counts.completed).toBe(4);
    const copyCalls = received(w.cloud, 'CopySnapshot');
    expect(copyCalls.length).toBe(4);
    assertExactlyOnce(
      w,
      result.results.map((r) => r.clientToken),
    );
    // A fresh request with a native token goes straight to its copy call (the token itself
    // makes a resend safe); each dropped token was looked up once, after the lost reply.
    const dropped = copyCalls.filter((c) => c.fault === 'drop-after').map((c) => c.params.clientToken!);
    expect(dropped).toHaveLength(2);
    for (const token of dropped) expect(lookupsFor(w.cloud, token)).toHaveLength(1);
    const kept = copyCalls.filter((c) => c.fault !== 'drop-after').map((c) => c.params.clientToken!);
    for (const token of kept) expect(lookupsFor(w.cloud, token)).toHaveLength(0);
  });

  it('does not retry a non-retryable copy error', async () => {
    const w = setup({ keyFailure: 'sync' });
    const [request] = w.requests(1);
    const result = await w.orchestrator.run(
      [{ ...request!, encryption: { encrypted: true, kmsKeyId: w.inaccessibleKey() } }],
      { batchId: 'denied' },
    );
    expect(result.results[0]!.outcome).toBe('failed');
    expect(result.results[0]!.error?.code).toBe('ACCESS_DENIED');
    expect(result.results[0]!.attempts).toBe(1);
    expect(received(w.cloud, 'CopySnapshot')).toHaveLength(1);
    expect(copies(w.cloud)).toHaveLength(0);
  });

  it('exhausted retries on transient errors leave the request resumable (not failed); a rerun completes it', async () => {
    const w = setup({ orchestrator: { retry: fast } });
    w.cloud.faults.failNext('CopySnapshot', 3);
    const items = w.requests(1);
    const result = await w.orchestrator.run(items, { batchId: 'exhaust' });
    const r = result.results[0]!;
    expect(r.outcome).toBe('resumable');
    expect(r.error?.code).toBe('PROVIDER_ERROR');
    expect(r.attempts).toBe(3);
    expect(result.counts.notFinished).toBe(1);
    expect(received(w.cloud, 'CopySnapshot')).toHaveLength(3);
    // Nothing can have been made (each call was refused with a 5xx): back to `planned`.
    expect((await w.journal.listEntries('exhaust'))[0]).toMatchObject({ state: 'planned', attempts: 3 });

    const again = await w.orchestrator.run(items, { batchId: 'exhaust' });
    expect(again.results[0]).toMatchObject({ outcome: 'completed', attempts: 1 });
    assertExactlyOnce(w, [r.clientToken]);
  });

  it('keeps a copy whose last error was ambiguous resumable: journaled `copying`, found again by its token', async () => {
    const w = setup({ orchestrator: { retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 100 } } });
    // The call is applied but loses its reply, and every lookup that follows fails too.
    w.cloud.faults.dropResponseNext('CopySnapshot', 1);
    w.cloud.onRequest = (operation) => {
      if (operation !== 'CopySnapshot') return;
      w.cloud.onRequest = undefined;
      w.cloud.faults.add({ operation: REFERENCE_DESCRIBE_BY_TAG, kind: 'server-error', times: 2 });
    };
    const items = w.requests(1);
    const result = await w.orchestrator.run(items, { batchId: 'amb' });
    const r = result.results[0]!;
    expect(r.outcome).toBe('resumable');
    expect(r.error?.retryable).toBe(true);
    expect(copies(w.cloud)).toHaveLength(1);
    const [entry] = await w.journal.listEntries('amb');
    expect(entry).toMatchObject({ state: 'copying', attempts: 1 });
    expect(entry?.destination).toBeUndefined();

    const resumed = await w.orchestrator.resume('amb');
    expect(resumed.results[0]).toMatchObject({ outcome: 'completed', resumed: true, attempts: 0 });
    expect(resumed.results[0]!.destination).toEqual({
      region: DESTINATION,
      snapshotId: copies(w.cloud)[0]!.id,
    });
    expect(copyCallsFor(w.cloud, r.clientToken)).toHaveLength(1);
    assertExactlyOnce(w, [r.clientToken]);
  });

  it('journals a final non-transient copy error as failed', async () => {
    const w = setup({ keyFailure: 'sync', orchestrator: { retry: fast } });
    const [request] = w.requests(1);
    const result = await w.orchestrator.run(
      [{ ...request!, encryption: { encrypted: true, kmsKeyId: w.inaccessibleKey() } }],
      { batchId: 'namb' },
    );
    expect(result.results[0]!.outcome).toBe('failed');
    const [entry] = await w.journal.listEntries('namb');
    expect(entry?.state).toBe('failed');
    expect(entry?.error).toMatchObject({ code: 'ACCESS_DENIED' });
  });

  it('pauses the whole queue when throttled, for the shared backoff', async () => {
    const events: BatchEvent[] = [];
    const w = setup({ orchestrator: { throttleBackoff: { baseDelayMs: 4_000, maxDelayMs: 60_000 } } });
    w.cloud.faults.throttleNext('CopySnapshot', 1);
    const result = await w.orchestrator.run(w.requests(5), {
      batchId: 'thr',
      onEvent: (e) => events.push(e),
    });
    expect(result.counts.completed).toBe(5);
    expect(result.calls.throttled).toBe(1);
    const throttled = events.find((e) => e.type === 'queue-throttled');
    expect(throttled?.type === 'queue-throttled' && throttled.delayMs).toBeGreaterThan(0);
    const calls = received(w.cloud);
    const hit = calls.findIndex((c) => c.fault === 'throttle');
    const pausedUntil = calls[hit]!.at + (throttled?.type === 'queue-throttled' ? throttled.delayMs : 0);
    // The calls already sent in the same instant are answered; nothing new goes out during the pause.
    const later = calls.slice(hit + 1).filter((c) => c.at > calls[hit]!.at);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((c) => c.at >= pausedUntil)).toBe(true);
  });

  it('pauses status polling too when a status call is throttled, and still finishes', async () => {
    const w = setup();
    let started = 0;
    const result = await w.orchestrator.run(w.requests(3), {
      batchId: 'sthr',
      onEvent: (e) => {
        // Once every copy runs, the describes by id are status reads only.
        if (e.type === 'copy-started' && ++started === 3)
          w.cloud.faults.throttleNext(REFERENCE_DESCRIBE_BY_IDS, 3);
      },
    });
    expect(result.counts.completed).toBe(3);
    expect(result.calls.throttled).toBe(3);
    expect(received(w.cloud, 'describe-by-ids').filter((e) => e.fault === 'throttle')).toHaveLength(3);
  });
});

describe('CopyOrchestrator: requests that cannot run', () => {
  const cases = [
    {
      rule: 'schema: a bad region fails validation',
      request: (_w: World) => ({
        source: { region: 'nowhere', snapshotId: 's' },
        destination: { region: DESTINATION },
      }),
      code: 'INVALID_REQUEST',
    },
    {
      rule: 'capability: retention on a provider without it is UNSUPPORTED',
      request: (w: World) => ({ ...w.requests(1)[0]!, retentionDays: 3 }),
      code: 'UNSUPPORTED',
    },
    {
      rule: 'plan: a missing source fails at plan, before any copy call',
      request: () => ({
        source: { region: 'us-east-1', snapshotId: 'snap-missing-1' },
        destination: { region: DESTINATION },
      }),
      code: 'NOT_FOUND',
    },
  ] as const;
  for (const row of cases) {
    it(row.rule, async () => {
      const w = setup({ capabilities: { retentionPeriod: false, retentionDaysRange: null } });
      const result = await w.orchestrator.run([row.request(w), w.requests(1)[0]!], { batchId: 'v' });
      expect(result.results[0]!.outcome).toBe('failed');
      expect(result.results[0]!.error?.code).toBe(row.code);
      expect(result.results[1]!.outcome).toBe('completed');
      expect(copyCallsFor(w.cloud, 'v.0')).toHaveLength(0);
    });
  }

  it('refuses a token used twice in one batch (it would dedupe to one copy)', async () => {
    const w = setup();
    const [a, b] = w.requests(2);
    const result = await w.orchestrator.run([
      { ...a!, clientToken: 't' },
      { ...b!, clientToken: 't' },
    ]);
    expect(result.results.map((r) => r.outcome)).toEqual(['completed', 'failed']);
    expect(result.results[1]!.error?.code).toBe('INVALID_REQUEST');
    expect(copies(w.cloud)).toHaveLength(1);
  });

  it('refuses two identical requests without a token (the second would copy the same snapshot again)', async () => {
    const w = setup();
    const [a] = w.requests(1);
    const result = await w.orchestrator.run([a!, { destination: a!.destination, source: a!.source }], {
      batchId: 'twice',
    });
    expect(result.results.map((r) => r.outcome)).toEqual(['completed', 'failed']);
    expect(result.results[1]!.error?.issues[0]?.message).toMatch(/same request as request 0/);
    expect(copies(w.cloud)).toHaveLength(1);
  });

  it('refuses a clientToken that is not a string instead of replacing it with the batch token', async () => {
    const w = setup();
    const [a, b] = w.requests(2);
    const result = await w.orchestrator.run([{ ...a!, clientToken: 42 } as unknown as BatchItemInput, b!], {
      batchId: 'nst',
    });
    expect(result.results.map((r) => r.outcome)).toEqual(['failed', 'completed']);
    expect(result.results[0]!.error?.code).toBe('INVALID_REQUEST');
    expect(result.results[0]!.error?.issues.map((i) => i.path)).toContain('clientToken');
    expect(copyCallsFor(w.cloud, 'nst.0')).toHaveLength(0);
  });

  it('needs the copier named when there are several, and knows which exist', async () => {
    const w = referenceWorld();
    const o = new CopyOrchestrator({ copiers: { a: w.makeCopier(), b: w.makeCopier() }, clock: w.clock });
    const [r0, r1, r2] = w.requests(3);
    const result = await o.run([r0!, { copier: 'c', request: r1! }, { copier: 'b', request: r2! }]);
    expect(result.results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'completed']);
    expect(result.results[0]!.error?.issues[0]?.path).toBe('copier');
    expect(copies(w.cloud)).toHaveLength(1);
  });

  it('ends a copy the cloud failed as failed, with the provider message, and does not copy again', async () => {
    const w = setup();
    const [bad, good] = w.requests(2);
    const result = await w.orchestrator.run(
      [{ ...bad!, encryption: { encrypted: true, kmsKeyId: w.inaccessibleKey() } }, good!],
      { batchId: 'cf' },
    );
    expect(result.results[0]!.outcome).toBe('failed');
    expect(result.results[0]!.error?.message).toContain('not accessible');
    // A state is not a provider error code: the raw state goes in details.
    expect(result.results[0]!.error?.providerCode).toBeUndefined();
    expect(result.results[0]!.error?.details).toMatchObject({ rawState: 'error' });
    expect(result.results[1]!.outcome).toBe('completed');
    expect(received(w.cloud, 'CopySnapshot')).toHaveLength(2);
    expect(
      copies(w.cloud)
        .map((s) => s.state)
        .sort(),
    ).toEqual(['completed', 'error']);
  });
});

describe('CopyOrchestrator: abort', () => {
  it('leaves running copies alone and keeps unsent ones resumable', async () => {
    const w = setup({ copierLimit: 2 });
    const controller = new AbortController();
    const items = w.requests(5);
    const result = await w.orchestrator.run(items, {
      batchId: 'ab',
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'copy-started' && e.index === 1) controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.results.map((r) => r.outcome)).toEqual([
      'pending',
      'pending',
      'not-started',
      'not-started',
      'not-started',
    ]);
    expect(received(w.cloud, 'DeleteSnapshot')).toHaveLength(0);
    expect((await w.journal.listUnfinished('ab')).length).toBe(5);
    // Resuming tracks the two copies and sends the other three: five copies, once each.
    const resumed = await w.orchestrator.resume('ab');
    expect(resumed.counts.completed).toBe(5);
    expect(resumed.results.filter((r) => r.resumed).map((r) => r.index)).toEqual([0, 1]);
    assertExactlyOnce(
      w,
      resumed.results.map((r) => r.clientToken),
    );
  });

  it('cancels copies in flight when asked', async () => {
    const w = setup({ copierLimit: 2 });
    const controller = new AbortController();
    const result = await w.orchestrator.run(w.requests(4), {
      batchId: 'abc',
      signal: controller.signal,
      cancelInFlightOnAbort: true,
      onEvent: (e) => {
        if (e.type === 'copy-started' && e.index === 1) controller.abort();
      },
    });
    expect(result.results.map((r) => r.outcome)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect(result.results[0]!.cancel?.takesEffect).toBe('immediate');
    expect(received(w.cloud, 'DeleteSnapshot')).toHaveLength(2);
    expect(copies(w.cloud)).toHaveLength(0);
    expect(w.cloud.world.deleted.size).toBe(2);
    expect(await w.journal.listUnfinished('abc')).toEqual([]);
  });
});

describe('CopyOrchestrator: events and results', () => {
  it('reports progress for every copy and the batch, and one result per request', async () => {
    const events: BatchEvent[] = [];
    const w = setup({ copierLimit: 3 });
    const result = await w.orchestrator.run(w.requests(6), { batchId: 'ev', onEvent: (e) => events.push(e) });
    for (let i = 0; i < 6; i++) {
      expect(events.some((e) => e.type === 'copy-planned' && e.index === i)).toBe(true);
      expect(events.some((e) => e.type === 'copy-started' && e.index === i)).toBe(true);
      expect(events.some((e) => e.type === 'copy-progress' && e.index === i)).toBe(true);
      expect(events.filter((e) => e.type === 'copy-finished' && e.index === i)).toHaveLength(1);
    }
    const last = events.filter((e) => e.type === 'batch-progress').at(-1);
    expect(last?.type === 'batch-progress' && last.percent).toBe(100);
    expect(last?.type === 'batch-progress' && last.counts).toMatchObject({
      total: 6,
      completed: 6,
      queued: 0,
    });
    expect(events.at(-1)?.type).toBe('batch-finished');
    for (const r of result.results) {
      expect(r.timings.queuedAt).toBeLessThanOrEqual(r.timings.plannedAt!);
      expect(r.timings.plannedAt).toBeLessThanOrEqual(r.timings.copyStartedAt!);
      expect(r.timings.finishedAt! - r.timings.copyStartedAt!).toBeGreaterThanOrEqual(600_000);
      expect(r.status?.state).toBe('completed');
    }
  });

  it('ignores an onEvent that throws', async () => {
    const w = setup();
    const result = await w.orchestrator.run(w.requests(2), {
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    expect(result.counts.completed).toBe(2);
  });
});
