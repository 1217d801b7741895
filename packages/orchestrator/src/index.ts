/**
 * `@snapcopy/orchestrator` — runs many snapshot and image copies at the providers' limits, tracks them
 * with batched status calls and resumes from a journal. The SQLite journal (Node's
 * built-in SQLite, no native module) is loaded only when {@link openSqliteJournal} is
 * called (or from `@snapcopy/orchestrator/sqlite`). What only the author of another copy runner
 * needs (lifecycle steps, judgments, leases, poll timing) is in `@snapcopy/orchestrator/runner`.
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
export { MemoryCopyJournal } from './journal/memory-journal.js';
export type { SqliteCopyJournal, SqliteCopyJournalOptions } from './journal/sqlite-journal.js';
export { copierEntryOf } from './copier-entry.js';
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
  handleSourceId,
  requestKind,
  sourceIdOf,
} from './copy-kind.js';
export { batchClientToken } from './client-token.js';
export { BatchProgress } from './progress.js';
export { CopyOrchestrator, ORCHESTRATOR_DEFAULTS } from './orchestrator.js';
export { estimateRemaining, type ProgressSample, type RemainingEstimate } from './poll-interval.js';
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
