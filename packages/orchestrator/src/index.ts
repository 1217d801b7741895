/**
 * `@snapcopy/orchestrator` — runs many snapshot and image copies at the providers' limits, tracks them
 * with batched status calls and resumes from a journal. The SQLite journal (Node's
 * built-in SQLite, no native module) is loaded only when {@link openSqliteJournal} is
 * called (or from `@snapcopy/orchestrator/sqlite`).
 * @packageDocumentation
 */
import type { SqliteCopyJournal, SqliteCopyJournalOptions } from './journal/sqlite-journal.js';

export {
  type BatchLease,
  type CopyJournal,
  type JournalBatch,
  type JournalCopyState,
  type JournalEntry,
  type JournalError,
  type JournalRequestRecord,
  type JournalTransition,
  type LeaseOwner,
  TERMINAL_JOURNAL_STATES,
} from './journal/journal.js';
export {
  batchHeldError,
  claimLease,
  judgeLease,
  type LeaseRow,
  type LeaseVerdict,
  leaseFromRow,
  processAlive,
} from './journal/batch-lease.js';
export {
  checkJournalPath,
  JOURNAL_APPLICATION_ID,
  type JournalPathFacts,
  journalPathProblem,
  probeJournalPath,
} from './journal/journal-file.js';
export { MemoryCopyJournal } from './journal/memory-journal.js';
export type { SqliteCopyJournal, SqliteCopyJournalOptions } from './journal/sqlite-journal.js';
export {
  type AfterEmptyLookup,
  type AfterError,
  copyMayHaveApplied,
  decideAfterEmptyLookup,
  decideAfterError,
  type EmptyLookupFacts,
  type ErrorFacts,
  type LifecycleStage,
} from './after-error.js';
export {
  asSnapcopyError,
  type BatchItemState,
  errorFromJournal,
  errorToJournal,
  type ItemPhase,
  itemFromJournalEntry,
  toCopyResult,
} from './batch-item.js';
export { canonicalJson, type PreparedRequest, prepareBatch } from './batch-prepare.js';
export {
  type CopiersByKind,
  copierEntryOf,
  entryConcurrencyLimit,
  entryProvider,
  kindCopiersOf,
} from './copier-entry.js';
export {
  type AnyCancelResult,
  type AnyCopyHandle,
  type AnyCopyPlan,
  type AnyCopyRequestInput,
  type AnyCopyStatus,
  COPY_KINDS,
  type CopyKind,
  type CopyRef,
  copyIdOf,
  copyRef,
  handleSourceId,
  batchCopier,
  type BatchCopier,
  type KindLimits,
  kindNoun,
  requestKind,
  sourceIdOf,
} from './copy-kind.js';
export { batchClientToken } from './client-token.js';
export { DueQueue } from './due-queue.js';
export { copySizeGiB, DurationModel } from './duration-model.js';
export {
  adoptStep,
  cancelStep,
  copyStep,
  finalizeStep,
  followStep,
  type LifecycleContext,
  lookUpStep,
  planStep,
  readStatuses,
  type StepResult,
} from './lifecycle.js';
export { BatchProgress, zeroCounts } from './progress.js';
export * from './step-outcome.js';
export {
  type AbsentRecord,
  copyFailedError,
  copyGoneError,
  judgeAbsentLookup,
  judgeConfirmLookup,
  judgeStatus,
  type LookupAnswer,
  type StatusVerdict,
} from './status-judgment.js';
export { CopyOrchestrator, ORCHESTRATOR_DEFAULTS } from './orchestrator.js';
export {
  estimateRemaining,
  FIRST_READ_SHARE,
  nextPollDelay,
  nextReadAt,
  OVERSHOOT_SHARE,
  type PollBounds,
  type ProgressSample,
  type RemainingEstimate,
} from './poll-interval.js';
export { QueueBackoff } from './queue-backoff.js';
export type {
  BatchCallStats,
  BatchCounts,
  BatchEvent,
  BatchItem,
  BatchItemInput,
  BatchResult,
  CopierEntry,
  CopyOutcome,
  CopyResult,
  CopyTimings,
  ImageCopyResult,
  LeaseOptions,
  OrchestratorOptions,
  PollOptions,
  QueueKey,
  RunOptions,
  SnapshotCopyResult,
} from './types.js';

/** Opens (or creates) a SQLite journal file, loading `node:sqlite` on first use. */
export async function openSqliteJournal(
  file: string,
  options?: SqliteCopyJournalOptions,
): Promise<SqliteCopyJournal> {
  const { SqliteCopyJournal } = await import('./journal/sqlite-journal.js');
  return new SqliteCopyJournal(file, options);
}
