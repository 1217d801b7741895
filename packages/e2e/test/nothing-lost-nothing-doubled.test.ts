// Forgotten copies, doubled copies, runs that hang: each failure of the kind, against both
// simulators through the real adapters, judged by the simulators' own state. The copiers
// make one attempt per call (as `snapcopy batch` builds them), so that the orchestrator's
// rules are what is tested.
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BatchItem,
  type BatchResult,
  type CopyJournal,
  CopyOrchestrator,
  copyIdOf,
  MemoryCopyJournal,
  type OrchestratorOptions,
  openSqliteJournal,
} from '@snapcopy/orchestrator';
import type { Ec2Simulator, EcsSimulator, SimNockMount } from '@snapcopy/testkit';
import { VirtualClock } from '@snapcopy/testkit';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mountScripted, type RequestKind } from './scripted-faults.js';
import { copiesByToken, type TwoClouds, twoClouds } from './two-clouds.js';

const ONE_ATTEMPT = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
const RETRY = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000 };

const cleanups: (() => void | Promise<void>)[] = [];
beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  nock.cleanAll();
  nock.enableNetConnect();
});

function tempJournalPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'snapcopy-e2e-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'journal.db');
}

const CLOUDS = [
  { copier: 'aws', sim: (c: TwoClouds): Ec2Simulator | EcsSimulator => c.ec2 },
  { copier: 'alibaba', sim: (c: TwoClouds): Ec2Simulator | EcsSimulator => c.ecs },
] as const;

/** Both simulators, a script deciding faults per request, and a way to make orchestrators on them. */
function setup(
  perCloud: number,
  script: (copier: string, kind: RequestKind) => 'server-error' | 'garbage' | undefined,
) {
  const clock = new VirtualClock();
  const clouds = twoClouds(clock, perCloud);
  const mounts: SimNockMount[] = CLOUDS.map((c) =>
    mountScripted(c.sim(clouds), (kind) => script(c.copier, kind)),
  );
  cleanups.push(() => {
    for (const m of mounts) m.stop();
  });
  const copiers = clouds.copiers({}, ONE_ATTEMPT);
  const orchestrator = (journal: CopyJournal, options: Partial<OrchestratorOptions> = {}) =>
    new CopyOrchestrator({ copiers, journal, clock, retry: RETRY, ...options });
  return { clock, clouds, orchestrator };
}

/** The simulator's verdict for one cloud's results: one completed copy per token, the one named. */
function assertOneCopyEach(sim: Ec2Simulator | EcsSimulator, results: BatchResult['results']) {
  sim.world.advance();
  const byToken = copiesByToken(sim.world);
  expect([...byToken].filter(([, c]) => c.length > 1).map(([t]) => t)).toEqual([]);
  expect(byToken.size).toBe(results.length);
  for (const r of results) {
    const [copy] = byToken.get(r.clientToken) ?? [];
    expect(copy, `lost ${r.clientToken}`).toBeDefined();
    expect(copy!.id).toBe(r.destination && copyIdOf(r.destination));
    expect(copy!.state).toBe('completed');
  }
}

const itemsOf = (clouds: TwoClouds, copier: string): BatchItem[] =>
  clouds.items().filter((i) => i.copier === copier);

describe.each(CLOUDS)('$copier: nothing forgotten', ({ copier, sim }) => {
  it('lost reply, then every lookup fails (5xx) until the retries run out: resumable; the rerun finds the copy', async () => {
    let copySent = false;
    let lookupsFail = true;
    const { clouds, orchestrator } = setup(1, (c, kind) => {
      if (c !== copier) return undefined;
      if (kind === 'copy') copySent = true;
      return kind === 'lookup' && copySent && lookupsFail ? 'server-error' : undefined;
    });
    sim(clouds).faults.dropResponseNext('CopySnapshot');
    const items = itemsOf(clouds, copier);
    const path = tempJournalPath();
    const journal = await openSqliteJournal(path);
    const first = await orchestrator(journal).run(items, { batchId: 'lost' });
    expect(first.results[0]).toMatchObject({ outcome: 'resumable', attempts: 1 });
    expect((await journal.listEntries('lost'))[0]).toMatchObject({ state: 'copying', attempts: 1 });
    await journal.close();
    // The cloud holds the copy, made by the one call that was sent.
    expect(copiesByToken(sim(clouds).world).get(first.results[0]!.clientToken)).toHaveLength(1);
    expect(sim(clouds).world.requests.count('CopySnapshot')).toBe(1);

    // A rerun (a new process: the journal reopened) looks the token up and tracks that copy.
    lookupsFail = false;
    const reopened = await openSqliteJournal(path);
    const rerun = await orchestrator(reopened).run(items, { batchId: 'lost' });
    await reopened.close();
    expect(rerun.results[0]).toMatchObject({ outcome: 'completed', resumed: true, attempts: 0 });
    expect(sim(clouds).world.requests.count('CopySnapshot')).toBe(1);
    assertOneCopyEach(sim(clouds), rerun.results);
  });

  it('status replies that are a 200 proxy page during a resume mark nothing failed; the run completes', async () => {
    let garbageReads = 0;
    const { clouds, orchestrator } = setup(3, (c, kind) => {
      if (c !== copier || kind !== 'describe' || garbageReads <= 0) return undefined;
      garbageReads -= 1;
      return 'garbage';
    });
    const items = itemsOf(clouds, copier);
    const journal = new MemoryCopyJournal({ now: () => clouds.ec2.clock.now() });
    // First run: every status read is garbage once the copies run, until each queue (one
    // per destination region) gives up tracking after 3 failed reads in a row.
    let started = 0;
    const first = await orchestrator(journal, { maxStatusFailures: 3 }).run(items, {
      batchId: 'garbage',
      onEvent: (e) => {
        if (e.type === 'copy-started' && ++started === items.length) garbageReads = Number.POSITIVE_INFINITY;
      },
    });
    garbageReads = 0;
    expect(first.results.map((r) => r.outcome)).toEqual(['resumable', 'resumable', 'resumable']);
    expect(first.results[0]!.error?.code).toBe('PROVIDER_ERROR');
    expect((await journal.listEntries('garbage')).map((e) => e.state)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);

    // The resume: its first two status reads are garbage too, then the endpoint answers.
    const before = sim(clouds)
      .world.requests.entries()
      .filter((e) => e.fault === 'garbage').length;
    expect(before).toBe(6);
    garbageReads = 2;
    const resumed = await orchestrator(journal, { maxStatusFailures: 3 }).resume('garbage');
    expect(garbageReads).toBe(0);
    expect(resumed.results.map((r) => r.outcome)).toEqual(['completed', 'completed', 'completed']);
    expect(sim(clouds).world.requests.count('CopySnapshot')).toBe(3);
    const garbage = sim(clouds)
      .world.requests.entries()
      .filter((e) => e.fault === 'garbage');
    expect(garbage).toHaveLength(before + 2);
    assertOneCopyEach(sim(clouds), resumed.results);
  });

  it('copy calls failing with 5xx until the retries run out: resumable (not failed), and the rerun completes', async () => {
    const { clouds, orchestrator } = setup(1, () => undefined);
    sim(clouds).faults.failNext('CopySnapshot', RETRY.maxAttempts);
    const items = itemsOf(clouds, copier);
    const journal = new MemoryCopyJournal({ now: () => clouds.ec2.clock.now() });
    const first = await orchestrator(journal).run(items, { batchId: 'exhausted' });
    expect(first.results[0]).toMatchObject({ outcome: 'resumable', attempts: RETRY.maxAttempts });
    // Each 5xx may have been applied: looked up, found nothing past the window: nothing exists.
    expect((await journal.listEntries('exhausted'))[0]).toMatchObject({ state: 'planned' });
    expect(copiesByToken(sim(clouds).world).size).toBe(0);

    const rerun = await orchestrator(journal).run(items, { batchId: 'exhausted' });
    expect(rerun.results[0]!.outcome).toBe('completed');
    assertOneCopyEach(sim(clouds), rerun.results);
  });
});

describe('two runners of one batch', () => {
  it('on one journal: the second stops with a message naming the first; every copy once', async () => {
    const { clouds, orchestrator } = setup(4, () => undefined);
    const path = tempJournalPath();
    const j1 = await openSqliteJournal(path);
    const j2 = await openSqliteJournal(path);
    const items = clouds.items();
    const [first, second] = await Promise.allSettled([
      orchestrator(j1).run(items, { batchId: 'one-journal' }),
      orchestrator(j2).run(items, { batchId: 'one-journal' }),
    ]);
    await j1.close();
    await j2.close();
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const err = (second as PromiseRejectedResult).reason as Error & { code: string };
    expect(err.code).toBe('INVALID_REQUEST');
    expect(err.message).toMatch(
      new RegExp(`^batch one-journal is being run by pid ${process.pid} on host ${hostname()} since `),
    );
    const result = (first as PromiseFulfilledResult<BatchResult>).value;
    expect(result.counts.completed).toBe(8);
    assertOneCopyEach(
      clouds.ec2,
      result.results.filter((r) => r.copier === 'aws'),
    );
    assertOneCopyEach(
      clouds.ecs,
      result.results.filter((r) => r.copier === 'alibaba'),
    );
  });

  it('on two journals with faults on, both clouds: 0 surviving duplicates and 0 lost, both report success', async () => {
    const PER_CLOUD = 40;
    const CHAOS = { throttle: 0.1, 'server-error': 0.03, 'drop-after': 0.02, reset: 0.01 } as const;
    const clock = new VirtualClock();
    const clouds = twoClouds(clock, PER_CLOUD, { faultSeed: 4242 });
    const mounts = [clouds.ec2.mountNock(), clouds.ecs.mountNock()];
    cleanups.push(() => {
      for (const m of mounts) m.stop();
    });
    clouds.ec2.faults.chaos(CHAOS);
    clouds.ecs.faults.chaos(CHAOS);
    const items = clouds.items();
    const runner = () =>
      new CopyOrchestrator({
        // Each runner its own copiers (another process would have its own), one attempt each.
        copiers: clouds.copiers({}, ONE_ATTEMPT),
        journal: new MemoryCopyJournal({ now: () => clock.now() }),
        clock,
        retry: { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 30_000 },
      });
    const [a, b] = await Promise.all([
      runner().run(items, { batchId: 'two-journals' }),
      runner().run(items, { batchId: 'two-journals' }),
    ]);
    for (const r of [a, b]) {
      expect(
        r.results
          .filter((x) => x.outcome !== 'completed')
          .map((x) => `${x.index}:${x.outcome}:${x.error?.message}`),
      ).toEqual([]);
    }
    for (const [sim, copier] of [
      [clouds.ec2, 'aws'],
      [clouds.ecs, 'alibaba'],
    ] as const) {
      assertOneCopyEach(
        sim,
        a.results.filter((r) => r.copier === copier),
      );
      assertOneCopyEach(
        sim,
        b.results.filter((r) => r.copier === copier),
      );
    }
    const removed = [...a.results, ...b.results].flatMap((r) => r.duplicatesRemoved ?? []).length;
    const followed = [...a.results, ...b.results].flatMap((r) => r.replacedCopies ?? []).length;
    console.log(
      JSON.stringify({
        twoJournals: {
          perCloud: PER_CLOUD,
          duplicatesMadeAndRemoved: {
            aws: clouds.ec2.world.deleted.size,
            alibaba: clouds.ecs.world.deleted.size,
          },
          reportedRemoved: removed,
          followedToKeptCopy: followed,
          faults: { aws: clouds.ec2.faults.injected, alibaba: clouds.ecs.faults.injected },
        },
      }),
    );
    // ECS dedupes on its ClientToken: nothing to remove there.
    expect(clouds.ecs.world.deleted.size).toBe(0);
  }, 120_000);
});
