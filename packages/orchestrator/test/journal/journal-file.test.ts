import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteJournal } from '@snapcopy/orchestrator';
import { type JournalPathFacts, journalPathProblem } from '@snapcopy/orchestrator/runner';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'snapcopy-badjournal-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) {
    chmodSync(d, 0o700);
    rmSync(d, { recursive: true, force: true });
  }
});

const sqliteHeader = Buffer.from('SQLite format 3\u0000', 'latin1');
const file = (over: Partial<Extract<JournalPathFacts['target'], { kind: 'file' }>> = {}) => ({
  kind: 'file' as const,
  size: 4096,
  header: sqliteHeader,
  writable: true,
  ...over,
});
const folder = { kind: 'folder' as const, writable: true };

// One row per rule of journalPathProblem: the facts as the file system reports them.
const rows: { rule: string; facts: Omit<JournalPathFacts, 'file' | 'folder'>; reason: string | undefined }[] =
  [
    {
      rule: 'a new file in a writable folder is fine',
      facts: { target: { kind: 'missing' }, parent: folder },
      reason: undefined,
    },
    { rule: 'an existing SQLite file is fine', facts: { target: file(), parent: folder }, reason: undefined },
    {
      rule: 'an empty file is fine (SQLite makes a database in it)',
      facts: { target: file({ size: 0, header: Buffer.alloc(0) }), parent: folder },
      reason: undefined,
    },
    {
      rule: 'the folder is missing',
      facts: { target: { kind: 'missing' }, parent: { kind: 'missing' } },
      reason: 'folder-missing',
    },
    {
      rule: 'the folder is a file',
      facts: { target: { kind: 'missing' }, parent: { kind: 'not-a-folder' } },
      reason: 'folder-missing',
    },
    {
      rule: 'the path is a folder',
      facts: { target: { kind: 'folder' }, parent: folder },
      reason: 'is-folder',
    },
    {
      rule: 'the path is not a regular file',
      facts: { target: { kind: 'other' }, parent: folder },
      reason: 'not-a-file',
    },
    {
      rule: 'the file is not SQLite',
      facts: { target: file({ header: Buffer.from('{"batch": [1, 2') }), parent: folder },
      reason: 'not-sqlite',
    },
    {
      rule: 'the file is too short to be SQLite',
      facts: { target: file({ size: 3, header: Buffer.from('SQL') }), parent: folder },
      reason: 'not-sqlite',
    },
    {
      rule: 'the file is read-only',
      facts: { target: file({ writable: false }), parent: folder },
      reason: 'read-only-file',
    },
    {
      rule: 'the folder is read-only (no room for -wal and -shm)',
      facts: { target: file(), parent: { kind: 'folder', writable: false } },
      reason: 'read-only-folder',
    },
  ];

describe('journalPathProblem: one row per rule', () => {
  it.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const problem = journalPathProblem({ file: '/x/j.db', folder: '/x', ...row.facts });
    if (row.reason === undefined) expect(problem).toBeUndefined();
    else {
      expect(problem).toMatchObject({ code: 'INVALID_REQUEST', details: { reason: row.reason } });
      expect(problem!.message).toMatch(/^journal \/x\/j\.db/);
      expect(problem!.message.split('\n')).toHaveLength(1);
    }
  });
});

/** Opens a journal at `path` and returns the error it fails with. */
async function openError(path: string, options: { busyTimeoutMs?: number } = {}) {
  try {
    const j = await openSqliteJournal(path, options);
    await j.close();
  } catch (err) {
    return err as Error & { code: string; details?: { reason?: string } };
  }
  throw new Error(`opening ${path} did not fail`);
}

const root = process.getuid?.() === 0;

describe('opening a bad journal file: one clear error each', () => {
  it('a path whose folder is missing', async () => {
    const path = join(tempDir(), 'no', 'such', 'journal.db');
    const err = await openError(path);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', details: { reason: 'folder-missing' } });
    expect(err.message).toContain('does not exist');
  });

  it('a folder', async () => {
    const path = tempDir();
    const err = await openError(path);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', details: { reason: 'is-folder' } });
    expect(err.message).toBe(
      `journal ${path} is a folder; give a file path, e.g. ${path}/snapcopy-journal.db`,
    );
  });

  it('a file that is not SQLite', async () => {
    const path = join(tempDir(), 'requests.ndjson');
    writeFileSync(path, '{"provider": "aws"}\n');
    const err = await openError(path);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', details: { reason: 'not-sqlite' } });
    expect(err.message).toContain('is not a SQLite database');
  });

  it("another program's SQLite database (its own tables)", async () => {
    const path = join(tempDir(), 'app.db');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    const err = await openError(path);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', details: { reason: 'foreign-database' } });
    expect(err.message).toContain('without snapcopy');
    expect(err.message).toContain('users');
    // Untouched: no snapcopy table was added.
    const again = new DatabaseSync(path);
    expect(again.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({
      n: 1,
    });
    again.close();
  });

  it("another program's SQLite database (its application id)", async () => {
    const path = join(tempDir(), 'app.db');
    const db = new DatabaseSync(path);
    db.exec('PRAGMA application_id = 1234');
    db.close();
    const err = await openError(path);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', details: { reason: 'foreign-database' } });
    expect(err.message).toContain('application id 1234');
  });

  it('a journal locked by another program', async () => {
    const path = join(tempDir(), 'journal.db');
    (await openSqliteJournal(path)).close();
    const other = new DatabaseSync(path);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const err = await openError(path, { busyTimeoutMs: 50 });
      expect(err).toMatchObject({ code: 'INVALID_REQUEST', details: { reason: 'locked' } });
      expect(err.message).toContain('is locked by another program');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it.skipIf(root)('a read-only file (skipped as root: root writes anyway)', async () => {
    const path = join(tempDir(), 'journal.db');
    (await openSqliteJournal(path)).close();
    chmodSync(path, 0o444);
    const err = await openError(path);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', details: { reason: 'read-only-file' } });
  });

  it.skipIf(root)('a read-only folder (skipped as root: root writes anyway)', async () => {
    const dir = join(tempDir(), 'ro');
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    const err = await openError(join(dir, 'journal.db'));
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', details: { reason: 'read-only-folder' } });
  });

  it('a snapcopy journal still opens, and keeps its batches', async () => {
    const path = join(tempDir(), 'journal.db');
    const j = await openSqliteJournal(path);
    await j.beginBatch({ batchId: 'b', createdAt: 1, size: 0 }, []);
    await j.close();
    const again = await openSqliteJournal(path);
    expect(await again.getBatch('b')).toEqual({ batchId: 'b', createdAt: 1, size: 0 });
    await again.close();
  });
});
