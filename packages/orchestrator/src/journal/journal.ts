import type { AnyCopyPlan, AnyCopyRequestInput, CopyKind, CopyRef } from '../copy-kind.js';

/**
 * Where one copy of a batch stands, as the journal knows it.
 *
 * - `queued`: the request and its client token are recorded; nothing was sent yet.
 * - `planned`: the plan is recorded; still nothing mutating was sent.
 * - `copying`: a copy call was (or is about to be) sent with the recorded token, and its
 *   destination id is not known yet: the copy may exist. Its `updatedAt` is when the last
 *   call that may have been applied was sent or failed. On resume the token is looked up
 *   first; the copy is sent again (same token) only once a lookup past the provider's
 *   consistency window finds nothing.
 * - `pending`: the copy exists (its destination id is recorded) and is being tracked.
 * - `completed` / `failed` / `cancelled`: terminal.
 */
export type JournalCopyState =
  | 'queued'
  | 'planned'
  | 'copying'
  | 'pending'
  | 'completed'
  | 'failed'
  | 'cancelled';

/** Journal states after which nothing more happens to a copy. */
export const TERMINAL_JOURNAL_STATES: ReadonlySet<JournalCopyState> = new Set([
  'completed',
  'failed',
  'cancelled',
]);

/** A JSON-safe error as the journal keeps it (`SnapcopyError.toJSON()` or similar). */
export type JournalError = Readonly<Record<string, unknown>> & {
  readonly code: string;
  readonly message: string;
};

/** What a batch is, as recorded when it begins. */
export interface JournalBatch {
  readonly batchId: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Number of requests in the batch. */
  readonly size: number;
}

/** One request of a batch, recorded before anything is sent for it. */
export interface JournalRequestRecord {
  readonly index: number;
  /** Name of the copier (one provider + one set of credentials) that runs it. */
  readonly copier: string;
  /**
   * What it copies: a snapshot or an image. Journals written before images were known
   * hold snapshots only, and read back as `snapshot`.
   */
  readonly kind: CopyKind;
  /** The request as given, with its client token filled in (a snapshot or an image request, as `kind` says). */
  readonly request: AnyCopyRequestInput & { readonly clientToken: string };
  readonly clientToken: string;
}

/** Everything the journal knows about one copy. */
export interface JournalEntry extends JournalRequestRecord {
  readonly batchId: string;
  readonly state: JournalCopyState;
  /** The plan, of the entry's kind (`CopyPlan` or `ImageCopyPlan`). */
  readonly plan?: AnyCopyPlan;
  /** The copy, by its kind's own id: `{ region, snapshotId }` or `{ region, imageId }`. */
  readonly destination?: CopyRef;
  /** Copy calls sent so far (attempts). */
  readonly attempts: number;
  readonly error?: JournalError;
  /** Epoch ms of the last change. */
  readonly updatedAt: number;
}

/** Optional facts recorded with a state change. */
export interface JournalTransition {
  /**
   * Why the copy failed, or why the run left it open. Recorded with `copying` after a
   * call that may have been applied, it also refreshes `updatedAt` (the time the copy may
   * have been made).
   */
  readonly error?: JournalError;
  /** Set with `copying`: the attempt number of the call about to be sent. */
  readonly attempt?: number;
}

/** Who runs a batch: one run of an orchestrator, in one process on one host. */
export interface LeaseOwner {
  /** Unique per run (a random UUID). */
  readonly ownerId: string;
  readonly pid: number;
  readonly host: string;
}

/** The lease a journal keeps for a batch while a run holds it. */
export interface BatchLease extends LeaseOwner {
  readonly batchId: string;
  /** Epoch ms (the journal's clock) the holder took the lease. */
  readonly acquiredAt: number;
  /** Epoch ms of the holder's last renewal. */
  readonly heartbeatAt: number;
}

/**
 * A durable record of every copy a batch makes, so that a process killed at any moment
 * can resume without making a copy twice or forgetting one.
 *
 * The orchestrator writes, in this order: the batch and every request with its client
 * token ({@link CopyJournal.beginBatch}), the plan, `copying` before each copy call, the
 * destination id as soon as a copy call returns, and each state change after that.
 * Methods are asynchronous so that a store shared by many machines can implement them;
 * a call resolves only once the write is durable to the degree the store promises.
 */
export interface CopyJournal {
  /** Records a new batch and all its requests atomically. Fails if the batch id exists. */
  beginBatch(batch: JournalBatch, requests: readonly JournalRequestRecord[]): Promise<void>;
  /** The batch, or undefined when the journal has never seen it. */
  getBatch(batchId: string): Promise<JournalBatch | undefined>;
  /** Every entry of a batch, by index. */
  listEntries(batchId: string): Promise<JournalEntry[]>;
  /** Entries not in a terminal state, by batch then index; all batches unless one is named. */
  listUnfinished(batchId?: string): Promise<JournalEntry[]>;
  /** Records the plan made for a request (state becomes `planned` if it was `queued`). */
  recordPlan(batchId: string, index: number, plan: AnyCopyPlan): Promise<void>;
  /** Records the copy a request made (its snapshot or image, as the entry's kind); the state becomes `pending`. */
  recordDestination(batchId: string, index: number, destination: CopyRef): Promise<void>;
  /** Records a state change. */
  recordState(
    batchId: string,
    index: number,
    state: JournalCopyState,
    transition?: JournalTransition,
  ): Promise<void>;
  /**
   * Takes the lease of a batch for `owner` when nobody holds it, `owner` already does, or
   * its holder is gone (see `judgeLease`: same host and its process is dead, or no
   * heartbeat for `staleAfterMs`), in one atomic step. Resolves with the lease in force
   * afterwards: `owner`'s when taken, the holder's when not.
   */
  claimBatch(batchId: string, owner: LeaseOwner, staleAfterMs: number): Promise<BatchLease>;
  /** Renews `ownerId`'s heartbeat; false when it no longer holds the lease (it was taken over). */
  renewBatch(batchId: string, ownerId: string): Promise<boolean>;
  /** Gives the lease up, if `ownerId` holds it. */
  releaseBatch(batchId: string, ownerId: string): Promise<void>;
  /** Releases the store. */
  close(): Promise<void>;
}
