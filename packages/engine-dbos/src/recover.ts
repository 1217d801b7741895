import type { DBOSClient } from '@dbos-inc/dbos-sdk';
import { SnapcopyError } from '@snapcopy/core';
import type pg from 'pg';
import { markExecutorGone } from './executors.js';
import { SCHEMA } from './names.js';

/** What `recoverExecutor` did. */
export interface RecoverReport {
  readonly executorId: string;
  /** Its workflows still running (PENDING) before. */
  readonly pendingBefore: number;
  /** The live worker that took them over (undefined: none did in time). */
  readonly takenOverBy?: string;
  /** Workflows that worker moved back to their queues. */
  readonly recovered: number;
  /** Its workflows still PENDING afterwards. */
  readonly pendingAfter: number;
  /** Wall ms it took. */
  readonly ms: number;
}

async function pendingOf(client: DBOSClient, executorId: string): Promise<number> {
  const pending = await client.listWorkflows({
    executorId,
    status: 'PENDING',
    loadInput: false,
    loadOutput: false,
  });
  return pending.length;
}

/**
 * An operator's takeover (`snapcopy recover --executor ID`): marks the worker gone, so that
 * a live worker takes its workflows over at its next heartbeat, and waits until one has.
 * It launches no DBOS itself (a launched process would also dequeue work). A worker that
 * beat within `deadAfterMs` is refused unless `force`: it is alive, and its copies are
 * being run.
 */
export async function recoverExecutor(o: {
  readonly pool: pg.Pool;
  readonly client: DBOSClient;
  readonly executorId: string;
  readonly force?: boolean;
  readonly deadAfterMs?: number;
  /** How long to wait for a live worker to take over, wall ms. Default 60 s. */
  readonly waitMs?: number;
  /** How often to look, wall ms. Default 200. */
  readonly pollMs?: number;
}): Promise<RecoverReport> {
  const started = Date.now();
  const { rows } = await o.pool.query<{ silent_ms: number | null }>(
    `SELECT CASE WHEN last_beat = '-infinity' THEN NULL ELSE extract(epoch FROM now() - last_beat) * 1000 END AS silent_ms
     FROM ${SCHEMA}.executors WHERE executor_id = $1`,
    [o.executorId],
  );
  if (rows.length === 0) {
    throw new SnapcopyError('NOT_FOUND', `no worker "${o.executorId}" has ever run on this database`);
  }
  const silent = rows[0]!.silent_ms;
  const deadAfterMs = o.deadAfterMs ?? 60_000;
  if (silent !== null && Number(silent) < deadAfterMs && !o.force) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `worker "${o.executorId}" beat ${Math.round(Number(silent))} ms ago: it is alive. Stop it first, or pass --force if it is really gone (its copies would be run by another worker)`,
    );
  }
  const pendingBefore = await pendingOf(o.client, o.executorId);
  await markExecutorGone(o.pool, o.executorId);
  const waitMs = o.waitMs ?? 60_000;
  let takenOverBy: string | undefined;
  let recovered = 0;
  for (;;) {
    const { rows: r } = await o.pool.query<{ taken_over_by: string | null; recovered: number }>(
      `SELECT taken_over_by, recovered FROM ${SCHEMA}.executors WHERE executor_id = $1`,
      [o.executorId],
    );
    if (r[0]?.taken_over_by) {
      takenOverBy = r[0].taken_over_by;
      recovered = r[0].recovered;
      // The claim comes before the recovery's count: wait for the count too.
      if (recovered > 0 || pendingBefore === 0 || (await pendingOf(o.client, o.executorId)) === 0) break;
    }
    if (Date.now() - started >= waitMs) break;
    await new Promise((resolve) => setTimeout(resolve, o.pollMs ?? 200));
  }
  return {
    executorId: o.executorId,
    pendingBefore,
    ...(takenOverBy === undefined ? {} : { takenOverBy }),
    recovered,
    pendingAfter: await pendingOf(o.client, o.executorId),
    ms: Date.now() - started,
  };
}
