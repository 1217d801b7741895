import { isSnapcopyError, SnapcopyError } from '@snapcopy/core';
import {
  type BatchCounts,
  type BatchEvent,
  type BatchResult,
  type CopyOutcome,
  type CopyResult,
  TERMINAL_JOURNAL_STATES,
} from '@snapcopy/orchestrator';
import { errorFromJournal, zeroCounts } from '@snapcopy/orchestrator/runner';
import type pg from 'pg';
import { type CopyResultJson, readEvents, resultFromJson } from './events.js';
import { SCHEMA } from './names.js';
import { type EngineEntry, PgCopyJournal } from './pg-journal.js';

/** What following a batch needs. */
export interface FollowBatchOptions {
  readonly pool: pg.Pool;
  readonly batchId: string;
  /** Receives the batch's events as the workers write them (the in-process runner's events). */
  readonly onEvent?: (event: BatchEvent) => void;
  /** Stops following (the copies go on on the workers); the result then has `aborted`. */
  readonly signal?: AbortSignal;
  /** How often the journal is read, wall ms. Default 1000. */
  readonly pollMs?: number;
  /** Whether the submit found the batch in the journal already. */
  readonly resumed?: boolean;
  /** The journal's clock (for `finishedAt` when stopped). Default `Date.now`. */
  readonly now?: () => number;
  /** Told of a read that failed (the database unreachable); following goes on. */
  readonly onError?: (err: unknown) => void;
}

/** How an entry with no workflow result stands: journaled terminal, or open. */
function openOutcome(e: EngineEntry): CopyOutcome {
  if (TERMINAL_JOURNAL_STATES.has(e.state)) return e.state as CopyOutcome;
  return e.state === 'copying' || e.state === 'pending' ? 'pending' : 'not-started';
}

/** The result of one copy: its workflow's, or what the journal says. */
function resultOf(e: EngineEntry): CopyResult {
  if (e.result) return resultFromJson(e.result as CopyResultJson);
  // The entry's plan and destination are of its kind: the union is sound.
  return {
    kind: e.kind,
    index: e.index,
    copier: e.copier,
    clientToken: e.clientToken,
    outcome: openOutcome(e),
    ...(e.plan ? { plan: e.plan } : {}),
    ...(e.destination ? { destination: e.destination } : {}),
    ...(e.error ? { error: errorFromJournal(e.error) } : {}),
    attempts: e.attempts,
    resumed: false,
    timings: { queuedAt: e.updatedAt },
  } as CopyResult;
}

/** Counts over the batch as the journal has it now (results where there are). */
export function countsOf(entries: readonly EngineEntry[]): BatchCounts {
  const c = { total: entries.length, ...zeroCounts() };
  for (const e of entries) {
    const outcome = (e.result as { outcome?: CopyOutcome } | undefined)?.outcome;
    if (outcome === 'completed' || outcome === 'failed' || outcome === 'cancelled') c[outcome] += 1;
    else if (outcome !== undefined) c.notFinished += 1;
    else if (TERMINAL_JOURNAL_STATES.has(e.state)) c[e.state as 'completed' | 'failed' | 'cancelled'] += 1;
    else if (e.state === 'copying') c.copying += 1;
    else if (e.state === 'pending') c.running += 1;
    else c.queued += 1;
  }
  return c;
}

/** True when every copy of the batch has ended (a result, or a terminal journal state). */
function settled(entries: readonly EngineEntry[]): boolean {
  return entries.every((e) => e.result !== undefined || TERMINAL_JOURNAL_STATES.has(e.state));
}

/** Reads a batch's results from the journal: one per request, by index. */
export async function batchResult(
  pool: pg.Pool,
  batchId: string,
  options: { resumed?: boolean; aborted?: boolean; now?: () => number } = {},
): Promise<BatchResult> {
  const journal = new PgCopyJournal(pool);
  const batch = await journal.getBatch(batchId);
  if (!batch) throw new SnapcopyError('NOT_FOUND', `the journal has no batch "${batchId}"`);
  const entries = await journal.listEntries(batchId);
  const results = entries.map(resultOf);
  const now = countsOf(entries);
  // Stopped following: what is still open counts as not finished (it goes on on the workers).
  const counts: BatchCounts = options.aborted
    ? {
        ...now,
        queued: 0,
        copying: 0,
        running: 0,
        notFinished: now.notFinished + now.queued + now.copying + now.running,
      }
    : now;
  const { rows } = await pool.query<{ type: string; stage: string | null; n: number }>(
    `SELECT type, body->>'stage' AS stage, count(*)::int AS n FROM ${SCHEMA}.events
     WHERE batch_id = $1 AND type IN ('copy-planned', 'copy-retry', 'poll-round', 'queue-throttled')
     GROUP BY type, body->>'stage'`,
    [batchId],
  );
  const n = (type: string, stage?: string) =>
    rows
      .filter((r) => r.type === type && (stage === undefined || r.stage === stage))
      .reduce((s, r) => s + r.n, 0);
  const finished = results.map((r) => r.timings.finishedAt ?? 0);
  return {
    batchId,
    results,
    counts,
    calls: {
      plan: n('copy-planned') + n('copy-retry', 'plan'),
      copy: results.reduce((s, r) => s + r.attempts, 0),
      status: n('poll-round'),
      cancel: 0,
      throttled: n('queue-throttled'),
      quotaExceeded: 0,
      // The workflows' token lookups are steps, not journaled events: not counted here.
      lookup: 0,
    },
    startedAt: batch.createdAt,
    finishedAt: options.aborted ? (options.now ?? Date.now)() : Math.max(batch.createdAt, ...finished),
    aborted: options.aborted === true,
    resumed: options.resumed === true,
  };
}

/**
 * Follows a batch the workers run: passes on its events as they come, with `batch-progress`
 * after each finished copy, until every copy has ended (or the signal stops the following:
 * the copies go on), then reads the results from the journal. Running it again, or in
 * another process, follows the same batch.
 */
export async function followBatch(o: FollowBatchOptions): Promise<BatchResult> {
  const journal = new PgCopyJournal(o.pool);
  const pollMs = o.pollMs ?? 1_000;
  const emit = (event: BatchEvent) => {
    try {
      o.onEvent?.(event);
    } catch {
      // A listener's failure must not stop the following.
    }
  };
  let seq = 0;
  let aborted = false;
  let first = true;
  for (;;) {
    let done = false;
    try {
      let finished = 0;
      for (;;) {
        const events = await readEvents(o.pool, o.batchId, seq);
        for (const { seq: s, event } of events) {
          seq = s;
          emit(event);
          if (event.type === 'copy-finished') finished += 1;
        }
        if (events.length < 5_000) break;
      }
      const entries = await journal.listEntries(o.batchId);
      if (finished > 0 || first) {
        first = false;
        const counts = countsOf(entries);
        const percent =
          counts.total === 0
            ? 100
            : ((counts.completed + counts.failed + counts.cancelled + counts.notFinished) * 100) /
              counts.total;
        emit({ type: 'batch-progress', batchId: o.batchId, counts, percent });
      }
      done = settled(entries);
    } catch (err) {
      // The database went away (a restart, an outage): the workers wait for it too; read again.
      if (isSnapcopyError(err)) throw err;
      o.onError?.(err);
    }
    if (done) break;
    if (o.signal?.aborted) {
      aborted = true;
      break;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      o.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
  const result = await batchResult(o.pool, o.batchId, {
    resumed: o.resumed === true,
    aborted,
    ...(o.now ? { now: o.now } : {}),
  });
  emit({ type: 'batch-finished', result });
  return result;
}
