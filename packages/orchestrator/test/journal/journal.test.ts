import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CopyPlan } from '@snapcopy/core';
import { SqliteCopyJournal, withoutSqliteExperimentalWarning } from '@snapcopy/orchestrator/sqlite';
import {
  type CopyJournal,
  copyIdOf,
  type JournalRequestRecord,
  MemoryCopyJournal,
  openSqliteJournal,
  sourceIdOf,
} from '@snapcopy/orchestrator';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'snapcopy-journal-'));
  dirs.push(dir);
  return join(dir, 'journal.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function records(n: number): JournalRequestRecord[] {
  return Array.from({ length: n }, (_, index) => ({
    index,
    copier: 'aws',
    kind: 'snapshot' as const,
    clientToken: `b.${index}`,
    request: {
      source: { region: 'us-east-1', snapshotId: `snap-${index}` },
      destination: { region: 'eu-west-1' },
      tags: { team: 'x' },
      clientToken: `b.${index}`,
    },
  }));
}

const plan = { provider: 'aws', reasons: ['full copy'], transfer: 'full' } as unknown as CopyPlan;

const implementations: { name: string; open: () => Promise<CopyJournal> }[] = [
  { name: 'MemoryCopyJournal', open: async () => new MemoryCopyJournal({ now: () => 42 }) },
  { name: 'SqliteCopyJournal', open: async () => openSqliteJournal(tempFile(), { now: () => 42 }) },
];

for (const impl of implementations) {
  describe(`${impl.name} (the journal contract)`, () => {
    it('records a batch and its requests as queued, with their tokens', async () => {
      const j = await impl.open();
      await j.beginBatch({ batchId: 'b', createdAt: 1, size: 3 }, records(3));
      expect(await j.getBatch('b')).toEqual({ batchId: 'b', createdAt: 1, size: 3 });
      const entries = await j.listEntries('b');
      expect(entries.map((e) => [e.index, e.state, e.clientToken, e.attempts])).toEqual([
        [0, 'queued', 'b.0', 0],
        [1, 'queued', 'b.1', 0],
        [2, 'queued', 'b.2', 0],
      ]);
      expect(entries[1]!.request).toEqual(records(3)[1]!.request);
      expect(entries[0]!.updatedAt).toBe(42);
      await j.close();
    });

    it('refuses to begin a batch id twice', async () => {
      const j = await impl.open();
      await j.beginBatch({ batchId: 'b', createdAt: 1, size: 1 }, records(1));
      await expect(j.beginBatch({ batchId: 'b', createdAt: 2, size: 1 }, records(1))).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
      });
      await j.close();
    });

    it('walks a copy through plan, copying, destination and a terminal state', async () => {
      const j = await impl.open();
      await j.beginBatch({ batchId: 'b', createdAt: 1, size: 2 }, records(2));
      await j.recordPlan('b', 0, plan);
      expect((await j.listEntries('b'))[0]).toMatchObject({ state: 'planned', plan });
      await j.recordState('b', 0, 'copying', { attempt: 1 });
      expect((await j.listEntries('b'))[0]).toMatchObject({ state: 'copying', attempts: 1 });
      await j.recordDestination('b', 0, { region: 'eu-west-1', snapshotId: 'snap-new' });
      expect((await j.listEntries('b'))[0]).toMatchObject({
        state: 'pending',
        destination: { region: 'eu-west-1', snapshotId: 'snap-new' },
        attempts: 1,
      });
      await j.recordState('b', 1, 'failed', { error: { code: 'NOT_FOUND', message: 'gone' } });
      await j.recordState('b', 0, 'completed');
      const [a, b] = await j.listEntries('b');
      expect(a).toMatchObject({ state: 'completed', attempts: 1, plan });
      expect(b).toMatchObject({ state: 'failed', error: { code: 'NOT_FOUND', message: 'gone' } });
      await j.close();
    });

    it('lists unfinished copies per batch and across batches', async () => {
      const j = await impl.open();
      await j.beginBatch({ batchId: 'a', createdAt: 1, size: 2 }, records(2));
      await j.beginBatch({ batchId: 'b', createdAt: 2, size: 2 }, records(2));
      await j.recordState('a', 0, 'completed');
      await j.recordState('b', 1, 'cancelled');
      expect((await j.listUnfinished('a')).map((e) => `${e.batchId}#${e.index}`)).toEqual(['a#1']);
      expect((await j.listUnfinished()).map((e) => `${e.batchId}#${e.index}`)).toEqual(['a#1', 'b#0']);
      expect(await j.listUnfinished('none')).toEqual([]);
      await j.close();
    });

    it('refuses to record for an entry it does not have', async () => {
      const j = await impl.open();
      await expect(j.recordState('nope', 0, 'completed')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      await j.close();
    });

    it('hands out copies: changing a returned entry does not change the journal', async () => {
      const j = await impl.open();
      await j.beginBatch({ batchId: 'b', createdAt: 1, size: 1 }, records(1));
      const [e] = await j.listEntries('b');
      (e!.request.source as { snapshotId: string }).snapshotId = 'changed';
      expect(sourceIdOf((await j.listEntries('b'))[0]!.request)).toBe('snap-0');
      await j.close();
    });
  });
}

describe('SqliteCopyJournal (durability)', () => {
  it('keeps everything across a close and reopen of the same file', async () => {
    const file = tempFile();
    const first = new SqliteCopyJournal(file);
    await first.beginBatch({ batchId: 'b', createdAt: 1, size: 2 }, records(2));
    await first.recordState('b', 0, 'copying', { attempt: 1 });
    await first.recordDestination('b', 1, { region: 'eu-west-1', snapshotId: 'snap-x' });
    await first.close();
    const second = new SqliteCopyJournal(file);
    expect(
      (await second.listUnfinished('b')).map((e) => [e.state, e.destination && copyIdOf(e.destination)]),
    ).toEqual([
      ['copying', undefined],
      ['pending', 'snap-x'],
    ]);
    await second.close();
  });

  it('uses WAL mode and the synchronous level asked for (NORMAL by default)', async () => {
    const file = tempFile();
    const byDefault = new SqliteCopyJournal(file);
    expect(byDefault.durability).toEqual({ journalMode: 'wal', synchronous: 'NORMAL' });
    await byDefault.close();
    const full = new SqliteCopyJournal(file, { synchronous: 'FULL' });
    expect(full.durability).toEqual({ journalMode: 'wal', synchronous: 'FULL' });
    await full.close();
    const raw = new DatabaseSync(file);
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    raw.close();
  });

  it('refuses a journal written by a newer schema', async () => {
    const file = tempFile();
    const raw = new DatabaseSync(file);
    raw.exec('PRAGMA user_version = 99');
    raw.close();
    expect(() => new SqliteCopyJournal(file)).toThrow(/schema version 99/);
  });

  it('a batch that fails part-way leaves nothing behind (one transaction)', async () => {
    const j = new SqliteCopyJournal(tempFile());
    const [first] = records(1);
    // The second request repeats the first's index: its insert violates the primary key.
    await expect(
      j.beginBatch({ batchId: 'b', createdAt: 1, size: 2 }, [first!, first!]),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await j.getBatch('b')).toBeUndefined();
    expect(await j.listEntries('b')).toEqual([]);
    // The connection is usable afterwards: no transaction was left open.
    await j.beginBatch({ batchId: 'b', createdAt: 1, size: 1 }, records(1));
    expect((await j.listEntries('b')).map((e) => e.state)).toEqual(['queued']);
    await j.close();
  });
});

describe('withoutSqliteExperimentalWarning (Node 22 warns when node:sqlite is first loaded)', () => {
  const SQLITE = 'SQLite is an experimental feature and might change at any time';
  // One row per way Node's process.emitWarning can be called (string type, options object, Error).
  const cases: { name: string; emit: () => void; passes: boolean }[] = [
    {
      name: "Node's own call: message and type 'ExperimentalWarning'",
      emit: () => process.emitWarning(SQLITE, 'ExperimentalWarning'),
      passes: false,
    },
    {
      name: 'the same with an options object',
      emit: () => process.emitWarning(SQLITE, { type: 'ExperimentalWarning' }),
      passes: false,
    },
    {
      name: 'the same as an Error named ExperimentalWarning',
      emit: () => process.emitWarning(Object.assign(new Error(SQLITE), { name: 'ExperimentalWarning' })),
      passes: false,
    },
    {
      name: 'another experimental feature',
      emit: () => process.emitWarning('WASI is an experimental feature', 'ExperimentalWarning'),
      passes: true,
    },
    {
      name: 'the SQLite text with another type',
      emit: () => process.emitWarning(SQLITE, 'DeprecationWarning'),
      passes: true,
    },
    { name: 'a plain warning', emit: () => process.emitWarning('something else'), passes: true },
  ];

  it.each(cases)('$name → passes on: $passes', ({ emit, passes }) => {
    const real = process.emitWarning;
    // Stands in for Node's emitWarning, so nothing is printed while testing the filter.
    const underlying = vi.fn();
    process.emitWarning = underlying as unknown as typeof process.emitWarning;
    try {
      const loaded = withoutSqliteExperimentalWarning(() => {
        emit();
        return 'loaded';
      });
      expect(loaded).toBe('loaded');
      expect(underlying).toHaveBeenCalledTimes(passes ? 1 : 0);
      expect(process.emitWarning).toBe(underlying);
    } finally {
      process.emitWarning = real;
    }
  });

  it('puts process.emitWarning back when loading throws', () => {
    const before = process.emitWarning;
    expect(() =>
      withoutSqliteExperimentalWarning(() => {
        throw new Error('no sqlite');
      }),
    ).toThrow('no sqlite');
    expect(process.emitWarning).toBe(before);
  });
});
