/**
 * `@snapcopy/engine-dbos` — batches and policies past one machine: one DBOS Transact
 * workflow per copy on PostgreSQL, the orchestrator's lifecycle steps and decisions as
 * its steps, queues partitioned by destination account and region at the providers'
 * limits, batched tracking, and workers that take over from each other.
 * @packageDocumentation
 */
export { connectEngine, type EngineConnection } from './client.js';
export type { CopyWorkflowInput, NextStep, TrackerMessage, WorkflowState } from './copy-steps.js';
export { cronForPeriod } from './cron.js';
export { type CopyResultJson, readEvents, resultFromJson, resultToJson } from './events.js';
export { markExecutorGone, type Takeover } from './executors.js';
export { batchResult, countsOf, type FollowBatchOptions, followBatch } from './follow.js';
export {
  APPLICATION_NAME,
  COPY_WORKFLOW,
  type CopyPartition,
  copyQueueName,
  copyWorkflowId,
  POLICY_QUEUE,
  POLICY_WORKFLOW,
  partitionId,
  partitionOf,
  policyScheduleName,
  queuePartitionKey,
  SCHEMA,
  WORKFLOW_VERSION,
} from './names.js';
export { redactDatabaseUrl, withSessionOptions } from './pg.js';
export { type EngineEntry, PgCopyJournal } from './pg-journal.js';
export {
  type PolicyPassContext,
  runPolicyOnce,
  schedulePolicy,
  storePolicy,
  unschedulePolicy,
} from './policy-workflow.js';
export { type RecoverReport, recoverExecutor } from './recover.js';
export { migrateDatabase, SCHEMA_VERSION } from './schema.js';
export { MAX_DEAD_AFTER_MS, resolveSettings, WORKER_DEFAULTS, type WorkerOptions } from './settings.js';
export { type SubmitBatchOptions, type SubmitBatchResult, submitBatch } from './submit.js';
export { type ExecutorFacts, judgeExecutor, type TakeoverVerdict } from './takeover-rules.js';
export type { TrackerStats } from './tracker.js';
export { recoverExecutorWorkflows, startWorker, type Worker } from './worker.js';
