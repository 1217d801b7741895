import type { SnapcopyError } from '@snapcopy/core';
import {
  type AnyCopyStatus,
  type CopyKind,
  copyIdOf,
  type BatchEvent,
  type QueueKey,
  TERMINAL_JOURNAL_STATES,
} from '@snapcopy/orchestrator';
import {
  type AfterError,
  adoptStep,
  type BatchItemState,
  copyFailedError,
  copyGoneError,
  copySizeGiB,
  copyStep,
  decideAfterEmptyLookup,
  decideAfterStepError,
  errorFromJournal,
  finalizeStep,
  followStep,
  itemFromJournalEntry,
  lookupAnswer,
  judgeAbsentLookup,
  judgeConfirmLookup,
  judgeStatus,
  type LifecycleContext,
  type LookupAnswer,
  lookUpStep,
  nextReadAt,
  planStep,
  readStatuses,
  retryEvent,
  sampleFromStart,
  sampleSeenAt,
  startedEvent,
  toCopyResult,
} from '@snapcopy/orchestrator/runner';
import { appendEvents, type CopyResultJson, resultToJson, type StoredEvent, storeEvent } from './events.js';
import { type ItemJson, itemFromJson, itemToJson } from './item-codec.js';
import { type CopyPartition, partitionId } from './names.js';
import {
  armTracking,
  clearStrikes,
  partitionDurations,
  partitionPause,
  strikePartition,
  untrack,
} from './partition-store.js';
import { copierNamed, type EngineCopier, type EngineRuntime } from './runtime.js';

/** The topic of the tracker's messages to a copy's workflow. */
export const STATUS_TOPIC = 'snapcopy.status';

/** What a copy workflow is started with: where its request is in the journal, and its partition. */
export interface CopyWorkflowInput {
  readonly batchId: string;
  readonly index: number;
  readonly copier: string;
  /** What the request copies; absent in workflows enqueued before images were known: a snapshot. */
  readonly kind?: CopyKind;
  readonly partition: CopyPartition;
}

/** The kind of a workflow's copy. */
const kindOf = (input: CopyWorkflowInput): CopyKind => input.kind ?? 'snapshot';

/** What the tracker tells a waiting workflow: a status read that needs its judgment. */
export interface TrackerMessage {
  /** The tracking sequence number it answers (older ones are stale). */
  readonly seq: number;
  /** A status of the copy's kind (`snapshotId` or `imageId`). */
  readonly status: AnyCopyStatus;
  /** When it was read (engine clock). */
  readonly at: number;
}

/** What the workflow does next. Delays are on the engine's clock. */
export type NextStep =
  | { readonly kind: 'plan' | 'copy' | 'lookup'; readonly delayMs: number }
  | { readonly kind: 'track'; readonly fromStart: boolean; readonly delayMs: number }
  | { readonly kind: 'wait' }
  | { readonly kind: 'done'; readonly result: CopyResultJson };

/**
 * The state one step hands the next: the request's working state (JSON: DBOS records it
 * as the step's output, so a recovered workflow replays it), what comes next, and counters.
 */
export interface WorkflowState {
  readonly item: ItemJson;
  readonly next: NextStep;
  /** Steps taken: names the events a step writes, so a step that runs again writes none twice. */
  readonly turn: number;
  /** Rounds begun after the in-process runner would have stopped (see `reopenAfterMs`). */
  readonly rounds: number;
  /** The tracking sequence number armed last. */
  readonly seq: number;
}

/** One step's working set. */
interface Turn {
  readonly workflowId: string;
  readonly input: CopyWorkflowInput;
  readonly copier: EngineCopier;
  readonly lc: LifecycleContext;
  readonly partition: string;
  item: BatchItemState;
  rounds: number;
  seq: number;
  readonly turn: number;
  readonly events: StoredEvent[];
}

/**
 * The steps of a copy's workflow. Each runs one of the orchestrator's lifecycle steps (one
 * copier call with the journal facts it implies) and the orchestrator's pure decision on
 * its outcome, writes the events the in-process runner would emit, and returns the next
 * state. The workflow (`copy-workflow.ts`) only sleeps, waits for the tracker and
 * dispatches; every decision is taken here, inside a recorded step.
 */
export class CopySteps {
  readonly #rt: EngineRuntime;

  constructor(rt: EngineRuntime) {
    this.#rt = rt;
  }

  #open(workflowId: string, input: CopyWorkflowInput, state: WorkflowState): Turn {
    return this.#turn(workflowId, input, itemFromJson(state.item), state);
  }

  #turn(
    workflowId: string,
    input: CopyWorkflowInput,
    item: BatchItemState,
    counters: Pick<WorkflowState, 'rounds' | 'seq' | 'turn'>,
  ): Turn {
    const copier = copierNamed(this.#rt, input.copier, kindOf(input));
    return {
      workflowId,
      input,
      copier,
      lc: this.#lifecycle(input, copier),
      partition: partitionId(input.partition),
      item,
      rounds: counters.rounds,
      seq: counters.seq,
      turn: counters.turn,
      events: [],
    };
  }

  #lifecycle(input: CopyWorkflowInput, copier: EngineCopier): LifecycleContext {
    return {
      batchId: input.batchId,
      copier: copier.copier,
      journal: this.#rt.journal,
      clock: this.#rt.clock,
      ...(this.#rt.prices ? { prices: this.#rt.prices } : {}),
    };
  }

  #emit(t: Turn, event: BatchEvent): void {
    t.events.push(
      storeEvent(
        t.input.batchId,
        event,
        this.#rt.clock.now(),
        `${t.workflowId}/${t.turn}/${t.events.length}`,
      ),
    );
  }

  async #close(t: Turn, next: NextStep): Promise<WorkflowState> {
    await appendEvents(this.#rt.pool, t.events);
    return { item: itemToJson(t.item), next, turn: t.turn + 1, rounds: t.rounds, seq: t.seq };
  }

  #queueKey(t: Turn): QueueKey {
    const p = t.input.partition;
    return {
      copier: p.copier,
      kind: kindOf(t.input),
      provider: t.copier.copier.provider,
      account: p.account,
      region: p.region,
    };
  }

  #decide(item: BatchItemState, stage: 'plan' | 'copy' | 'lookup', error: SnapcopyError): AfterError {
    return decideAfterStepError(item, stage, error, this.#rt.settings.retry, this.#rt.random());
  }

  /**
   * Runs a call step (plan, copy or lookup) once its partition is not paused; while it is,
   * the step waits the pause out and comes back as the same step. `strikes`: the throttles
   * the partition counted, cleared by the call's success.
   */
  async #afterPause(
    kind: 'plan' | 'copy' | 'lookup',
    workflowId: string,
    input: CopyWorkflowInput,
    state: WorkflowState,
    call: (t: Turn, strikes: number) => Promise<WorkflowState>,
  ): Promise<WorkflowState> {
    const t = this.#open(workflowId, input, state);
    const { pausedForMs, strikes } = await this.#pause(t);
    if (pausedForMs > 0) return this.#close(t, { kind, delayMs: pausedForMs });
    return call(t, strikes);
  }

  /** The provider throttled: the partition pauses (shared by every worker); returns the pause. */
  async #throttled(t: Turn, error: SnapcopyError): Promise<number> {
    const delayMs = await strikePartition(
      this.#rt.pool,
      t.partition,
      this.#rt.clock.now(),
      this.#rt.settings.throttleBackoff,
      this.#rt.random,
    );
    this.#emit(t, { type: 'queue-throttled', queue: this.#queueKey(t), delayMs, error });
    return delayMs;
  }

  /** How long the partition is still paused; strikes are cleared by the caller's next success. */
  async #pause(t: Turn): Promise<{ pausedForMs: number; strikes: number }> {
    return partitionPause(this.#rt.pool, t.partition, this.#rt.clock.now());
  }

  async #succeeded(t: Turn, strikes: number): Promise<void> {
    if (strikes > 0) await clearStrikes(this.#rt.pool, t.partition);
  }

  /**
   * Carries out the decision after a failed plan, copy or lookup call: a throttle (or a hold
   * on quota) pauses the partition and the call waits it out; a retry sends the same call
   * again after its delay, a look-up (the copy may exist) looks its token up; otherwise the
   * request ends, kept open when the decision says so.
   */
  async #afterFailure(
    t: Turn,
    stage: 'plan' | 'copy' | 'lookup',
    error: SnapcopyError,
    attempt: number,
    decision: AfterError,
  ): Promise<WorkflowState> {
    switch (decision.action) {
      case 'throttle':
      case 'hold-quota':
        return this.#close(t, { kind: stage, delayMs: await this.#throttled(t, error) });
      case 'retry':
      case 'look-up': {
        const next = decision.action === 'retry' ? stage : 'lookup';
        this.#emit(t, retryEvent(t.item, next, error, attempt, decision.delayMs));
        return this.#close(t, { kind: next, delayMs: decision.delayMs });
      }
      case 'keep-open':
        return this.#keepOpen(t, error);
      default:
        return this.#finish(t, 'failed', error);
    }
  }

  /** Where a request goes from its journal state (as the in-process queue adds it). */
  #resumeAt(item: BatchItemState, delayMs: number): NextStep {
    if (item.destination && item.journalState === 'pending')
      return { kind: 'track', fromStart: false, delayMs };
    if (item.journalState === 'copying') return { kind: 'lookup', delayMs };
    if (item.plan) return { kind: 'copy', delayMs };
    return { kind: 'plan', delayMs };
  }

  /** The first step: the request as the journal has it. */
  async start(workflowId: string, input: CopyWorkflowInput): Promise<WorkflowState> {
    // The copier is resolved first: an unknown copier fails before the journal is read.
    copierNamed(this.#rt, input.copier, kindOf(input));
    const entry = await this.#rt.journal.getEntry(input.batchId, input.index);
    if (!entry) throw new Error(`journal: no entry ${input.batchId}#${input.index}`);
    const item = itemFromJournalEntry(entry, true, this.#rt.clock.now());
    const t = this.#turn(workflowId, input, item, { rounds: 0, seq: 0, turn: 0 });
    if (TERMINAL_JOURNAL_STATES.has(entry.state)) {
      // Already over (a resubmit raced a finished run): report it as journaled.
      item.phase = 'done';
      item.outcome = entry.state as 'completed' | 'failed' | 'cancelled';
      if (entry.error) item.error = errorFromJournal(entry.error);
      const result = (entry.result as CopyResultJson | undefined) ?? resultToJson(toCopyResult(item));
      return this.#close(t, { kind: 'done', result });
    }
    return this.#close(t, this.#resumeAt(item, 0));
  }

  plan(workflowId: string, input: CopyWorkflowInput, state: WorkflowState): Promise<WorkflowState> {
    return this.#afterPause('plan', workflowId, input, state, async (t, strikes) => {
      const item = t.item;
      const result = await planStep(t.lc, item);
      if (result.ok) {
        await this.#succeeded(t, strikes);
        this.#emit(t, { type: 'copy-planned', index: item.index, kind: item.kind, plan: result.value });
        return this.#close(t, { kind: 'copy', delayMs: 0 });
      }
      const error = result.error;
      // Planning never mutates: a request that cannot be planned ends here, untouched.
      return this.#afterFailure(t, 'plan', error, item.planAttempts, this.#decide(item, 'plan', error));
    });
  }

  copy(workflowId: string, input: CopyWorkflowInput, state: WorkflowState): Promise<WorkflowState> {
    return this.#afterPause('copy', workflowId, input, state, async (t, strikes) => {
      const item = t.item;
      const result = await copyStep(t.lc, item);
      const attempt = item.priorAttempts + item.attempts;
      if (result.ok) {
        await this.#succeeded(t, strikes);
        this.#emit(t, startedEvent(item, result.value, attempt));
        return this.#close(t, { kind: 'track', fromStart: !result.value.reused, delayMs: 0 });
      }
      const error = result.error;
      item.lastError = error;
      // Over the provider's own count (copies made outside this deployment, `hold-quota`): the
      // partition waits as on a throttle, holding the slots it has.
      return this.#afterFailure(t, 'copy', error, attempt, this.#decide(item, 'copy', error));
    });
  }

  lookup(workflowId: string, input: CopyWorkflowInput, state: WorkflowState): Promise<WorkflowState> {
    return this.#afterPause('lookup', workflowId, input, state, async (t, strikes) => {
      const item = t.item;
      item.lookupAttempts += 1;
      const result = await lookUpStep(t.lc, item);
      const now = this.#rt.clock.now();
      if (result.ok) {
        item.lookupAttempts = 0;
        await this.#succeeded(t, strikes);
        const handle = result.value;
        if (handle !== undefined) {
          await adoptStep(t.lc, item, handle);
          this.#emit(t, startedEvent(item, handle));
          return this.#close(t, { kind: 'track', fromStart: false, delayMs: 0 });
        }
        const decision = decideAfterEmptyLookup({
          sinceMayExistMs: now - (item.mayExistSince ?? Number.NEGATIVE_INFINITY),
          consistencyWindowMs: t.copier.consistencyWindowMs,
          nativeToken: t.copier.copier.capabilities.nativeIdempotencyToken,
          attemptsLeft: item.attempts < this.#rt.settings.retry.maxAttempts,
        });
        if (decision.action === 'wait') return this.#close(t, { kind: 'lookup', delayMs: decision.delayMs });
        if (decision.settled) delete item.mayExistSince;
        if (decision.action === 'keep-open') return this.#keepOpen(t, item.lastError);
        return this.#close(t, { kind: 'copy', delayMs: 0 });
      }
      const error = result.error;
      item.lastError = error;
      // A copy that may exist is never written off (keep-open): the journal keeps it `copying`.
      return this.#afterFailure(t, 'lookup', error, item.lookupAttempts, this.#decide(item, 'lookup', error));
    });
  }

  /** Hands the copy to the tracker. `fromStart`: this workflow's copy call made it (progress was 0 then). */
  async track(
    workflowId: string,
    input: CopyWorkflowInput,
    state: WorkflowState,
    fromStart: boolean,
  ): Promise<WorkflowState> {
    const t = this.#open(workflowId, input, state);
    const { poll } = this.#rt.settings;
    const item = t.item;
    const sizeGiB = copySizeGiB(item.plan);
    let readAt = this.#rt.clock.now();
    let sample: Parameters<typeof armTracking>[1]['sample'];
    if (fromStart) {
      const expectedMs = (await partitionDurations(this.#rt.pool, t.partition)).expectedMs(sizeGiB);
      sample = sampleFromStart(this.#rt.clock.now(), expectedMs);
      readAt = nextReadAt(sample, poll);
    }
    await this.#arm(t, readAt, sample, fromStart ? item.timings.copyStartedAt : undefined);
    return this.#close(t, { kind: 'wait' });
  }

  async #arm(
    t: Turn,
    readAt: number,
    sample?: Parameters<typeof armTracking>[1]['sample'],
    startedAt?: number,
  ): Promise<void> {
    const dest = t.item.destination!;
    t.seq = await armTracking(
      this.#rt.pool,
      {
        workflowId: t.workflowId,
        batchId: t.input.batchId,
        index: t.item.index,
        copier: t.input.copier,
        partition: t.partition,
        kind: t.item.kind,
        region: dest.region,
        copyId: copyIdOf(dest),
        ...(sample === undefined ? {} : { sample }),
        sizeGiB: copySizeGiB(t.item.plan),
        ...(startedAt === undefined ? {} : { startedAt }),
      },
      readAt,
      this.#rt.settings.poll.minMs,
    );
  }

  /**
   * Judges a status read: the tracker's message, or (`null`: nothing came for
   * `statusTimeoutMs`) the workflow's own read. The same judgments as the in-process queue.
   */
  async judge(
    workflowId: string,
    input: CopyWorkflowInput,
    state: WorkflowState,
    message: TrackerMessage | null,
  ): Promise<WorkflowState> {
    const t = this.#open(workflowId, input, state);
    const item = t.item;
    let status: AnyCopyStatus;
    let at: number;
    if (message === null) {
      const read = await readStatuses(t.lc, [item]);
      if (!read.ok) return this.#close(t, { kind: 'wait' });
      status = read.value[0]!;
      at = this.#rt.clock.now();
      this.#emit(t, { type: 'copy-progress', index: item.index, kind: item.kind, status });
    } else if (message.seq !== t.seq) {
      return this.#close(t, { kind: 'wait' });
    } else {
      status = message.status;
      at = message.at;
    }
    item.status = status;
    const verdict = judgeStatus(status, {
      nativeToken: t.copier.copier.capabilities.nativeIdempotencyToken,
      confirmed: !this.#rt.settings.confirmOnCompletion,
    });
    switch (verdict.verdict) {
      case 'running':
        delete item.absent;
        if (message !== null) await this.#arm(t, at);
        return this.#close(t, { kind: 'wait' });
      case 'follow':
        await this.#follow(t, verdict.to, at);
        return this.#close(t, { kind: 'wait' });
      case 'look-up':
        return this.#lookUpAbsent(t, at);
      case 'confirm':
        return this.#confirm(t, at);
      case 'finished': {
        const error =
          verdict.outcome === 'failed' ? copyFailedError(status, t.copier.copier.provider) : undefined;
        return this.#finish(t, verdict.outcome, error);
      }
    }
  }

  /** Looks the token of a tracked copy up; a throttle pauses the partition, any failure counts nothing. */
  async #lookUpTracked(t: Turn): Promise<LookupAnswer> {
    const result = await lookUpStep(t.lc, t.item);
    if (!result.ok && result.error.code === 'THROTTLED') await this.#throttled(t, result.error);
    return lookupAnswer(t.item, result);
  }

  /** The tracked copy was a duplicate: follow the one kept for the token, read it soon. */
  async #follow(t: Turn, to: string, at: number): Promise<void> {
    const from = await followStep(t.lc, t.item, to);
    this.#emit(t, {
      type: 'copy-replaced',
      index: t.item.index,
      kind: t.item.kind,
      from,
      to: t.item.destination!,
    });
    await this.#arm(t, at, sampleSeenAt(at, 0));
  }

  async #lookUpAbsent(t: Turn, at: number): Promise<WorkflowState> {
    const item = t.item;
    const verdict = judgeAbsentLookup({
      tracked: copyIdOf(item.destination!),
      answer: await this.#lookUpTracked(t),
      absent: item.absent,
      now: this.#rt.clock.now(),
      consistencyWindowMs: t.copier.consistencyWindowMs,
      absentConfirmations: this.#rt.settings.absentConfirmations,
    });
    if (verdict.verdict === 'running') {
      if (verdict.absent === undefined) delete item.absent;
      else item.absent = verdict.absent;
      await this.#arm(t, at);
      return this.#close(t, { kind: 'wait' });
    }
    if (verdict.verdict === 'follow') {
      await this.#follow(t, verdict.to, at);
      return this.#close(t, { kind: 'wait' });
    }
    return this.#finish(
      t,
      'failed',
      copyGoneError(item.destination!, item.absent?.count ?? 0, t.copier.copier.provider),
    );
  }

  async #confirm(t: Turn, at: number): Promise<WorkflowState> {
    const item = t.item;
    const answer = await this.#lookUpTracked(t);
    if ('error' in answer) item.confirmAttempts += 1;
    const verdict = judgeConfirmLookup({
      tracked: copyIdOf(item.destination!),
      answer,
      attempts: item.confirmAttempts,
      maxAttempts: this.#rt.settings.retry.maxAttempts,
    });
    if (verdict.verdict === 'follow') {
      await this.#follow(t, verdict.to, at);
      return this.#close(t, { kind: 'wait' });
    }
    if (verdict.verdict === 'completed') {
      if (verdict.rule === 'confirm-gave-up') {
        this.#rt.logger.warn('could not confirm the copy is the only one for its token', {
          index: item.index,
          kind: item.kind,
          id: item.destination && copyIdOf(item.destination),
        });
      }
      return this.#finish(t, 'completed');
    }
    await this.#arm(t, at);
    return this.#close(t, { kind: 'wait' });
  }

  /** The request ends: the journal's facts, the result, the event. */
  async #finish(
    t: Turn,
    outcome: 'completed' | 'failed' | 'cancelled' | 'resumable',
    error?: SnapcopyError,
  ): Promise<WorkflowState> {
    const item = t.item;
    item.outcome = outcome;
    item.phase = 'done';
    await finalizeStep(t.lc, item, outcome, error);
    await untrack(this.#rt.pool, t.workflowId);
    const result = resultToJson(toCopyResult(item));
    await this.#rt.journal.recordResult(t.input.batchId, item.index, result);
    this.#emit(t, { type: 'copy-finished', index: item.index, result: toCopyResult(item) });
    return this.#close(t, { kind: 'done', result });
  }

  /**
   * Where the in-process runner stops and leaves the request `resumable` (its retries ran
   * out), the journal is left exactly as that run leaves it, and after `reopenAfterMs` the
   * workflow goes on as a rerun would: from the journal, with fresh attempts. After
   * `maxRounds` such rounds it ends `resumable`; submitting the batch again continues it.
   */
  async #keepOpen(t: Turn, error: SnapcopyError | undefined): Promise<WorkflowState> {
    const { maxRounds, reopenAfterMs } = this.#rt.settings;
    if (t.rounds + 1 >= maxRounds) return this.#finish(t, 'resumable', error);
    const item = t.item;
    await finalizeStep(t.lc, item, 'resumable', error);
    const entry = await this.#rt.journal.getEntry(t.input.batchId, item.index);
    if (!entry) throw new Error(`journal: no entry ${t.input.batchId}#${item.index}`);
    const fresh = itemFromJournalEntry(entry, true, this.#rt.clock.now());
    t.item = {
      ...fresh,
      timings: { queuedAt: item.timings.queuedAt },
      duplicatesRemoved: item.duplicatesRemoved,
      replacedCopies: item.replacedCopies,
      ...(item.lastError ? { lastError: item.lastError } : {}),
    };
    t.rounds += 1;
    this.#rt.logger.info('a copy ran out of retries: it goes on after a pause, as a rerun would', {
      batchId: t.input.batchId,
      index: item.index,
      round: t.rounds,
      code: error?.code,
    });
    return this.#close(t, this.#resumeAt(t.item, reopenAfterMs));
  }
}
