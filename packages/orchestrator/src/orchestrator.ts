import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '@snapcopy/core';
import type { CopyRequestInput, SnapshotCopier } from '@snapcopy/core';
import { invalidRequest, SnapcopyError } from '@snapcopy/core';
import type { CopyJournal, JournalEntry, JournalRequestRecord } from './journal/journal.js';
import { TERMINAL_JOURNAL_STATES } from './journal/journal.js';
import { MemoryCopyJournal } from './journal/memory-journal.js';
import { type Logger, redactingLogger, silentLogger } from '@snapcopy/core';
import type { RetryPolicy } from '@snapcopy/core';
import {
  asSnapcopyError,
  type BatchItemState,
  errorFromJournal,
  errorToJournal,
  toCopyResult,
} from './batch-item.js';
import { batchClientToken } from './client-token.js';
import { type BatchContext, CopyQueue } from './copy-queue.js';
import type {
  BatchCallStats,
  BatchCounts,
  BatchEvent,
  BatchItem,
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
  unknownConcurrencyLimit: 5,
});

interface Prepared {
  readonly record: JournalRequestRecord;
  readonly error?: SnapcopyError;
}

function isBatchItem(input: BatchItemInput): input is BatchItem {
  return typeof input === 'object' && input !== null && 'request' in input;
}

function jsonSafe<T>(value: T): T | undefined {
  try {
    return JSON.parse(JSON.stringify(value)) as T;
  } catch {
    return undefined;
  }
}

/**
 * Runs many snapshot copies over one or more copiers at the providers' limits, tracks
 * them with batched status calls, retries without duplicates and resumes from its
 * journal after a crash. See `docs/orchestrator.md`.
 */
export class CopyOrchestrator {
  readonly #copiers: ReadonlyMap<string, Required<Pick<CopierEntry, 'copier'>> & CopierEntry>;
  readonly #journal: CopyJournal;
  readonly #clock: Clock;
  readonly #options: OrchestratorOptions;
  readonly #logger: Logger;

  constructor(options: OrchestratorOptions) {
    const copiers = new Map<string, CopierEntry>();
    for (const [name, value] of Object.entries(options.copiers)) {
      const entry: CopierEntry = 'copier' in value ? value : { copier: value as SnapshotCopier };
      copiers.set(name, entry);
    }
    if (copiers.size === 0) throw new TypeError('CopyOrchestrator: at least one copier is needed');
    this.#copiers = copiers;
    this.#clock = options.clock ?? systemClock;
    this.#journal = options.journal ?? new MemoryCopyJournal({ now: () => this.#clock.now() });
    this.#options = options;
    this.#logger = redactingLogger(options.logger ?? silentLogger);
  }

  /** The journal this orchestrator records to. */
  get journal(): CopyJournal {
    return this.#journal;
  }

  /** The concurrency limit per destination region that copier `name` is held to. */
  concurrencyLimit(name: string): number {
    const entry = this.#copiers.get(name);
    if (!entry) throw invalidRequest([{ path: 'copier', message: `unknown copier "${name}"` }]);
    const declared = entry.copier.capabilities.maxConcurrentCopiesPerRegion;
    return Math.max(
      1,
      entry.maxConcurrentCopiesPerRegion ??
        (declared > 0
          ? declared
          : (this.#options.unknownConcurrencyLimit ?? ORCHESTRATOR_DEFAULTS.unknownConcurrencyLimit)),
    );
  }

  /**
   * Runs a batch. Each request is validated, planned, copied and tracked to a terminal
   * state; a request that fails validation or planning fails alone, without any
   * mutating call. With the id of a batch the journal already holds, the batch resumes
   * (the requests must be the same).
   */
  async run(items: readonly BatchItemInput[], options: RunOptions = {}): Promise<BatchResult> {
    const batchId = options.batchId ?? randomUUID();
    const prepared = this.#prepareAll(items, batchId);
    const existing = await this.#journal.getBatch(batchId);
    if (existing) {
      const entries = await this.#journal.listEntries(batchId);
      this.#checkSameBatch(batchId, entries, prepared);
      return this.#execute(batchId, entries, new Map(), true, options);
    }
    await this.#journal.beginBatch(
      { batchId, createdAt: this.#clock.now(), size: prepared.length },
      prepared.map((p) => p.record),
    );
    const errors = new Map<number, SnapcopyError>();
    for (const p of prepared) {
      if (!p.error) continue;
      errors.set(p.record.index, p.error);
      await this.#journal.recordState(batchId, p.record.index, 'failed', { error: errorToJournal(p.error) });
    }
    const entries = await this.#journal.listEntries(batchId);
    return this.#execute(batchId, entries, errors, false, options);
  }

  /** Continues a batch from the journal alone (e.g. after a crash). */
  async resume(batchId: string, options: Omit<RunOptions, 'batchId'> = {}): Promise<BatchResult> {
    const existing = await this.#journal.getBatch(batchId);
    if (!existing) {
      throw new SnapcopyError('NOT_FOUND', `journal has no batch "${batchId}"`);
    }
    const entries = await this.#journal.listEntries(batchId);
    return this.#execute(batchId, entries, new Map(), true, { ...options, batchId });
  }

  #prepareAll(items: readonly BatchItemInput[], batchId: string): Prepared[] {
    if (!Array.isArray(items)) throw invalidRequest([{ path: 'items', message: 'must be an array' }]);
    const prepared = items.map((input, index) => this.#prepare(input, index, batchId));
    const seen = new Map<string, number>();
    return prepared.map((p) => {
      if (p.error) return p;
      const key = `${p.record.copier}\u0000${p.record.clientToken}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, p.record.index);
        return p;
      }
      return {
        record: p.record,
        error: invalidRequest([
          { path: 'clientToken', message: `the same token is used by request ${first} of this batch` },
        ]),
      };
    });
  }

  #prepare(input: BatchItemInput, index: number, batchId: string): Prepared {
    const names = [...this.#copiers.keys()];
    const named = isBatchItem(input) ? input.copier : undefined;
    const copierName = named ?? (names.length === 1 ? names[0]! : '');
    const raw: unknown = isBatchItem(input) ? input.request : input;
    const given =
      typeof raw === 'object' && raw !== null ? (raw as { clientToken?: unknown }).clientToken : undefined;
    const clientToken = typeof given === 'string' ? given : batchClientToken(batchId, index);
    const request = (jsonSafe(
      typeof raw === 'object' && raw !== null ? { ...raw, clientToken } : undefined,
    ) ?? {
      clientToken,
    }) as JournalRequestRecord['request'];
    const record: JournalRequestRecord = { index, copier: copierName, request, clientToken };
    const entry = this.#copiers.get(copierName);
    if (!entry) {
      const message = copierName
        ? `unknown copier "${copierName}" (known: ${names.join(', ')})`
        : `name the copier: one of ${names.join(', ')}`;
      return { record, error: invalidRequest([{ path: 'copier', message }]) };
    }
    if (given !== undefined && typeof given !== 'string') {
      // Swapping in the batch token would hide the caller's mistake and their dedupe key.
      return { record, error: invalidRequest([{ path: 'clientToken', message: 'must be a string' }]) };
    }
    try {
      // The copier's own validation: schema, capability pre-check and its provider's field rules.
      entry.copier.validate(
        (typeof raw === 'object' && raw !== null ? { ...raw, clientToken } : raw) as CopyRequestInput,
      );
      return { record };
    } catch (err) {
      return { record, error: asSnapcopyError(err) };
    }
  }

  #checkSameBatch(batchId: string, entries: readonly JournalEntry[], prepared: readonly Prepared[]): void {
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
      provider: copier.copier.provider,
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
  ): Promise<BatchResult> {
    for (const e of entries) {
      if (!TERMINAL_JOURNAL_STATES.has(e.state) && !this.#copiers.has(e.copier)) {
        throw invalidRequest([
          {
            path: 'copier',
            message: `batch "${batchId}" needs copier "${e.copier}", which is not configured`,
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
    };
    const items: BatchItemState[] = entries.map((e) => ({
      index: e.index,
      copier: e.copier,
      request: e.request,
      clientToken: e.clientToken,
      resumed: resumed && (e.state === 'copying' || e.state === 'pending'),
      phase: 'queued',
      journalState: e.state,
      ...(e.plan ? { plan: e.plan } : {}),
      ...(e.destination ? { destination: e.destination } : {}),
      attempts: 0,
      priorAttempts: e.attempts,
      planAttempts: 0,
      notBefore: 0,
      timings: { queuedAt: startedAt },
    }));

    const onEvent = options.onEvent;
    const emit = (event: BatchEvent) => {
      if (!onEvent) return;
      try {
        onEvent(event);
      } catch (err) {
        this.#logger.warn('onEvent threw; ignored', { error: (err as Error)?.message ?? String(err) });
      }
    };
    const counts = (): BatchCounts => {
      const c = { queued: 0, copying: 0, running: 0, completed: 0, failed: 0, cancelled: 0, notFinished: 0 };
      for (const i of items) {
        if (i.phase !== 'done') c[i.phase] += 1;
        else if (i.outcome === 'completed' || i.outcome === 'failed' || i.outcome === 'cancelled')
          c[i.outcome] += 1;
        else c.notFinished += 1;
      }
      return { total: items.length, ...c };
    };
    const percent = () =>
      items.length === 0
        ? 100
        : items.reduce((sum, i) => sum + (i.phase === 'done' ? 100 : (i.status?.progress ?? 0)), 0) /
          items.length;
    const progress = () => emit({ type: 'batch-progress', batchId, counts: counts(), percent: percent() });

    const ctx: BatchContext = {
      batchId,
      clock: this.#clock,
      journal: this.#journal,
      signal: options.signal,
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
      prices: this.#options.prices,
      random: this.#options.random ?? Math.random,
      logger: this.#logger,
      calls,
      emit,
      finished: (item) => {
        emit({ type: 'copy-finished', index: item.index, result: toCopyResult(item) });
        progress();
      },
    };

    const queues = new Map<string, CopyQueue>();
    for (const [k, item] of items.entries()) {
      const entry = entries[k]!;
      if (TERMINAL_JOURNAL_STATES.has(item.journalState)) {
        item.phase = 'done';
        item.outcome = item.journalState as 'completed' | 'failed' | 'cancelled';
        const err = errors.get(item.index) ?? (entry.error ? errorFromJournal(entry.error) : undefined);
        if (err) item.error = err;
        continue;
      }
      const key = this.#queueKey(entry);
      const id = `${key.copier}\u0000${key.account}\u0000${key.region}`;
      let queue = queues.get(id);
      if (!queue) {
        const limit = this.concurrencyLimit(key.copier);
        queue = new CopyQueue(
          {
            key,
            copier: this.#copiers.get(key.copier)!.copier,
            limit,
            planAhead: this.#options.planAhead ?? limit,
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
    options.signal?.addEventListener('abort', wakeAll, { once: true });
    progress();
    try {
      await Promise.all([...queues.values()].map((q) => q.run()));
    } finally {
      options.signal?.removeEventListener('abort', wakeAll);
    }

    const result: BatchResult = {
      batchId,
      results: items.map(toCopyResult),
      counts: counts(),
      calls: { ...calls } satisfies BatchCallStats,
      startedAt,
      finishedAt: this.#clock.now(),
      aborted: options.signal?.aborted === true,
      resumed,
    };
    emit({ type: 'batch-finished', result });
    return result;
  }
}
