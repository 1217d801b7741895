import type {
  CancelResult,
  Clock,
  CopyPlan,
  CopyStatus,
  ImageCancelResult,
  ImageCopier,
  ImageCopyPlan,
  ImageCopyStatus,
  ImageRef,
  Logger,
  PriceTable,
  RetryPolicy,
  SnapcopyError,
  SnapshotCopier,
  SnapshotRef,
} from '@snapcopy/core';
import type {
  AnyCopyHandle,
  AnyCopyPlan,
  AnyCopyRequestInput,
  AnyCopyStatus,
  CopyKind,
  CopyRef,
} from './copy-kind.js';
import type { CopyJournal } from './journal/journal.js';

/**
 * The copiers of one name (one provider, one set of credentials) with the facts the
 * scheduler needs: `copier` runs its snapshot requests, `imageCopier` its image requests
 * (give at least one). A request of a kind the entry has no copier for is refused before
 * any call.
 */
export interface CopierEntry {
  /** Runs the snapshot requests (`source.snapshotId`). */
  readonly copier?: SnapshotCopier;
  /**
   * Runs the image requests (`source.imageId`): the same provider, account and credentials
   * as `copier`. Image copies have queues of their own (the provider's image limit).
   */
  readonly imageCopier?: ImageCopier;
  /**
   * The account its credentials act as, when known. Only used to name queues; a copier
   * is one provider and one set of credentials, so by default its name stands for it.
   */
  readonly account?: string;
  /** Overrides the snapshot manifest's `maxConcurrentCopiesPerRegion` for this copier. */
  readonly maxConcurrentCopiesPerRegion?: number;
  /** Overrides the image manifest's `maxConcurrentCopiesPerRegion` for this copier. */
  readonly maxConcurrentImageCopiesPerRegion?: number;
  /**
   * Overrides both manifests' `consistencyWindowMs` for this copier: how long a copy whose
   * call may have been applied is looked for before it is sent again. Lower it only for an
   * endpoint that reads its own writes at once (a simulator, the sandbox).
   */
  readonly consistencyWindowMs?: number;
}

/** How often a queue polls the status of its running copies. */
export interface PollOptions {
  /** Shortest delay between two status calls of one queue, ms. Default 5 s. */
  readonly minIntervalMs?: number;
  /** Longest delay between two status calls of one queue, ms. Default 5 min. */
  readonly maxIntervalMs?: number;
}

/** Settings of a {@link CopyOrchestrator}. */
export interface OrchestratorOptions {
  /**
   * Copiers by name: a `SnapshotCopier`, or a {@link CopierEntry} (with an `imageCopier` for
   * image requests). Requests name the copier that runs them (not needed when there is one).
   */
  readonly copiers: Readonly<Record<string, SnapshotCopier | CopierEntry>>;
  /** Where every copy is recorded before anything is sent. Default: in memory (not durable). */
  readonly journal?: CopyJournal;
  /** Time source for polling, backoff and timings. Default: the system clock. */
  readonly clock?: Clock;
  readonly poll?: PollOptions;
  /**
   * Backoff shared by one queue when the provider throttles it (a `THROTTLED` error
   * pauses the whole queue): exponential with full jitter. Default base 1 s, cap 60 s.
   */
  readonly throttleBackoff?: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>;
  /**
   * Retries of one request's calls after an error that clears with time, always with the
   * same client token: `maxAttempts` bounds the plan calls, the copy calls (in this run)
   * and the lookups in a row of a copy that may exist, each. When they run out the request
   * ends `resumable`, never `failed`. Default 10 attempts, 1 s base, 60 s cap. Give the
   * copiers `retry: { maxAttempts: 1, … }` so that these (and the shared throttle backoff)
   * are the only retries.
   */
  readonly retry?: RetryPolicy;
  /**
   * Status calls of one queue that may fail in a row before the run stops tracking its
   * copies; they end `resumable` and stay `pending` in the journal. Default 20.
   */
  readonly maxStatusFailures?: number;
  /**
   * Well-formed "absent" answers in a row (each followed by a lookup of the token that
   * finds nothing), spanning at least the provider's consistency window, before a copy
   * that was seen is given up as gone (`failed`). Default 3.
   */
  readonly absentConfirmations?: number;
  /**
   * Providers without a native idempotency token (AWS): look the token up once more when
   * a copy completes, so that a duplicate another runner made and could not remove is
   * removed, and the request ends on the copy every runner keeps. Default true.
   */
  readonly confirmOnCompletion?: boolean;
  /** How a run holds its batch in the journal against other processes. */
  readonly lease?: LeaseOptions;
  /**
   * Overrides every copier's `capabilities.consistencyWindowMs` (a copier entry's own
   * override wins). Lower it only for endpoints that read their own writes at once.
   */
  readonly consistencyWindowMs?: number;
  /** Concurrency per region when a copier's capabilities say 0 (unknown). Default 5. */
  readonly unknownConcurrencyLimit?: number;
  /**
   * Plans made ahead of free copy slots, per queue. Default: the queue's concurrency limit,
   * or, for a copier that plans in batches (`planMany`), the ids one status call takes (if
   * more), so that the plans of a batch share their reads.
   */
  readonly planAhead?: number;
  /** Prices, to put money in each plan. */
  readonly prices?: PriceTable;
  /**
   * Prices by copier name, for a run over several providers' copiers (each cloud has its own
   * prices); a copier not named here uses `prices`.
   */
  readonly pricesByCopier?: Readonly<Record<string, PriceTable>>;
  /** Random source for jitter, [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  readonly logger?: Logger;
}

/** How a run holds its batch against other runs on the same journal. */
export interface LeaseOptions {
  /**
   * How long a run waits for a batch that another live process holds before it stops
   * with `INVALID_REQUEST` naming that process, ms. Default 0: stop at once.
   */
  readonly waitMs?: number;
  /**
   * A lease whose heartbeat is older than this is taken over, ms (a holder on the same
   * host whose process is gone is taken over at once). Default 120 s.
   */
  readonly staleAfterMs?: number;
  /**
   * How often a running batch renews its lease, ms: when its scheduling loops wake and
   * this long has passed on the orchestrator's clock, and on a wall-clock timer while they
   * sleep. Default a quarter of `staleAfterMs`.
   */
  readonly heartbeatMs?: number;
}

/** One request of a batch, with the copier that runs it. */
export interface BatchItem {
  /** Copier name (a key of `OrchestratorOptions.copiers`). Optional when there is only one. */
  readonly copier?: string;
  /** A snapshot copy request (`source.snapshotId`) or an image copy request (`source.imageId`). */
  readonly request: AnyCopyRequestInput;
}

/** What `run` accepts per request: a bare request (one copier) or a {@link BatchItem}. */
export type BatchItemInput = AnyCopyRequestInput | BatchItem;

/** Options of one run. */
export interface RunOptions {
  /**
   * Names the batch. Client tokens are derived from it (`<batchId>.<index>`, hashed when
   * long) unless a request brings its own. Running again with the id of a batch the
   * journal holds resumes it. Default: a random UUID.
   */
  readonly batchId?: string;
  /** Stops the batch: nothing new is sent; running copies are left alone unless `cancelInFlightOnAbort`. */
  readonly signal?: AbortSignal;
  /** On abort, cancel (delete) copies already started. Default false. */
  readonly cancelInFlightOnAbort?: boolean;
  /** Receives every event, synchronously. An exception it throws is logged and ignored. */
  readonly onEvent?: (event: BatchEvent) => void;
}

/**
 * How one request ended in this run. `pending`: started, then left running because the
 * batch was aborted; `not-started`: the batch was aborted before its copy was sent;
 * `resumable`: not finished, and not written off: its errors cleared too slowly (retries
 * ran out on throttling, 5xx or quota), its copy may exist but could not be confirmed yet
 * (lookups failing, or within the provider's consistency window), or its status could
 * not be read. The journal keeps it open; running the batch again continues it.
 */
export type CopyOutcome = 'completed' | 'failed' | 'cancelled' | 'pending' | 'not-started' | 'resumable';

/** Epoch-ms timings of one request (from the orchestrator's clock). */
export interface CopyTimings {
  readonly queuedAt: number;
  readonly plannedAt?: number;
  /** When the first copy call was sent. */
  readonly copyRequestedAt?: number;
  /** When a copy call returned the destination id. */
  readonly copyStartedAt?: number;
  readonly finishedAt?: number;
}

/** What every result has, whatever its kind. */
interface CopyResultCommon {
  readonly index: number;
  readonly copier: string;
  readonly clientToken: string;
  readonly outcome: CopyOutcome;
  /** Why it failed / was not finished. */
  readonly error?: SnapcopyError;
  /** Copy calls sent for it in this run (0 when it was already running). */
  readonly attempts: number;
  /** True when an earlier run of the batch had already sent its copy (found in the journal). */
  readonly resumed: boolean;
  /**
   * Copies for the same client token (another runner's, or an earlier attempt's) that this
   * run deleted so that exactly one remains: the one every runner keeps.
   */
  readonly duplicatesRemoved?: readonly string[];
  /** Copies this request tracked before it followed the one kept for its token (in order). */
  readonly replacedCopies?: readonly string[];
  readonly timings: CopyTimings;
}

/** The result of one snapshot request. */
export interface SnapshotCopyResult extends CopyResultCommon {
  readonly kind: 'snapshot';
  readonly plan?: CopyPlan;
  readonly destination?: SnapshotRef;
  /** The last status read. */
  readonly status?: CopyStatus;
  /** What `cancel` said, when the batch cancelled it. */
  readonly cancel?: CancelResult;
}

/** The result of one image request: its copy is named by `imageId`. */
export interface ImageCopyResult extends CopyResultCommon {
  readonly kind: 'image';
  readonly plan?: ImageCopyPlan;
  readonly destination?: ImageRef;
  /** The last status read. */
  readonly status?: ImageCopyStatus;
  /** What `cancel` said, when the batch cancelled it. */
  readonly cancel?: ImageCancelResult;
}

/** The result of one request: `kind` says which, and the ids are that kind's own. */
export type CopyResult = SnapshotCopyResult | ImageCopyResult;

/** Requests per stage. */
export interface BatchCounts {
  readonly total: number;
  readonly queued: number;
  readonly copying: number;
  readonly running: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  /** `pending`, `not-started` and `resumable`: open in the journal. */
  readonly notFinished: number;
}

/** Calls the orchestrator made to its copiers (each may be several provider calls). */
export interface BatchCallStats {
  readonly plan: number;
  readonly copy: number;
  /** Batched status calls: one per queue per poll round. */
  readonly status: number;
  readonly cancel: number;
  /** Client-token lookups outside copy calls: batched ones after planning, and single ones settling a copy that may exist. */
  readonly lookup: number;
  /** Times a queue was paused because the provider throttled it. */
  readonly throttled: number;
  /** Times a copy call hit the provider's concurrency limit. */
  readonly quotaExceeded: number;
}

/** The result of a batch. */
export interface BatchResult {
  readonly batchId: string;
  /** One per request, by index. */
  readonly results: readonly CopyResult[];
  readonly counts: BatchCounts;
  readonly calls: BatchCallStats;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly aborted: boolean;
  /** True when the batch was found in the journal and continued. */
  readonly resumed: boolean;
}

/** Identifies one queue: a copier's copies of one kind into one destination region (and account). */
export interface QueueKey {
  readonly copier: string;
  /** Snapshot and image copies queue apart: the providers limit them apart. */
  readonly kind: CopyKind;
  readonly provider: string;
  readonly account: string;
  readonly region: string;
}

/**
 * Everything a batch reports while it runs. The events of one copy say its `kind`; their
 * plans, handles, statuses and refs are that kind's (`snapshotId` or `imageId`).
 */
export type BatchEvent =
  | {
      readonly type: 'copy-planned';
      readonly index: number;
      readonly kind: CopyKind;
      readonly plan: AnyCopyPlan;
    }
  | {
      readonly type: 'copy-started';
      readonly index: number;
      readonly kind: CopyKind;
      readonly handle: AnyCopyHandle;
      readonly attempt: number;
    }
  | {
      readonly type: 'copy-progress';
      readonly index: number;
      readonly kind: CopyKind;
      readonly status: AnyCopyStatus;
    }
  | {
      /** The tracked copy was a duplicate for its token: the request follows the one kept. */
      readonly type: 'copy-replaced';
      readonly index: number;
      readonly kind: CopyKind;
      readonly from: CopyRef;
      readonly to: CopyRef;
    }
  | {
      readonly type: 'copy-retry';
      readonly index: number;
      readonly kind: CopyKind;
      /** Which call is retried: the plan, the copy, or a lookup of the token. */
      readonly stage: 'plan' | 'copy' | 'lookup';
      readonly error: SnapcopyError;
      readonly attempt: number;
      readonly delayMs: number;
    }
  | { readonly type: 'copy-finished'; readonly index: number; readonly result: CopyResult }
  | {
      readonly type: 'queue-throttled';
      readonly queue: QueueKey;
      readonly delayMs: number;
      readonly error: SnapcopyError;
    }
  | {
      readonly type: 'poll-round';
      readonly queue: QueueKey;
      readonly copies: number;
      readonly nextPollInMs: number;
    }
  | {
      readonly type: 'batch-progress';
      readonly batchId: string;
      readonly counts: BatchCounts;
      /** Mean progress over every request, 0-100 (finished ones count 100). */
      readonly percent: number;
    }
  | { readonly type: 'batch-finished'; readonly result: BatchResult };
