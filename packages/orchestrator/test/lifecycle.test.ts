// The lifecycle rules against the reference cloud: copies that may exist are never written
// off or made twice, absence is believed only after repeated well-formed answers, replies
// that are not the cloud's mark nothing, and the steps can be driven one by one.
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { CopyOrchestrator, copyIdOf, MemoryCopyJournal } from '@snapcopy/orchestrator';
import {
  type BatchItemState,
  copyStep,
  finalizeStep,
  judgeStatus,
  type LifecycleContext,
  planStep,
  readStatuses,
  batchCopier,
} from '@snapcopy/orchestrator/runner';
import { REFERENCE_DESCRIBE_BY_IDS, REFERENCE_DESCRIBE_BY_TAG } from '@snapcopy/testkit';
import { describe, expect, it } from 'vitest';
import {
  copies,
  copiesPerToken,
  copyCallsFor,
  DESTINATION,
  lookupsFor,
  received,
  referenceWorld,
} from './support/reference-world.js';

const fast = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 10_000 };

describe('a copy that may exist is never written off', () => {
  it('lost reply, then lookups fail (5xx) until the retries run out: resumable; the rerun finds the copy', async () => {
    const w = referenceWorld({ nativeTokens: false, capabilities: { consistencyWindowMs: 300_000 } });
    const journal = new MemoryCopyJournal({ now: () => w.clock.now() });
    const o = new CopyOrchestrator({ copiers: { ref: w.copier }, journal, clock: w.clock, retry: fast });
    const items = w.requests(1);
    w.cloud.faults.dropResponseNext('CopySnapshot');
    w.cloud.onRequest = (operation) => {
      if (operation !== 'CopySnapshot') return;
      w.cloud.onRequest = undefined;
      // Every lookup from now on fails, more times than the retries allow.
      w.cloud.faults.failNext(REFERENCE_DESCRIBE_BY_TAG, 1 + fast.maxAttempts);
    };
    const first = await o.run(items, { batchId: 'lost' });
    const r = first.results[0]!;
    expect(r).toMatchObject({ outcome: 'resumable', attempts: 1 });
    expect(r.destination).toBeUndefined();
    const [entry] = await journal.listEntries('lost');
    expect(entry).toMatchObject({ state: 'copying', attempts: 1 });
    // The cloud holds the copy; nobody sent a second one.
    expect(copies(w.cloud)).toHaveLength(1);
    expect(copyCallsFor(w.cloud, r.clientToken)).toHaveLength(1);

    const rerun = await o.run(items, { batchId: 'lost' });
    expect(rerun.results[0]).toMatchObject({ outcome: 'completed', resumed: true, attempts: 0 });
    expect(rerun.results[0]!.destination).toEqual({
      region: DESTINATION,
      snapshotId: copies(w.cloud)[0]!.id,
    });
    expect(copyCallsFor(w.cloud, r.clientToken)).toHaveLength(1);
    expect(copiesPerToken(w.cloud).get(r.clientToken)).toHaveLength(1);
  });

  it('an unreadable copy failure: the token is looked up, and sent again only after the consistency window', async () => {
    const WINDOW = 300_000;
    const w = referenceWorld({ nativeTokens: false, capabilities: { consistencyWindowMs: WINDOW } });
    const o = new CopyOrchestrator({
      copiers: { ref: w.copier },
      journal: new MemoryCopyJournal({ now: () => w.clock.now() }),
      clock: w.clock,
      retry: fast,
    });
    let failedAt: number | undefined;
    w.cloud.onRequest = (operation) => {
      if (operation !== 'CopySnapshot' || failedAt !== undefined) return;
      failedAt = w.clock.now();
      // The call never reaches the cloud, and what comes back says nothing.
      throw new Error('stream ended unexpectedly');
    };
    const result = await o.run(w.requests(1), { batchId: 'window' });
    const r = result.results[0]!;
    expect(r.outcome).toBe('completed');
    const sent = copyCallsFor(w.cloud, r.clientToken);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.at).toBeGreaterThanOrEqual(failedAt! + WINDOW);
    // Looked up right after the failure (none), once the window was over (none), then by the copy call itself.
    const lookups = lookupsFor(w.cloud, r.clientToken).map((e) => e.at);
    expect(lookups.filter((at) => at > failedAt! && at < failedAt! + WINDOW).length).toBeGreaterThanOrEqual(
      1,
    );
    expect(lookups.some((at) => at >= failedAt! + WINDOW)).toBe(true);
    expect(copies(w.cloud)).toHaveLength(1);
  });
});

describe('copy calls that keep failing in a way that may have applied end', () => {
  it('after maxAttempts calls, each settled by a lookup past the window: resumable, journaled `planned`', async () => {
    const WINDOW = 300_000;
    const w = referenceWorld({ nativeTokens: false, capabilities: { consistencyWindowMs: WINDOW } });
    const journal = new MemoryCopyJournal({ now: () => w.clock.now() });
    const o = new CopyOrchestrator({ copiers: { ref: w.copier }, journal, clock: w.clock, retry: fast });
    let calls = 0;
    w.cloud.onRequest = (operation) => {
      if (operation !== 'CopySnapshot') return;
      calls += 1;
      throw new Error('stream ended unexpectedly');
    };
    const items = w.requests(1);
    const started = w.clock.now();
    const first = await o.run(items, { batchId: 'never' });
    expect(first.results[0]).toMatchObject({ outcome: 'resumable', attempts: fast.maxAttempts });
    expect(first.results[0]!.error?.message).toContain('stream ended unexpectedly');
    expect(calls).toBe(fast.maxAttempts);
    // Each call was followed by the whole window before the next.
    expect(w.clock.now() - started).toBeGreaterThanOrEqual(fast.maxAttempts * WINDOW);
    expect((await journal.listEntries('never'))[0]).toMatchObject({ state: 'planned' });
    expect(copies(w.cloud)).toHaveLength(0);

    w.cloud.onRequest = undefined;
    const rerun = await o.run(items, { batchId: 'never' });
    expect(rerun.results[0]!.outcome).toBe('completed');
    expect(copies(w.cloud)).toHaveLength(1);
  });
});

describe('absence is believed only after repeated well-formed answers', () => {
  it('a copy deleted outside snapcopy fails only after 3 absent reads over the consistency window', async () => {
    const WINDOW = 60_000;
    const w = referenceWorld({ capabilities: { consistencyWindowMs: WINDOW } });
    const journal = new MemoryCopyJournal({ now: () => w.clock.now() });
    const o = new CopyOrchestrator({
      copiers: { ref: w.copier },
      journal,
      clock: w.clock,
      poll: { minIntervalMs: 5_000, maxIntervalMs: 20_000 },
    });
    let deletedAt = 0;
    const result = await o.run(w.requests(1), {
      batchId: 'gone',
      onEvent: (e) => {
        if (e.type !== 'copy-started') return;
        deletedAt = w.clock.now();
        w.cloud.world.remove(copyIdOf(e.handle));
      },
    });
    const r = result.results[0]!;
    expect(r.outcome).toBe('failed');
    expect(r.error?.message).toMatch(/no longer exists/);
    expect(r.timings.finishedAt! - deletedAt).toBeGreaterThanOrEqual(WINDOW);
    expect(lookupsFor(w.cloud, r.clientToken).filter((e) => e.at > deletedAt).length).toBeGreaterThanOrEqual(
      3,
    );
    expect((await journal.listEntries('gone'))[0]).toMatchObject({ state: 'failed' });
  });

  it('status replies that are not the cloud (a proxy page) mark nothing absent; after maxStatusFailures the run ends resumable and the rerun completes', async () => {
    const w = referenceWorld();
    const journal = new MemoryCopyJournal({ now: () => w.clock.now() });
    const o = new CopyOrchestrator({
      copiers: { ref: w.copier },
      journal,
      clock: w.clock,
      maxStatusFailures: 4,
      retry: fast,
    });
    const items = w.requests(3);
    let started = 0;
    const first = await o.run(items, {
      batchId: 'garbage',
      onEvent: (e) => {
        if (e.type === 'copy-started' && ++started === 3)
          w.cloud.faults.garbageNext(REFERENCE_DESCRIBE_BY_IDS, 4);
      },
    });
    expect(first.results.map((r) => r.outcome)).toEqual(['resumable', 'resumable', 'resumable']);
    expect(first.results[0]!.error).toMatchObject({ code: 'PROVIDER_ERROR', providerCode: 'MalformedReply' });
    expect((await journal.listEntries('garbage')).map((e) => e.state)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    expect(received(w.cloud, 'describe-by-ids').filter((e) => e.fault === 'garbage')).toHaveLength(4);

    const rerun = await o.run(items, { batchId: 'garbage' });
    expect(rerun.counts.completed).toBe(3);
    expect(received(w.cloud, 'CopySnapshot')).toHaveLength(3);
    expect(copies(w.cloud).every((s) => s.state === 'completed')).toBe(true);
  });
});

describe('two runners on two journals converge to one copy per token (no native token)', () => {
  it('with lookups failing 30 % of the time: every copy once, both runs complete on the copy kept', async () => {
    const w = referenceWorld({ nativeTokens: false, capabilities: { consistencyWindowMs: 0 } });
    w.cloud.faults.add({ operation: REFERENCE_DESCRIBE_BY_TAG, kind: 'server-error', probability: 0.3 });
    const items = w.requests(30);
    const runner = () =>
      new CopyOrchestrator({
        copiers: { ref: w.makeCopier() },
        journal: new MemoryCopyJournal({ now: () => w.clock.now() }),
        clock: w.clock,
        retry: { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 10_000 },
      });
    const [a, b] = await Promise.all([
      runner().run(items, { batchId: 'race' }),
      runner().run(items, { batchId: 'race' }),
    ]);
    expect(a.counts.completed).toBe(30);
    expect(b.counts.completed).toBe(30);
    const perToken = copiesPerToken(w.cloud);
    expect([...perToken].filter(([, c]) => c.length > 1).map(([t]) => t)).toEqual([]);
    expect(perToken.size).toBe(30);
    for (const [ra, rb] of a.results.map((r, i) => [r, b.results[i]!] as const)) {
      const [kept] = perToken.get(ra.clientToken)!;
      expect(ra.destination && copyIdOf(ra.destination)).toBe(kept!.id);
      expect(rb.destination && copyIdOf(rb.destination)).toBe(kept!.id);
      expect(kept!.state).toBe('completed');
    }
    // The runners did race: duplicates were made and removed, and reported.
    const removed = [...a.results, ...b.results].flatMap((r) => r.duplicatesRemoved ?? []);
    expect(removed.length).toBeGreaterThan(0);
    expect(w.cloud.world.deleted.size).toBeGreaterThan(0);
    for (const id of w.cloud.world.deleted) expect(removed).toContain(id);
  });
});

describe('the lifecycle as steps a workflow engine can call one by one', () => {
  it('plan, copy, read statuses until done, finalize: the same journal facts as the in-process runner', async () => {
    const w = referenceWorld();
    const [request] = w.requests(1);
    const journal = new MemoryCopyJournal({ now: () => w.clock.now() });
    const ctx: LifecycleContext = {
      batchId: 'wf',
      copier: batchCopier('snapshot', w.copier),
      journal,
      clock: w.clock,
    };
    const token = 'wf.0';
    await journal.beginBatch({ batchId: 'wf', createdAt: w.clock.now(), size: 1 }, [
      {
        index: 0,
        copier: 'ref',
        kind: 'snapshot',
        clientToken: token,
        request: { ...request!, clientToken: token },
      },
    ]);
    const [entry] = await journal.listEntries('wf');
    const item: BatchItemState = {
      index: 0,
      copier: 'ref',
      kind: 'snapshot',
      request: entry!.request,
      clientToken: token,
      resumed: false,
      phase: 'queued',
      journalState: 'queued',
      attempts: 0,
      priorAttempts: 0,
      planAttempts: 0,
      lookupAttempts: 0,
      confirmAttempts: 0,
      notBefore: 0,
      duplicatesRemoved: [],
      replacedCopies: [],
      timings: { queuedAt: w.clock.now() },
    };
    expect((await planStep(ctx, item)).ok).toBe(true);
    expect((await journal.listEntries('wf'))[0]).toMatchObject({ state: 'planned' });
    const copied = await copyStep(ctx, item);
    expect(copied.ok).toBe(true);
    expect((await journal.listEntries('wf'))[0]).toMatchObject({ state: 'pending', attempts: 1 });
    for (let round = 0; round < 100; round++) {
      await w.clock.sleep(60_000);
      const read = await readStatuses(ctx, [item]);
      if (!read.ok) continue;
      const verdict = judgeStatus(read.value[0]!, { nativeToken: true, confirmed: true });
      if (verdict.verdict === 'finished') {
        await finalizeStep(ctx, item, verdict.outcome);
        break;
      }
    }
    const stepped = (await journal.listEntries('wf'))[0]!;

    // The same request through the orchestrator, on a fresh cloud.
    const v = referenceWorld();
    const runJournal = new MemoryCopyJournal({ now: () => v.clock.now() });
    await new CopyOrchestrator({ copiers: { ref: v.copier }, journal: runJournal, clock: v.clock }).run(
      [{ ...request!, source: { ...request!.source, snapshotId: v.source() } }],
      { batchId: 'wf' },
    );
    const ran = (await runJournal.listEntries('wf'))[0]!;
    const facts = (e: typeof ran) => ({
      state: e.state,
      attempts: e.attempts,
      clientToken: e.clientToken,
      planned: e.plan !== undefined,
      destinationRegion: e.destination?.region,
      error: e.error,
    });
    expect(facts(stepped)).toEqual(facts(ran));
    expect(facts(stepped)).toMatchObject({ state: 'completed', attempts: 1, planned: true });
    // And the cloud holds the copy, with its token.
    expect(copies(w.cloud)[0]!.tags.get(LINEAGE_TAGS.clientToken)).toBe(token);
  });
});
