import { hostname } from 'node:os';
import { SnapcopyError } from '@snapcopy/core';
import { processAlive } from '@snapcopy/orchestrator/runner';
import type pg from 'pg';
import { SCHEMA } from './names.js';
import type { Queryable } from './pg.js';
import { type ExecutorFacts, judgeExecutor } from './takeover-rules.js';

/** One takeover a worker made. */
export interface Takeover {
  readonly executorId: string;
  readonly rule: string;
  /** Workflows moved back to their queues. */
  readonly recovered: number;
  /** How long the other worker had been silent (undefined: marked gone), ms. */
  readonly silentMs: number | undefined;
  /** Wall-clock time of the takeover, epoch ms. */
  readonly at: number;
}

interface FactsRow {
  executor_id: string;
  app_version: string;
  silent_ms: number | null;
  claimed: boolean;
  claimant_silent_ms: number | null;
  /** As text: a JavaScript Date would round PostgreSQL's microseconds away. */
  last_beat: string;
  taken_over_at: string | null;
}

/**
 * Registers a worker: its row, beating from now on, with any earlier takeover of the
 * same id forgotten. Refuses an id a live worker uses (two workers with one executor id
 * would recover each other's workflows at every start).
 */
export async function registerExecutor(
  db: Queryable,
  executorId: string,
  version: string,
  deadAfterMs: number,
): Promise<void> {
  const { rows } = await db.query<{ host: string | null; pid: number | null; silent_ms: number | null }>(
    `SELECT host, pid, CASE WHEN last_beat = '-infinity' THEN NULL
       ELSE extract(epoch FROM now() - last_beat) * 1000 END AS silent_ms
     FROM ${SCHEMA}.executors WHERE executor_id = $1`,
    [executorId],
  );
  const r = rows[0];
  if (r && r.silent_ms !== null && Number(r.silent_ms) < deadAfterMs) {
    const sameProcess = r.host === hostname() && r.pid === process.pid;
    const deadHere = r.host === hostname() && r.pid !== null && !processAlive(r.pid);
    if (!sameProcess && !deadHere) {
      throw new SnapcopyError(
        'INVALID_REQUEST',
        `executor id "${executorId}" is in use by pid ${r.pid} on host ${r.host} (last heartbeat ${Math.round(Number(r.silent_ms))} ms ago): give each worker its own --executor-id, or stop that worker first`,
      );
    }
  }
  await db.query(
    `INSERT INTO ${SCHEMA}.executors (executor_id, app_version, host, pid, started_at, last_beat)
     VALUES ($1, $2, $3, $4, now(), now())
     ON CONFLICT (executor_id) DO UPDATE SET app_version = $2, host = $3, pid = $4, started_at = now(),
       last_beat = now(), taken_over_by = NULL, taken_over_at = NULL, recovered = 0`,
    [executorId, version, hostname(), process.pid],
  );
}

/** Marks a worker gone (it stopped cleanly, or an operator says so): a live peer takes its workflows over at its next beat. */
export async function markExecutorGone(db: Queryable, executorId: string): Promise<void> {
  await db.query(
    `UPDATE ${SCHEMA}.executors SET last_beat = '-infinity', taken_over_by = NULL, taken_over_at = NULL
     WHERE executor_id = $1`,
    [executorId],
  );
}

/**
 * Heartbeats and takeovers. Every `heartbeatMs` the worker beats (its row's `last_beat`,
 * the database's clock), then judges every other worker ({@link judgeExecutor}) and takes
 * over those that are dead: it claims one with a conditional update (only if nobody else
 * claimed it since), then moves the dead worker's pending workflows back to their queues
 * (`recover`: DBOS's recovery for that executor id), where any worker dequeues them
 * within the partitions' limits.
 */
export class Heartbeat {
  readonly #pool: pg.Pool;
  readonly #self: string;
  readonly #version: string;
  readonly #heartbeatMs: number;
  readonly #deadAfterMs: number;
  readonly #recover: (executorId: string) => Promise<number>;
  readonly #onError: (err: unknown) => void;
  readonly takeovers: Takeover[] = [];
  #healthySince: number | undefined;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;

  constructor(options: {
    pool: pg.Pool;
    executorId: string;
    version: string;
    heartbeatMs: number;
    deadAfterMs: number;
    recover: (executorId: string) => Promise<number>;
    onError: (err: unknown) => void;
  }) {
    this.#pool = options.pool;
    this.#self = options.executorId;
    this.#version = options.version;
    this.#heartbeatMs = options.heartbeatMs;
    this.#deadAfterMs = options.deadAfterMs;
    this.#recover = options.recover;
    this.#onError = options.onError;
  }

  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      this.#beating = this.beat()
        .catch((err) => {
          this.#healthySince = undefined;
          this.#onError(err);
        })
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#heartbeatMs);
        });
    };
    // Beating started at registration: the guard counts from there.
    this.#healthySince = performance.now();
    this.#timer = setTimeout(tick, this.#heartbeatMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#beating;
  }

  /** One beat: renew this worker's row, then take over the dead. */
  async beat(): Promise<void> {
    const beat = await this.#pool.query(
      `UPDATE ${SCHEMA}.executors SET last_beat = now() WHERE executor_id = $1 AND last_beat <> '-infinity'`,
      [this.#self],
    );
    if ((beat.rowCount ?? 0) === 0) {
      // Marked gone while alive (an operator forced a recovery): once a peer claimed it,
      // this worker starts over as a fresh one; its old workflows are the peer's now.
      await this.#pool.query(
        `UPDATE ${SCHEMA}.executors SET last_beat = now(), taken_over_by = NULL, taken_over_at = NULL
         WHERE executor_id = $1 AND taken_over_by IS NOT NULL`,
        [this.#self],
      );
      this.#healthySince = undefined;
      return;
    }
    this.#healthySince ??= performance.now();
    const beatingForMs = performance.now() - this.#healthySince;
    const { rows } = await this.#pool.query<FactsRow>(
      `SELECT e.executor_id, e.app_version, e.last_beat::text AS last_beat, e.taken_over_at::text AS taken_over_at,
         CASE WHEN e.last_beat = '-infinity' THEN NULL ELSE extract(epoch FROM now() - e.last_beat) * 1000 END AS silent_ms,
         (e.taken_over_at IS NOT NULL AND e.taken_over_at >= e.last_beat) AS claimed,
         CASE WHEN t.last_beat IS NULL OR t.last_beat = '-infinity' THEN NULL
           ELSE extract(epoch FROM now() - t.last_beat) * 1000 END AS claimant_silent_ms
       FROM ${SCHEMA}.executors e LEFT JOIN ${SCHEMA}.executors t ON t.executor_id = e.taken_over_by
       WHERE e.executor_id <> $1`,
      [this.#self],
    );
    for (const r of rows) {
      const facts: ExecutorFacts = {
        executorId: r.executor_id,
        appVersion: r.app_version,
        silentMs: r.silent_ms === null ? undefined : Number(r.silent_ms),
        claimedSinceLastBeat: r.claimed,
        claimantSilentMs: r.claimant_silent_ms === null ? undefined : Number(r.claimant_silent_ms),
      };
      const verdict = judgeExecutor({
        self: this.#self,
        version: this.#version,
        selfBeatingForMs: beatingForMs,
        deadAfterMs: this.#deadAfterMs,
        other: facts,
      });
      if (verdict.verdict !== 'take-over') continue;
      // The claim holds only if nobody beat or claimed since the facts were read.
      const claim = await this.#pool.query(
        `UPDATE ${SCHEMA}.executors SET taken_over_by = $2, taken_over_at = now()
         WHERE executor_id = $1 AND last_beat::text = $3 AND taken_over_at::text IS NOT DISTINCT FROM $4`,
        [r.executor_id, this.#self, r.last_beat, r.taken_over_at],
      );
      if ((claim.rowCount ?? 0) === 0) continue;
      const recovered = await this.#recover(r.executor_id);
      await this.#pool.query(
        `UPDATE ${SCHEMA}.executors SET recovered = recovered + $2 WHERE executor_id = $1`,
        [r.executor_id, recovered],
      );
      this.takeovers.push({
        executorId: r.executor_id,
        rule: verdict.rule,
        recovered,
        silentMs: facts.silentMs,
        at: Date.now(),
      });
    }
  }
}
