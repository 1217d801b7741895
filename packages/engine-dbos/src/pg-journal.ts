import { hostname } from 'node:os';
import { SnapcopyError } from '@snapcopy/core';
import {
  type AnyCopyPlan,
  type BatchLease,
  type CopyKind,
  type CopyRef,
  copyIdOf,
  type CopyJournal,
  type JournalBatch,
  type JournalCopyState,
  type JournalEntry,
  type JournalRequestRecord,
  type JournalTransition,
  type LeaseOwner,
  requestKind,
} from '@snapcopy/orchestrator';
import { claimLease, type LeaseRow, leaseFromRow, processAlive } from '@snapcopy/orchestrator/runner';
import type pg from 'pg';
import { SCHEMA } from './names.js';
import { inTransaction, PG_CODES, pgCode, type Queryable } from './pg.js';

interface CopyRow {
  batch_id: string;
  idx: number;
  copier: string;
  kind: CopyKind;
  client_token: string;
  request: JournalRequestRecord['request'];
  state: JournalCopyState;
  plan: AnyCopyPlan | null;
  destination: CopyRef | null;
  attempts: number;
  error: JournalEntry['error'] | null;
  updated_at: number;
  run: number;
  result: Record<string, unknown> | null;
}

/** A journal entry with what the engine keeps beside it. */
export interface EngineEntry extends JournalEntry {
  /** Which workflow runs it: 0 the client token, n the n-th continuation. */
  readonly run: number;
  /** The result (JSON) its last workflow ended with, if it ended. */
  readonly result?: Record<string, unknown>;
}

const TERMINAL_SQL = `('completed', 'failed', 'cancelled')`;

function toEntry(r: CopyRow): EngineEntry {
  return {
    batchId: r.batch_id,
    index: r.idx,
    copier: r.copier,
    kind: r.kind,
    clientToken: r.client_token,
    request: r.request,
    state: r.state,
    ...(r.plan ? { plan: r.plan } : {}),
    ...(r.destination ? { destination: r.destination } : {}),
    attempts: r.attempts,
    ...(r.error ? { error: r.error } : {}),
    updatedAt: r.updated_at,
    run: r.run,
    ...(r.result ? { result: r.result } : {}),
  };
}

/**
 * The copy journal in PostgreSQL, beside DBOS's tables: the same facts, in the same order,
 * as the in-process runner's journal (`CopyJournal`), written by the workflows' steps
 * through the orchestrator's own lifecycle steps. Shared by every worker, so any of them,
 * or a `batch status` reader, sees every copy. `now` is the engine's clock.
 */
export class PgCopyJournal implements CopyJournal {
  readonly #pool: pg.Pool;
  readonly #now: () => number;
  readonly #ownsPool: boolean;

  constructor(pool: pg.Pool, options: { now?: () => number; ownsPool?: boolean } = {}) {
    this.#pool = pool;
    this.#now = options.now ?? Date.now;
    this.#ownsPool = options.ownsPool ?? false;
  }

  /** The pool it writes through. */
  get pool(): pg.Pool {
    return this.#pool;
  }

  async beginBatch(batch: JournalBatch, requests: readonly JournalRequestRecord[]): Promise<void> {
    await inTransaction(this.#pool, (client) => this.beginBatchIn(client, batch, requests));
  }

  /** {@link beginBatch} inside the caller's transaction (a submit enqueues in the same one). */
  async beginBatchIn(
    client: Queryable,
    batch: JournalBatch,
    requests: readonly JournalRequestRecord[],
  ): Promise<void> {
    try {
      await client.query(`INSERT INTO ${SCHEMA}.batches (batch_id, created_at, size) VALUES ($1, $2, $3)`, [
        batch.batchId,
        batch.createdAt,
        batch.size,
      ]);
    } catch (err) {
      if (pgCode(err) === PG_CODES.uniqueViolation) {
        throw new SnapcopyError('INVALID_REQUEST', `journal: batch "${batch.batchId}" already exists`);
      }
      throw err;
    }
    await client.query(
      `INSERT INTO ${SCHEMA}.copies (batch_id, idx, copier, kind, client_token, request, state, attempts, updated_at)
       SELECT $1, x.idx, x.copier, x.kind, x.token, x.request, 'queued', 0, $3
       FROM jsonb_to_recordset($2::jsonb) AS x(idx int, copier text, kind text, token text, request jsonb)`,
      [
        batch.batchId,
        JSON.stringify(
          requests.map((r) => ({
            idx: r.index,
            copier: r.copier,
            kind: r.kind ?? requestKind(r.request),
            token: r.clientToken,
            request: r.request,
          })),
        ),
        this.#now(),
      ],
    );
  }

  async getBatch(batchId: string): Promise<JournalBatch | undefined> {
    return this.getBatchIn(this.#pool, batchId);
  }

  /** {@link getBatch} through `client`. */
  async getBatchIn(client: Queryable, batchId: string): Promise<JournalBatch | undefined> {
    const { rows } = await client.query<{ batch_id: string; created_at: number; size: number }>(
      `SELECT batch_id, created_at, size FROM ${SCHEMA}.batches WHERE batch_id = $1`,
      [batchId],
    );
    const r = rows[0];
    return r ? { batchId: r.batch_id, createdAt: Number(r.created_at), size: r.size } : undefined;
  }

  async listEntries(batchId: string): Promise<EngineEntry[]> {
    return this.listEntriesIn(this.#pool, batchId);
  }

  /** {@link listEntries} through `client`. */
  async listEntriesIn(client: Queryable, batchId: string): Promise<EngineEntry[]> {
    const { rows } = await client.query<CopyRow>(
      `SELECT * FROM ${SCHEMA}.copies WHERE batch_id = $1 ORDER BY idx`,
      [batchId],
    );
    return rows.map(toEntry);
  }

  async listUnfinished(batchId?: string): Promise<EngineEntry[]> {
    const { rows } = await this.#pool.query<CopyRow>(
      `SELECT * FROM ${SCHEMA}.copies WHERE state NOT IN ${TERMINAL_SQL} AND ($1::text IS NULL OR batch_id = $1)
       ORDER BY batch_id, idx`,
      [batchId ?? null],
    );
    return rows.map(toEntry);
  }

  /** One entry, or undefined. */
  async getEntry(batchId: string, index: number): Promise<EngineEntry | undefined> {
    const { rows } = await this.#pool.query<CopyRow>(
      `SELECT * FROM ${SCHEMA}.copies WHERE batch_id = $1 AND idx = $2`,
      [batchId, index],
    );
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  async #update(batchId: string, index: number, sql: string, params: unknown[]): Promise<void> {
    const res = await this.#pool.query(
      `UPDATE ${SCHEMA}.copies SET ${sql}, updated_at = $3 WHERE batch_id = $1 AND idx = $2`,
      [batchId, index, this.#now(), ...params],
    );
    if (res.rowCount === 0)
      throw new SnapcopyError('INVALID_REQUEST', `journal: no entry ${batchId}#${index}`);
  }

  async recordPlan(batchId: string, index: number, plan: AnyCopyPlan): Promise<void> {
    await this.#update(
      batchId,
      index,
      `plan = $4::jsonb, state = CASE WHEN state = 'queued' THEN 'planned' ELSE state END`,
      [JSON.stringify(plan)],
    );
  }

  async recordDestination(batchId: string, index: number, destination: CopyRef): Promise<void> {
    // Kept under the id field of the entry's own kind.
    await this.#update(
      batchId,
      index,
      `destination = jsonb_build_object('region', $4::text,
         CASE kind WHEN 'image' THEN 'imageId' ELSE 'snapshotId' END, $5::text), state = 'pending'`,
      [destination.region, copyIdOf(destination)],
    );
  }

  async recordState(
    batchId: string,
    index: number,
    state: JournalCopyState,
    transition: JournalTransition = {},
  ): Promise<void> {
    await this.#update(
      batchId,
      index,
      `state = $4, attempts = COALESCE($5::int, attempts), error = COALESCE($6::jsonb, error)`,
      [
        state,
        transition.attempt ?? null,
        transition.error === undefined ? null : JSON.stringify(transition.error),
      ],
    );
  }

  /** Records the result the copy's workflow ended with (any outcome, `resumable` included). */
  async recordResult(batchId: string, index: number, result: Record<string, unknown>): Promise<void> {
    await this.#pool.query(
      `UPDATE ${SCHEMA}.copies SET result = $3::jsonb WHERE batch_id = $1 AND idx = $2`,
      [batchId, index, JSON.stringify(result)],
    );
  }

  async claimBatch(batchId: string, owner: LeaseOwner, staleAfterMs: number): Promise<BatchLease> {
    return inTransaction(this.#pool, async (client) => {
      const { rows } = await client.query<LeaseRow>(
        `SELECT * FROM ${SCHEMA}.batch_leases WHERE batch_id = $1 FOR UPDATE`,
        [batchId],
      );
      const { lease, taken } = claimLease({
        batchId,
        current: rows[0] && leaseFromRow(rows[0]),
        claimant: owner,
        now: this.#now(),
        staleAfterMs,
        pidAlive: (pid) => (owner.host === hostname() ? processAlive(pid) : true),
      });
      if (!taken) return lease;
      await client.query(
        `INSERT INTO ${SCHEMA}.batch_leases (batch_id, owner_id, pid, host, acquired_at, heartbeat_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (batch_id) DO UPDATE SET owner_id = $2, pid = $3, host = $4, acquired_at = $5, heartbeat_at = $6`,
        [batchId, lease.ownerId, lease.pid, lease.host, lease.acquiredAt, lease.heartbeatAt],
      );
      return lease;
    });
  }

  async renewBatch(batchId: string, ownerId: string): Promise<boolean> {
    const res = await this.#pool.query(
      `UPDATE ${SCHEMA}.batch_leases SET heartbeat_at = $3 WHERE batch_id = $1 AND owner_id = $2`,
      [batchId, ownerId, this.#now()],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async releaseBatch(batchId: string, ownerId: string): Promise<void> {
    await this.#pool.query(`DELETE FROM ${SCHEMA}.batch_leases WHERE batch_id = $1 AND owner_id = $2`, [
      batchId,
      ownerId,
    ]);
  }

  async close(): Promise<void> {
    if (this.#ownsPool) await this.#pool.end();
  }
}
