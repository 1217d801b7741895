import { randomUUID } from 'node:crypto';
import type { DBOSClient } from '@dbos-inc/dbos-sdk';
import { type Clock, type SnapshotCopier, systemClock } from '@snapcopy/core';
import { invalidRequest } from '@snapcopy/core/driver';
import {
  type BatchItemInput,
  type CopierEntry,
  copierEntryOf,
  TERMINAL_JOURNAL_STATES,
} from '@snapcopy/orchestrator';
import {
  canonicalJson,
  errorToJournal,
  kindCopiersOf,
  type PreparedRequest,
  prepareBatch,
} from '@snapcopy/orchestrator/runner';
import type pg from 'pg';
import type { CopyWorkflowInput } from './copy-steps.js';
import type { CopyResultJson } from './events.js';
import {
  COPY_WORKFLOW,
  copyQueueName,
  copyWorkflowId,
  partitionOf,
  queuePartitionKey,
  SCHEMA,
  WORKFLOW_VERSION,
} from './names.js';
import { inTransaction, type Queryable } from './pg.js';
import { type EngineEntry, PgCopyJournal } from './pg-journal.js';

/** DBOS states in which a copy's workflow will not go on by itself. */
const STOPPED_WORKFLOW_STATES = new Set(['ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED']);

/** What submitting a batch needs. */
export interface SubmitBatchOptions {
  /** A pool on the deployment's database. */
  readonly pool: pg.Pool;
  /** A DBOS client on the same database (`DBOSClient.create`). */
  readonly client: DBOSClient;
  /**
   * Copiers by name, as the workers name theirs (entries with an `imageCopier` for image
   * requests): used to validate the requests, never called.
   */
  readonly copiers: Readonly<Record<string, SnapshotCopier | CopierEntry>>;
  readonly items: readonly BatchItemInput[];
  /** Names the batch; the tokens derive from it (default a random UUID). Submitting it again makes no new copy. */
  readonly batchId?: string;
  /** The journal's clock. Default: the system clock. */
  readonly clock?: Clock;
}

/** What a submit did. */
export interface SubmitBatchResult {
  readonly batchId: string;
  /** The batch was in the journal already (this submit continued it). */
  readonly resumed: boolean;
  readonly size: number;
  /** Copy workflows enqueued by this submit (0 when every one exists already). */
  readonly enqueued: number;
  /** Requests refused before any provider call (validation), `failed` in the journal. */
  readonly refused: number;
}

function entriesOf(copiers: SubmitBatchOptions['copiers']): Map<string, CopierEntry> {
  return new Map(Object.entries(copiers).map(([name, v]) => [name, copierEntryOf(v)]));
}

/** The same check as the in-process runner: a batch id names one set of requests. */
function checkSameBatch(
  batchId: string,
  entries: readonly EngineEntry[],
  prepared: readonly PreparedRequest[],
) {
  const same =
    entries.length === prepared.length &&
    entries.every(
      (e, i) =>
        e.copier === prepared[i]!.record.copier &&
        // jsonb keeps keys in its own order: compare canonical forms.
        canonicalJson(e.request) === canonicalJson(prepared[i]!.record.request),
    );
  if (!same) {
    throw invalidRequest([
      {
        path: 'batchId',
        message: `batch "${batchId}" is in the journal with other requests; submit it with the same requests`,
      },
    ]);
  }
}

/**
 * Submits a batch to the workers: validates every request (no provider call), journals the
 * batch and its requests with their client tokens, and enqueues one copy workflow per
 * request (id = its client token) on its copier's queue of the request's kind (snapshots and
 * images queue apart), in the partition of its destination account and region — all in one transaction, so a crash leaves all or
 * nothing. Submitting the same batch again makes no new copy: the journal has it and the
 * workflow ids exist; copies whose workflow ended open (`resumable`) or stopped
 * (`ERROR`, cancelled) get a continuation workflow.
 */
export async function submitBatch(o: SubmitBatchOptions): Promise<SubmitBatchResult> {
  const batchId = o.batchId ?? randomUUID();
  const entries = entriesOf(o.copiers);
  const prepared = prepareBatch(
    o.items,
    batchId,
    new Map([...entries].map(([name, e]) => [name, kindCopiersOf(e)])),
  );
  const clock = o.clock ?? systemClock;
  const journal = new PgCopyJournal(o.pool, { now: () => clock.now() });
  return inTransaction(o.pool, async (c) => {
    await lockBatch(c, batchId);
    const existing = await journal.getBatchIn(c, batchId);
    let refused = 0;
    if (existing) {
      checkSameBatch(batchId, await journal.listEntriesIn(c, batchId), prepared);
    } else {
      await journal.beginBatchIn(
        c,
        { batchId, createdAt: clock.now(), size: prepared.length },
        prepared.map((p) => p.record),
      );
      for (const p of prepared) {
        if (!p.error) continue;
        refused += 1;
        const result: CopyResultJson = {
          kind: p.record.kind,
          index: p.record.index,
          copier: p.record.copier,
          clientToken: p.record.clientToken,
          outcome: 'failed',
          error: errorToJournal(p.error),
          attempts: 0,
          resumed: false,
          timings: { queuedAt: clock.now(), finishedAt: clock.now() },
        };
        await c.query(
          `UPDATE ${SCHEMA}.copies SET state = 'failed', error = $3::jsonb, result = $4::jsonb
           WHERE batch_id = $1 AND idx = $2`,
          [batchId, p.record.index, JSON.stringify(errorToJournal(p.error)), JSON.stringify(result)],
        );
      }
    }
    const enqueued = await enqueueOpenCopies(c, o.client, journal, batchId, entries);
    return { batchId, resumed: existing !== undefined, size: prepared.length, enqueued, refused };
  });
}

/**
 * Enqueues the copies of a journaled batch that are open and have no live workflow (a
 * policy pass resuming its batch; a resubmit). In the caller's transaction.
 */
export async function enqueueOpenCopies(
  c: Queryable,
  client: DBOSClient,
  journal: PgCopyJournal,
  batchId: string,
  copiers: ReadonlyMap<string, CopierEntry>,
): Promise<number> {
  const open = (await journal.listEntriesIn(c, batchId)).filter((e) => !TERMINAL_JOURNAL_STATES.has(e.state));
  if (open.length === 0) return 0;
  const ids = open.map((e) => copyWorkflowId(e.clientToken, e.run));
  const known = new Map(
    (await client.listWorkflows({ workflowIDs: ids, loadInput: false, loadOutput: false })).map((w) => [
      w.workflowID,
      w.status,
    ]),
  );
  let enqueued = 0;
  for (const e of open) {
    const status = known.get(copyWorkflowId(e.clientToken, e.run));
    const ended = e.result !== undefined && (e.result as { outcome?: string }).outcome === 'resumable';
    const again = ended || (status !== undefined && STOPPED_WORKFLOW_STATES.has(status));
    if (status !== undefined && !again) continue;
    const run = again ? e.run + 1 : e.run;
    if (again) {
      await c.query(`UPDATE ${SCHEMA}.copies SET run = $3, result = NULL WHERE batch_id = $1 AND idx = $2`, [
        batchId,
        e.index,
        run,
      ]);
    }
    const kind = e.kind ?? 'snapshot';
    const partition = partitionOf(e.copier, e.request, copiers.get(e.copier)?.account, kind);
    const input: CopyWorkflowInput = {
      batchId,
      index: e.index,
      copier: e.copier,
      ...(kind === 'snapshot' ? {} : { kind }),
      partition,
    };
    await client.enqueueInTransaction(
      c as pg.PoolClient,
      {
        workflowName: COPY_WORKFLOW,
        queueName: copyQueueName(e.copier, kind),
        workflowID: copyWorkflowId(e.clientToken, run),
        queuePartitionKey: queuePartitionKey(partition),
        appVersion: WORKFLOW_VERSION,
      },
      input,
    );
    enqueued += 1;
  }
  return enqueued;
}

/** Serializes submits of one batch (a transaction-scoped advisory lock). */
export async function lockBatch(c: Queryable, batchId: string): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`snapcopy.batch:${batchId}`]);
}
