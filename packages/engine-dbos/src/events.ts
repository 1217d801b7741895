import type { SnapcopyError } from '@snapcopy/core';
import type { BatchEvent, CopyResult, JournalError } from '@snapcopy/orchestrator';
import { errorFromJournal, errorToJournal } from '@snapcopy/orchestrator/runner';
import { SCHEMA } from './names.js';
import type { Queryable } from './pg.js';

/** A `CopyResult` as JSON: its error as the journal keeps errors. */
export type CopyResultJson = Omit<CopyResult, 'error'> & { readonly error?: JournalError };

/** A copy's event as stored: a `BatchEvent` of one copy (or one queue), errors as JSON. */
export interface StoredEvent {
  readonly batchId: string;
  readonly type: BatchEvent['type'];
  /** The event without its `type`, errors and results as JSON. */
  readonly body: Record<string, unknown>;
  /** Engine clock, ms. */
  readonly at: number;
  /** Same key, same event: a step that runs again writes nothing new. */
  readonly dedupe?: string;
}

export function resultToJson(r: CopyResult): CopyResultJson {
  const { error, ...rest } = r;
  return JSON.parse(JSON.stringify({ ...rest, ...(error ? { error: errorToJournal(error) } : {}) }));
}

export function resultFromJson(j: CopyResultJson): CopyResult {
  const { error, ...rest } = j;
  // Results stored before images were known have no kind: they are a snapshot's.
  return {
    ...rest,
    kind: rest.kind ?? 'snapshot',
    ...(error ? { error: errorFromJournal(error) } : {}),
  } as CopyResult;
}

/** The stored form of an event (events of the whole batch, `batch-*`, are not stored: a follower derives them). */
export function storeEvent(batchId: string, event: BatchEvent, at: number, dedupe?: string): StoredEvent {
  const { type, ...body } = event;
  const json: Record<string, unknown> = { ...body };
  if ('error' in body && body.error) json.error = errorToJournal(body.error as SnapcopyError);
  if (event.type === 'copy-finished') json.result = resultToJson(event.result);
  return {
    batchId,
    type,
    body: JSON.parse(JSON.stringify(json)),
    at,
    ...(dedupe === undefined ? {} : { dedupe }),
  };
}

/** The `BatchEvent` a stored one stands for. */
export function loadEvent(type: string, body: Record<string, unknown>): BatchEvent {
  const out: Record<string, unknown> = { type, ...body };
  if (body.error) out.error = errorFromJournal(body.error as JournalError);
  if (type === 'copy-finished') out.result = resultFromJson(body.result as CopyResultJson);
  return out as unknown as BatchEvent;
}

/** Appends events in one statement; events whose dedupe key is already there are skipped. */
export async function appendEvents(db: Queryable, events: readonly StoredEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO ${SCHEMA}.events (batch_id, idx, type, body, at, dedupe)
     SELECT x.batch_id, x.idx, x.type, x.body, x.at, x.dedupe
     FROM jsonb_to_recordset($1::jsonb) AS x(batch_id text, idx int, type text, body jsonb, at bigint, dedupe text)
     ON CONFLICT (dedupe) DO NOTHING`,
    [
      JSON.stringify(
        events.map((e) => ({
          batch_id: e.batchId,
          idx: typeof e.body.index === 'number' ? e.body.index : null,
          type: e.type,
          body: e.body,
          at: e.at,
          dedupe: e.dedupe ?? null,
        })),
      ),
    ],
  );
}

/** Events of a batch after `afterSeq`, oldest first. */
export async function readEvents(
  db: Queryable,
  batchId: string,
  afterSeq: number,
  limit = 5_000,
): Promise<{ seq: number; event: BatchEvent }[]> {
  const { rows } = await db.query<{ seq: number; type: string; body: Record<string, unknown> }>(
    `SELECT seq, type, body FROM ${SCHEMA}.events WHERE batch_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [batchId, afterSeq, limit],
  );
  return rows.map((r) => ({ seq: Number(r.seq), event: loadEvent(r.type, r.body) }));
}
