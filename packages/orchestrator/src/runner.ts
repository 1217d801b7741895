/**
 * `@snapcopy/orchestrator/runner` — what authors of another copy runner (a durable
 * workflow engine, a worker fleet) need to run copies the way `CopyOrchestrator`
 * does: the lifecycle steps, the decisions after errors and lookups, the status
 * judgments, step-outcome and batch-item plumbing, batch leases, journal-file checks,
 * the duration model and poll timing, and the queues. Users who copy import from
 * `@snapcopy/orchestrator`; nothing here is needed to run a batch.
 * @packageDocumentation
 */
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
export { type CopiersByKind, entryConcurrencyLimit, entryProvider, kindCopiersOf } from './copier-entry.js';
export { type BatchCopier, batchCopier, copyRef, type KindLimits, kindNoun } from './copy-kind.js';
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
export { zeroCounts } from './progress.js';
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
export {
  FIRST_READ_SHARE,
  nextPollDelay,
  nextReadAt,
  OVERSHOOT_SHARE,
  type PollBounds,
} from './poll-interval.js';
export { QueueBackoff } from './queue-backoff.js';
