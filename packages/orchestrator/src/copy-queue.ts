import type { Clock, Logger, PriceTable, RetryPolicy } from '@snapcopy/core';
import { SnapcopyError } from '@snapcopy/core';
import { type AnyCopyHandle, copyIdOf, type BatchCopier } from './copy-kind.js';
import { type AfterError, decideAfterEmptyLookup, decideAfterError } from './after-error.js';
import type { BatchItemState } from './batch-item.js';
import { DueQueue } from './due-queue.js';
import { copySizeGiB, DurationModel } from './duration-model.js';
import type { CopyJournal } from './journal/journal.js';
import {
  adoptStep,
  cancelStep,
  copyStep,
  finalizeStep,
  followStep,
  type LifecycleContext,
  lookUpStep,
  checkTokensStep,
  planBatchStep,
  readStatuses,
  type StepResult,
} from './lifecycle.js';
import { nextPollDelay, nextReadAt, type PollBounds, type ProgressSample } from './poll-interval.js';
import type { BatchProgress } from './progress.js';
import { QueueBackoff } from './queue-backoff.js';
import {
  decideAfterStepError,
  lookupAnswer,
  neverSent,
  retryEvent,
  sampleFromStart,
  sampleSeenAt,
  startedEvent,
} from './step-outcome.js';
import {
  copyFailedError,
  copyGoneError,
  judgeAbsentLookup,
  judgeConfirmLookup,
  judgeStatus,
  type LookupAnswer,
} from './status-judgment.js';
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
  readonly absentConfirmations: number;
  readonly confirmOnCompletion: boolean;
  readonly prices: PriceTable | undefined;
  /** Prices of some copiers by name, before `prices`. */
  readonly pricesByCopier: Readonly<Record<string, PriceTable>> | undefined;
  readonly random: () => number;
  readonly logger: Logger;
  readonly progress: BatchProgress;
  readonly calls: {
    plan: number;
    copy: number;
    status: number;
    cancel: number;
    lookup: number;
    throttled: number;
    quotaExceeded: number;
  };
  emit(event: BatchEvent): void;
  /** Tells the batch's lease the run is alive (renews it when a heartbeat is due). */
  keepAlive(): void;
  /** Called once per item when it gets its outcome in this run. */
  finished(item: BatchItemState): void;
}

/** Settings of one queue. */
export interface CopyQueueSettings {
  readonly key: QueueKey;
  /** The copier of the queue's kind (snapshots or images). */
  readonly copier: BatchCopier;
  /** Copies this queue may have started and not seen finish. */
  readonly limit: number;
  /** Plans made ahead of free copy slots. */
  readonly planAhead: number;
  /** How long a copy that may exist is looked for before it is sent again (ms). */
  readonly consistencyWindowMs: number;
}

const CANCELLED_BEFORE_START = 'the batch was aborted before this copy was sent';
const LEFT_RUNNING = 'the batch was aborted; the copy was left running';
const LEFT_UNCONFIRMED =
  'the batch was aborted while the copy was not confirmed; the journal keeps it and a rerun looks it up';

/**
 * The scheduling loop of one copier's copies of one kind into one destination region. It keeps at
 * most `limit` copies started and unfinished (copies that may exist but are not confirmed
 * count too), reads all running copies with one batched status call per poll round, and
 * pauses as a whole when the provider throttles any of its calls. What happens to one
 * request is done by the steps of `lifecycle.ts`; what follows an error or a status read
 * is decided by the pure functions of `after-error.ts` and `status-judgment.ts`.
 */
export class CopyQueue {
  readonly key: QueueKey;
  readonly #copier: BatchCopier;
  readonly #consistencyWindowMs: number;
  readonly #limit: number;
  readonly #planAhead: number;
  /** Requests planned in one batch at most: the ids one describe call takes. */
  readonly #planBatchMax: number;
  /**
   * New plans are made once fewer than this many are ready or being made: the plan-ahead
   * room without batched plans; with them, the queue's limit (one wave of copies), so that
   * each `planMany` covers many requests rather than the few a wave of copies frees.
   */
  readonly #planRefillBelow: number;
  readonly #ctx: BatchContext;
  readonly #steps: LifecycleContext;
  readonly #backoff: QueueBackoff;
  readonly #durations = new DurationModel();

  readonly #toPlan = new DueQueue<BatchItemState>();
  readonly #ready = new DueQueue<BatchItemState>();
  /** Requests whose copy may exist: their token is looked up before anything else. */
  readonly #toLookUp = new DueQueue<BatchItemState>();
  readonly #running = new Map<number, BatchItemState>();
  #planning = 0;
  #copying = 0;
  #lookingUp = 0;
  /** Lowered when the provider reports its concurrency limit, until a copy finishes. */
  #quotaCap: number | undefined;
  #lastPollAt = Number.NEGATIVE_INFINITY;
  #nextPollAt = Number.POSITIVE_INFINITY;
  #statusFailures = 0;
  #wakeController: AbortController | undefined;
  #woken = false;

  constructor(settings: CopyQueueSettings, ctx: BatchContext) {
    this.key = settings.key;
    this.#copier = settings.copier;
    this.#consistencyWindowMs = Math.max(0, settings.consistencyWindowMs);
    this.#limit = Math.max(1, settings.limit);
    this.#planAhead = Math.max(1, settings.planAhead);
    this.#planBatchMax = Math.max(1, settings.copier.capabilities.maxIdsPerStatusCall);
    this.#planRefillBelow =
      settings.copier.planMany === undefined ? this.#planAhead : Math.min(this.#planAhead, this.#limit);
    this.#ctx = ctx;
    const prices = ctx.pricesByCopier?.[settings.key.copier] ?? ctx.prices;
    this.#steps = {
      batchId: ctx.batchId,
      copier: settings.copier,
      journal: ctx.journal,
      clock: ctx.clock,
      ...(prices ? { prices } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    this.#backoff = new QueueBackoff(ctx.throttleBackoff, ctx.random);
  }

  /** The concurrency limit this queue keeps to. */
  get limit(): number {
    return this.#limit;
  }

  /** Adds an item in the stage its journal state calls for. */
  add(item: BatchItemState): void {
    const now = this.#ctx.clock.now();
    if (item.destination && item.journalState === 'pending') {
      this.#track(item);
    } else if (item.journalState === 'copying') {
      // An earlier run sent a copy call that may have made the copy: look it up first.
      this.#ctx.progress.move(item, 'copying');
      this.#toLookUp.add(item, now);
    } else if (item.plan) {
      this.#ready.add(item, now);
    } else {
      this.#toPlan.add(item, now);
    }
  }

  /** Wakes the scheduling loop (something changed). */
  wake(): void {
    this.#woken = true;
    this.#wakeController?.abort();
  }

  get #inFlight(): number {
    return this.#copying + this.#lookingUp + this.#toLookUp.size + this.#running.size;
  }

  get #effectiveLimit(): number {
    return Math.min(this.#limit, this.#quotaCap ?? this.#limit);
  }

  get #aborted(): boolean {
    return this.#ctx.signal?.aborted === true;
  }

  get #idle(): boolean {
    return (
      this.#toPlan.size === 0 &&
      this.#ready.size === 0 &&
      this.#toLookUp.size === 0 &&
      this.#running.size === 0 &&
      this.#planning === 0 &&
      this.#copying === 0 &&
      this.#lookingUp === 0
    );
  }

  /** Runs until every item of the queue has an outcome. */
  async run(): Promise<void> {
    for (;;) {
      this.#ctx.keepAlive();
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

  /** Starts lookups, copies and plans while the limits allow. */
  #pump(): void {
    const now = this.#ctx.clock.now();
    if (now < this.#backoff.pausedUntil) return;
    // Lookups already hold their slot (counted in flight while they wait).
    for (let item = this.#toLookUp.take(now); item; item = this.#toLookUp.take(now)) void this.#lookUp(item);
    const wave: BatchItemState[] = [];
    while (this.#inFlight + wave.length < this.#effectiveLimit) {
      const item = this.#ready.take(now);
      if (!item) break;
      wave.push(item);
    }
    if (wave.length > 0) void this.#copyWave(wave);
    // Plans go out in batches (one `planMany` shares their reads) up to the free plan-ahead
    // room, once the plans ready fall below the refill mark (so batches stay large).
    const room = this.#planAhead - this.#ready.size - this.#planning;
    if (room > 0 && this.#ready.size + this.#planning < this.#planRefillBelow) {
      const batch: BatchItemState[] = [];
      while (batch.length < Math.min(room, this.#planBatchMax)) {
        const item = this.#toPlan.take(now);
        if (!item) break;
        batch.push(item);
      }
      if (batch.length > 0) void this.#planBatch(batch);
    }
  }

  /** The next time something could be done without being woken. */
  #wakeAt(): number {
    const paused = this.#backoff.pausedUntil;
    let at = Number.POSITIVE_INFINITY;
    if (this.#running.size > 0) at = Math.max(this.#nextPollAt, paused);
    if (this.#toLookUp.size > 0) at = Math.min(at, Math.max(paused, this.#toLookUp.nextDueAt()));
    if (this.#ready.size > 0 && this.#inFlight < this.#effectiveLimit) {
      at = Math.min(at, Math.max(paused, this.#ready.nextDueAt()));
    }
    if (this.#toPlan.size > 0 && this.#ready.size + this.#planning < this.#planRefillBelow) {
      at = Math.min(at, Math.max(paused, this.#toPlan.nextDueAt()));
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

  /** What follows a failed status round. */
  #decideAfterStatus(error: SnapcopyError, minDelayMs: number): AfterError {
    return decideAfterError({
      error,
      stage: 'status',
      attempts: this.#statusFailures,
      maxAttempts: this.#ctx.maxStatusFailures,
      mayExist: false,
      minDelayMs,
      policy: this.#ctx.retry,
      jitter: this.#ctx.random(),
    });
  }

  #decideAfter(item: BatchItemState, stage: 'plan' | 'copy' | 'lookup', error: SnapcopyError): AfterError {
    return decideAfterStepError(item, stage, error, this.#ctx.retry, this.#ctx.random());
  }

  /**
   * Puts an item back in the queue of the event's stage for another try after its delay,
   * and says so. Plans and copies go ahead of the others once due; lookups keep their order.
   */
  #retryLater(event: ReturnType<typeof retryEvent>, item: BatchItemState): void {
    const now = this.#ctx.clock.now();
    this.#queueOf(event.stage).add(item, now, {
      notBefore: now + event.delayMs,
      first: event.stage !== 'lookup',
    });
    this.#emit(event);
  }

  /** The requests waiting for a call of `stage`. */
  #queueOf(stage: 'plan' | 'copy' | 'lookup'): DueQueue<BatchItemState> {
    return { plan: this.#toPlan, copy: this.#ready, lookup: this.#toLookUp }[stage];
  }

  /**
   * Carries out the decision after a failed plan, copy or lookup call (a copy's hold on
   * quota aside): a throttle pauses the queue with the item first in line; a retry sends
   * the same call again after its delay, a look-up (the copy may exist) looks its token
   * up; otherwise the request ends, `resumable` when the decision keeps it open.
   */
  async #afterFailure(
    item: BatchItemState,
    stage: 'plan' | 'copy' | 'lookup',
    error: SnapcopyError,
    attempt: number,
    decision: AfterError,
  ): Promise<void> {
    switch (decision.action) {
      case 'throttle':
        this.#throttled(error);
        this.#queueOf(stage).add(item, this.#ctx.clock.now(), { first: true });
        break;
      case 'retry':
        this.#retryLater(retryEvent(item, stage, error, attempt, decision.delayMs), item);
        break;
      case 'look-up':
        this.#retryLater(retryEvent(item, 'lookup', error, attempt, decision.delayMs), item);
        break;
      default:
        await this.#finish(item, decision.action === 'keep-open' ? 'resumable' : 'failed', error);
    }
  }

  /**
   * Plans a batch of requests (their common reads shared when the copier has `planMany`),
   * then looks the tokens of those never sent up together (`findMany`): a copy found is
   * tracked, the others are ready to copy (their first call skips its own lookup).
   */
  async #planBatch(items: readonly BatchItemState[]): Promise<void> {
    this.#planning += items.length;
    try {
      this.#ctx.calls.plan += this.#copier.planMany === undefined ? items.length : 1;
      const results = await planBatchStep(this.#steps, items);
      const planned: BatchItemState[] = [];
      for (const [k, item] of items.entries()) {
        const result = results[k]!;
        if (result.ok) {
          this.#backoff.success();
          planned.push(item);
          this.#emit({ type: 'copy-planned', index: item.index, kind: item.kind, plan: result.value });
        } else {
          await this.#afterPlanFailure(item, result.error);
        }
      }
      const fresh = planned.filter(neverSent);
      // The provider answers a repeated token with the copy it made: a first copy call
      // needs no lookup of its own (another runner's copy is returned, not doubled).
      // Without a native token the lookup is made with the wave that sends the copies.
      if (this.#copier.capabilities.nativeIdempotencyToken)
        for (const item of fresh) item.tokenChecked = true;
      const now = this.#ctx.clock.now();
      for (const item of planned) this.#ready.add(item, now);
    } finally {
      this.#planning -= items.length;
      this.wake();
    }
  }

  async #afterPlanFailure(item: BatchItemState, error: SnapcopyError): Promise<void> {
    const now = this.#ctx.clock.now();
    if (this.#aborted) {
      this.#toPlan.add(item, now, { first: true });
      return;
    }
    // Planning never mutates: a request that cannot be planned ends here, untouched.
    await this.#afterFailure(item, 'plan', error, item.planAttempts, this.#decideAfter(item, 'plan', error));
  }

  /**
   * Sends a wave of copies (as many as free slots allow). Without a native token, the
   * tokens of the requests never sent are looked up together first (`findMany`, one call
   * for the wave, just before the copy calls, so another runner's copy is seen): a copy
   * found is tracked, the others are sent with `tokenChecked`.
   */
  async #copyWave(wave: readonly BatchItemState[]): Promise<void> {
    const fresh = this.#copier.capabilities.nativeIdempotencyToken ? [] : wave.filter(neverSent);
    let found: Awaited<ReturnType<typeof checkTokensStep>>;
    if (fresh.length > 1) {
      this.#copying += wave.length; // the wave holds its slots while it looks up
      try {
        this.#ctx.calls.lookup += 1;
        found = await checkTokensStep(this.#steps, fresh);
      } finally {
        this.#copying -= wave.length;
      }
    }
    for (const item of wave) {
      const k = fresh.indexOf(item);
      const r = k < 0 ? undefined : found?.[k];
      if (r?.ok === true && r.value !== undefined) {
        await this.#adopt(item, r.value);
        this.wake();
      } else {
        void this.#copy(item);
      }
    }
  }

  async #copy(item: BatchItemState): Promise<void> {
    this.#copying += 1;
    this.#ctx.progress.move(item, 'copying');
    try {
      this.#ctx.calls.copy += 1;
      const result = await copyStep(this.#steps, item);
      const attempt = item.priorAttempts + item.attempts;
      if (result.ok) {
        this.#backoff.success();
        this.#track(item, !result.value.reused);
        this.#emit(startedEvent(item, result.value, attempt));
        return;
      }
      const error = result.error;
      item.lastError = error;
      const now = this.#ctx.clock.now();
      const decision = this.#decideAfter(item, 'copy', error);
      if (decision.action !== 'look-up') this.#ctx.progress.move(item, 'queued');
      if (decision.action === 'hold-quota') {
        // The provider counts copies we have not seen finish yet: hold at what runs now.
        this.#ctx.calls.quotaExceeded += 1;
        this.#quotaCap = Math.max(1, this.#inFlight - 1);
        if (this.#running.size === 0) this.#throttled(error);
        this.#ready.add(item, now, { first: true });
      } else {
        await this.#afterFailure(item, 'copy', error, attempt, decision);
      }
    } finally {
      this.#copying -= 1;
      this.wake();
    }
  }

  /** Looks up the token of a request whose copy may exist; copies again only when that is safe. */
  async #lookUp(item: BatchItemState): Promise<void> {
    this.#lookingUp += 1;
    try {
      item.lookupAttempts += 1;
      this.#ctx.calls.lookup += 1;
      const result = await lookUpStep(this.#steps, item);
      const now = this.#ctx.clock.now();
      if (result.ok) {
        item.lookupAttempts = 0;
        this.#backoff.success();
        const handle = result.value;
        if (handle !== undefined) {
          await this.#adopt(item, handle);
          return;
        }
        const decision = decideAfterEmptyLookup({
          sinceMayExistMs: now - (item.mayExistSince ?? Number.NEGATIVE_INFINITY),
          consistencyWindowMs: this.#consistencyWindowMs,
          nativeToken: this.#copier.capabilities.nativeIdempotencyToken,
          attemptsLeft: item.attempts < this.#ctx.retry.maxAttempts,
        });
        if (decision.action === 'wait') {
          this.#toLookUp.add(item, now, { notBefore: now + decision.delayMs });
          return;
        }
        if (decision.settled) item.mayExistSince = undefined;
        if (decision.action === 'keep-open') {
          await this.#finish(item, 'resumable', item.lastError);
          return;
        }
        this.#ctx.progress.move(item, 'queued');
        this.#ready.add(item, now, { first: true });
        return;
      }
      const error = result.error;
      item.lastError = error;
      // A copy that may exist is never written off (keep-open): the journal keeps it `copying`.
      const decision = this.#decideAfter(item, 'lookup', error);
      await this.#afterFailure(item, 'lookup', error, item.lookupAttempts, decision);
    } finally {
      this.#lookingUp -= 1;
      this.wake();
    }
  }

  /** A lookup found the request's copy: track it. */
  async #adopt(item: BatchItemState, handle: AnyCopyHandle): Promise<void> {
    await adoptStep(this.#steps, item, handle);
    this.#track(item);
    this.#emit(startedEvent(item, handle));
  }

  /** Starts tracking a copy that has a destination id; `fromStart` when this run's copy call made it. */
  #track(item: BatchItemState, fromStart = false): void {
    const now = this.#ctx.clock.now();
    this.#ctx.progress.move(item, 'running');
    if (fromStart) {
      item.sample = sampleFromStart(now, this.#durations.expectedMs(copySizeGiB(item.plan)));
    } else {
      item.sample = undefined;
    }
    this.#running.set(item.index, item);
    const readAt = item.sample ? nextReadAt(item.sample, this.#ctx.poll) : now;
    this.#nextPollAt = Math.min(this.#nextPollAt, Math.max(this.#lastPollAt + this.#ctx.poll.minMs, readAt));
  }

  #learn(item: BatchItemState, finishedAt: number): void {
    // Only copies seen from their start: a resumed or found copy's duration is unknown.
    if (item.sample?.baseUncertainty !== 0 || item.timings.copyStartedAt === undefined) return;
    this.#durations.learn(finishedAt - item.timings.copyStartedAt, copySizeGiB(item.plan));
  }

  async #poll(): Promise<void> {
    const { clock, poll } = this.#ctx;
    const items = [...this.#running.values()];
    this.#lastPollAt = clock.now();
    this.#ctx.calls.status += 1;
    const result = await readStatuses(this.#steps, items);
    if (!result.ok) {
      if (this.#aborted) return;
      const error = result.error;
      this.#statusFailures += 1;
      const decision = this.#decideAfterStatus(error, poll.minMs);
      this.#ctx.logger.warn({ queue: this.key, code: error.code }, 'status call failed');
      if (decision.action === 'throttle') {
        this.#throttled(error);
        this.#nextPollAt = this.#backoff.pausedUntil;
      } else if (decision.action === 'retry') {
        this.#nextPollAt = clock.now() + decision.delayMs;
      } else {
        // Stop tracking for this run; the copies stay in the cloud and `pending` in the journal.
        for (const item of items) await this.#finish(item, 'resumable', error);
      }
      return;
    }
    this.#backoff.success();
    this.#statusFailures = 0;
    const at = clock.now();
    const statuses = result.value;
    const toConfirm: BatchItemState[] = [];
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      const status = statuses[k]!;
      item.status = status;
      item.sample = item.sample
        ? { ...item.sample, at, progress: status.progress }
        : sampleSeenAt(at, status.progress);
      this.#ctx.progress.progressed(item);
      this.#emit({ type: 'copy-progress', index: item.index, kind: item.kind, status });
      const verdict = judgeStatus(status, {
        nativeToken: this.#copier.capabilities.nativeIdempotencyToken,
        confirmed: !this.#ctx.confirmOnCompletion,
      });
      switch (verdict.verdict) {
        case 'running':
          item.absent = undefined;
          break;
        case 'follow':
          await this.#follow(item, verdict.to, at);
          break;
        case 'look-up':
          await this.#lookUpAbsent(item, at);
          break;
        case 'confirm':
          toConfirm.push(item);
          break;
        case 'finished': {
          if (verdict.outcome === 'completed') this.#learn(item, at);
          const error =
            verdict.outcome === 'failed' ? copyFailedError(status, this.#copier.provider) : undefined;
          await this.#finish(item, verdict.outcome, error);
        }
      }
    }
    await this.#confirmAll(toConfirm, at);
    const samples: ProgressSample[] = [];
    for (const item of this.#running.values()) if (item.sample) samples.push(item.sample);
    const delay = this.#running.size === 0 ? 0 : nextPollDelay(samples, at, poll);
    this.#nextPollAt = this.#running.size === 0 ? Number.POSITIVE_INFINITY : at + delay;
    this.#emit({ type: 'poll-round', queue: this.key, copies: items.length, nextPollInMs: delay });
  }

  /** Looks the token of a tracked copy up; a throttle pauses the queue, any failure counts nothing. */
  async #lookUpTracked(item: BatchItemState): Promise<LookupAnswer> {
    this.#ctx.calls.lookup += 1;
    return this.#answer(item, await lookUpStep(this.#steps, item));
  }

  /** A lookup's answer; a throttle pauses the queue. */
  #answer(item: BatchItemState, result: StepResult<AnyCopyHandle | undefined>): LookupAnswer {
    if (!result.ok && result.error.code === 'THROTTLED') this.#throttled(result.error);
    return lookupAnswer(item, result);
  }

  /** The tracked copy was a duplicate: follow the one kept for the token, read it soon. */
  async #follow(item: BatchItemState, to: string, at: number): Promise<void> {
    const from = await followStep(this.#steps, item, to);
    item.sample = sampleSeenAt(at, 0);
    this.#emit({ type: 'copy-replaced', index: item.index, kind: item.kind, from, to: item.destination! });
  }

  /** A tracked copy reads absent: believe it gone only after repeated well-formed lookups find nothing. */
  async #lookUpAbsent(item: BatchItemState, at: number): Promise<void> {
    const verdict = judgeAbsentLookup({
      tracked: copyIdOf(item.destination!),
      answer: await this.#lookUpTracked(item),
      absent: item.absent,
      now: this.#ctx.clock.now(),
      consistencyWindowMs: this.#consistencyWindowMs,
      absentConfirmations: this.#ctx.absentConfirmations,
    });
    if (verdict.verdict === 'running') {
      item.absent = verdict.absent;
    } else if (verdict.verdict === 'follow') {
      await this.#follow(item, verdict.to, at);
    } else {
      const ref = item.destination!;
      await this.#finish(item, 'failed', copyGoneError(ref, item.absent?.count ?? 0, this.#copier.provider));
    }
  }

  /**
   * Copies that completed on a provider without a native token, found in one poll round:
   * their tokens are looked up together (`findMany`, as few calls as the provider's filter
   * limits allow) when the copier can, else one by one.
   */
  async #confirmAll(items: readonly BatchItemState[], at: number): Promise<void> {
    if (items.length === 0) return;
    const many = items.length > 1 ? await this.#lookUpTrackedMany(items) : undefined;
    for (const [k, item] of items.entries()) await this.#confirm(item, at, many?.[k]);
  }

  /** Looks the tokens of several tracked copies up at once; undefined without `findMany`. */
  async #lookUpTrackedMany(items: readonly BatchItemState[]): Promise<LookupAnswer[] | undefined> {
    if (this.#copier.findMany === undefined) return undefined;
    this.#ctx.calls.lookup += 1;
    const results = await checkTokensStep(this.#steps, items, { markFree: false });
    if (results === undefined) return undefined;
    return results.map((result, k) => this.#answer(items[k]!, result));
  }

  /** A copy completed on a provider without a native token: make sure it is the one every runner keeps. */
  async #confirm(item: BatchItemState, at: number, looked?: LookupAnswer): Promise<void> {
    const answer = looked ?? (await this.#lookUpTracked(item));
    if ('error' in answer) item.confirmAttempts += 1;
    const verdict = judgeConfirmLookup({
      tracked: copyIdOf(item.destination!),
      answer,
      attempts: item.confirmAttempts,
      maxAttempts: this.#ctx.retry.maxAttempts,
    });
    if (verdict.verdict === 'follow') {
      await this.#follow(item, verdict.to, at);
    } else if (verdict.verdict === 'completed') {
      if (verdict.rule === 'confirm-gave-up') {
        this.#ctx.logger.warn(
          { index: item.index, kind: item.kind, id: item.destination && copyIdOf(item.destination) },
          'could not confirm the copy is the only one for its token',
        );
      }
      this.#learn(item, at);
      await this.#finish(item, 'completed');
    }
  }

  async #finish(item: BatchItemState, outcome: CopyOutcome, error?: SnapcopyError): Promise<void> {
    if (this.#running.delete(item.index)) this.#quotaCap = undefined;
    await finalizeStep(this.#steps, item, outcome, error);
    this.#ctx.progress.move(item, 'done', outcome);
    this.#ctx.finished(item);
  }

  async #drainAfterAbort(): Promise<void> {
    while (this.#copying > 0 || this.#planning > 0 || this.#lookingUp > 0) {
      await this.#sleepUntil(Number.POSITIVE_INFINITY);
    }
    const cancelAll = this.#ctx.cancelInFlightOnAbort;
    const provider = this.#copier.provider;
    for (const item of [...this.#toPlan.drain(), ...this.#ready.drain()]) {
      const error = new SnapcopyError('CANCELLED', CANCELLED_BEFORE_START, { provider });
      // Without `cancelInFlightOnAbort` the journal keeps it open: resuming the batch sends it.
      await this.#finish(item, cancelAll ? 'cancelled' : 'not-started', error);
    }
    for (const item of this.#toLookUp.drain()) {
      await this.#finish(item, 'resumable', new SnapcopyError('CANCELLED', LEFT_UNCONFIRMED, { provider }));
    }
    for (const item of [...this.#running.values()]) {
      if (!cancelAll) {
        await this.#finish(item, 'pending', new SnapcopyError('CANCELLED', LEFT_RUNNING, { provider }));
        continue;
      }
      this.#ctx.calls.cancel += 1;
      const result = await cancelStep(this.#steps, item);
      if (result.ok) {
        item.cancel = result.value;
        await this.#finish(item, 'cancelled');
      } else {
        await this.#finish(item, 'pending', result.error);
      }
    }
  }
}
