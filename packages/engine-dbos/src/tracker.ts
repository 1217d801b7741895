import type { DBOSClient } from '@dbos-inc/dbos-sdk';
import type { AnyCopyStatus, BatchEvent, CopyKind, ProgressSample, QueueKey } from '@snapcopy/orchestrator';
import {
  asSnapcopyError,
  copyRef,
  decideAfterError,
  judgeStatus,
  nextPollDelay,
} from '@snapcopy/orchestrator/runner';
import { STATUS_TOPIC, type TrackerMessage } from './copy-steps.js';
import { appendEvents, type StoredEvent, storeEvent } from './events.js';
import { partitionAccount, SCHEMA } from './names.js';
import { strikePartition } from './partition-store.js';
import { inTransaction } from './pg.js';
import type { EngineCopier, EngineRuntime } from './runtime.js';

/** Failed status rounds in a row after which a partition is read at the longest interval. */
const STATUS_FAILURES_BEFORE_SLOWING = 20;

interface TrackingRow {
  workflow_id: string;
  batch_id: string;
  idx: number;
  copier: string;
  kind: CopyKind;
  region: string;
  snapshot_id: string | null;
  image_id: string | null;
  seq: number;
  sample: ProgressSample | null;
  size_gib: number;
  started_at: number | null;
}

/** What one tracker round did, for tests and the benchmark. */
export interface TrackerStats {
  rounds: number;
  statusCalls: number;
  delivered: number;
  errors: number;
}

/**
 * The batched tracker. One worker at a time holds its lease (a row, judged on the
 * database's clock) and, for every partition whose round is due, makes one status call
 * for all the copies the partition tracks (a partition holds copies of one kind, so the
 * call is the kind's: snapshots or images), as the in-process queue does; statuses that
 * need a judgment (finished, replaced, absent, completed-to-confirm) are delivered to the
 * waiting workflows as DBOS messages, in the same transaction that records the round, so
 * a round repeated after a crash delivers nothing twice. The next round of the partition
 * is due when its copies next need a read (the orchestrator's adaptive poll interval).
 */
export class Tracker {
  readonly #rt: EngineRuntime;
  readonly #client: DBOSClient;
  readonly stats: TrackerStats = { rounds: 0, statusCalls: 0, delivered: 0, errors: 0 };
  #stopped = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(rt: EngineRuntime, client: DBOSClient) {
    this.#rt = rt;
    this.#client = client;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops after the round in progress; gives the lease up. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    await this.#rt.pool
      .query(`UPDATE ${SCHEMA}.tracker_lease SET expires_at = '-infinity' WHERE holder = $1`, [
        this.#rt.executorId,
      ])
      .catch(() => undefined);
  }

  async #run(): Promise<void> {
    const { trackerTickMs } = this.#rt.settings;
    while (!this.#stopped) {
      let waitMs = trackerTickMs;
      try {
        if (await this.#holdLease()) {
          const soonest = await this.#round();
          if (soonest !== undefined) {
            waitMs = Math.min(trackerTickMs, Math.max(5, this.#rt.wallMs(soonest - this.#rt.clock.now())));
          }
        }
      } catch (err) {
        this.stats.errors += 1;
        this.#rt.logger.warn('tracker round failed; trying again', {
          error: (err as Error)?.message ?? String(err),
        });
      }
      if (this.#stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Takes or renews the lease; false while another live worker holds it. */
  async #holdLease(): Promise<boolean> {
    const res = await this.#rt.pool.query(
      `UPDATE ${SCHEMA}.tracker_lease SET holder = $1, expires_at = now() + make_interval(secs => $2)
       WHERE one = 1 AND (holder = $1 OR expires_at < now())`,
      [this.#rt.executorId, this.#rt.settings.trackerLeaseMs / 1000],
    );
    return (res.rowCount ?? 0) > 0;
  }

  /** Polls every due partition; returns when the next one is due (engine clock), if any. */
  async #round(): Promise<number | undefined> {
    const now = this.#rt.clock.now();
    const { rows } = await this.#rt.pool.query<{
      partition: string;
      next_poll_at: number;
      paused_until: number;
    }>(
      `SELECT partition, next_poll_at, paused_until FROM ${SCHEMA}.partitions
       WHERE next_poll_at IS NOT NULL AND next_poll_at <= $1`,
      [now],
    );
    await Promise.all(
      rows.map((r) => this.#poll(r.partition, Number(r.next_poll_at), Number(r.paused_until))),
    );
    const soonest = await this.#rt.pool.query<{ at: number | null }>(
      `SELECT min(next_poll_at) AS at FROM ${SCHEMA}.partitions WHERE next_poll_at IS NOT NULL`,
    );
    const at = soonest.rows[0]?.at;
    return at === null || at === undefined ? undefined : Number(at);
  }

  async #poll(partition: string, seenNext: number, pausedUntil: number): Promise<void> {
    const rt = this.#rt;
    const now = rt.clock.now();
    if (pausedUntil > now) {
      await this.#schedule(partition, seenNext, pausedUntil);
      return;
    }
    const { rows } = await rt.pool.query<TrackingRow>(
      `SELECT workflow_id, batch_id, idx, copier, kind, region, snapshot_id, image_id, seq, sample, size_gib,
         started_at
       FROM ${SCHEMA}.tracking WHERE partition = $1 AND state = 'tracking' ORDER BY batch_id, idx`,
      [partition],
    );
    if (rows.length === 0) {
      await rt.pool.query(
        `UPDATE ${SCHEMA}.partitions SET next_poll_at = NULL WHERE partition = $1 AND next_poll_at = $2
         AND NOT EXISTS (SELECT 1 FROM ${SCHEMA}.tracking WHERE partition = $1 AND state = 'tracking')`,
        [partition, seenNext],
      );
      return;
    }
    const kind = rows[0]!.kind;
    const copier = rt.copiers.get(rows[0]!.copier)?.[kind];
    if (!copier) {
      // Another worker's copier: leave the partition to a worker that has it.
      await rt.pool.query(`UPDATE ${SCHEMA}.tracker_lease SET expires_at = now() WHERE holder = $1`, [
        rt.executorId,
      ]);
      return;
    }
    const key: QueueKey = {
      copier: copier.name,
      kind,
      provider: copier.copier.provider,
      account: partitionAccount(partition, copier.name),
      region: rows[0]!.region,
    };
    this.stats.statusCalls += 1;
    let statuses: AnyCopyStatus[];
    try {
      statuses = await copier.copier.status(
        rows.map((r) => copyRef(kind, r.region, (kind === 'image' ? r.image_id : r.snapshot_id) ?? '')),
      );
    } catch (thrown) {
      await this.#failed(partition, seenNext, key, thrown);
      return;
    }
    await this.#deliver(partition, seenNext, key, copier, rows, statuses);
  }

  /** A failed status call marks nothing absent; the partition reads again after a backoff. */
  async #failed(partition: string, seenNext: number, key: QueueKey, thrown: unknown): Promise<void> {
    const rt = this.#rt;
    const error = asSnapcopyError(thrown);
    const { rows } = await rt.pool.query<{ status_failures: number; batches: string[] }>(
      `UPDATE ${SCHEMA}.partitions SET status_failures = status_failures + 1 WHERE partition = $1
       RETURNING status_failures,
         ARRAY(SELECT DISTINCT batch_id FROM ${SCHEMA}.tracking WHERE partition = $1) AS batches`,
      [partition],
    );
    const failures = rows[0]?.status_failures ?? 1;
    const decision = decideAfterError({
      error,
      stage: 'status',
      attempts: failures,
      maxAttempts: STATUS_FAILURES_BEFORE_SLOWING,
      mayExist: false,
      minDelayMs: rt.settings.poll.minMs,
      policy: rt.settings.retry,
      jitter: rt.random(),
    });
    rt.logger.warn('status call failed', { partition, code: error.code, failures });
    const now = rt.clock.now();
    let next: number;
    if (decision.action === 'throttle') {
      const delayMs = await strikePartition(rt.pool, partition, now, rt.settings.throttleBackoff, rt.random);
      next = now + delayMs;
      await appendEvents(
        rt.pool,
        (rows[0]?.batches ?? []).map((b) =>
          storeEvent(b, { type: 'queue-throttled', queue: key, delayMs, error }, now),
        ),
      );
    } else if (decision.action === 'retry') {
      next = now + decision.delayMs;
    } else {
      // Where the in-process runner would stop tracking (its copies end resumable), the
      // workers are the rerun: read again at the longest interval.
      next = now + rt.settings.poll.maxMs;
    }
    await this.#schedule(partition, seenNext, next);
  }

  /** Sets the partition's next round, unless a copy armed meanwhile needs it sooner. */
  async #schedule(partition: string, seenNext: number, next: number | undefined): Promise<void> {
    await this.#rt.pool.query(
      `UPDATE ${SCHEMA}.partitions SET next_poll_at = CASE
         WHEN next_poll_at IS DISTINCT FROM $2 THEN LEAST(next_poll_at, $3) ELSE $3 END
       WHERE partition = $1`,
      [partition, seenNext, next === undefined ? null : Math.round(next)],
    );
  }

  async #deliver(
    partition: string,
    seenNext: number,
    key: QueueKey,
    copier: EngineCopier,
    rows: readonly TrackingRow[],
    statuses: readonly AnyCopyStatus[],
  ): Promise<void> {
    const rt = this.#rt;
    const at = rt.clock.now();
    const nativeToken = copier.copier.capabilities.nativeIdempotencyToken;
    const updates: { wf: string; seq: number; sample: ProgressSample; delivered: boolean }[] = [];
    const messages: { wf: string; message: TrackerMessage }[] = [];
    const running: ProgressSample[] = [];
    const learned: number[] = [];
    const events: StoredEvent[] = [];
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      const status = statuses[k]!;
      const sample: ProgressSample = row.sample
        ? { ...row.sample, at, progress: status.progress }
        : { baseAt: at, baseProgress: status.progress, baseUncertainty: 1, at, progress: status.progress };
      const progress: BatchEvent = { type: 'copy-progress', index: row.idx, kind: row.kind, status };
      events.push(storeEvent(row.batch_id, progress, at));
      const verdict = judgeStatus(status, { nativeToken, confirmed: !rt.settings.confirmOnCompletion });
      const delivered = verdict.verdict !== 'running';
      updates.push({ wf: row.workflow_id, seq: row.seq, sample, delivered });
      if (delivered) {
        messages.push({ wf: row.workflow_id, message: { seq: row.seq, status, at } });
        // Only copies seen from their start teach how long copies take.
        if (status.state === 'completed' && row.sample?.baseUncertainty === 0 && row.started_at !== null) {
          const ms = at - Number(row.started_at);
          if (ms > 0 && row.size_gib > 0) learned.push(ms / row.size_gib);
        }
      } else {
        running.push(sample);
      }
    }
    const delay = running.length === 0 ? undefined : nextPollDelay(running, at, rt.settings.poll);
    for (const batchId of new Set(rows.map((r) => r.batch_id))) {
      const copies = rows.filter((r) => r.batch_id === batchId).length;
      events.push(
        storeEvent(batchId, { type: 'poll-round', queue: key, copies, nextPollInMs: delay ?? 0 }, at),
      );
    }
    await inTransaction(rt.pool, async (c) => {
      for (const m of messages) {
        await this.#client.sendInTransaction(c, m.wf, m.message, STATUS_TOPIC, `${m.wf}:${m.message.seq}`);
      }
      await c.query(
        `UPDATE ${SCHEMA}.tracking t SET sample = x.sample,
           state = CASE WHEN x.delivered THEN 'delivered' ELSE t.state END
         FROM jsonb_to_recordset($1::jsonb) AS x(wf text, seq int, sample jsonb, delivered boolean)
         WHERE t.workflow_id = x.wf AND t.seq = x.seq`,
        [JSON.stringify(updates)],
      );
      await c.query(
        `UPDATE ${SCHEMA}.partitions SET last_poll_at = $2, status_failures = 0, strikes = 0,
           next_poll_at = CASE WHEN next_poll_at IS DISTINCT FROM $3 THEN LEAST(next_poll_at, $4) ELSE $4 END,
           durations = CASE WHEN jsonb_array_length($5::jsonb) = 0 THEN durations ELSE (
             SELECT COALESCE(jsonb_agg(v ORDER BY n), '[]'::jsonb) FROM (
               SELECT v, n FROM jsonb_array_elements(durations || $5::jsonb) WITH ORDINALITY AS e(v, n)
               ORDER BY n DESC LIMIT 50) last) END
         WHERE partition = $1`,
        [
          partition,
          at,
          seenNext,
          delay === undefined ? null : Math.round(at + delay),
          JSON.stringify(learned),
        ],
      );
      await appendEvents(c, events);
    });
    this.stats.rounds += 1;
    this.stats.delivered += messages.length;
  }
}
