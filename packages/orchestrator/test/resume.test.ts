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
import { CopyOrchestrator, MemoryCopyJournal, openSqliteJournal } from '@snapcopy/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '@snapcopy/testkit';
import { FakeCloud, FakeCopier, requests } from './fake-cloud.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'snapcopy-resume-'));
  dirs.push(dir);
  return join(dir, 'journal.db');
}

function world() {
  const clock = new VirtualClock();
  const cloud = new FakeCloud({ clock });
  const copier = new FakeCopier(cloud);
  return { clock, cloud, copier };
}

describe('resume from the journal: one row per crash point', () => {
  const rows = [
    { rule: 'queued: planned and copied', state: 'queued', made: false, copyCalls: 1, planCalls: 1 },
    {
      rule: 'planned: the journaled plan is used, then copied',
      state: 'planned',
      made: false,
      copyCalls: 1,
      planCalls: 0,
    },
    {
      rule: 'copying, and the cloud made it: its token is looked up and the copy found, not copied again',
      state: 'copying',
      made: true,
      copyCalls: 0,
      planCalls: 0,
    },
    {
      rule: 'copying, and the call never arrived: sent again with the same token, made once',
      state: 'copying',
      made: false,
      copyCalls: 1,
      planCalls: 0,
    },
    {
      rule: 'pending with a destination id: tracked, not copied again',
      state: 'pending',
      made: true,
      copyCalls: 0,
      planCalls: 0,
    },
    { rule: 'completed: left alone', state: 'completed', made: true, copyCalls: 0, planCalls: 0 },
  ] as const;

  for (const row of rows) {
    it(row.rule, async () => {
      const { clock, cloud, copier } = world();
      const journal = await openSqliteJournal(tempFile(), { now: () => clock.now() });
      const [request] = requests(1);
      const token = 'crash.0';
      const plan = await copier.plan({ ...request!, clientToken: token });
      cloud.calls.length = 0;
      await journal.beginBatch({ batchId: 'crash', createdAt: 0, size: 1 }, [
        { index: 0, copier: 'fake', clientToken: token, request: { ...request!, clientToken: token } },
      ]);
      if (row.state !== 'queued') await journal.recordPlan('crash', 0, plan);
      let made: { snapshotId: string } | undefined;
      if (row.made) made = await cloud.copy(copier.account, 'eu-west-1', request!.source.snapshotId, token);
      cloud.calls.length = 0;
      if (row.state === 'copying') await journal.recordState('crash', 0, 'copying', { attempt: 1 });
      if (row.state === 'pending' || row.state === 'completed') {
        await journal.recordDestination('crash', 0, { region: 'eu-west-1', snapshotId: made!.snapshotId });
      }
      if (row.state === 'completed') await journal.recordState('crash', 0, 'completed');

      const orchestrator = new CopyOrchestrator({ copiers: { fake: copier }, journal, clock });
      const result = await orchestrator.resume('crash');
      expect(result.resumed).toBe(true);
      expect(result.results[0]!.outcome).toBe('completed');
      expect(cloud.count('copy')).toBe(row.copyCalls);
      expect(cloud.count('plan')).toBe(row.planCalls);
      expect(cloud.copiesPerToken().get(token)).toBe(1);
      expect(cloud.snapshots.size).toBe(1);
      if (row.state === 'copying') expect(result.results[0]!.attempts).toBe(1);
      expect(await journal.listUnfinished('crash')).toEqual([]);
      await journal.close();
    });
  }
});

describe('resume: batch identity', () => {
  it('run() with the id of a journaled batch resumes it; other requests are refused', async () => {
    const { clock, cloud, copier } = world();
    const journal = new MemoryCopyJournal();
    const orchestrator = new CopyOrchestrator({ copiers: { fake: copier }, journal, clock });
    const first = await orchestrator.run(requests(3), { batchId: 'same' });
    expect(first.counts.completed).toBe(3);
    const again = await orchestrator.run(requests(3), { batchId: 'same' });
    expect(again.resumed).toBe(true);
    expect(again.counts.completed).toBe(3);
    expect(cloud.count('copy')).toBe(3);
    await expect(orchestrator.run(requests(4), { batchId: 'same' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });

  it('resume() of an unknown batch is NOT_FOUND; a batch whose copier is gone is refused', async () => {
    const { clock, copier } = world();
    const journal = new MemoryCopyJournal();
    const a = new CopyOrchestrator({ copiers: { fake: copier }, journal, clock });
    await expect(a.resume('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await journal.beginBatch({ batchId: 'x', createdAt: 0, size: 1 }, [
      { index: 0, copier: 'fake', clientToken: 'x.0', request: { ...requests(1)[0]!, clientToken: 'x.0' } },
    ]);
    const b = new CopyOrchestrator({ copiers: { other: copier }, journal, clock });
    await expect(b.resume('x')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});

/** A copier that stops answering for good after `killAt` calls, as a killed process would. */
class KillableCopier implements SnapshotCopier {
  calls = 0;
  constructor(
    private readonly inner: FakeCopier,
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
    return new Promise<T>(() => {});
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

describe('resume after the process dies at any call', () => {
  // Kill points spread over planning, copying and tracking of a 12-copy batch at limit 5.
  const killPoints = [1, 3, 6, 9, 13, 17, 22, 26, 30, 35];
  for (const killAt of killPoints) {
    for (const applied of [true, false]) {
      it(`dies at call ${killAt} (${applied ? 'after' : 'before'} it reached the cloud): every copy exactly once`, async () => {
        const { clock, cloud, copier } = world();
        const file = tempFile();
        const dying = new KillableCopier(copier, killAt, applied);
        const journal1 = await openSqliteJournal(file, { now: () => clock.now() });
        const doomed = new CopyOrchestrator({ copiers: { fake: dying }, journal: journal1, clock });
        void doomed.run(requests(12), { batchId: 'die' });
        // Let the doomed run go until it is stuck on its fatal call.
        for (let i = 0; i < 10_000 && dying.calls < killAt; i++) await clock.sleep(1_000);
        expect(dying.calls).toBeGreaterThanOrEqual(killAt);
        await clock.sleep(1);

        const journal2 = await openSqliteJournal(file, { now: () => clock.now() });
        const restarted = new CopyOrchestrator({ copiers: { fake: copier }, journal: journal2, clock });
        const result = await restarted.run(requests(12), { batchId: 'die' });
        expect(result.counts.completed).toBe(12);
        const perToken = cloud.copiesPerToken();
        for (const r of result.results) expect(perToken.get(r.clientToken), r.clientToken).toBe(1);
        expect(cloud.snapshots.size).toBe(12);
        expect(await journal2.listUnfinished('die')).toEqual([]);
        await journal2.close();
      });
    }
  }
});
