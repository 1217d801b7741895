import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BatchLease,
  type CopyJournal,
  CopyOrchestrator,
  type LeaseOwner,
  MemoryCopyJournal,
  openSqliteJournal,
} from '@snapcopy/orchestrator';
import { claimLease, judgeLease, type LeaseVerdict } from '@snapcopy/orchestrator/runner';
import { afterEach, describe, expect, it } from 'vitest';
import { copies, referenceWorld } from '../support/reference-world.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'snapcopy-lease-'));
  dirs.push(dir);
  return join(dir, 'journal.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const me: LeaseOwner = { ownerId: 'me', pid: 100, host: 'here' };
const held = (over: Partial<BatchLease>): BatchLease => ({
  batchId: 'b',
  ownerId: 'other',
  pid: 200,
  host: 'here',
  acquiredAt: 0,
  heartbeatAt: 1_000,
  ...over,
});

// One row per rule of judgeLease (docs/orchestrator.md, "One batch, one runner").
const rows: {
  rule: string;
  current: BatchLease | undefined;
  now: number;
  alive: boolean;
  expected: LeaseVerdict;
}[] = [
  { rule: 'nobody holds it → free', current: undefined, now: 0, alive: true, expected: 'free' },
  {
    rule: 'the claimant holds it → mine',
    current: held({ ownerId: 'me' }),
    now: 0,
    alive: true,
    expected: 'mine',
  },
  {
    rule: 'same host, its process is gone (crash, kill -9) → owner-dead',
    current: held({}),
    now: 2_000,
    alive: false,
    expected: 'owner-dead',
  },
  {
    rule: 'no heartbeat for staleAfterMs → heartbeat-stale (another host, or a reused pid)',
    current: held({ host: 'elsewhere' }),
    now: 61_000,
    alive: false,
    expected: 'heartbeat-stale',
  },
  {
    rule: 'another host with a fresh heartbeat → held (its pid means nothing here)',
    current: held({ host: 'elsewhere' }),
    now: 2_000,
    alive: false,
    expected: 'held',
  },
  {
    rule: 'a live process on this host → held',
    current: held({}),
    now: 2_000,
    alive: true,
    expected: 'held',
  },
];

describe('judgeLease: one row per rule', () => {
  it.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    expect(
      judgeLease({
        current: row.current,
        claimant: me,
        now: row.now,
        staleAfterMs: 60_000,
        pidAlive: () => row.alive,
      }),
    ).toBe(row.expected);
  });
});

describe('claimLease: the lease in force after a claim', () => {
  const claim = (current: BatchLease | undefined, now: number, alive = true) =>
    claimLease({ batchId: 'b', current, claimant: me, now, staleAfterMs: 60_000, pidAlive: () => alive });

  it('held by a live holder: the holder keeps it, nothing to write', () => {
    const current = held({});
    expect(claim(current, 2_000)).toEqual({ lease: current, taken: false });
  });

  it('free: the claimant takes it, acquired and beating now', () => {
    expect(claim(undefined, 5_000)).toEqual({
      lease: { batchId: 'b', ownerId: 'me', pid: 100, host: 'here', acquiredAt: 5_000, heartbeatAt: 5_000 },
      taken: true,
    });
  });

  it('mine: renewed, the first acquisition time kept', () => {
    const { lease, taken } = claim(held({ ownerId: 'me', acquiredAt: 7 }), 9_000);
    expect(taken).toBe(true);
    expect(lease).toMatchObject({ ownerId: 'me', acquiredAt: 7, heartbeatAt: 9_000 });
  });

  it('taken over from a dead owner: acquired now', () => {
    expect(claim(held({}), 3_000, false).lease).toMatchObject({ ownerId: 'me', acquiredAt: 3_000 });
  });
});

const implementations: { name: string; open: (now: () => number) => Promise<[CopyJournal, CopyJournal]> }[] =
  [
    {
      name: 'MemoryCopyJournal (within one process)',
      open: async (now) => {
        const j = new MemoryCopyJournal({ now });
        return [j, j];
      },
    },
    {
      name: 'SqliteCopyJournal (two connections to one file)',
      open: async (now) => {
        const file = tempFile();
        return [await openSqliteJournal(file, { now }), await openSqliteJournal(file, { now })];
      },
    },
  ];

for (const impl of implementations) {
  describe(`${impl.name}: batch leases`, () => {
    it('one owner at a time; released, it can be taken; a stale one is taken over and its holder told', async () => {
      let t = 1_000;
      const [a, b] = await impl.open(() => t);
      const here = hostname();
      const first: LeaseOwner = { ownerId: 'first', pid: process.pid, host: here };
      const second: LeaseOwner = { ownerId: 'second', pid: process.pid, host: here };
      expect(await a.claimBatch('b', first, 60_000)).toMatchObject({ ownerId: 'first', acquiredAt: 1_000 });
      // This process is alive: the second claim sees the first holder.
      expect(await b.claimBatch('b', second, 60_000)).toMatchObject({
        ownerId: 'first',
        pid: process.pid,
        host: here,
      });
      // Another batch is free.
      expect(await b.claimBatch('other', second, 60_000)).toMatchObject({ ownerId: 'second' });
      t = 30_000;
      expect(await a.renewBatch('b', 'first')).toBe(true);
      t = 80_000;
      expect(await b.claimBatch('b', second, 60_000)).toMatchObject({
        ownerId: 'first',
        heartbeatAt: 30_000,
      });
      t = 90_000;
      expect(await b.claimBatch('b', second, 60_000)).toMatchObject({
        ownerId: 'second',
        acquiredAt: 90_000,
      });
      expect(await a.renewBatch('b', 'first')).toBe(false);
      await a.releaseBatch('b', 'first');
      expect(await a.claimBatch('b', first, 60_000)).toMatchObject({ ownerId: 'second' });
      await b.releaseBatch('b', 'second');
      expect(await a.claimBatch('b', first, 60_000)).toMatchObject({ ownerId: 'first', acquiredAt: 90_000 });
      await a.close();
      await b.close();
    });

    it('takes over at once a lease whose process on this host is gone', async () => {
      const [a, b] = await impl.open(() => 5_000);
      // A pid far above any the kernel hands out: no such process.
      const dead: LeaseOwner = { ownerId: 'dead', pid: 2 ** 22 + 12345, host: hostname() };
      await a.claimBatch('b', dead, 60_000);
      const next: LeaseOwner = { ownerId: 'next', pid: process.pid, host: hostname() };
      expect(await b.claimBatch('b', next, 60_000)).toMatchObject({ ownerId: 'next' });
      await a.close();
      await b.close();
    });
  });
}

describe('two runners on one journal', () => {
  it('the second stops at once with a message naming the holder; nothing is copied twice', async () => {
    const w = referenceWorld();
    const journal = new MemoryCopyJournal({ now: () => w.clock.now() });
    const items = w.requests(4);
    const one = new CopyOrchestrator({ copiers: { ref: w.copier }, journal, clock: w.clock });
    const two = new CopyOrchestrator({ copiers: { ref: w.copier }, journal, clock: w.clock });
    const first = one.run(items, { batchId: 'shared' });
    const second = two.run(items, { batchId: 'shared' });
    const err = await second.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((err as Error).message).toMatch(
      new RegExp(`^batch shared is being run by pid ${process.pid} on host ${hostname()} since 2026-`),
    );
    expect((await first).counts.completed).toBe(4);
    expect(copies(w.cloud)).toHaveLength(4);
  });

  it('with lease.waitMs the second waits for the first to finish, then finds everything done', async () => {
    const w = referenceWorld();
    const file = tempFile();
    const items = w.requests(3);
    const j1 = await openSqliteJournal(file, { now: () => w.clock.now() });
    const j2 = await openSqliteJournal(file, { now: () => w.clock.now() });
    // Heartbeats come as the first run wakes, up to a poll interval (5 min) apart here.
    const lease = { staleAfterMs: 900_000 };
    const one = new CopyOrchestrator({ copiers: { ref: w.copier }, journal: j1, clock: w.clock, lease });
    const two = new CopyOrchestrator({
      copiers: { ref: w.copier },
      journal: j2,
      clock: w.clock,
      lease: { ...lease, waitMs: 3_600_000 },
    });
    const [a, b] = await Promise.all([
      one.run(items, { batchId: 'waits' }),
      two.run(items, { batchId: 'waits' }),
    ]);
    expect(a.counts.completed).toBe(3);
    expect(b).toMatchObject({ resumed: true, counts: { completed: 3 } });
    expect(b.startedAt).toBeGreaterThanOrEqual(a.finishedAt);
    expect(copies(w.cloud)).toHaveLength(3);
    await j1.close();
    await j2.close();
  });

  it('a run whose lease was taken over stops: it sends nothing more', async () => {
    const w = referenceWorld();
    const journal = new MemoryCopyJournal({ now: () => w.clock.now() });
    const o = new CopyOrchestrator({
      copiers: { ref: w.copier },
      journal,
      clock: w.clock,
      lease: { staleAfterMs: 60_000, heartbeatMs: 15_000 },
    });
    const items = w.requests(2);
    const result = await o.run(items, {
      batchId: 'taken',
      onEvent: (e) => {
        if (e.type !== 'copy-started' || e.index !== 1) return;
        // Someone else takes the lease (as after a missed heartbeat).
        void journal
          .releaseBatch('taken', '')
          .then(() => journal.claimBatch('taken', { ownerId: 'thief', pid: 1, host: 'elsewhere' }, 0));
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.results.map((r) => r.outcome)).toEqual(['pending', 'pending']);
  });
});
