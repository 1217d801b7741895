import type { Clock } from '@snapcopy/core';
import type { SnapshotCopier } from '@snapcopy/core';
import type { PriceTable } from '@snapcopy/core';
import { is, SnapcopyError } from '@snapcopy/core';
import type { CopyJournal } from './journal/journal.js';
import type { Logger } from '@snapcopy/core';
import { backoffDelay, type RetryPolicy } from '@snapcopy/core';
import type { CopyStatus } from '@snapcopy/core';
import { TERMINAL_STATES } from '@snapcopy/core';
import { asSnapcopyError, type BatchItemState, errorToJournal } from './batch-item.js';
import { nextPollDelay, nextReadAt, type PollBounds, type ProgressSample } from './poll-interval.js';
import { QueueBackoff } from './queue-backoff.js';
import type { BatchEvent, CopyOutcome, QueueKey } from './types.js';

/** What every queue of one batch shares. */
export interface BatchContext {
  readonly batchId: string;
  readonly clock: Clock;
  readonly journal: CopyJournal;
  readonly signal: AbortSignal | undefined;
  readonly cancelInFlightOnAbort: boolean;
  readonly poll: PollBounds;
  readonly throttleBackoff: { readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly retry: RetryPolicy;
  readonly maxStatusFailures: number;
  readonly prices: PriceTable | undefined;
  readonly random: () => number;
  readonly logger: Logger;
  readonly calls: {
    plan: number;
    copy: number;
    status: number;
    cancel: number;
    throttled: number;
    quotaExceeded: number;
  };
  emit(event: BatchEvent): void;
  /** Called once per item when it gets its outcome in this run. */
  finished(item: BatchItemState): void;
}

/** Settings of one queue. */
export interface CopyQueueSettings {
  readonly key: QueueKey;
  readonly copier: SnapshotCopier;
  /** Copies this queue may have started and not seen finish. */
  readonly limit: number;
  /** Plans made ahead of free copy slots. */
  readonly planAhead: number;
}

const CANCELLED_BEFORE_START = 'the batch was aborted before this copy was sent';
const LEFT_RUNNING = 'the batch was aborted; the copy was left running';

/**
 * The copies of one copier into one destination region. It keeps at most `limit`
 * copies started and unfinished, reads all of them with one batched status call per
 * poll round, and pauses as a whole when the provider throttles any of its calls.
 */
export class CopyQueue {
  readonly key: QueueKey;
  readonly #copier: SnapshotCopier;
  readonly #limit: number;
  readonly #planAhead: number;
  readonly #ctx: BatchContext;
  readonly #backoff: QueueBackoff;

  readonly #toPlan: BatchItemState[] = [];
  readonly #ready: BatchItemState[] = [];
  readonly #running = new Map<number, BatchItemState>();
  #planning = 0;
  #copying = 0;
  /** Lowered when the provider reports its concurrency limit, until a copy finishes. */
  #quotaCap: number | undefined;
  #lastPollAt = Number.NEGATIVE_INFINITY;
  #nextPollAt = Number.POSITIVE_INFINITY;
  #statusFailures = 0;
  /** Observed ms per GiB moved of recent copies that finished here, to expect the next ones. */
  readonly #msPerGiB: number[] = [];
  #wakeController: AbortController | undefined;
  #woken = false;

  constructor(settings: CopyQueueSettings, ctx: BatchContext) {
    this.key = settings.key;
    this.#copier = settings.copier;
    this.#limit = Math.max(1, settings.limit);
    this.#planAhead = Math.max(1, settings.planAhead);
    this.#ctx = ctx;
    this.#backoff = new QueueBackoff(ctx.throttleBackoff, ctx.random);
  }

  /** The concurrency limit this queue keeps to. */
  get limit(): number {
    return this.#limit;
  }

  /** Adds an item in the stage its journal state calls for. */
  add(item: BatchItemState): void {
    if (item.destination && item.journalState === 'pending') {
      this.#track(item);
    } else if (item.plan) {
      this.#ready.push(item);
    } else {
      this.#toPlan.push(item);
    }
  }

  /** Wakes the scheduling loop (something changed). */
  wake(): void {
    this.#woken = true;
    this.#wakeController?.abort();
  }

  get #inFlight(): number {
    return this.#copying + this.#running.size;
  }

  get #effectiveLimit(): number {
    return Math.min(this.#limit, this.#quotaCap ?? this.#limit);
  }

  get #aborted(): boolean {
    return this.#ctx.signal?.aborted === true;
  }

  get #idle(): boolean {
    return (
      this.#toPlan.length === 0 &&
      this.#ready.length === 0 &&
      this.#running.size === 0 &&
      this.#planning === 0 &&
      this.#copying === 0
    );
  }

  /** Runs until every item of the queue has an outcome. */
  async run(): Promise<void> {
    for (;;) {
      if (this.#aborted) {
        await this.#drainAfterAbort();
        return;
      }
      this.#pump();
      if (this.#idle) return;
      const now = this.#ctx.clock.now();
      if (this.#running.size > 0 && now >= this.#nextPollAt && now >= this.#backoff.pausedUntil) {
        await this.#poll();
        continue;
      }
      await this.#sleepUntil(this.#wakeAt());
    }
  }

  /** Starts plans and copies while the limits allow. */
  #pump(): void {
    const now = this.#ctx.clock.now();
    if (now < this.#backoff.pausedUntil) return;
    while (this.#inFlight < this.#effectiveLimit) {
      const at = this.#ready.findIndex((i) => i.notBefore <= now);
      if (at < 0) break;
      const [item] = this.#ready.splice(at, 1);
      void this.#copy(item!);
    }
    while (this.#planning < this.#planAhead && this.#ready.length + this.#planning < this.#planAhead) {
      const at = this.#toPlan.findIndex((i) => i.notBefore <= now);
      if (at < 0) break;
      const [item] = this.#toPlan.splice(at, 1);
      void this.#plan(item!);
    }
  }

  /** The next time something could be done without being woken. */
  #wakeAt(): number {
    const paused = this.#backoff.pausedUntil;
    let at = Number.POSITIVE_INFINITY;
    if (this.#running.size > 0) at = Math.max(this.#nextPollAt, paused);
    const earliest = (items: readonly BatchItemState[]) =>
      items.reduce((m, i) => Math.min(m, i.notBefore), Number.POSITIVE_INFINITY);
    if (this.#ready.length > 0 && this.#inFlight < this.#effectiveLimit) {
      at = Math.min(at, Math.max(paused, earliest(this.#ready)));
    }
    if (this.#toPlan.length > 0 && this.#ready.length + this.#planning < this.#planAhead) {
      at = Math.min(at, Math.max(paused, earliest(this.#toPlan)));
    }
    return at;
  }

  async #sleepUntil(at: number): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return;
    }
    const controller = new AbortController();
    this.#wakeController = controller;
    const ms = at - this.#ctx.clock.now();
    if (Number.isFinite(ms)) {
      await this.#ctx.clock.sleep(Math.max(0, ms), controller.signal).catch(() => undefined);
    } else {
      await new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve()));
    }
    this.#wakeController = undefined;
    this.#woken = false;
  }

  #emit(event: BatchEvent): void {
    this.#ctx.emit(event);
  }

  #throttled(err: SnapcopyError): void {
    const delayMs = this.#backoff.strike(this.#ctx.clock.now());
    this.#ctx.calls.throttled += 1;
    this.#emit({ type: 'queue-throttled', queue: this.key, delayMs, error: err });
  }

  async #plan(item: BatchItemState): Promise<void> {
    this.#planning += 1;
    const { clock, journal, batchId } = this.#ctx;
    try {
      item.planAttempts += 1;
      this.#ctx.calls.plan += 1;
      const plan = await this.#copier.plan(item.request, {
        ...(this.#ctx.signal ? { signal: this.#ctx.signal } : {}),
        ...(this.#ctx.prices ? { prices: this.#ctx.prices } : {}),
      });
      await journal.recordPlan(batchId, item.index, plan);
      item.plan = plan;
      item.journalState = item.journalState === 'queued' ? 'planned' : item.journalState;
      item.timings.plannedAt = clock.now();
      this.#backoff.success();
      this.#ready.push(item);
      this.#emit({ type: 'copy-planned', index: item.index, plan });
    } catch (thrown) {
      const err = asSnapcopyError(thrown);
      if (this.#aborted) {
        this.#toPlan.unshift(item);
      } else if (item.planAttempts < this.#ctx.retry.maxAttempts && (err.retryable || is(err, 'THROTTLED'))) {
        if (is(err, 'THROTTLED')) {
          this.#throttled(err);
        } else {
          const delayMs = backoffDelay(this.#ctx.retry, item.planAttempts, this.#ctx.random);
          item.notBefore = clock.now() + delayMs;
          const attempt = item.planAttempts;
          this.#emit({ type: 'copy-retry', stage: 'plan', index: item.index, error: err, attempt, delayMs });
        }
        this.#toPlan.unshift(item);
      } else {
        // Planning never mutates: a request that cannot be planned ends here, untouched.
        await this.#finish(item, 'failed', { error: err });
      }
    } finally {
      this.#planning -= 1;
      this.wake();
    }
  }

  async #copy(item: BatchItemState): Promise<void> {
    this.#copying += 1;
    item.phase = 'copying';
    const { clock, journal, batchId } = this.#ctx;
    item.attempts += 1;
    const attempt = item.priorAttempts + item.attempts;
    item.timings.copyRequestedAt ??= clock.now();
    try {
      // `copying` is durable before the call: a crash from here on resumes by sending
      // the same token again, which finds the copy if it was made.
      await journal.recordState(batchId, item.index, 'copying', { attempt });
      item.journalState = 'copying';
      this.#ctx.calls.copy += 1;
      // No abort signal: a copy call cut short would leave it unknown whether the copy
      // exists. Copy calls are short; an abort takes effect when they return.
      const handle = await this.#copier.copy(item.request, item.plan ? { plan: item.plan } : {});
      const destination = { region: handle.region, snapshotId: handle.snapshotId };
      await journal.recordDestination(batchId, item.index, destination);
      item.journalState = 'pending';
      item.destination = destination;
      item.timings.copyStartedAt = clock.now();
      this.#backoff.success();
      this.#track(item);
      this.#emit({ type: 'copy-started', index: item.index, handle, attempt });
    } catch (thrown) {
      const err = asSnapcopyError(thrown);
      item.phase = 'queued';
      const exhausted = item.attempts >= this.#ctx.retry.maxAttempts;
      if (!exhausted && is(err, 'THROTTLED')) {
        this.#throttled(err);
        this.#ready.unshift(item);
      } else if (!exhausted && is(err, 'QUOTA_EXCEEDED')) {
        // The provider counts copies we have not seen finish yet: hold at what runs now.
        this.#ctx.calls.quotaExceeded += 1;
        this.#quotaCap = Math.max(1, this.#inFlight - 1);
        if (this.#running.size === 0) this.#throttled(err);
        this.#ready.unshift(item);
      } else if (!exhausted && err.retryable) {
        const delayMs = backoffDelay(this.#ctx.retry, item.attempts, this.#ctx.random);
        item.notBefore = clock.now() + delayMs;
        this.#emit({ type: 'copy-retry', stage: 'copy', index: item.index, error: err, attempt, delayMs });
        this.#ready.unshift(item);
      } else if (err.ambiguous) {
        // The copy may exist. The journal keeps `copying`, so a resume sends the same
        // token again and finds it; `failed` there would forget it for good.
        await this.#finish(item, 'failed', { error: err, keepJournal: true });
      } else {
        await this.#finish(item, 'failed', { error: err });
      }
    } finally {
      this.#copying -= 1;
      this.wake();
    }
  }

  /** Starts tracking a copy that has a destination id. */
  #track(item: BatchItemState): void {
    const now = this.#ctx.clock.now();
    item.phase = 'running';
    if (!item.resumed || item.attempts > 0) {
      const expectedMs = this.#expectedMs(item);
      item.sample = {
        baseAt: now,
        baseProgress: 0,
        baseUncertainty: 0,
        at: now,
        progress: 0,
        ...(expectedMs === undefined ? {} : { expectedMs }),
      };
    }
    this.#running.set(item.index, item);
    const readAt = item.sample ? nextReadAt(item.sample, this.#ctx.poll) : now;
    this.#nextPollAt = Math.min(this.#nextPollAt, Math.max(this.#lastPollAt + this.#ctx.poll.minMs, readAt));
  }

  /** GiB a copy moves, as its plan says; at least 1 so that tiny copies still count time. */
  #sizeGiB(item: BatchItemState): number {
    return Math.max(1, item.plan?.billableGiB.transfer ?? item.plan?.source.sizeGiB ?? 1);
  }

  /** The median observed ms per GiB of this queue times the copy's size, once any finished. */
  #expectedMs(item: BatchItemState): number | undefined {
    if (this.#msPerGiB.length === 0) return undefined;
    const sorted = [...this.#msPerGiB].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]! * this.#sizeGiB(item);
  }

  #learn(item: BatchItemState, finishedAt: number): void {
    // Only copies seen from their start: a resumed copy's duration is unknown.
    if (item.sample?.baseUncertainty !== 0 || item.timings.copyStartedAt === undefined) return;
    const ms = finishedAt - item.timings.copyStartedAt;
    if (ms <= 0) return;
    this.#msPerGiB.push(ms / this.#sizeGiB(item));
    if (this.#msPerGiB.length > 50) this.#msPerGiB.shift();
  }

  async #poll(): Promise<void> {
    const { clock, poll } = this.#ctx;
    const items = [...this.#running.values()];
    const now = clock.now();
    this.#lastPollAt = now;
    this.#ctx.calls.status += 1;
    let statuses: CopyStatus[];
    try {
      statuses = await this.#copier.status(
        items.map((i) => i.destination!),
        this.#ctx.signal ? { signal: this.#ctx.signal } : {},
      );
    } catch (thrown) {
      if (this.#aborted) return;
      const err = asSnapcopyError(thrown);
      this.#statusFailures += 1;
      if (is(err, 'THROTTLED')) {
        this.#throttled(err);
        this.#nextPollAt = this.#backoff.pausedUntil;
      } else {
        const delay = backoffDelay(this.#ctx.retry, this.#statusFailures, this.#ctx.random);
        this.#nextPollAt = clock.now() + Math.max(poll.minMs, delay);
      }
      this.#ctx.logger.warn('status call failed', { queue: this.key, code: err.code });
      if (this.#statusFailures >= this.#ctx.maxStatusFailures) {
        // Give up tracking; the copies stay in the cloud and in the journal as pending.
        for (const item of items) await this.#finish(item, 'failed', { error: err, keepJournal: true });
      }
      return;
    }
    this.#backoff.success();
    this.#statusFailures = 0;
    const at = clock.now();
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      const status = statuses[k]!;
      item.status = status;
      item.sample = item.sample
        ? { ...item.sample, at, progress: status.progress }
        : { baseAt: at, baseProgress: status.progress, baseUncertainty: 1, at, progress: status.progress };
      this.#emit({ type: 'copy-progress', index: item.index, status });
      if (TERMINAL_STATES.has(status.state)) {
        if (status.state === 'completed') this.#learn(item, at);
        const error =
          status.state === 'failed'
            ? new SnapcopyError('PROVIDER_ERROR', status.message ?? `copy ${status.snapshotId} failed`, {
                provider: this.#copier.provider,
                // A provider state (`error`, `absent`) is not a provider error code.
                details: { rawState: status.rawState },
              })
            : undefined;
        await this.#finish(item, status.state as CopyOutcome, error ? { error } : {});
      }
    }
    const samples: ProgressSample[] = [];
    for (const item of this.#running.values()) if (item.sample) samples.push(item.sample);
    const delay = this.#running.size === 0 ? 0 : nextPollDelay(samples, at, poll);
    this.#nextPollAt = this.#running.size === 0 ? Number.POSITIVE_INFINITY : at + delay;
    this.#emit({ type: 'poll-round', queue: this.key, copies: items.length, nextPollInMs: delay });
  }

  async #finish(
    item: BatchItemState,
    outcome: CopyOutcome,
    extra: { error?: SnapcopyError; keepJournal?: boolean } = {},
  ): Promise<void> {
    if (this.#running.delete(item.index)) this.#quotaCap = undefined;
    item.phase = 'done';
    item.outcome = outcome;
    if (extra.error) item.error = extra.error;
    item.timings.finishedAt = this.#ctx.clock.now();
    const journalState =
      outcome === 'completed' || outcome === 'failed' || outcome === 'cancelled' ? outcome : undefined;
    if (journalState && !extra.keepJournal) {
      await this.#ctx.journal.recordState(this.#ctx.batchId, item.index, journalState, {
        ...(extra.error ? { error: errorToJournal(extra.error) } : {}),
      });
      item.journalState = journalState;
    }
    this.#ctx.finished(item);
  }

  async #drainAfterAbort(): Promise<void> {
    while (this.#copying > 0 || this.#planning > 0) await this.#sleepUntil(Number.POSITIVE_INFINITY);
    const cancelAll = this.#ctx.cancelInFlightOnAbort;
    for (const item of [...this.#toPlan.splice(0), ...this.#ready.splice(0)]) {
      const error = new SnapcopyError('CANCELLED', CANCELLED_BEFORE_START, {
        provider: this.#copier.provider,
      });
      // Without `cancelInFlightOnAbort` the journal keeps it queued: resuming the batch sends it.
      await this.#finish(item, cancelAll ? 'cancelled' : 'not-started', { error, keepJournal: !cancelAll });
    }
    for (const item of [...this.#running.values()]) {
      if (!cancelAll) {
        const error = new SnapcopyError('CANCELLED', LEFT_RUNNING, { provider: this.#copier.provider });
        await this.#finish(item, 'pending', { error });
        continue;
      }
      try {
        this.#ctx.calls.cancel += 1;
        item.cancel = await this.#copier.cancel(item.destination!);
        await this.#finish(item, 'cancelled');
      } catch (thrown) {
        await this.#finish(item, 'pending', { error: asSnapcopyError(thrown) });
      }
    }
  }
}
