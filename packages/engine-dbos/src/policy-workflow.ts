import { DBOS, type DBOSClient } from '@dbos-inc/dbos-sdk';
import { SnapcopyError, type SnapshotCopier } from '@snapcopy/core';
import type { BatchItemInput, BatchResult, RunOptions } from '@snapcopy/orchestrator';
import {
  type PassRunner,
  type PolicyDocument,
  type PolicyPassReport,
  parsePolicyDocument,
  runPolicyPass,
} from '@snapcopy/policy';
import type pg from 'pg';
import { cronForPeriod } from './cron.js';
import { followBatch } from './follow.js';
import { POLICY_QUEUE, POLICY_WORKFLOW, policyScheduleName, SCHEMA, WORKFLOW_VERSION } from './names.js';
import { inTransaction } from './pg.js';
import { type EngineRuntime, engineRuntime } from './runtime.js';
import { enqueueOpenCopies, lockBatch, submitBatch } from './submit.js';

/** What a policy pass workflow is started with. */
export interface PolicyPassContext {
  readonly policyId: string;
}

/**
 * Runs a pass's copies on the workers: the batch is submitted (one copy workflow per
 * copy, as `snapcopy batch --engine dbos` does) and followed through the journal.
 */
export function engineRunner(rt: EngineRuntime, client: DBOSClient): PassRunner {
  const copiers = Object.fromEntries(rt.entries);
  const follow = (batchId: string, options: Omit<RunOptions, 'batchId'>, resumed: boolean) =>
    followBatch({
      pool: rt.pool,
      batchId,
      pollMs: rt.settings.followPollMs,
      resumed,
      now: () => rt.clock.now(),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  return {
    async run(items: readonly BatchItemInput[], options: RunOptions = {}): Promise<BatchResult> {
      const submitted = await submitBatch({
        pool: rt.pool,
        client,
        copiers,
        items,
        ...(options.batchId === undefined ? {} : { batchId: options.batchId }),
        clock: rt.clock,
      });
      return follow(submitted.batchId, options, submitted.resumed);
    },
    async resume(batchId: string, options: Omit<RunOptions, 'batchId'> = {}): Promise<BatchResult> {
      await inTransaction(rt.pool, async (c) => {
        await lockBatch(c, batchId);
        await enqueueOpenCopies(c, client, rt.journal, batchId, rt.entries);
      });
      return follow(batchId, options, true);
    },
  };
}

/** The policy's copiers by provider, as a pass names them (a worker names its copiers after their providers). */
function copiersByProvider(rt: EngineRuntime): Record<string, SnapshotCopier> {
  const out: Record<string, SnapshotCopier> = {};
  // Policies copy snapshots: each name's snapshot copier.
  for (const [name, e] of rt.entries) if (e.copier && name === e.copier.provider) out[name] = e.copier;
  return out;
}

let client: DBOSClient | undefined;

/** The DBOS client the policy passes of this process submit their copies with. */
export function setPolicyClient(c: DBOSClient | undefined): void {
  client = c;
}

/**
 * One pass of a policy, as a DBOS workflow: started by the policy's schedule (every
 * worker runs DBOS's scheduler; each tick starts one workflow fleet-wide) or once. The pass
 * is one step: it reads the policy from the database and runs `runPolicyPass` with its
 * copies submitted to the workers. A pass recovered after a crash runs again from the
 * start, which is safe: it resumes its batch from the journal, and its client tokens are
 * deterministic.
 */
async function policyPass(scheduledAt: Date, context: PolicyPassContext): Promise<PolicyPassReport> {
  const rt = engineRuntime();
  return DBOS.runStep(
    async () => {
      const { rows } = await rt.pool.query<{ document: unknown }>(
        `SELECT document FROM ${SCHEMA}.policies WHERE policy_id = $1`,
        [context.policyId],
      );
      if (rows.length === 0)
        throw new SnapcopyError('NOT_FOUND', `no policy "${context.policyId}" in the database`);
      if (!client) throw new Error('snapcopy engine: the worker has no DBOS client');
      const policy = parsePolicyDocument(rows[0]!.document);
      rt.logger.info('policy pass', { policyId: policy.id, scheduledAt: scheduledAt.toISOString() });
      return runPolicyPass({
        policy,
        copiers: copiersByProvider(rt),
        journal: rt.journal,
        clock: rt.clock,
        runner: engineRunner(rt, client),
        ...(rt.prices ? { prices: rt.prices } : {}),
      });
    },
    { name: 'pass' },
  );
}

let registered: ((scheduledAt: Date, context: PolicyPassContext) => Promise<PolicyPassReport>) | undefined;

/** Registers the policy pass workflow with DBOS (once per process, before launch). */
export function registerPolicyWorkflow(): typeof policyPass {
  registered ??= DBOS.registerWorkflow(policyPass, { name: POLICY_WORKFLOW });
  return registered;
}

/** Stores (or replaces) a policy in the database, for the workers' passes. */
export async function storePolicy(
  pool: pg.Pool,
  policy: PolicyDocument,
  schedule: string | null,
): Promise<void> {
  await pool.query(
    `INSERT INTO ${SCHEMA}.policies (policy_id, document, schedule, updated_at) VALUES ($1, $2::jsonb, $3, now())
     ON CONFLICT (policy_id) DO UPDATE SET document = EXCLUDED.document,
       schedule = COALESCE(EXCLUDED.schedule, ${SCHEMA}.policies.schedule), updated_at = now()`,
    [policy.id, JSON.stringify(policy), schedule],
  );
}

/**
 * Schedules a policy on the workers: stored in the database, and a DBOS schedule that
 * starts a pass every `everyMs` (a period that fits a cron expression: seconds or minutes
 * dividing a minute or an hour, hours dividing a day, or a day). Scheduling it again
 * replaces the document and the period. Returns the cron expression.
 */
export async function schedulePolicy(o: {
  readonly pool: pg.Pool;
  readonly client: DBOSClient;
  readonly policy: PolicyDocument;
  readonly everyMs: number;
}): Promise<{ scheduleName: string; cron: string }> {
  const cron = cronForPeriod(o.everyMs);
  if (cron === undefined) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `a policy's period must divide a minute, an hour or a day (such as 15m, 1h, 6h, 1d); ${o.everyMs} ms does not`,
    );
  }
  await storePolicy(o.pool, o.policy, cron);
  const scheduleName = policyScheduleName(o.policy.id);
  await o.client.applySchedules([
    {
      scheduleName,
      workflowName: POLICY_WORKFLOW,
      schedule: cron,
      context: { policyId: o.policy.id } satisfies PolicyPassContext,
      queueName: POLICY_QUEUE,
    },
  ]);
  return { scheduleName, cron };
}

/** Stops a policy's schedule (the document stays). */
export async function unschedulePolicy(client: DBOSClient, policyId: string): Promise<void> {
  await client.deleteSchedule(policyScheduleName(policyId));
}

/**
 * Starts one pass of a policy on the workers now and waits for its report. `passId` names
 * the pass: starting the same id again returns that pass's report instead of a new pass.
 */
export async function runPolicyOnce(o: {
  readonly pool: pg.Pool;
  readonly client: DBOSClient;
  readonly policy: PolicyDocument;
  readonly passId: string;
}): Promise<PolicyPassReport> {
  await storePolicy(o.pool, o.policy, null);
  const handle = await o.client.enqueue<typeof policyPass>(
    {
      workflowName: POLICY_WORKFLOW,
      queueName: POLICY_QUEUE,
      workflowID: o.passId,
      appVersion: WORKFLOW_VERSION,
    },
    new Date(),
    { policyId: o.policy.id },
  );
  return handle.getResult();
}
