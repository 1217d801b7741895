import {
  type BatchEvent,
  type BatchItemInput,
  CopyOrchestrator,
  MemoryCopyJournal,
  type OrchestratorOptions,
} from '@snapcopy/orchestrator';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '@snapcopy/testkit';
import { FakeCloud, FakeCopier, requests } from './fake-cloud.js';

const MIN_POLL = 5_000;

function setup(
  options: {
    regionLimit?: number;
    durationMs?: (sourceId: string) => number;
    failingSources?: Set<string>;
    copierLimit?: number;
    maxIds?: number;
    orchestrator?: Partial<OrchestratorOptions>;
  } = {},
) {
  const clock = new VirtualClock();
  const cloud = new FakeCloud({
    clock,
    ...(options.regionLimit !== undefined ? { regionLimit: options.regionLimit } : {}),
    ...(options.durationMs ? { durationMs: options.durationMs } : {}),
    ...(options.failingSources ? { failingSources: options.failingSources } : {}),
  });
  const copier = new FakeCopier(cloud, {
    capabilities: {
      maxConcurrentCopiesPerRegion: options.copierLimit ?? 5,
      maxIdsPerStatusCall: options.maxIds ?? 100,
    },
  });
  const journal = new MemoryCopyJournal({ now: () => clock.now() });
  const orchestrator = new CopyOrchestrator({
    copiers: { fake: copier },
    journal,
    clock,
    random: () => 0.5,
    ...options.orchestrator,
  });
  return { clock, cloud, copier, journal, orchestrator };
}

function assertExactlyOnce(cloud: FakeCloud, tokens: readonly string[]) {
  const perToken = cloud.copiesPerToken();
  for (const t of tokens) expect(perToken.get(t), `copies for token ${t}`).toBe(1);
  expect(cloud.snapshots.size).toBe(tokens.length);
}

describe('CopyOrchestrator: scheduling', () => {
  it('completes every copy once and never has more than the limit running in a region', async () => {
    const { cloud, orchestrator } = setup({ regionLimit: 5 });
    const result = await orchestrator.run(requests(40), { batchId: 'b1' });
    expect(result.counts.completed).toBe(40);
    expect(result.results.every((r) => r.outcome === 'completed' && r.plan && r.destination)).toBe(true);
    assertExactlyOnce(
      cloud,
      result.results.map((r) => r.clientToken),
    );
    expect(cloud.peakPending.get('eu-west-1')).toBe(5);
    expect(result.calls.quotaExceeded).toBe(0);
  });

  it('keeps a separate queue, and limit, per destination region', async () => {
    const { cloud, orchestrator } = setup({ regionLimit: 3, copierLimit: 3 });
    const items = [...requests(9, 'eu-west-1', 'a'), ...requests(9, 'ap-south-1', 'b')];
    const result = await orchestrator.run(items, { batchId: 'regions' });
    expect(result.counts.completed).toBe(18);
    expect(cloud.peakPending.get('eu-west-1')).toBe(3);
    expect(cloud.peakPending.get('ap-south-1')).toBe(3);
    // Both regions ran at once: three waves of 600 s, not six.
    expect(result.finishedAt - result.startedAt).toBeLessThan(4 * 600_000);
  });

  it('reads all running copies of a queue with one status() call per poll round', async () => {
    const { copier, cloud, orchestrator } = setup({ copierLimit: 5, maxIds: 2 });
    const result = await orchestrator.run(requests(10), { batchId: 'batched' });
    expect(result.counts.completed).toBe(10);
    expect(result.calls.status).toBe(copier.statusCalls.length);
    // Each call asked for every copy running at the time (5 per wave here).
    expect(copier.statusCalls.every((refs) => refs.length === 5)).toBe(true);
    // The copier split each into ceil(5 / 2) provider calls of at most 2 ids.
    const provider = cloud.calls.filter((c) => c.op === 'status');
    expect(provider.length).toBe(copier.statusCalls.length * 3);
    expect(provider.every((c) => (c.ids?.length ?? 0) <= 2)).toBe(true);
  });

  it('adapts the poll interval: few rounds per wave and a makespan near ceil(N/L)·T', async () => {
    const T = 600_000;
    const { copier, orchestrator } = setup({ copierLimit: 10, durationMs: () => T });
    const result = await orchestrator.run(requests(100), { batchId: 'makespan' });
    const makespan = result.finishedAt - result.startedAt;
    const ideal = Math.ceil(100 / 10) * T;
    expect(makespan).toBeGreaterThanOrEqual(ideal);
    expect(makespan).toBeLessThanOrEqual(ideal * 1.02 + MIN_POLL / 2);
    // A fixed 5 s poll would take 120 rounds per wave; the estimate needs at most four.
    expect(copier.statusCalls.length).toBeLessThanOrEqual(10 * 4);
  });

  it('uses the capability limit, an override, or a default when the provider gives none', () => {
    const clock = new VirtualClock();
    const cloud = new FakeCloud({ clock });
    const declared = new FakeCopier(cloud, { capabilities: { maxConcurrentCopiesPerRegion: 20 } });
    const unknown = new FakeCopier(cloud, { capabilities: { maxConcurrentCopiesPerRegion: 0 } });
    const o = new CopyOrchestrator({
      copiers: { declared, unknown, overridden: { copier: declared, maxConcurrentCopiesPerRegion: 7 } },
      clock,
      unknownConcurrencyLimit: 4,
    });
    expect(o.concurrencyLimit('declared')).toBe(20);
    expect(o.concurrencyLimit('unknown')).toBe(4);
    expect(o.concurrencyLimit('overridden')).toBe(7);
  });

  it('holds at what runs when the provider reports its concurrency limit, and loses nothing', async () => {
    const { cloud, orchestrator } = setup({ regionLimit: 3, copierLimit: 5 });
    const result = await orchestrator.run(requests(12), { batchId: 'quota' });
    expect(result.counts.completed).toBe(12);
    expect(result.calls.quotaExceeded).toBeGreaterThan(0);
    assertExactlyOnce(
      cloud,
      result.results.map((r) => r.clientToken),
    );
  });
});

describe('CopyOrchestrator: retries and tokens', () => {
  it('derives tokens from the batch id and index, and keeps a token the caller gave', async () => {
    const { orchestrator } = setup();
    const items = requests(3);
    const result = await orchestrator.run([items[0]!, { ...items[1]!, clientToken: 'mine-1' }, items[2]!], {
      batchId: 'tok',
    });
    expect(result.results.map((r) => r.clientToken)).toEqual(['tok.0', 'mine-1', 'tok.2']);
  });

  it('journals the token as `copying` before the copy call is sent', async () => {
    const { cloud, journal, orchestrator } = setup();
    const seen: string[] = [];
    cloud.onCopy = async (token) => {
      const entries = await journal.listEntries('jfirst');
      const e = entries.find((x) => x.clientToken === token);
      seen.push(`${e?.state}:${e?.attempts}`);
    };
    await orchestrator.run(requests(3), { batchId: 'jfirst' });
    expect(seen).toEqual(['copying:1', 'copying:1', 'copying:1']);
  });

  it('a dropped copy reply is followed by a token lookup that finds the copy: exactly one copy, one call each', async () => {
    const { cloud, orchestrator } = setup();
    cloud.fault('copy', 'drop-after', 2);
    const result = await orchestrator.run(requests(4), { batchId: 'drop' });
    expect(result.counts.completed).toBe(4);
    const copyCalls = cloud.calls.filter((c) => c.op === 'copy');
    expect(copyCalls.length).toBe(4);
    assertExactlyOnce(
      cloud,
      result.results.map((r) => r.clientToken),
    );
    // Each dropped token was looked up before its copy call and again after the lost reply.
    const dropped = copyCalls.filter((c) => c.fault === 'drop-after').map((c) => c.token);
    expect(dropped).toHaveLength(2);
    for (const token of dropped) {
      expect(cloud.calls.filter((c) => c.op === 'find' && c.token === token)).toHaveLength(2);
    }
  });

  it('does not retry a non-retryable copy error', async () => {
    const { cloud, orchestrator } = setup();
    cloud.fault('copy', 'access-denied', 1);
    const result = await orchestrator.run(requests(1), { batchId: 'denied' });
    expect(result.results[0]!.outcome).toBe('failed');
    expect(result.results[0]!.error?.code).toBe('ACCESS_DENIED');
    expect(result.results[0]!.attempts).toBe(1);
    expect(cloud.count('copy')).toBe(1);
  });

  it('gives up after maxAttempts copy calls', async () => {
    const { cloud, orchestrator } = setup({
      orchestrator: { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 } },
    });
    cloud.fault('copy', 'server-error', 10);
    const result = await orchestrator.run(requests(1), { batchId: 'exhaust' });
    expect(result.results[0]!.outcome).toBe('failed');
    expect(result.results[0]!.attempts).toBe(3);
    expect(cloud.count('copy')).toBe(3);
  });

  it('keeps a copy whose last error was ambiguous resumable: journaled `copying`, found again by its token', async () => {
    const { cloud, journal, orchestrator } = setup({
      orchestrator: { retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 100 } },
    });
    // The call is applied but loses its reply, and the lookup that follows fails too.
    cloud.fault('copy', 'drop-after', 1);
    cloud.onCopy = () => {
      cloud.onCopy = undefined;
      cloud.fault('find', 'server-error', 1);
    };
    const result = await orchestrator.run(requests(1), { batchId: 'amb' });
    const r = result.results[0]!;
    expect(r.outcome).toBe('failed');
    expect(r.error?.ambiguous).toBe(true);
    expect(cloud.snapshots.size).toBe(1);
    const [entry] = await journal.listEntries('amb');
    expect(entry).toMatchObject({ state: 'copying', attempts: 1 });
    expect(entry?.destination).toBeUndefined();

    const resumed = await orchestrator.resume('amb');
    expect(resumed.results[0]).toMatchObject({ outcome: 'completed', resumed: true });
    expect(resumed.results[0]!.destination?.snapshotId).toBe([...cloud.snapshots.keys()][0]);
    assertExactlyOnce(cloud, [r.clientToken]);
  });

  it('still journals a non-ambiguous final copy error as failed', async () => {
    const { cloud, journal, orchestrator } = setup({
      orchestrator: { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100 } },
    });
    cloud.fault('copy', 'server-error', 2);
    const result = await orchestrator.run(requests(1), { batchId: 'namb' });
    expect(result.results[0]!.outcome).toBe('failed');
    const [entry] = await journal.listEntries('namb');
    expect(entry?.state).toBe('failed');
  });

  it('pauses the whole queue when throttled, for the shared backoff', async () => {
    const events: BatchEvent[] = [];
    const { cloud, orchestrator } = setup({
      orchestrator: { throttleBackoff: { baseDelayMs: 4_000, maxDelayMs: 60_000 } },
    });
    cloud.fault('copy', 'throttle', 1);
    const result = await orchestrator.run(requests(5), { batchId: 'thr', onEvent: (e) => events.push(e) });
    expect(result.counts.completed).toBe(5);
    expect(result.calls.throttled).toBe(1);
    const throttled = events.find((e) => e.type === 'queue-throttled');
    expect(throttled?.type === 'queue-throttled' && throttled.delayMs).toBeGreaterThan(0);
    const calls = cloud.calls.filter((c) => c.op === 'copy' || c.op === 'plan');
    const hit = calls.findIndex((c) => c.fault === 'throttle');
    const pausedUntil = calls[hit]!.at + (throttled?.type === 'queue-throttled' ? throttled.delayMs : 0);
    // The copy calls already sent in the same instant are answered; nothing new goes out during the pause.
    const later = calls.slice(hit + 1).filter((c) => c.at > calls[hit]!.at);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((c) => c.at >= pausedUntil)).toBe(true);
  });

  it('pauses status polling too when a status call is throttled, and still finishes', async () => {
    const { cloud, orchestrator } = setup();
    cloud.fault('status', 'throttle', 3);
    const result = await orchestrator.run(requests(3), { batchId: 'sthr' });
    expect(result.counts.completed).toBe(3);
    expect(result.calls.throttled).toBe(3);
  });
});

describe('CopyOrchestrator: requests that cannot run', () => {
  const cases = [
    {
      rule: 'schema: a bad region fails validation',
      request: { source: { region: 'nowhere', snapshotId: 's' }, destination: { region: 'eu-west-1' } },
      code: 'INVALID_REQUEST',
    },
    {
      rule: 'capability: retention on a provider without it is UNSUPPORTED',
      request: { ...requests(1)[0]!, retentionDays: 3 },
      code: 'UNSUPPORTED',
    },
    {
      rule: 'plan: a missing source fails at plan, before any copy call',
      request: {
        source: { region: 'us-east-1', snapshotId: 'snap-missing-1' },
        destination: { region: 'eu-west-1' },
      },
      code: 'NOT_FOUND',
    },
  ] as const;
  for (const row of cases) {
    it(row.rule, async () => {
      const { cloud, orchestrator } = setup();
      const result = await orchestrator.run([row.request, requests(1, 'eu-west-1', 'ok')[0]!], {
        batchId: 'v',
      });
      expect(result.results[0]!.outcome).toBe('failed');
      expect(result.results[0]!.error?.code).toBe(row.code);
      expect(result.results[1]!.outcome).toBe('completed');
      expect(cloud.calls.filter((c) => c.op === 'copy' && c.token === 'v.0')).toHaveLength(0);
    });
  }

  it('refuses a token used twice in one batch (it would dedupe to one copy)', async () => {
    const { cloud, orchestrator } = setup();
    const [a, b] = requests(2);
    const result = await orchestrator.run([
      { ...a!, clientToken: 't' },
      { ...b!, clientToken: 't' },
    ]);
    expect(result.results.map((r) => r.outcome)).toEqual(['completed', 'failed']);
    expect(result.results[1]!.error?.code).toBe('INVALID_REQUEST');
    expect(cloud.snapshots.size).toBe(1);
  });

  it('refuses a clientToken that is not a string instead of replacing it with the batch token', async () => {
    const { cloud, orchestrator } = setup();
    const [a, b] = requests(2);
    const result = await orchestrator.run([{ ...a!, clientToken: 42 } as unknown as BatchItemInput, b!], {
      batchId: 'nst',
    });
    expect(result.results.map((r) => r.outcome)).toEqual(['failed', 'completed']);
    expect(result.results[0]!.error?.code).toBe('INVALID_REQUEST');
    expect(result.results[0]!.error?.issues.map((i) => i.path)).toContain('clientToken');
    expect(cloud.calls.filter((c) => c.op === 'copy' && c.token === 'nst.0')).toHaveLength(0);
  });

  it('needs the copier named when there are several, and knows which exist', async () => {
    const clock = new VirtualClock();
    const cloud = new FakeCloud({ clock });
    const o = new CopyOrchestrator({
      copiers: { a: new FakeCopier(cloud), b: new FakeCopier(cloud) },
      clock,
    });
    const [r0, r1, r2] = requests(3);
    const result = await o.run([r0!, { copier: 'c', request: r1! }, { copier: 'b', request: r2! }]);
    expect(result.results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'completed']);
    expect(result.results[0]!.error?.issues[0]?.path).toBe('copier');
  });

  it('ends a copy the cloud failed as failed, with the provider message, and does not copy again', async () => {
    const { cloud, orchestrator } = setup({ failingSources: new Set(['snap-src-0']) });
    const result = await orchestrator.run(requests(2), { batchId: 'cf' });
    expect(result.results[0]!.outcome).toBe('failed');
    expect(result.results[0]!.error?.message).toContain('key not accessible');
    // A state is not a provider error code: the raw state goes in details.
    expect(result.results[0]!.error?.providerCode).toBeUndefined();
    expect(result.results[0]!.error?.details).toMatchObject({ rawState: 'error' });
    expect(result.results[1]!.outcome).toBe('completed');
    expect(cloud.count('copy')).toBe(2);
  });
});

describe('CopyOrchestrator: abort', () => {
  it('leaves running copies alone and keeps unsent ones resumable', async () => {
    const { clock, cloud, journal, orchestrator } = setup({ copierLimit: 2 });
    const controller = new AbortController();
    const run = orchestrator.run(requests(5), {
      batchId: 'ab',
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'copy-started' && e.index === 1) controller.abort();
      },
    });
    const result = await run;
    expect(result.aborted).toBe(true);
    expect(result.results.map((r) => r.outcome)).toEqual([
      'pending',
      'pending',
      'not-started',
      'not-started',
      'not-started',
    ]);
    expect(cloud.count('cancel')).toBe(0);
    expect((await journal.listUnfinished('ab')).length).toBe(5);
    // Resuming tracks the two copies and sends the other three: five copies, once each.
    const resumed = await orchestrator.resume('ab');
    expect(resumed.counts.completed).toBe(5);
    expect(resumed.results.filter((r) => r.resumed).map((r) => r.index)).toEqual([0, 1]);
    assertExactlyOnce(
      cloud,
      resumed.results.map((r) => r.clientToken),
    );
    expect(clock.now()).toBeGreaterThan(0);
  });

  it('cancels copies in flight when asked', async () => {
    const { cloud, journal, orchestrator } = setup({ copierLimit: 2 });
    const controller = new AbortController();
    const result = await orchestrator.run(requests(4), {
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
    expect(cloud.count('cancel')).toBe(2);
    expect([...cloud.snapshots.values()].every((s) => s.deleted)).toBe(true);
    expect(await journal.listUnfinished('abc')).toEqual([]);
  });
});

describe('CopyOrchestrator: events and results', () => {
  it('reports progress for every copy and the batch, and one result per request', async () => {
    const events: BatchEvent[] = [];
    const { orchestrator } = setup({ copierLimit: 3 });
    const result = await orchestrator.run(requests(6), { batchId: 'ev', onEvent: (e) => events.push(e) });
    for (let i = 0; i < 6; i++) {
      expect(events.some((e) => e.type === 'copy-planned' && e.index === i)).toBe(true);
      expect(events.some((e) => e.type === 'copy-started' && e.index === i)).toBe(true);
      expect(events.some((e) => e.type === 'copy-progress' && e.index === i)).toBe(true);
      expect(events.filter((e) => e.type === 'copy-finished' && e.index === i)).toHaveLength(1);
    }
    const last = events.filter((e) => e.type === 'batch-progress').at(-1);
    expect(last?.type === 'batch-progress' && last.percent).toBe(100);
    expect(events.at(-1)?.type).toBe('batch-finished');
    for (const r of result.results) {
      expect(r.timings.queuedAt).toBeLessThanOrEqual(r.timings.plannedAt!);
      expect(r.timings.plannedAt).toBeLessThanOrEqual(r.timings.copyStartedAt!);
      expect(r.timings.finishedAt! - r.timings.copyStartedAt!).toBeGreaterThanOrEqual(600_000);
      expect(r.status?.state).toBe('completed');
    }
  });

  it('ignores an onEvent that throws', async () => {
    const { orchestrator } = setup();
    const result = await orchestrator.run(requests(2), {
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    expect(result.counts.completed).toBe(2);
  });
});
