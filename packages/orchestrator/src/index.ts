/**
 * `@snapcopy/orchestrator` — runs many copies at the providers' limits, tracks them
 * with batched status calls and resumes from a journal. The SQLite journal (Node's
 * built-in SQLite, no native module) is loaded only when {@link openSqliteJournal} is
 * called (or from `@snapcopy/orchestrator/sqlite`).
 * @packageDocumentation
 */
import type { SqliteCopyJournal, SqliteCopyJournalOptions } from './journal/sqlite-journal.js';

export {
  type CopyJournal,
  type JournalBatch,
  type JournalCopyState,
  type JournalEntry,
  type JournalError,
  type JournalRequestRecord,
  type JournalTransition,
  TERMINAL_JOURNAL_STATES,
} from './journal/journal.js';
export { MemoryCopyJournal } from './journal/memory-journal.js';
export type { SqliteCopyJournal, SqliteCopyJournalOptions } from './journal/sqlite-journal.js';
export { batchClientToken } from './client-token.js';
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
  OrchestratorOptions,
  PollOptions,
  QueueKey,
  RunOptions,
} from './types.js';

/** Opens (or creates) a SQLite journal file, loading `node:sqlite` on first use. */
export async function openSqliteJournal(
  file: string,
  options?: SqliteCopyJournalOptions,
): Promise<SqliteCopyJournal> {
  const { SqliteCopyJournal } = await import('./journal/sqlite-journal.js');
  return new SqliteCopyJournal(file, options);
}
