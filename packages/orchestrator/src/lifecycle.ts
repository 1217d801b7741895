import type { Clock, PriceTable, SnapcopyError } from '@snapcopy/core';
import { copyMayHaveApplied } from './after-error.js';
import {
  type AnyCancelResult,
  type AnyCopyHandle,
  type AnyCopyPlan,
  type AnyCopyStatus,
  type CopyRef,
  copyIdOf,
  copyRef,
  type BatchCopier,
} from './copy-kind.js';
import { asSnapcopyError, type BatchItemState, errorToJournal } from './batch-item.js';
import type { CopyJournal } from './journal/journal.js';
import type { CopyOutcome } from './types.js';

/**
 * What one request's lifecycle runs on: its copier (of the request's kind: snapshots or
 * images, see `batchCopier`/`batchCopier`), the journal, a clock, and the batch.
 * Every step below takes it and one request's state, makes at most one copier call, writes
 * the journal facts that call implies, and returns what happened as data. The in-process
 * scheduler ({@link CopyQueue}) composes the steps with the pure decisions of
 * `after-error.ts` and `status-judgment.ts`; a durable workflow engine can call the same
 * steps one by one (each is safe to repeat: copies and lookups carry the client token)
 * and leave the same journal behind.
 */
export interface LifecycleContext {
  readonly batchId: string;
  readonly copier: BatchCopier;
  readonly journal: CopyJournal;
  readonly clock: Clock;
  readonly prices?: PriceTable;
  readonly signal?: AbortSignal;
}

/** A step's result: its value, or the error its copier call ended with. */
export type StepResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: SnapcopyError };

const signalOf = (ctx: LifecycleContext) => (ctx.signal ? { signal: ctx.signal } : {});

/** Runs one copier call; its error, whatever it threw, as a {@link SnapcopyError}. */
async function attempt<T>(call: () => Promise<T>): Promise<StepResult<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    return { ok: false, error: asSnapcopyError(err) };
  }
}

/**
 * Plans the request (no mutating call). On success the plan is journaled (`planned`) and
 * kept on the item.
 */
export async function planStep(
  ctx: LifecycleContext,
  item: BatchItemState,
): Promise<StepResult<AnyCopyPlan>> {
  item.planAttempts += 1;
  const result = await attempt(() =>
    ctx.copier.plan(item.request, { ...signalOf(ctx), ...(ctx.prices ? { prices: ctx.prices } : {}) }),
  );
  if (result.ok) await keepPlan(ctx, item, result.value);
  return result;
}

async function keepPlan(ctx: LifecycleContext, item: BatchItemState, plan: AnyCopyPlan): Promise<void> {
  await ctx.journal.recordPlan(ctx.batchId, item.index, plan);
  item.plan = plan;
  if (item.journalState === 'queued') item.journalState = 'planned';
  item.timings.plannedAt = ctx.clock.now();
}

/**
 * Plans several requests of one queue at once when the copier can (`planMany`: the reads
 * they share — sources by many ids, account settings, lineages, keys — are made once),
 * else one by one. One result per item, in order, each journaled as {@link planStep} does;
 * a failure of a shared read is every item's error.
 */
export async function planBatchStep(
  ctx: LifecycleContext,
  items: readonly BatchItemState[],
): Promise<StepResult<AnyCopyPlan>[]> {
  if (ctx.copier.planMany === undefined || items.length < 2) {
    return Promise.all(items.map((item) => planStep(ctx, item)));
  }
  for (const item of items) item.planAttempts += 1;
  const all = await attempt(() =>
    ctx.copier.planMany!(
      items.map((item) => item.request),
      { ...signalOf(ctx), ...(ctx.prices ? { prices: ctx.prices } : {}) },
    ),
  );
  if (!all.ok) return items.map(() => all);
  const out: StepResult<AnyCopyPlan>[] = [];
  for (const [k, item] of items.entries()) {
    const result = all.value[k] ?? noResult('planMany', item);
    if (result.ok) await keepPlan(ctx, item, result.value);
    out.push(result);
  }
  return out;
}

/** A batched call's answer lacks the item's result. */
const noResult = (method: string, item: BatchItemState): StepResult<never> => ({
  ok: false,
  error: asSnapcopyError(new Error(`${method} returned no result for request ${item.index}`)),
});

/**
 * Looks the tokens of several requests up at once (`findMany`), for requests no copy call
 * was ever sent for in any run: a copy may still exist for a token another runner (or a
 * run with a lost journal) used. `undefined`: a well-formed answer found none, and the
 * first copy call may skip its own lookup (`tokenChecked`). Without `findMany`, or for a
 * single request, nothing is read: the copy call looks the token up itself. With
 * `markFree: false` (copies already tracked) the answers are only returned.
 */
export async function checkTokensStep(
  ctx: LifecycleContext,
  items: readonly BatchItemState[],
  options: { readonly markFree?: boolean } = {},
): Promise<StepResult<AnyCopyHandle | undefined>[] | undefined> {
  if (ctx.copier.findMany === undefined || items.length < 2) return undefined;
  const all = await attempt(() =>
    ctx.copier.findMany!(
      items.map((item) => item.request),
      signalOf(ctx),
    ),
  );
  if (!all.ok) return items.map(() => all);
  return items.map((item, k) => {
    const r = all.value[k] ?? noResult('findMany', item);
    if (r.ok && r.value === undefined && options.markFree !== false) item.tokenChecked = true;
    return r;
  });
}

/** Journals a destination the request now tracks (`pending`), by its kind's own id. */
async function adopt(ctx: LifecycleContext, item: BatchItemState, handle: AnyCopyHandle): Promise<void> {
  const destination = copyRef(item.kind, handle.region, copyIdOf(handle));
  await ctx.journal.recordDestination(ctx.batchId, item.index, destination);
  item.destination = destination;
  item.journalState = 'pending';
  item.mayExistSince = undefined;
  for (const id of handle.duplicatesRemoved ?? []) item.duplicatesRemoved.push(id);
}

/**
 * Sends the copy call with the request's client token. `copying` (with the attempt
 * number) is journaled before the call, the destination as soon as it returns. When the
 * call fails in a way that may have been applied, the time is kept on the item
 * (`mayExistSince`) and journaled (`copying` with the error refreshes `updatedAt`), so
 * that neither this run nor a later one copies again before a lookup settles it.
 */
export async function copyStep(
  ctx: LifecycleContext,
  item: BatchItemState,
): Promise<StepResult<AnyCopyHandle>> {
  item.attempts += 1;
  const attempt = item.priorAttempts + item.attempts;
  item.timings.copyRequestedAt ??= ctx.clock.now();
  await ctx.journal.recordState(ctx.batchId, item.index, 'copying', { attempt });
  item.journalState = 'copying';
  let handle: AnyCopyHandle;
  try {
    // No abort signal: a copy call cut short would leave it unknown whether the copy
    // exists. Copy calls are short; an abort takes effect when they return.
    // A token a batched lookup just found free needs no second lookup on the first call.
    const tokenChecked = item.tokenChecked === true && item.attempts === 1;
    item.tokenChecked = false;
    handle = await ctx.copier.copy(item.request, {
      ...(item.plan ? { plan: item.plan } : {}),
      ...(tokenChecked ? { tokenChecked: true } : {}),
    });
  } catch (err) {
    const error = asSnapcopyError(err);
    if (copyMayHaveApplied(error)) {
      item.mayExistSince = ctx.clock.now();
      await ctx.journal.recordState(ctx.batchId, item.index, 'copying', { error: errorToJournal(error) });
    }
    return { ok: false, error };
  }
  await adopt(ctx, item, handle);
  item.timings.copyStartedAt = ctx.clock.now();
  return { ok: true, value: handle };
}

/**
 * Looks the request's client token up in its destination (`copier.find`; nothing is
 * changed but duplicates, which the copier removes). `undefined`: a well-formed answer
 * found no copy. Journals nothing: see {@link adoptStep}.
 */
export async function lookUpStep(
  ctx: LifecycleContext,
  item: BatchItemState,
): Promise<StepResult<AnyCopyHandle | undefined>> {
  return attempt(() => ctx.copier.find(item.request, signalOf(ctx)));
}

/** Takes a copy a lookup found as the request's copy: journaled `pending` with its id. */
export async function adoptStep(
  ctx: LifecycleContext,
  item: BatchItemState,
  handle: AnyCopyHandle,
): Promise<void> {
  await adopt(ctx, item, handle);
  const started = Date.parse(handle.startedAt);
  item.timings.copyStartedAt = Number.isFinite(started) ? started : ctx.clock.now();
}

/**
 * The batched tracker: one `copier.status` call for every copy of `items` (the copier
 * splits it by its provider's ids-per-call limit). A failed call marks nothing absent.
 */
export async function readStatuses(
  ctx: LifecycleContext,
  items: readonly BatchItemState[],
): Promise<StepResult<AnyCopyStatus[]>> {
  return attempt(() =>
    ctx.copier.status(
      items.map((i) => i.destination!),
      signalOf(ctx),
    ),
  );
}

/**
 * The tracked copy was a duplicate for the token: the request follows the copy kept
 * (journaled as its new destination). Returns the copy it left.
 */
export async function followStep(ctx: LifecycleContext, item: BatchItemState, to: string): Promise<CopyRef> {
  const from = item.destination!;
  const destination = copyRef(item.kind, from.region, to);
  await ctx.journal.recordDestination(ctx.batchId, item.index, destination);
  item.replacedCopies.push(copyIdOf(from));
  item.destination = destination;
  item.journalState = 'pending';
  item.absent = undefined;
  item.confirmAttempts = 0;
  return from;
}

/** Cancels (deletes) the request's copy. */
export async function cancelStep(
  ctx: LifecycleContext,
  item: BatchItemState,
): Promise<StepResult<AnyCancelResult>> {
  return attempt(() => ctx.copier.cancel(item.destination!));
}

/**
 * Journals how the request ended in this run:
 * - `completed` / `failed` / `cancelled`: that state, with the error.
 * - `resumable`, `pending`, `not-started`: left open. A request whose copy may exist keeps
 *   `copying` (and its time) or `pending`; one in `copying` whose calls can no longer have
 *   made a copy goes back to `planned` (or `queued`), so a rerun copies it without waiting.
 */
export async function finalizeStep(
  ctx: LifecycleContext,
  item: BatchItemState,
  outcome: CopyOutcome,
  error?: SnapcopyError,
): Promise<void> {
  if (error) item.error = error;
  item.timings.finishedAt = ctx.clock.now();
  const journalError = error ? { error: errorToJournal(error) } : {};
  if (outcome === 'completed' || outcome === 'failed' || outcome === 'cancelled') {
    await ctx.journal.recordState(ctx.batchId, item.index, outcome, journalError);
    item.journalState = outcome;
    return;
  }
  if (item.journalState === 'copying' && item.mayExistSince === undefined) {
    const back = item.plan ? 'planned' : 'queued';
    await ctx.journal.recordState(ctx.batchId, item.index, back, journalError);
    item.journalState = back;
  } else if (
    outcome === 'resumable' &&
    (item.journalState === 'queued' || item.journalState === 'planned') &&
    error
  ) {
    await ctx.journal.recordState(ctx.batchId, item.index, item.journalState, journalError);
  }
}
