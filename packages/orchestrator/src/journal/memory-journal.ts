import { SnapcopyError } from '@snapcopy/core';
import { type AnyCopyPlan, type CopyRef, copyIdOf, copyRef, requestKind } from '../copy-kind.js';
import { LeasedJournal, MemoryLeases } from './batch-lease.js';
import {
  type CopyJournal,
  type JournalBatch,
  type JournalCopyState,
  type JournalEntry,
  type JournalRequestRecord,
  type JournalTransition,
  TERMINAL_JOURNAL_STATES,
} from './journal.js';

type MutableEntry = { -readonly [K in keyof JournalEntry]: JournalEntry[K] };

/** Deep copy through JSON, so a caller can never mutate what the journal holds. */
function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * A journal held in memory: the default when no durable store is given, and the
 * reference the SQLite journal is tested against. It does not survive the process.
 */
export class MemoryCopyJournal extends LeasedJournal implements CopyJournal {
  readonly #batches = new Map<string, JournalBatch>();
  readonly #entries = new Map<string, MutableEntry[]>();
  readonly #now: () => number;
  protected readonly leases: MemoryLeases;

  constructor(options: { now?: () => number } = {}) {
    super();
    this.#now = options.now ?? Date.now;
    this.leases = new MemoryLeases(this.#now);
  }

  async beginBatch(batch: JournalBatch, requests: readonly JournalRequestRecord[]): Promise<void> {
    if (this.#batches.has(batch.batchId)) {
      throw new SnapcopyError('INVALID_REQUEST', `journal: batch "${batch.batchId}" already exists`);
    }
    const at = this.#now();
    this.#batches.set(batch.batchId, { ...batch });
    this.#entries.set(
      batch.batchId,
      requests.map((r) => ({
        ...clone(r),
        // A record from a caller that predates kinds says it by its request alone.
        kind: r.kind ?? requestKind(r.request),
        batchId: batch.batchId,
        state: 'queued' as const,
        attempts: 0,
        updatedAt: at,
      })),
    );
  }

  async getBatch(batchId: string): Promise<JournalBatch | undefined> {
    const b = this.#batches.get(batchId);
    return b ? { ...b } : undefined;
  }

  async listEntries(batchId: string): Promise<JournalEntry[]> {
    return clone(this.#entries.get(batchId) ?? []);
  }

  async listUnfinished(batchId?: string): Promise<JournalEntry[]> {
    const ids = batchId === undefined ? [...this.#entries.keys()] : [batchId];
    const out: JournalEntry[] = [];
    for (const id of ids) {
      for (const e of this.#entries.get(id) ?? [])
        if (!TERMINAL_JOURNAL_STATES.has(e.state)) out.push(clone(e));
    }
    return out;
  }

  #entry(batchId: string, index: number): MutableEntry {
    const entries = this.#entries.get(batchId);
    // Entries are stored by index: a direct read, so that a batch of n writes stays O(n).
    const direct = entries?.[index];
    const e = direct?.index === index ? direct : entries?.find((x) => x.index === index);
    if (!e) throw new SnapcopyError('INVALID_REQUEST', `journal: no entry ${batchId}#${index}`);
    return e;
  }

  async recordPlan(batchId: string, index: number, plan: AnyCopyPlan): Promise<void> {
    const e = this.#entry(batchId, index);
    e.plan = clone(plan);
    if (e.state === 'queued') e.state = 'planned';
    e.updatedAt = this.#now();
  }

  async recordDestination(batchId: string, index: number, destination: CopyRef): Promise<void> {
    const e = this.#entry(batchId, index);
    e.destination = copyRef(e.kind, destination.region, copyIdOf(destination));
    e.state = 'pending';
    e.updatedAt = this.#now();
  }

  async recordState(
    batchId: string,
    index: number,
    state: JournalCopyState,
    transition: JournalTransition = {},
  ): Promise<void> {
    const e = this.#entry(batchId, index);
    e.state = state;
    if (transition.attempt !== undefined) e.attempts = transition.attempt;
    if (transition.error !== undefined) e.error = clone(transition.error);
    e.updatedAt = this.#now();
  }

  async close(): Promise<void> {}
}
