import { closeSync, constants, openSync, readSync, statSync, accessSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isSnapcopyError, SnapcopyError } from '@snapcopy/core';

/** What {@link journalPathProblem} needs to know about a journal path, as the file system says. */
export interface JournalPathFacts {
  readonly file: string;
  readonly folder: string;
  /** What is at the path: nothing, a file (with its size and first bytes), a folder or something else. */
  readonly target:
    | { readonly kind: 'missing' }
    | { readonly kind: 'file'; readonly size: number; readonly header: Buffer; readonly writable: boolean }
    | { readonly kind: 'folder' }
    | { readonly kind: 'other' };
  /** The folder the file is (or would be) in. */
  readonly parent:
    | { readonly kind: 'missing' }
    | { readonly kind: 'not-a-folder' }
    | { readonly kind: 'folder'; readonly writable: boolean };
}

/** The 16 bytes every SQLite 3 database file starts with. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Reads the facts about a journal path (no change to anything). */
export function probeJournalPath(file: string): JournalPathFacts {
  const full = resolve(file);
  const folder = dirname(full);
  let target: JournalPathFacts['target'] = { kind: 'missing' };
  try {
    const st = statSync(full);
    if (st.isDirectory()) target = { kind: 'folder' };
    else if (!st.isFile()) target = { kind: 'other' };
    else {
      const header = Buffer.alloc(16);
      let read = 0;
      try {
        const fd = openSync(full, 'r');
        try {
          read = readSync(fd, header, 0, 16, 0);
        } finally {
          closeSync(fd);
        }
      } catch {
        // Unreadable: SQLite will say so when it opens it.
      }
      target = { kind: 'file', size: st.size, header: header.subarray(0, read), writable: writable(full) };
    }
  } catch {
    // Nothing there (or nothing we may see): SQLite creates it, if the folder allows.
  }
  let parent: JournalPathFacts['parent'];
  try {
    parent = statSync(folder).isDirectory()
      ? { kind: 'folder', writable: writable(folder) }
      : { kind: 'not-a-folder' };
  } catch {
    parent = { kind: 'missing' };
  }
  return { file, folder, target, parent };
}

const journalError = (message: string, reason: string, cause?: unknown) =>
  new SnapcopyError('INVALID_REQUEST', message, {
    issues: [{ path: 'journal', message }],
    details: { reason },
    ...(cause === undefined ? {} : { cause }),
  });

/**
 * What is wrong with a journal path before SQLite opens it, as one clear error, or
 * undefined. One rule per problem, checked in this order: the folder is missing or is a
 * file; the path is a folder or not a regular file; the file is not SQLite (an empty file
 * is fine: SQLite makes a new database in it); the file is read-only; the folder is
 * read-only (SQLite's WAL mode creates `<file>-wal` and `<file>-shm` beside it).
 */
export function journalPathProblem(facts: JournalPathFacts): SnapcopyError | undefined {
  const { file, folder, target, parent } = facts;
  if (parent.kind === 'missing') {
    return journalError(
      `journal ${file}: folder ${folder} does not exist; create it first`,
      'folder-missing',
    );
  }
  if (parent.kind === 'not-a-folder') {
    return journalError(`journal ${file}: ${folder} is not a folder`, 'folder-missing');
  }
  if (target.kind === 'folder') {
    return journalError(
      `journal ${file} is a folder; give a file path, e.g. ${file.replace(/\/+$/, '')}/snapcopy-journal.db`,
      'is-folder',
    );
  }
  if (target.kind === 'other') {
    return journalError(`journal ${file} is not a regular file`, 'not-a-file');
  }
  if (
    target.kind === 'file' &&
    target.size > 0 &&
    !SQLITE_HEADER.subarray(0, target.header.length).equals(target.header)
  ) {
    return journalError(
      `journal ${file} is not a SQLite database (it is another kind of file); give the journal snapcopy made, or a new path`,
      'not-sqlite',
    );
  }
  if (target.kind === 'file' && target.size > 0 && target.header.length < SQLITE_HEADER.length) {
    return journalError(
      `journal ${file} is not a SQLite database (too short); give a new path`,
      'not-sqlite',
    );
  }
  if (target.kind === 'file' && !target.writable) {
    return journalError(
      `journal ${file} is read-only; snapcopy records every step in it: make it writable or give another path`,
      'read-only-file',
    );
  }
  if (!parent.writable) {
    return journalError(
      `journal ${file}: folder ${folder} is read-only; SQLite needs to create ${file}-wal and ${file}-shm beside the journal`,
      'read-only-folder',
    );
  }
  return undefined;
}

/** Throws the problem {@link journalPathProblem} finds at `file`, if any. `:memory:` has none. */
export function checkJournalPath(file: string): void {
  if (file === ':memory:' || file === '') return;
  const problem = journalPathProblem(probeJournalPath(file));
  if (problem) throw problem;
}

/** SQLite's primary result codes (the low byte of an extended code), by name. */
const SQLITE_PRIMARY: Readonly<Record<number, string>> = {
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  8: 'SQLITE_READONLY',
  14: 'SQLITE_CANTOPEN',
  26: 'SQLITE_NOTADB',
};

/**
 * The SQLite result code of an error: `node:sqlite` gives the number in `errcode` (its
 * `code` is Node's generic `ERR_SQLITE_ERROR`); a name in `code` is taken as is.
 */
function sqliteCode(err: unknown): string {
  const e = (err ?? {}) as { code?: unknown; errcode?: unknown };
  if (typeof e.errcode === 'number') return SQLITE_PRIMARY[e.errcode & 0xff] ?? `SQLITE_${e.errcode}`;
  return String(e.code ?? '');
}

/** The SQLite error codes an open can end with, as one clear error each. */
export function journalOpenError(file: string, err: unknown): SnapcopyError {
  if (isSnapcopyError(err)) return err;
  const code = sqliteCode(err);
  const text = err instanceof Error ? err.message : String(err);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return journalError(
      `journal ${file} is locked by another program (SQLite: ${text}); close it there, or give another path`,
      'locked',
      err,
    );
  }
  if (code.startsWith('SQLITE_NOTADB')) {
    return journalError(
      `journal ${file} is not a SQLite database (SQLite: ${text}); give a new path`,
      'not-sqlite',
      err,
    );
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return journalError(
      `journal ${file} is read-only (SQLite: ${text}); make the file and its folder writable, or give another path`,
      'read-only-file',
      err,
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return journalError(`journal ${file} cannot be opened (SQLite: ${text})`, 'cannot-open', err);
  }
  return new SnapcopyError('PROVIDER_ERROR', `journal ${file}: ${text}`, { cause: err });
}

/** The little of a SQLite connection the contents check needs (`node:sqlite`'s `DatabaseSync`). */
export interface SqlReader {
  exec(sql: string): unknown;
  prepare(sql: string): { all(...params: (string | number)[]): unknown[] };
}

/** `PRAGMA application_id` of a snapcopy journal: "SnCp". */
export const JOURNAL_APPLICATION_ID = 0x536e4370;

/** Tables a snapcopy journal holds, and columns of `copies` it must have. */
const OUR_TABLES = new Set(['batches', 'copies', 'batch_leases']);
const COPIES_COLUMNS = ['batch_id', 'idx', 'client_token', 'state', 'dest_snapshot_id'];

/**
 * Refuses a SQLite database that is not a snapcopy journal, and stamps a new one as
 * snapcopy's. Also proves the file can be written now (`BEGIN IMMEDIATE`), so that a lock
 * another program holds shows at open, not halfway through a batch.
 */
export function checkJournalContents(db: SqlReader, file: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const [app] = db.prepare('PRAGMA application_id').all() as { application_id: number }[];
    const appId = Number(app?.application_id ?? 0);
    const tables = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    if (appId !== 0 && appId !== JOURNAL_APPLICATION_ID) {
      throw journalError(
        `journal ${file} is a SQLite database of another program (application id ${appId}); snapcopy will not write into it: give a new path`,
        'foreign-database',
      );
    }
    if (tables.length > 0 && appId !== JOURNAL_APPLICATION_ID) {
      const columns = tables.includes('copies')
        ? (db.prepare('PRAGMA table_info(copies)').all() as { name: string }[]).map((c) => c.name)
        : [];
      const ours =
        tables.every((t) => OUR_TABLES.has(t)) &&
        tables.includes('batches') &&
        COPIES_COLUMNS.every((c) => columns.includes(c));
      if (!ours) {
        const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
        throw journalError(
          `journal ${file} is a SQLite database without snapcopy's tables (it has ${shown}); snapcopy will not write into it: give a new path`,
          'foreign-database',
        );
      }
    }
    if (appId === 0) db.exec(`PRAGMA application_id = ${JOURNAL_APPLICATION_ID}`);
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
