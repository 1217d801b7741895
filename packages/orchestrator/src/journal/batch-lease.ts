import { SnapcopyError } from '@snapcopy/core';
import type { BatchLease, LeaseOwner } from './journal.js';

/**
 * Whether a claim may take a batch's lease:
 * - `free`: nobody holds it.
 * - `mine`: the claimant already holds it.
 * - `owner-dead`: the holder ran on this host and its process is gone (a crash, `kill -9`).
 * - `heartbeat-stale`: the holder has not renewed it for `staleAfterMs` (another host, or a
 *   reused process id).
 * - `held`: a live holder has it.
 */
export type LeaseVerdict = 'free' | 'mine' | 'owner-dead' | 'heartbeat-stale' | 'held';

/** Decides a claim on a lease. Pure but for `pidAlive`, which the caller supplies. */
export function judgeLease(input: {
  readonly current: BatchLease | undefined;
  readonly claimant: LeaseOwner;
  readonly now: number;
  readonly staleAfterMs: number;
  readonly pidAlive: (pid: number) => boolean;
}): LeaseVerdict {
  const { current, claimant } = input;
  if (current === undefined) return 'free';
  if (current.ownerId === claimant.ownerId) return 'mine';
  if (current.host === claimant.host && !input.pidAlive(current.pid)) return 'owner-dead';
  if (input.now - current.heartbeatAt >= input.staleAfterMs) return 'heartbeat-stale';
  return 'held';
}

/**
 * Judges a claim on `batchId`'s lease ({@link judgeLease}) and returns the lease in force
 * after it: the holder's, untouched (`taken: false`), or the claimant's, to be written
 * (the time it was first acquired kept when the claimant already held it).
 */
export function claimLease(input: Parameters<typeof judgeLease>[0] & { readonly batchId: string }): {
  readonly lease: BatchLease;
  readonly taken: boolean;
} {
  const { batchId, current, claimant: owner, now } = input;
  const verdict = judgeLease(input);
  if (verdict === 'held') return { lease: current!, taken: false };
  const lease: BatchLease = {
    batchId,
    ownerId: owner.ownerId,
    pid: owner.pid,
    host: owner.host,
    acquiredAt: verdict === 'mine' ? current!.acquiredAt : now,
    heartbeatAt: now,
  };
  return { lease, taken: true };
}

/** The lease store of a journal: the three lease calls, synchronous. */
export interface LeaseStore {
  claim(batchId: string, owner: LeaseOwner, staleAfterMs: number): BatchLease;
  renew(batchId: string, ownerId: string): boolean;
  release(batchId: string, ownerId: string): void;
}

/** The lease methods of a journal, answered by its {@link LeaseStore}. */
export abstract class LeasedJournal {
  protected abstract readonly leases: LeaseStore;

  async claimBatch(batchId: string, owner: LeaseOwner, staleAfterMs: number): Promise<BatchLease> {
    return this.leases.claim(batchId, owner, staleAfterMs);
  }

  async renewBatch(batchId: string, ownerId: string): Promise<boolean> {
    return this.leases.renew(batchId, ownerId);
  }

  async releaseBatch(batchId: string, ownerId: string): Promise<void> {
    this.leases.release(batchId, ownerId);
  }
}

/** True when a process with this id runs on this host (`EPERM`: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The error a run stops with when another live process holds its batch. */
export function batchHeldError(lease: BatchLease, waitedMs: number): SnapcopyError {
  const since = new Date(lease.acquiredAt).toISOString();
  const heartbeat = new Date(lease.heartbeatAt).toISOString();
  return new SnapcopyError(
    'INVALID_REQUEST',
    `batch ${lease.batchId} is being run by pid ${lease.pid} on host ${lease.host} since ${since} (last heartbeat ${heartbeat})${waitedMs > 0 ? `; waited ${Math.round(waitedMs / 1000)} s` : ''}: let it finish or stop it, then run the batch again`,
    {
      issues: [{ path: 'batchId', message: `held by pid ${lease.pid} on ${lease.host}` }],
      details: {
        reason: 'batch-held',
        holder: { pid: lease.pid, host: lease.host, since, heartbeat },
      },
    },
  );
}

/** Leases held in memory: the same rules within one process (the in-memory journal). */
export class MemoryLeases implements LeaseStore {
  readonly #leases = new Map<string, BatchLease>();

  constructor(
    private readonly now: () => number,
    private readonly pidAlive: (pid: number) => boolean = processAlive,
  ) {}

  claim(batchId: string, owner: LeaseOwner, staleAfterMs: number): BatchLease {
    const current = this.#leases.get(batchId);
    const { lease, taken } = claimLease({
      batchId,
      current,
      claimant: owner,
      now: this.now(),
      staleAfterMs,
      pidAlive: this.pidAlive,
    });
    if (taken) this.#leases.set(batchId, lease);
    return { ...lease };
  }

  renew(batchId: string, ownerId: string): boolean {
    const current = this.#leases.get(batchId);
    if (current?.ownerId !== ownerId) return false;
    this.#leases.set(batchId, { ...current, heartbeatAt: this.now() });
    return true;
  }

  release(batchId: string, ownerId: string): void {
    if (this.#leases.get(batchId)?.ownerId === ownerId) this.#leases.delete(batchId);
  }
}

/**
 * The little of a SQLite connection the lease table needs (`node:sqlite`'s `DatabaseSync`
 * has this shape).
 */
export interface SqlConnection {
  exec(sql: string): unknown;
  prepare(sql: string): {
    get(...params: (string | number)[]): unknown;
    run(...params: (string | number)[]): { readonly changes: number | bigint };
  };
}

/** A row of the `batch_leases` table (the SQLite journal's and the Postgres engine's). */
export interface LeaseRow {
  batch_id: string;
  owner_id: string;
  pid: number | string;
  host: string;
  acquired_at: number | string;
  heartbeat_at: number | string;
}

const LEASE_TABLE = `CREATE TABLE IF NOT EXISTS batch_leases (
  batch_id     TEXT PRIMARY KEY,
  owner_id     TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  host         TEXT NOT NULL,
  acquired_at  INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
) WITHOUT ROWID`;

/** A lease as its row stores it (integer columns may come back as strings or bigints). */
export function leaseFromRow(row: LeaseRow): BatchLease {
  return {
    batchId: row.batch_id,
    ownerId: row.owner_id,
    pid: Number(row.pid),
    host: row.host,
    acquiredAt: Number(row.acquired_at),
    heartbeatAt: Number(row.heartbeat_at),
  };
}

/**
 * Leases in a table of a SQLite journal, shared by every process that opens the file. A
 * claim reads and writes the row in one `BEGIN IMMEDIATE` transaction, so two processes
 * claiming at once cannot both win.
 */
export class SqliteLeases implements LeaseStore {
  constructor(
    private readonly db: SqlConnection,
    private readonly now: () => number,
    private readonly pidAlive: (pid: number) => boolean = processAlive,
  ) {
    db.exec(LEASE_TABLE);
  }

  claim(batchId: string, owner: LeaseOwner, staleAfterMs: number): BatchLease {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      // Inside the transaction: no other process can claim between the read and the write.
      const row = this.db.prepare('SELECT * FROM batch_leases WHERE batch_id = ?').get(batchId) as
        | LeaseRow
        | undefined;
      const { lease, taken } = claimLease({
        batchId,
        current: row === undefined ? undefined : leaseFromRow(row),
        claimant: owner,
        now: this.now(),
        staleAfterMs,
        pidAlive: this.pidAlive,
      });
      if (taken) {
        this.db
          .prepare(
            `INSERT INTO batch_leases (batch_id, owner_id, pid, host, acquired_at, heartbeat_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (batch_id) DO UPDATE SET owner_id = excluded.owner_id, pid = excluded.pid,
               host = excluded.host, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
          )
          .run(batchId, lease.ownerId, lease.pid, lease.host, lease.acquiredAt, lease.heartbeatAt);
      }
      this.db.exec('COMMIT');
      return lease;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  renew(batchId: string, ownerId: string): boolean {
    const result = this.db
      .prepare('UPDATE batch_leases SET heartbeat_at = ? WHERE batch_id = ? AND owner_id = ?')
      .run(this.now(), batchId, ownerId);
    return Number(result.changes) === 1;
  }

  release(batchId: string, ownerId: string): void {
    this.db.prepare('DELETE FROM batch_leases WHERE batch_id = ? AND owner_id = ?').run(batchId, ownerId);
  }
}
