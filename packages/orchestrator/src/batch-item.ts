import { isSnapcopyError, SnapcopyError } from '@snapcopy/core';
import type { JournalCopyState, JournalEntry, JournalError } from './journal/journal.js';
import type {
  AnyCancelResult,
  AnyCopyPlan,
  AnyCopyRequestInput,
  AnyCopyStatus,
  CopyKind,
  CopyRef,
} from './copy-kind.js';
import type { ProgressSample } from './poll-interval.js';
import type { AbsentRecord } from './status-judgment.js';
import type { CopyOutcome, CopyResult } from './types.js';

/**
 * Where a request is in this run: waiting to be planned or copied (`queued`), in a copy
 * call or a lookup of its token (`copying`), tracked (`running`), or ended (`done`).
 */
export type ItemPhase = 'queued' | 'copying' | 'running' | 'done';

/** The orchestrator's working state for one request. */
export interface BatchItemState {
  readonly index: number;
  readonly copier: string;
  /** What it copies; the plan, destination, status and cancel below are of this kind. */
  readonly kind: CopyKind;
  readonly request: AnyCopyRequestInput & { readonly clientToken: string };
  readonly clientToken: string;
  readonly resumed: boolean;
  phase: ItemPhase;
  journalState: JournalCopyState;
  plan?: AnyCopyPlan;
  destination?: CopyRef;
  status?: AnyCopyStatus;
  error?: SnapcopyError;
  cancel?: AnyCancelResult;
  outcome?: CopyOutcome;
  /** Copy calls sent in this run. */
  attempts: number;
  /** Copy calls recorded by earlier runs (attempt numbers continue from it). */
  priorAttempts: number;
  planAttempts: number;
  /** Lookups of the token in a row that failed (reset by a well-formed answer). */
  lookupAttempts: number;
  /** Confirming lookups of a completed copy that failed. */
  confirmAttempts: number;
  /**
   * When the last copy call that may have reached the cloud ended (epoch ms), while no
   * lookup has settled whether the copy exists. Set: the request is never written off.
   */
  mayExistSince?: number;
  /** The last error a call for it ended with in this run (reported if the run leaves it open). */
  lastError?: SnapcopyError;
  /**
   * A batched lookup (`findMany`) just found no copy for the token: the first copy call may
   * skip its own lookup. Cleared once used.
   */
  tokenChecked?: boolean;
  /** Not to be sent again before this time (retry backoff), ms. */
  notBefore: number;
  sample?: ProgressSample;
  /** Well-formed "absent" answers in a row for the tracked copy. */
  absent?: AbsentRecord;
  /** Copies for the same token this run deleted so that one remains. */
  readonly duplicatesRemoved: string[];
  /** Copies this request tracked before following the one kept for its token. */
  readonly replacedCopies: string[];
  timings: {
    queuedAt: number;
    plannedAt?: number;
    copyRequestedAt?: number;
    copyStartedAt?: number;
    finishedAt?: number;
  };
}

/** Any thrown value as a `SnapcopyError` (unknown ones as a non-retryable `PROVIDER_ERROR`). */
export function asSnapcopyError(err: unknown): SnapcopyError {
  if (isSnapcopyError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SnapcopyError('PROVIDER_ERROR', message, { cause: err });
}

/** The JSON form of an error, for the journal. */
export function errorToJournal(err: SnapcopyError): JournalError {
  return err.toJSON() as JournalError;
}

/** Rebuilds the error a previous run journaled. */
export function errorFromJournal(json: JournalError): SnapcopyError {
  const code = json.code as SnapcopyError['code'];
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const providerCode = str(json.providerCode);
  const requestId = str(json.requestId);
  const provider = str(json.provider);
  return new SnapcopyError(code, json.message, {
    retryable: json.retryable === true,
    ...(providerCode === undefined ? {} : { providerCode }),
    ...(requestId === undefined ? {} : { requestId }),
    ...(provider === undefined ? {} : { provider }),
    ...(typeof json.httpStatus === 'number' ? { httpStatus: json.httpStatus } : {}),
    ...(Array.isArray(json.issues) ? { issues: json.issues as SnapcopyError['issues'] } : {}),
  });
}

/** The public result of an item that has an outcome (of the item's kind, with its kind's ids). */
export function toCopyResult(item: BatchItemState): CopyResult {
  // The item's plan, destination, status and cancel are of its kind: the union is sound.
  return {
    kind: item.kind,
    index: item.index,
    copier: item.copier,
    clientToken: item.clientToken,
    outcome: item.outcome ?? 'not-started',
    ...(item.plan ? { plan: item.plan } : {}),
    ...(item.destination ? { destination: item.destination } : {}),
    ...(item.status ? { status: item.status } : {}),
    ...(item.error ? { error: item.error } : {}),
    ...(item.cancel ? { cancel: item.cancel } : {}),
    ...(item.duplicatesRemoved.length > 0 ? { duplicatesRemoved: [...item.duplicatesRemoved] } : {}),
    ...(item.replacedCopies.length > 0 ? { replacedCopies: [...item.replacedCopies] } : {}),
    attempts: item.attempts,
    resumed: item.resumed,
    timings: { ...item.timings },
  } as CopyResult;
}

/**
 * The working state of one journaled request at the start of a run (`startedAt`, ms).
 * `resumed`: the batch was in the journal before this run, so a request journaled
 * `copying` or `pending` had its copy sent by an earlier run.
 */
export function itemFromJournalEntry(e: JournalEntry, resumed: boolean, startedAt: number): BatchItemState {
  return {
    index: e.index,
    copier: e.copier,
    // Entries of journals from before images were known have no kind: they are snapshots.
    kind: e.kind ?? 'snapshot',
    request: e.request,
    clientToken: e.clientToken,
    resumed: resumed && (e.state === 'copying' || e.state === 'pending'),
    phase: 'queued',
    journalState: e.state,
    ...(e.plan ? { plan: e.plan } : {}),
    ...(e.destination ? { destination: e.destination } : {}),
    // A copy call journaled before this run may have made the copy; `updatedAt` is when
    // (never later than now: a journal on another clock must not push the wait out).
    ...(e.state === 'copying' ? { mayExistSince: Math.min(e.updatedAt, startedAt) } : {}),
    attempts: 0,
    priorAttempts: e.attempts,
    planAttempts: 0,
    lookupAttempts: 0,
    confirmAttempts: 0,
    notBefore: 0,
    duplicatesRemoved: [],
    replacedCopies: [],
    timings: { queuedAt: startedAt },
  };
}
