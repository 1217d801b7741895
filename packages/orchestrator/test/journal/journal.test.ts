import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CopyPlan } from '@snapcopy/core';
import { SqliteCopyJournal } from '@snapcopy/orchestrator/sqlite';
import {
  type CopyJournal,
  type JournalRequestRecord,
  MemoryCopyJournal,
  openSqliteJournal,
} from '@snapcopy/orchestrator';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

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
      expect((await j.listEntries('b'))[0]!.request.source.snapshotId).toBe('snap-0');
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
    expect((await second.listUnfinished('b')).map((e) => [e.state, e.destination?.snapshotId])).toEqual([
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
    const raw = new Database(file);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('refuses a journal written by a newer schema', async () => {
    const file = tempFile();
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => new SqliteCopyJournal(file)).toThrow(/schema version 99/);
  });
});
