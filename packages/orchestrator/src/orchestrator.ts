import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import {
  type Clock,
  type Logger,
  type RetryPolicy,
  redactingLogger,
  SnapcopyError,
  silentLogger,
  systemClock,
} from '@snapcopy/core';
import { invalidRequest } from '@snapcopy/core/driver';
import { errorFromJournal, errorToJournal, itemFromJournalEntry, toCopyResult } from './batch-item.js';
import { type PreparedRequest, prepareBatch } from './batch-prepare.js';
import {
  type CopiersByKind,
  copierEntryOf,
  entryConcurrencyLimit,
  entryProvider,
  kindCopiersOf,
} from './copier-entry.js';
import { type CopyKind, type BatchCopier, kindNoun } from './copy-kind.js';
import { type BatchContext, CopyQueue } from './copy-queue.js';
import { batchHeldError } from './journal/batch-lease.js';
import type { CopyJournal, JournalEntry, LeaseOwner } from './journal/journal.js';
import { TERMINAL_JOURNAL_STATES } from './journal/journal.js';
import { MemoryCopyJournal } from './journal/memory-journal.js';
import { BatchProgress } from './progress.js';
import type {
  BatchCallStats,
  BatchEvent,
  BatchItemInput,
  BatchResult,
  CopierEntry,
  OrchestratorOptions,
  QueueKey,
  RunOptions,
} from './types.js';

/** Defaults of {@link OrchestratorOptions}. */
export const ORCHESTRATOR_DEFAULTS = Object.freeze({
  poll: Object.freeze({ minIntervalMs: 5_000, maxIntervalMs: 300_000 }),
  throttleBackoff: Object.freeze({ baseDelayMs: 1_000, maxDelayMs: 60_000 }),
  retry: Object.freeze({ maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 60_000 }) as RetryPolicy,
  maxStatusFailures: 20,
  absentConfirmations: 3,
  unknownConcurrencyLimit: 5,
  lease: Object.freeze({ waitMs: 0, staleAfterMs: 120_000 }),
});

/** A run's hold on its batch, renewed while the run is alive, until released. */
interface HeldLease {
  /** Aborts when the lease was taken over by another process (this run must stop). */
  readonly lost: AbortSignal;
  /** Renews the lease if a heartbeat is due (called as the run makes progress). */
  touch(): void;
  release(): Promise<void>;
}

/**
 * Runs many snapshot and image copies over one or more copiers at the providers' limits,
 * tracks them with batched status calls, retries without duplicates and resumes from its
 * journal after a crash. See `docs/orchestrator.md`.
 */
export class CopyOrchestrator {
  readonly #copiers: ReadonlyMap<string, CopierEntry>;
  readonly #kinds: ReadonlyMap<string, CopiersByKind>;
  readonly #journal: CopyJournal;
  readonly #clock: Clock;
  readonly #options: OrchestratorOptions;
  readonly #logger: Logger;

  constructor(options: OrchestratorOptions) {
    const copiers = new Map<string, CopierEntry>();
    for (const [name, value] of Object.entries(options.copiers)) {
      try {
        copiers.set(name, copierEntryOf(value));
      } catch (err) {
        throw new TypeError(`CopyOrchestrator: copier "${name}": ${(err as Error).message}`);
      }
    }
    if (copiers.size === 0) throw new TypeError('CopyOrchestrator: at least one copier is needed');
    this.#copiers = copiers;
    this.#kinds = new Map([...copiers].map(([name, entry]) => [name, kindCopiersOf(entry)]));
    this.#clock = options.clock ?? systemClock;
    this.#journal = options.journal ?? new MemoryCopyJournal({ now: () => this.#clock.now() });
    this.#options = options;
    this.#logger = redactingLogger(options.logger ?? silentLogger);
  }

  /** The journal this orchestrator records to. */
  get journal(): CopyJournal {
    return this.#journal;
  }

  /**
   * Plans made ahead of free copy slots: the queue's limit, or, when the copier plans in
   * batches (`planMany`), as many as one describe call takes, so that plans share reads.
   */
  #defaultPlanAhead(copier: BatchCopier, limit: number): number {
    return copier.planMany === undefined ? limit : Math.max(limit, copier.capabilities.maxIdsPerStatusCall);
  }

  /** The entry named `name` and its copier of `kind`, or `INVALID_REQUEST` saying which is missing. */
  #copierOf(name: string, kind: CopyKind): { entry: CopierEntry; copier: BatchCopier } {
    const entry = this.#copiers.get(name);
    if (!entry) throw invalidRequest([{ path: 'copier', message: `unknown copier "${name}"` }]);
    const copier = this.#kinds.get(name)![kind];
    if (!copier) {
      throw invalidRequest([{ path: 'copier', message: `copier "${name}" has no ${kindNoun(kind)} copier` }]);
    }
    return { entry, copier };
  }

  /**
   * How long a copy of copier `name` that may exist is looked for before it is sent again
   * (ms): the entry's override, the orchestrator's, else the manifest of `kind`.
   */
  consistencyWindow(name: string, kind: CopyKind = 'snapshot'): number {
    const { entry, copier } = this.#copierOf(name, kind);
    return (
      entry.consistencyWindowMs ??
      this.#options.consistencyWindowMs ??
      copier.capabilities.consistencyWindowMs
    );
  }

  /**
   * The concurrency limit per destination region that copier `name`'s copies of `kind` are
   * held to (snapshot and image copies are limited apart).
   */
  concurrencyLimit(name: string, kind: CopyKind = 'snapshot'): number {
    this.#copierOf(name, kind);
    return entryConcurrencyLimit(
      this.#copiers.get(name)!,
      this.#kinds.get(name)!,
      kind,
      this.#options.unknownConcurrencyLimit ?? ORCHESTRATOR_DEFAULTS.unknownConcurrencyLimit,
    );
  }

  /** The kinds copier `name` runs (`snapshot`, `image`). */
  kindsOf(name: string): CopyKind[] {
    return Object.keys(this.#kinds.get(name) ?? {}) as CopyKind[];
  }

  /**
   * Runs a batch. Each request is validated, planned, copied and tracked to a terminal
   * state; a request that fails validation or planning fails alone, without any
   * mutating call. With the id of a batch the journal already holds, the batch resumes
   * (the requests must be the same). While it runs, the batch is leased in the journal:
   * another run of the same batch on the same journal waits (`lease.waitMs`) or stops.
   */
  async run(items: readonly BatchItemInput[], options: RunOptions = {}): Promise<BatchResult> {
    const batchId = options.batchId ?? randomUUID();
    const prepared = prepareBatch(items, batchId, this.#kinds);
    const lease = await this.#hold(batchId, options.signal);
    try {
      const existing = await this.#journal.getBatch(batchId);
      if (existing) {
        const entries = await this.#journal.listEntries(batchId);
        this.#checkSameBatch(batchId, entries, prepared);
        return await this.#execute(batchId, entries, new Map(), true, options, lease);
      }
      await this.#journal.beginBatch(
        { batchId, createdAt: this.#clock.now(), size: prepared.length },
        prepared.map((p) => p.record),
      );
      const errors = new Map<number, SnapcopyError>();
      for (const p of prepared) {
        if (!p.error) continue;
        errors.set(p.record.index, p.error);
        await this.#journal.recordState(batchId, p.record.index, 'failed', {
          error: errorToJournal(p.error),
        });
      }
      const entries = await this.#journal.listEntries(batchId);
      return await this.#execute(batchId, entries, errors, false, options, lease);
    } finally {
      await lease.release();
    }
  }

  /** Continues a batch from the journal alone (e.g. after a crash). */
  async resume(batchId: string, options: Omit<RunOptions, 'batchId'> = {}): Promise<BatchResult> {
    const existing = await this.#journal.getBatch(batchId);
    if (!existing) {
      throw new SnapcopyError('NOT_FOUND', `journal has no batch "${batchId}"`);
    }
    const lease = await this.#hold(batchId, options.signal);
    try {
      const entries = await this.#journal.listEntries(batchId);
      return await this.#execute(batchId, entries, new Map(), true, { ...options, batchId }, lease);
    } finally {
      await lease.release();
    }
  }

  /**
   * Takes the batch's lease in the journal, waiting up to `lease.waitMs` for a live
   * holder, and renews it until released. Stops with `INVALID_REQUEST` naming the holder.
   */
  async #hold(batchId: string, signal: AbortSignal | undefined): Promise<HeldLease> {
    const settings = { ...ORCHESTRATOR_DEFAULTS.lease, ...this.#options.lease };
    const staleAfterMs = Math.max(1, settings.staleAfterMs);
    const heartbeatMs = Math.max(1, settings.heartbeatMs ?? Math.floor(staleAfterMs / 4));
    const owner: LeaseOwner = { ownerId: randomUUID(), pid: process.pid, host: hostname() };
    const startedAt = this.#clock.now();
    for (;;) {
      const lease = await this.#journal.claimBatch(batchId, owner, staleAfterMs);
      if (lease.ownerId === owner.ownerId) break;
      const waited = this.#clock.now() - startedAt;
      if (waited >= settings.waitMs || signal?.aborted) throw batchHeldError(lease, waited);
      await this.#clock
        .sleep(Math.min(1_000, heartbeatMs, settings.waitMs - waited), signal)
        .catch(() => undefined);
    }
    // Renewed from the scheduling loops as the run makes progress (so a virtual clock
    // sees heartbeats in its own time), and by a wall-clock timer while they all sleep.
    // Not a sleep on the run's clock: a timer that re-arms itself would drive a virtual
    // clock forward while provider calls are in flight.
    const lost = new AbortController();
    let lastRenewal = this.#clock.now();
    let renewing: Promise<void> | undefined;
    const touch = () => {
      if (renewing || lost.signal.aborted || this.#clock.now() - lastRenewal < heartbeatMs) return;
      lastRenewal = this.#clock.now();
      renewing = this.#journal
        .renewBatch(batchId, owner.ownerId)
        .then(
          (held) => {
            if (held) return;
            this.#logger.warn(
              { batchId },
              'the batch lease was taken over by another process; stopping this run',
            );
            lost.abort(new SnapcopyError('CANCELLED', `batch ${batchId} was taken over by another process`));
          },
          (err: unknown) =>
            this.#logger.warn({ batchId, error: String(err) }, 'could not renew the batch lease'),
        )
        .finally(() => {
          renewing = undefined;
        });
    };
    const timer = setInterval(touch, heartbeatMs);
    timer.unref();
    return {
      lost: lost.signal,
      touch,
      release: async () => {
        clearInterval(timer);
        await renewing;
        await this.#journal.releaseBatch(batchId, owner.ownerId);
      },
    };
  }

  #checkSameBatch(
    batchId: string,
    entries: readonly JournalEntry[],
    prepared: readonly PreparedRequest[],
  ): void {
    const same =
      entries.length === prepared.length &&
      entries.every(
        (e, i) =>
          e.copier === prepared[i]!.record.copier &&
          JSON.stringify(e.request) === JSON.stringify(prepared[i]!.record.request),
      );
    if (!same) {
      throw invalidRequest([
        {
          path: 'batchId',
          message: `batch "${batchId}" is in the journal with other requests; resume it with the same requests or resume(batchId)`,
        },
      ]);
    }
  }

  #queueKey(entry: JournalEntry): QueueKey {
    const copier = this.#copiers.get(entry.copier)!;
    const destination = (entry.request as { destination?: { region?: string; account?: string } })
      .destination;
    return {
      copier: entry.copier,
      kind: entry.kind ?? 'snapshot',
      provider: entryProvider(copier),
      account: destination?.account ?? copier.account ?? `copier:${entry.copier}`,
      region: destination?.region ?? '',
    };
  }

  async #execute(
    batchId: string,
    entries: readonly JournalEntry[],
    errors: ReadonlyMap<number, SnapcopyError>,
    resumed: boolean,
    options: RunOptions,
    lease: HeldLease,
  ): Promise<BatchResult> {
    for (const e of entries) {
      if (TERMINAL_JOURNAL_STATES.has(e.state)) continue;
      const kind = e.kind ?? 'snapshot';
      if (!this.#copiers.has(e.copier) || !this.#kinds.get(e.copier)![kind]) {
        throw invalidRequest([
          {
            path: 'copier',
            message: this.#copiers.has(e.copier)
              ? `batch "${batchId}" has ${kindNoun(kind)} copies for copier "${e.copier}", which has no ${kindNoun(kind)} copier`
              : `batch "${batchId}" needs copier "${e.copier}", which is not configured`,
          },
        ]);
      }
    }
    const startedAt = this.#clock.now();
    const calls: BatchContext['calls'] = {
      plan: 0,
      copy: 0,
      status: 0,
      cancel: 0,
      throttled: 0,
      quotaExceeded: 0,
      lookup: 0,
    };
    const items = entries.map((e) => itemFromJournalEntry(e, resumed, startedAt));
    for (const [k, item] of items.entries()) {
      if (!TERMINAL_JOURNAL_STATES.has(item.journalState)) continue;
      item.phase = 'done';
      item.outcome = item.journalState as 'completed' | 'failed' | 'cancelled';
      const journaled = entries[k]!.error;
      const err = errors.get(item.index) ?? (journaled ? errorFromJournal(journaled) : undefined);
      if (err) item.error = err;
    }
    const progress = new BatchProgress(items);

    const onEvent = options.onEvent;
    const emit = (event: BatchEvent) => {
      if (!onEvent) return;
      try {
        onEvent(event);
      } catch (err) {
        this.#logger.warn({ error: (err as Error)?.message ?? String(err) }, 'onEvent threw; ignored');
      }
    };
    const reportProgress = () =>
      emit({ type: 'batch-progress', batchId, counts: progress.counts(), percent: progress.percent() });

    const signal = options.signal ? AbortSignal.any([options.signal, lease.lost]) : lease.lost;
    // Every provider call of the run listens to it: no leak warning past ten.
    setMaxListeners(0, signal);
    const ctx: BatchContext = {
      batchId,
      clock: this.#clock,
      journal: this.#journal,
      signal,
      cancelInFlightOnAbort: options.cancelInFlightOnAbort ?? false,
      poll: {
        minMs: this.#options.poll?.minIntervalMs ?? ORCHESTRATOR_DEFAULTS.poll.minIntervalMs,
        maxMs: Math.max(
          this.#options.poll?.minIntervalMs ?? ORCHESTRATOR_DEFAULTS.poll.minIntervalMs,
          this.#options.poll?.maxIntervalMs ?? ORCHESTRATOR_DEFAULTS.poll.maxIntervalMs,
        ),
      },
      throttleBackoff: this.#options.throttleBackoff ?? ORCHESTRATOR_DEFAULTS.throttleBackoff,
      retry: this.#options.retry ?? ORCHESTRATOR_DEFAULTS.retry,
      maxStatusFailures: this.#options.maxStatusFailures ?? ORCHESTRATOR_DEFAULTS.maxStatusFailures,
      absentConfirmations: Math.max(
        1,
        this.#options.absentConfirmations ?? ORCHESTRATOR_DEFAULTS.absentConfirmations,
      ),
      confirmOnCompletion: this.#options.confirmOnCompletion ?? true,
      prices: this.#options.prices,
      pricesByCopier: this.#options.pricesByCopier,
      random: this.#options.random ?? Math.random,
      logger: this.#logger,
      progress,
      calls,
      emit,
      keepAlive: lease.touch,
      finished: (item) => {
        emit({ type: 'copy-finished', index: item.index, result: toCopyResult(item) });
        reportProgress();
      },
    };

    const queues = new Map<string, CopyQueue>();
    for (const [k, item] of items.entries()) {
      if (item.phase === 'done') continue;
      const key = this.#queueKey(entries[k]!);
      const id = `${key.copier}\u0000${key.kind}\u0000${key.account}\u0000${key.region}`;
      let queue = queues.get(id);
      if (!queue) {
        const limit = this.concurrencyLimit(key.copier, key.kind);
        const copier = this.#kinds.get(key.copier)![key.kind]!;
        queue = new CopyQueue(
          {
            key,
            copier,
            limit,
            planAhead: this.#options.planAhead ?? this.#defaultPlanAhead(copier, limit),
            consistencyWindowMs: this.consistencyWindow(key.copier, key.kind),
          },
          ctx,
        );
        queues.set(id, queue);
      }
      queue.add(item);
    }

    const wakeAll = () => {
      for (const q of queues.values()) q.wake();
    };
    signal?.addEventListener('abort', wakeAll, { once: true });
    reportProgress();
    try {
      await Promise.all([...queues.values()].map((q) => q.run()));
    } finally {
      signal?.removeEventListener('abort', wakeAll);
    }

    const result: BatchResult = {
      batchId,
      results: items.map(toCopyResult),
      counts: progress.counts(),
      calls: { ...calls } satisfies BatchCallStats,
      startedAt,
      finishedAt: this.#clock.now(),
      aborted: signal?.aborted === true,
      resumed,
    };
    emit({ type: 'batch-finished', result });
    return result;
  }
}
