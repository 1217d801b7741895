import { BoundedMap } from './bounded-memory.js';

/** One copy snapcopy cancelled (deleted), as a ledger keeps it. */
export interface CancelRecord {
  readonly provider: string;
  readonly region: string;
  /** The copy's id (a snapshot id, an image id). */
  readonly id: string;
  /** ISO time of the cancel. */
  readonly cancelledAt: string;
  /** The copy's state when it was deleted. */
  readonly stateWhenCancelled: 'pending' | 'completed' | 'failed' | 'unknown';
  /** The client token it was made with, when known. */
  readonly clientToken?: string;
}

/**
 * Where a copier remembers the copies it cancelled, so that a status read later (in this
 * process or another) says `cancelled` rather than `failed` once the provider no longer
 * shows the copy: after a delete, neither cloud keeps anything that says who deleted it
 * (AWS keeps the `snapcopy:cancelled` tag only until it removes the copy; ECS removes it at
 * once). Share one ledger between processes to share that knowledge: the CLI keeps one in
 * a file; an orchestrator's journal can be one.
 *
 * Methods may be synchronous or return promises. A ledger that fails to record is logged,
 * never fatal: the delete already happened.
 */
export interface CancelLedger {
  record(entry: CancelRecord): void | Promise<void>;
  /** The record of a copy cancelled earlier, or `undefined`. */
  lookup(
    provider: string,
    region: string,
    id: string,
  ): CancelRecord | undefined | Promise<CancelRecord | undefined>;
}

/** The key of one copy in a ledger. */
export function cancelKey(provider: string, region: string, id: string): string {
  return `${provider}\u0000${region}\u0000${id}`;
}

/**
 * A ledger in memory, bounded (the oldest records are forgotten first): the default, which
 * knows only this process's cancels.
 */
export class MemoryCancelLedger implements CancelLedger {
  readonly #records = new BoundedMap<string, CancelRecord>();

  record(entry: CancelRecord): void {
    this.#records.set(cancelKey(entry.provider, entry.region, entry.id), { ...entry });
  }

  lookup(provider: string, region: string, id: string): CancelRecord | undefined {
    return this.#records.get(cancelKey(provider, region, id));
  }
}
