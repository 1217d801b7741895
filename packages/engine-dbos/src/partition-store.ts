import { backoffDelay } from '@snapcopy/core/driver';
import type { CopyKind, ProgressSample } from '@snapcopy/orchestrator';
import { DurationModel } from '@snapcopy/orchestrator/runner';
import { SCHEMA } from './names.js';
import type { Queryable } from './pg.js';

/**
 * What the workers share about one partition (a copier's copies of one kind into one
 * destination account and region), in the database: when its tracker round is next due, the pause it
 * shares when the provider throttles, and how long its copies took. The in-process runner
 * keeps the same facts in memory per queue.
 */

/** How long the partition is still paused at `now` (engine clock), and its throttles in a row. */
export async function partitionPause(
  db: Queryable,
  partition: string,
  now: number,
): Promise<{ pausedForMs: number; strikes: number }> {
  const { rows } = await db.query<{ paused_until: number; strikes: number }>(
    `SELECT paused_until, strikes FROM ${SCHEMA}.partitions WHERE partition = $1`,
    [partition],
  );
  const r = rows[0];
  return r
    ? { pausedForMs: Math.max(0, Number(r.paused_until) - now), strikes: r.strikes }
    : { pausedForMs: 0, strikes: 0 };
}

/**
 * The provider throttled a call of the partition: one more strike, and the whole partition
 * pauses for a jittered backoff whose cap doubles with each strike (never shortened by a
 * later, smaller one), as the orchestrator's `QueueBackoff`. Returns the delay, ms.
 */
export async function strikePartition(
  db: Queryable,
  partition: string,
  now: number,
  policy: { readonly baseDelayMs: number; readonly maxDelayMs: number },
  random: () => number,
): Promise<number> {
  const { rows } = await db.query<{ strikes: number }>(
    `INSERT INTO ${SCHEMA}.partitions (partition, strikes) VALUES ($1, 1)
     ON CONFLICT (partition) DO UPDATE SET strikes = ${SCHEMA}.partitions.strikes + 1
     RETURNING strikes`,
    [partition],
  );
  const strikes = rows[0]?.strikes ?? 1;
  const delay = Math.max(
    1,
    backoffDelay({ maxAttempts: Number.POSITIVE_INFINITY, ...policy }, strikes, random),
  );
  await db.query(
    `UPDATE ${SCHEMA}.partitions SET paused_until = GREATEST(paused_until, $2) WHERE partition = $1`,
    [partition, now + delay],
  );
  return delay;
}

/** A call of the partition was not throttled: the strikes start over. */
export async function clearStrikes(db: Queryable, partition: string): Promise<void> {
  await db.query(`UPDATE ${SCHEMA}.partitions SET strikes = 0 WHERE partition = $1 AND strikes > 0`, [
    partition,
  ]);
}

/** How long the partition's copies took (per GiB), as a model for the next ones. */
export async function partitionDurations(db: Queryable, partition: string): Promise<DurationModel> {
  const { rows } = await db.query<{ durations: number[] }>(
    `INSERT INTO ${SCHEMA}.partitions (partition) VALUES ($1)
     ON CONFLICT (partition) DO UPDATE SET partition = EXCLUDED.partition
     RETURNING durations`,
    [partition],
  );
  const model = new DurationModel();
  for (const msPerGiB of rows[0]?.durations ?? []) model.learn(msPerGiB, 1);
  return model;
}

/** One copy the tracker reads. */
export interface TrackedCopy {
  readonly workflowId: string;
  readonly batchId: string;
  readonly index: number;
  readonly copier: string;
  readonly partition: string;
  /** What it is: its id goes to `snapshot_id` or `image_id`. */
  readonly kind: CopyKind;
  readonly region: string;
  /** The snapshot's or image's id. */
  readonly copyId: string;
  /** Known progress, or none (a copy found or resumed, read soon). */
  readonly sample?: ProgressSample;
  readonly sizeGiB: number;
  /** When its copy started (engine clock), if seen from its start. */
  readonly startedAt?: number;
}

/**
 * Hands a copy to the tracker (or back to it, after a status was delivered and judged):
 * the tracking row, with its sequence number moved on, and the partition's next round
 * brought forward to when this copy needs a read (never sooner than the shortest interval
 * after the last round). Returns the sequence number the tracker's next message carries.
 */
export async function armTracking(
  db: Queryable,
  copy: TrackedCopy,
  readAt: number,
  minIntervalMs: number,
): Promise<number> {
  const { rows } = await db.query<{ seq: number }>(
    `WITH armed AS (
       INSERT INTO ${SCHEMA}.tracking
         (workflow_id, batch_id, idx, copier, partition, region, snapshot_id, image_id, kind,
          state, seq, sample, size_gib, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $13, $14, 'tracking', 1, $8::jsonb, $9, $10)
       ON CONFLICT (workflow_id) DO UPDATE SET
         snapshot_id = EXCLUDED.snapshot_id, image_id = EXCLUDED.image_id, kind = EXCLUDED.kind,
         state = 'tracking', seq = ${SCHEMA}.tracking.seq + 1,
         sample = EXCLUDED.sample, size_gib = EXCLUDED.size_gib, started_at = EXCLUDED.started_at
       RETURNING seq
     ), scheduled AS (
       INSERT INTO ${SCHEMA}.partitions AS p (partition, next_poll_at) VALUES ($5, $11)
       ON CONFLICT (partition) DO UPDATE SET next_poll_at = LEAST(
         COALESCE(p.next_poll_at, GREATEST(COALESCE(p.last_poll_at + $12, EXCLUDED.next_poll_at), EXCLUDED.next_poll_at)),
         GREATEST(COALESCE(p.last_poll_at + $12, EXCLUDED.next_poll_at), EXCLUDED.next_poll_at))
     )
     SELECT seq FROM armed`,
    [
      copy.workflowId,
      copy.batchId,
      copy.index,
      copy.copier,
      copy.partition,
      copy.region,
      copy.kind === 'image' ? null : copy.copyId,
      copy.sample === undefined ? null : JSON.stringify(copy.sample),
      copy.sizeGiB,
      copy.startedAt ?? null,
      Math.round(readAt),
      minIntervalMs,
      copy.kind === 'image' ? copy.copyId : null,
      copy.kind,
    ],
  );
  return rows[0]!.seq;
}

/** The copy is no longer tracked (it ended). */
export async function untrack(db: Queryable, workflowId: string): Promise<void> {
  await db.query(`DELETE FROM ${SCHEMA}.tracking WHERE workflow_id = $1`, [workflowId]);
}
