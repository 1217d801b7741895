import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  CallOptions,
  CancelResult,
  CopyHandle,
  CopyOptions,
  CopyPlan,
  CopyRequestInput,
  CopyStatus,
  PlanOptions,
  SnapshotCopier,
  SnapshotRef,
  WaitOptions,
} from '@snapcopy/core';
import {
  type BatchLease,
  type CopyJournal,
  CopyOrchestrator,
  MemoryCopyJournal,
  openSqliteJournal,
} from '@snapcopy/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  copies,
  copiesPerToken,
  received,
  referenceWorld,
  SOURCE_REGION,
} from './support/reference-world.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'snapcopy-resume-'));
  dirs.push(dir);
  return join(dir, 'journal.db');
}

/** Plan calls the cloud saw: describes of a source snapshot. */
const planCalls = (w: ReturnType<typeof referenceWorld>) =>
  received(w.cloud, 'describe-by-ids').filter((e) => e.region === SOURCE_REGION).length;

describe('resume from the journal: one row per crash point', () => {
  const rows = [
    {
      rule: 'queued: planned and copied',
      state: 'queued',
      made: false,
      copyCalls: 1,
      planCalls: 1,
      attempts: 1,
    },
    {
      rule: 'planned: the journaled plan is used, then copied',
      state: 'planned',
      made: false,
      copyCalls: 1,
      planCalls: 0,
      attempts: 1,
    },
    {
      rule: 'copying, and the cloud made it: its token is looked up and the copy found, not copied again',
      state: 'copying',
      made: true,
      copyCalls: 0,
      planCalls: 0,
      attempts: 0,
    },
    {
      rule: 'copying, and the call never arrived: looked up, then sent again with the same token, made once',
      state: 'copying',
      made: false,
      copyCalls: 1,
      planCalls: 0,
      attempts: 1,
    },
    {
      rule: 'pending with a destination id: tracked, not copied again',
      state: 'pending',
      made: true,
      copyCalls: 0,
      planCalls: 0,
      attempts: 0,
    },
    {
      rule: 'completed: left alone',
      state: 'completed',
      made: true,
      copyCalls: 0,
      planCalls: 0,
      attempts: 0,
    },
  ] as const;

  for (const row of rows) {
    it(row.rule, async () => {
      const w = referenceWorld();
      const journal = await openSqliteJournal(tempFile(), { now: () => w.clock.now() });
      const [request] = w.requests(1);
      const token = 'crash.0';
      const plan = await w.copier.plan({ ...request!, clientToken: token });
      await journal.beginBatch({ batchId: 'crash', createdAt: 0, size: 1 }, [
        {
          index: 0,
          copier: 'ref',
          kind: 'snapshot',
          clientToken: token,
          request: { ...request!, clientToken: token },
        },
      ]);
      if (row.state !== 'queued') await journal.recordPlan('crash', 0, plan);
      let made: CopyHandle | undefined;
      if (row.made) made = await w.copier.copy({ ...request!, clientToken: token }, { plan });
      w.cloud.world.requests.clear();
      if (row.state === 'copying') await journal.recordState('crash', 0, 'copying', { attempt: 1 });
      if (row.state === 'pending' || row.state === 'completed') {
        await journal.recordDestination('crash', 0, { region: made!.region, snapshotId: made!.snapshotId });
      }
      if (row.state === 'completed') await journal.recordState('crash', 0, 'completed');

      const orchestrator = new CopyOrchestrator({ copiers: { ref: w.copier }, journal, clock: w.clock });
      const result = await orchestrator.resume('crash');
      expect(result.resumed).toBe(true);
      expect(result.results[0]!.outcome).toBe('completed');
      expect(received(w.cloud, 'CopySnapshot')).toHaveLength(row.copyCalls);
      expect(planCalls(w)).toBe(row.planCalls);
      expect(copiesPerToken(w.cloud).get(token)).toHaveLength(1);
      expect(copies(w.cloud)).toHaveLength(1);
      expect(result.results[0]!.attempts).toBe(row.attempts);
      expect(await journal.listUnfinished('crash')).toEqual([]);
      await journal.close();
    });
  }
});

describe('resume: batch identity', () => {
  it('run() with the id of a journaled batch resumes it; other requests are refused', async () => {
    const w = referenceWorld();
    const journal = new MemoryCopyJournal();
    const orchestrator = new CopyOrchestrator({ copiers: { ref: w.copier }, journal, clock: w.clock });
    const items = w.requests(3);
    const first = await orchestrator.run(items, { batchId: 'same' });
    expect(first.counts.completed).toBe(3);
    const again = await orchestrator.run(items, { batchId: 'same' });
    expect(again.resumed).toBe(true);
    expect(again.counts.completed).toBe(3);
    expect(received(w.cloud, 'CopySnapshot')).toHaveLength(3);
    await expect(orchestrator.run([...items, ...w.requests(1)], { batchId: 'same' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });

  it('resume() of an unknown batch is NOT_FOUND; a batch whose copier is gone is refused', async () => {
    const w = referenceWorld();
    const journal = new MemoryCopyJournal();
    const a = new CopyOrchestrator({ copiers: { ref: w.copier }, journal, clock: w.clock });
    await expect(a.resume('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const [request] = w.requests(1);
    await journal.beginBatch({ batchId: 'x', createdAt: 0, size: 1 }, [
      {
        index: 0,
        copier: 'ref',
        kind: 'snapshot',
        clientToken: 'x.0',
        request: { ...request!, clientToken: 'x.0' },
      },
    ]);
    const b = new CopyOrchestrator({ copiers: { other: w.copier }, journal, clock: w.clock });
    await expect(b.resume('x')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});

/** Never settles: what every call of a killed process looks like from outside. */
const never = <T>() => new Promise<T>(() => {});

/** A copier that stops answering for good after `killAt` calls, as a killed process would. */
class KillableCopier implements SnapshotCopier {
  calls = 0;
  constructor(
    private readonly inner: SnapshotCopier,
    private readonly killAt: number,
    /** Whether the fatal call reaches the cloud before the process dies. */
    private readonly applyFatalCall: boolean,
  ) {}
  get provider() {
    return this.inner.provider;
  }
  get capabilities() {
    return this.inner.capabilities;
  }
  get dead() {
    return this.calls >= this.killAt;
  }
  validate(r: CopyRequestInput) {
    return this.inner.validate(r);
  }
  find(r: CopyRequestInput, o?: CallOptions): Promise<CopyHandle | undefined> {
    return this.#call(() => this.inner.find(r, o));
  }
  async #call<T>(fn: () => Promise<T>): Promise<T> {
    this.calls += 1;
    if (this.calls < this.killAt) return fn();
    if (this.calls === this.killAt && this.applyFatalCall) await fn().catch(() => undefined);
    return never<T>();
  }
  plan(r: CopyRequestInput, o?: PlanOptions): Promise<CopyPlan> {
    return this.#call(() => this.inner.plan(r, o));
  }
  copy(r: CopyRequestInput, o?: CopyOptions): Promise<CopyHandle> {
    return this.#call(() => this.inner.copy(r, o));
  }
  status(refs: readonly SnapshotRef[], o?: CallOptions): Promise<CopyStatus[]> {
    return this.#call(() => this.inner.status(refs, o));
  }
  wait(ref: SnapshotRef, o?: WaitOptions): Promise<CopyStatus> {
    return this.#call(() => this.inner.wait(ref, o));
  }
  cancel(ref: SnapshotRef, o?: CallOptions): Promise<CancelResult> {
    return this.#call(() => this.inner.cancel(ref, o));
  }
}

/** The killed process's journal connection: it stops too (no more lease heartbeats). */
function dyingWith(journal: CopyJournal, copier: KillableCopier): CopyJournal {
  const alive = <T>(fn: () => Promise<T>) => (copier.dead ? never<T>() : fn());
  return {
    beginBatch: (b, r) => alive(() => journal.beginBatch(b, r)),
    getBatch: (b) => alive(() => journal.getBatch(b)),
    listEntries: (b) => alive(() => journal.listEntries(b)),
    listUnfinished: (b) => alive(() => journal.listUnfinished(b)),
    recordPlan: (b, i, p) => alive(() => journal.recordPlan(b, i, p)),
    recordDestination: (b, i, d) => alive(() => journal.recordDestination(b, i, d)),
    recordState: (b, i, s, t) => alive(() => journal.recordState(b, i, s, t)),
    claimBatch: (b, o, s) => alive<BatchLease>(() => journal.claimBatch(b, o, s)),
    renewBatch: (b, o) => alive(() => journal.renewBatch(b, o)),
    releaseBatch: (b, o) => alive(() => journal.releaseBatch(b, o)),
    close: () => journal.close(),
  };
}

describe('resume after the process dies at any call', () => {
  // Kill points spread over planning, copying and tracking of a 12-copy batch at limit 5.
  const killPoints = [1, 3, 6, 9, 13, 17, 22, 26, 30, 35];
  for (const killAt of killPoints) {
    for (const applied of [true, false]) {
      it(`dies at call ${killAt} (${applied ? 'after' : 'before'} it reached the cloud): every copy exactly once`, async () => {
        const w = referenceWorld({ capabilities: { maxConcurrentCopiesPerRegion: 5 } });
        const items = w.requests(12);
        const file = tempFile();
        const dying = new KillableCopier(w.copier, killAt, applied);
        const journal1 = await openSqliteJournal(file, { now: () => w.clock.now() });
        const doomed = new CopyOrchestrator({
          copiers: { ref: dying },
          journal: dyingWith(journal1, dying),
          clock: w.clock,
          lease: { staleAfterMs: 60_000 },
        });
        void doomed.run(items, { batchId: 'die' });
        // Let the doomed run go until it is stuck on its fatal call.
        for (let i = 0; i < 10_000 && dying.calls < killAt; i++) await w.clock.sleep(1_000);
        expect(dying.calls).toBeGreaterThanOrEqual(killAt);
        await w.clock.sleep(1);

        // Its lease stays behind with a live pid (this process): the restart waits until
        // the heartbeat is stale, then takes over.
        const journal2 = await openSqliteJournal(file, { now: () => w.clock.now() });
        const restarted = new CopyOrchestrator({
          copiers: { ref: w.copier },
          journal: journal2,
          clock: w.clock,
          lease: { staleAfterMs: 60_000, waitMs: 120_000 },
        });
        const result = await restarted.run(items, { batchId: 'die' });
        expect(result.counts.completed).toBe(12);
        const perToken = copiesPerToken(w.cloud);
        for (const r of result.results) expect(perToken.get(r.clientToken), r.clientToken).toHaveLength(1);
        expect(copies(w.cloud)).toHaveLength(12);
        expect(await journal2.listUnfinished('die')).toEqual([]);
        await journal2.close();
        await journal1.close();
      });
    }
  }
});
