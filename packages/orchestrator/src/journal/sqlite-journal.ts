import type { DatabaseSync, StatementResultingChanges, StatementSync } from 'node:sqlite';
import { SnapcopyError } from '@snapcopy/core';
import {
  type AnyCopyPlan,
  type CopyKind,
  type CopyRef,
  copyIdOf,
  copyRef,
  requestKind,
} from '../copy-kind.js';
import { LeasedJournal, SqliteLeases, type SqlConnection } from './batch-lease.js';
import { checkJournalContents, checkJournalPath, journalOpenError, type SqlReader } from './journal-file.js';
import type {
  CopyJournal,
  JournalBatch,
  JournalCopyState,
  JournalEntry,
  JournalError,
  JournalRequestRecord,
  JournalTransition,
} from './journal.js';

/** Options of {@link SqliteCopyJournal}. */
export interface SqliteCopyJournalOptions {
  /**
   * SQLite `synchronous` setting. Default `NORMAL`: in WAL mode every committed
   * transaction is in the WAL file before the call returns, so a killed process
   * (`kill -9`) loses nothing; only an OS crash or power loss can drop the last
   * transactions. That cannot cause a duplicate copy: client tokens are derived from the
   * batch id and index, and a copy re-sent with its token is found, not made again. Use
   * `FULL` to fsync every commit as well, at a few ms per write.
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** Epoch-ms source for `updatedAt` and leases. Default `Date.now`. */
  readonly now?: () => number;
  /** How long a write waits for another connection's lock before the journal reports it locked, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
}

/**
 * The version of the journal's tables. 1: snapshot copies only. 2: each copy says its
 * `kind`, and an image copy's id is kept in `dest_image_id` (a version-1 journal is
 * migrated when opened: its copies are snapshots).
 */
const SCHEMA_VERSION = 2;

/** The one warning Node prints (on Node 22) when `node:sqlite` is first loaded. */
function isSqliteExperimentalWarning(warning: string | Error, rest: readonly unknown[]): boolean {
  const options = rest[0];
  const type =
    typeof warning !== 'string'
      ? warning.name
      : typeof options === 'string'
        ? options
        : (options as { type?: unknown } | undefined)?.type;
  const message = typeof warning === 'string' ? warning : warning.message;
  return type === 'ExperimentalWarning' && message.startsWith('SQLite is an experimental feature');
}

/**
 * Runs `load` with Node's ExperimentalWarning about SQLite kept off stderr: Node 22
 * prints it the first time `node:sqlite` is loaded, which would add a line to every
 * journalled command's stderr. Any other warning `load` emits goes through as usual, and
 * `process.emitWarning` is restored before this returns.
 */
export function withoutSqliteExperimentalWarning<T>(load: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    if (isSqliteExperimentalWarning(warning, rest)) return;
    Reflect.apply(emitWarning, this, [warning, ...rest]);
  } as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = emitWarning;
  }
}

let nodeSqlite: typeof import('node:sqlite') | undefined;
/** Node's built-in SQLite, loaded on the first journal opened. */
function loadNodeSqlite(): typeof import('node:sqlite') {
  nodeSqlite ??= withoutSqliteExperimentalWarning(() => process.getBuiltinModule('node:sqlite'));
  return nodeSqlite;
}

/** SQLite's primary result code for a constraint violation (the extended codes keep it in the low byte). */
const SQLITE_CONSTRAINT = 19;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS batches (
  batch_id   TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  size       INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS copies (
  batch_id         TEXT NOT NULL REFERENCES batches(batch_id),
  idx              INTEGER NOT NULL,
  copier           TEXT NOT NULL,
  request          TEXT NOT NULL,
  client_token     TEXT NOT NULL,
  state            TEXT NOT NULL,
  plan             TEXT,
  dest_region      TEXT,
  dest_snapshot_id TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0,
  error            TEXT,
  updated_at       INTEGER NOT NULL,
  kind             TEXT NOT NULL DEFAULT 'snapshot',
  dest_image_id    TEXT,
  PRIMARY KEY (batch_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS copies_unfinished ON copies (batch_id, idx)
  WHERE state NOT IN ('completed', 'failed', 'cancelled');
`;

/** From version 1 (snapshots only): the kind of each copy, and where an image copy's id goes. */
const MIGRATE_1_TO_2 = `
ALTER TABLE copies ADD COLUMN kind TEXT NOT NULL DEFAULT 'snapshot';
ALTER TABLE copies ADD COLUMN dest_image_id TEXT;
`;

interface CopyRow {
  batch_id: string;
  idx: number;
  copier: string;
  request: string;
  client_token: string;
  state: JournalCopyState;
  plan: string | null;
  dest_region: string | null;
  dest_snapshot_id: string | null;
  attempts: number;
  error: string | null;
  updated_at: number;
  kind: CopyKind;
  dest_image_id: string | null;
}

/** The destination of a row, in its kind's own field. */
function destinationOf(row: CopyRow): CopyRef | undefined {
  const id = row.kind === 'image' ? row.dest_image_id : row.dest_snapshot_id;
  return row.dest_region === null || id === null ? undefined : copyRef(row.kind, row.dest_region, id);
}

function toEntry(row: CopyRow): JournalEntry {
  const destination = destinationOf(row);
  return {
    batchId: row.batch_id,
    index: row.idx,
    copier: row.copier,
    kind: row.kind,
    request: JSON.parse(row.request) as JournalEntry['request'],
    clientToken: row.client_token,
    state: row.state,
    ...(row.plan === null ? {} : { plan: JSON.parse(row.plan) as AnyCopyPlan }),
    ...(destination === undefined ? {} : { destination }),
    attempts: row.attempts,
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as JournalError }),
    updatedAt: row.updated_at,
  };
}

/** Rows of `SELECT * FROM copies` as entries. */
function toEntries(rows: readonly unknown[]): JournalEntry[] {
  return (rows as readonly CopyRow[]).map(toEntry);
}

/**
 * A journal in one SQLite file (WAL mode), for one machine, on Node's built-in SQLite
 * (`node:sqlite`, no native module to install). Writes are synchronous under the hood:
 * when a method resolves, the row is committed. Loaded only through
 * `@snapcopy/orchestrator/sqlite` (or `openSqliteJournal`), so SQLite stays out of the
 * main entry.
 */
export class SqliteCopyJournal extends LeasedJournal implements CopyJournal {
  readonly #db: DatabaseSync;
  #open = true;
  readonly #now: () => number;
  protected readonly leases: SqliteLeases;
  readonly #stmts: {
    insertBatch: StatementSync;
    insertCopy: StatementSync;
    getBatch: StatementSync;
    listEntries: StatementSync;
    listUnfinished: StatementSync;
    listUnfinishedAll: StatementSync;
    setPlan: StatementSync;
    setDestination: StatementSync;
    setState: StatementSync;
  };

  /**
   * Opens (or creates) the journal at `file` (`:memory:` for a throwaway one). A path that
   * cannot hold a journal (missing folder, a folder, read-only, locked, not SQLite, another
   * program's database) fails with one `INVALID_REQUEST` saying which.
   */
  constructor(file: string, options: SqliteCopyJournalOptions = {}) {
    super();
    this.#now = options.now ?? Date.now;
    checkJournalPath(file);
    let opened: DatabaseSync | undefined;
    try {
      opened = new (loadNodeSqlite().DatabaseSync)(file);
      opened.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      checkJournalContents(opened as unknown as SqlReader, file);
      opened.exec('PRAGMA journal_mode = WAL');
    } catch (err) {
      opened?.close();
      throw journalOpenError(file, err);
    }
    this.#db = opened;
    this.#db.exec(`PRAGMA synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
    this.#db.exec('PRAGMA foreign_keys = ON');
    const version = this.#pragma('user_version') as number;
    if (version > SCHEMA_VERSION) {
      this.#close();
      throw new SnapcopyError(
        'INVALID_REQUEST',
        `journal ${file} has schema version ${version}; this snapcopy reads up to ${SCHEMA_VERSION}`,
      );
    }
    this.#migrate();
    this.#db.exec(SCHEMA);
    this.#db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    this.leases = new SqliteLeases(this.#db as unknown as SqlConnection, this.#now);
    const db = this.#db;
    this.#stmts = {
      insertBatch: db.prepare('INSERT INTO batches (batch_id, created_at, size) VALUES (?, ?, ?)'),
      insertCopy: db.prepare(
        `INSERT INTO copies (batch_id, idx, copier, kind, request, client_token, state, attempts, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?)`,
      ),
      getBatch: db.prepare('SELECT batch_id, created_at, size FROM batches WHERE batch_id = ?'),
      listEntries: db.prepare('SELECT * FROM copies WHERE batch_id = ? ORDER BY idx'),
      listUnfinished: db.prepare(
        `SELECT * FROM copies WHERE batch_id = ? AND state NOT IN ('completed', 'failed', 'cancelled')
         ORDER BY idx`,
      ),
      listUnfinishedAll: db.prepare(
        `SELECT * FROM copies WHERE state NOT IN ('completed', 'failed', 'cancelled') ORDER BY batch_id, idx`,
      ),
      setPlan: db.prepare(
        `UPDATE copies SET plan = ?, state = CASE state WHEN 'queued' THEN 'planned' ELSE state END,
         updated_at = ? WHERE batch_id = ? AND idx = ?`,
      ),
      // The id goes to the column of the row's own kind; the other stays empty.
      setDestination: db.prepare(
        `UPDATE copies SET dest_region = ?,
           dest_snapshot_id = CASE kind WHEN 'image' THEN NULL ELSE ? END,
           dest_image_id = CASE kind WHEN 'image' THEN ? ELSE NULL END,
           state = 'pending', updated_at = ?
         WHERE batch_id = ? AND idx = ?`,
      ),
      setState: db.prepare(
        `UPDATE copies SET state = ?, attempts = COALESCE(?, attempts), error = COALESCE(?, error),
         updated_at = ? WHERE batch_id = ? AND idx = ?`,
      ),
    };
  }

  /**
   * Brings a journal written by an older snapcopy to this version, in one transaction. Read
   * from the table itself, not only `user_version`: the first journals did not set it. A
   * journal with no tables yet gets them from `SCHEMA`.
   */
  #migrate(): void {
    const columns = (this.#db.prepare('PRAGMA table_info(copies)').all() as { name: string }[]).map(
      (c) => c.name,
    );
    if (columns.length === 0 || columns.includes('kind')) return;
    this.#transaction(() => {
      this.#db.exec(MIGRATE_1_TO_2);
      this.#db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    });
  }

  /** The value of a read-only `PRAGMA name`. */
  #pragma(name: string): unknown {
    const row = this.#db.prepare(`PRAGMA ${name}`).get();
    return row?.[name];
  }

  #close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#db.close();
  }

  /** The journal mode and synchronous level in force on this connection, as SQLite reports them. */
  get durability(): {
    readonly journalMode: string;
    readonly synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
  } {
    const level = this.#pragma('synchronous') as number;
    return {
      journalMode: String(this.#pragma('journal_mode')),
      synchronous: (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[level] ?? 'FULL',
    };
  }

  #changed(result: StatementResultingChanges, batchId: string, index: number): void {
    if (Number(result.changes) !== 1)
      throw new SnapcopyError('INVALID_REQUEST', `journal: no entry ${batchId}#${index}`);
  }

  /** Runs `write` in one transaction: all of it is committed, or none. */
  #transaction(write: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      write();
      this.#db.exec('COMMIT');
    } catch (err) {
      // After some errors (a full disk, an I/O error) SQLite has rolled back already, and
      // ROLLBACK then fails with "no transaction is active": `err` is what to report.
      try {
        this.#db.exec('ROLLBACK');
      } catch {}
      throw err;
    }
  }

  async beginBatch(batch: JournalBatch, requests: readonly JournalRequestRecord[]): Promise<void> {
    const at = this.#now();
    try {
      this.#transaction(() => {
        this.#stmts.insertBatch.run(batch.batchId, batch.createdAt, batch.size);
        for (const r of requests) {
          this.#stmts.insertCopy.run(
            batch.batchId,
            r.index,
            r.copier,
            // A record from a caller that predates kinds says it by its request alone.
            r.kind ?? requestKind(r.request),
            JSON.stringify(r.request),
            r.clientToken,
            at,
          );
        }
      });
    } catch (err) {
      if (((err as { errcode?: number }).errcode ?? 0) % 256 === SQLITE_CONSTRAINT) {
        throw new SnapcopyError('INVALID_REQUEST', `journal: batch "${batch.batchId}" already exists`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  async getBatch(batchId: string): Promise<JournalBatch | undefined> {
    const row = this.#stmts.getBatch.get(batchId) as
      | { batch_id: string; created_at: number; size: number }
      | undefined;
    return row ? { batchId: row.batch_id, createdAt: row.created_at, size: row.size } : undefined;
  }

  async listEntries(batchId: string): Promise<JournalEntry[]> {
    return toEntries(this.#stmts.listEntries.all(batchId));
  }

  async listUnfinished(batchId?: string): Promise<JournalEntry[]> {
    return toEntries(
      batchId === undefined ? this.#stmts.listUnfinishedAll.all() : this.#stmts.listUnfinished.all(batchId),
    );
  }

  async recordPlan(batchId: string, index: number, plan: AnyCopyPlan): Promise<void> {
    this.#changed(this.#stmts.setPlan.run(JSON.stringify(plan), this.#now(), batchId, index), batchId, index);
  }

  async recordDestination(batchId: string, index: number, destination: CopyRef): Promise<void> {
    const id = copyIdOf(destination);
    this.#changed(
      this.#stmts.setDestination.run(destination.region, id, id, this.#now(), batchId, index),
      batchId,
      index,
    );
  }

  async recordState(
    batchId: string,
    index: number,
    state: JournalCopyState,
    transition: JournalTransition = {},
  ): Promise<void> {
    this.#changed(
      this.#stmts.setState.run(
        state,
        transition.attempt ?? null,
        transition.error === undefined ? null : JSON.stringify(transition.error),
        this.#now(),
        batchId,
        index,
      ),
      batchId,
      index,
    );
  }

  async close(): Promise<void> {
    this.#close();
  }
}

/** Opens a SQLite journal; see {@link SqliteCopyJournal}. */
export function openSqliteCopyJournal(file: string, options?: SqliteCopyJournalOptions): SqliteCopyJournal {
  return new SqliteCopyJournal(file, options);
}
