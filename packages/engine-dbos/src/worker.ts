import { DBOS, DBOSClient } from '@dbos-inc/dbos-sdk';
// DBOS 5.3 has no public call that recovers another executor's workflows; its executor's
// `recoverPendingWorkflows(ids)` does (one atomic UPDATE per id). The package exports its
// internals as `./internal/*`; the version is pinned exactly and a test covers this call.
import { DBOSExecutor } from '@dbos-inc/dbos-sdk/internal/dbos-executor';
import { redactingLogger, SnapcopyError, silentLogger, systemClock } from '@snapcopy/core';
import { type CopierEntry, type CopyKind, CopyOrchestrator, copierEntryOf } from '@snapcopy/orchestrator';
import { kindCopiersOf } from '@snapcopy/orchestrator/runner';
import { registerCopyWorkflow } from './copy-workflow.js';
import { dbosLogger } from './dbos-logger.js';
import { Heartbeat, markExecutorGone, registerExecutor, type Takeover } from './executors.js';
import { APPLICATION_NAME, copyQueueName, POLICY_QUEUE, WORKFLOW_VERSION } from './names.js';
import { createPool, withSessionOptions } from './pg.js';
import { PgCopyJournal } from './pg-journal.js';
import { registerPolicyWorkflow, setPolicyClient } from './policy-workflow.js';
import { type EngineCopier, type EngineRuntime, installRuntime, StepGate } from './runtime.js';
import { migrateDatabase } from './schema.js';
import { resolveSettings, type WorkerOptions } from './settings.js';
import { Tracker, type TrackerStats } from './tracker.js';

/** A running worker. */
export interface Worker {
  readonly executorId: string;
  /** Takeovers this worker made. */
  readonly takeovers: readonly Takeover[];
  readonly tracker: TrackerStats;
  /**
   * Stops cleanly: no new step starts, the steps in flight (provider calls with their
   * journal writes) end, the tracker finishes its round, DBOS shuts down, and the worker
   * marks itself gone so that a live peer takes its workflows over at its next heartbeat.
   */
  stop(): Promise<void>;
}

/** Moves a dead executor's pending workflows back to their queues; returns how many. */
export async function recoverExecutorWorkflows(executorId: string): Promise<number> {
  const executor = DBOSExecutor.globalInstance;
  if (!executor) throw new Error('DBOS is not launched in this process');
  return (await executor.recoverPendingWorkflows([executorId])).length;
}

let running = false;

/**
 * Starts a worker in this process: migrates the database (under a lock), launches DBOS
 * with this worker's executor id and the snapcopy workflow version, registers one queue
 * per copier and kind (partitioned by destination account and region, at the copier's
 * concurrency limit for that kind), and starts the heartbeat (with takeover of dead workers) and the tracker. DBOS
 * runs one instance per process: so does a worker.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  if (running) throw new SnapcopyError('INVALID_REQUEST', 'a worker already runs in this process');
  if (!/^[\x21-\x7e]{1,128}$/.test(options.executorId)) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      'the executor id must be 1-128 printable ASCII characters, no spaces',
    );
  }
  const settings = resolveSettings(options);
  const clock = options.clock ?? systemClock;
  const logger = redactingLogger(options.logger ?? silentLogger);
  const names = Object.keys(options.copiers);
  if (names.length === 0) throw new SnapcopyError('INVALID_REQUEST', 'a worker needs at least one copier');
  // The orchestrator's own rules for each copier's limit and consistency window.
  const resolver = new CopyOrchestrator({
    copiers: options.copiers,
    ...(options.consistencyWindowMs === undefined
      ? {}
      : { consistencyWindowMs: options.consistencyWindowMs }),
    ...(options.unknownConcurrencyLimit === undefined
      ? {}
      : { unknownConcurrencyLimit: options.unknownConcurrencyLimit }),
  });
  const entries = new Map<string, CopierEntry>();
  const copiers = new Map<string, Partial<Record<CopyKind, EngineCopier>>>();
  for (const [name, value] of Object.entries(options.copiers)) {
    const entry = copierEntryOf(value);
    entries.set(name, entry);
    const byKind: Partial<Record<CopyKind, EngineCopier>> = {};
    for (const [kind, copier] of Object.entries(kindCopiersOf(entry)) as [
      CopyKind,
      EngineCopier['copier'],
    ][]) {
      byKind[kind] = {
        name,
        kind,
        copier,
        limit: resolver.concurrencyLimit(name, kind),
        consistencyWindowMs: resolver.consistencyWindow(name, kind),
        ...(entry.account === undefined ? {} : { account: entry.account }),
      };
    }
    copiers.set(name, byKind);
  }
  // One queue per copier and kind (snapshot and image copies are limited apart).
  const queues = [...copiers.values()].flatMap((byKind) => Object.values(byKind));

  running = true;
  const onPoolError = (err: Error) => logger.warn('database connection lost', { error: err.message });
  const pool = createPool(options.databaseUrl, { max: 6, onError: onPoolError });
  const dbosPool = createPool(options.databaseUrl, { max: 10, onError: onPoolError, forDbos: true });
  const clientPool = createPool(options.databaseUrl, { max: 3, onError: onPoolError, forDbos: true });
  const beatPool = createPool(options.databaseUrl, {
    max: 2,
    onError: onPoolError,
    timeoutMs: Math.max(1_000, settings.heartbeatMs),
  });
  /** Last of a stop (or a failed start): the pools end, the runtime goes. Never throws. */
  const releasePools = async () => {
    for (const p of [pool, beatPool, dbosPool, clientPool]) await p.end().catch(() => undefined);
    installRuntime(undefined);
    running = false;
  };
  let client: DBOSClient | undefined;
  let registered = false;
  try {
    if (options.migrate !== false) await migrateDatabase(options.databaseUrl, logger);
    await registerExecutor(pool, options.executorId, WORKFLOW_VERSION, settings.deadAfterMs);
    registered = true;
    const gate = new StepGate();
    const runtime: EngineRuntime = {
      executorId: options.executorId,
      clock,
      settings,
      pool,
      journal: new PgCopyJournal(pool, { now: () => clock.now() }),
      entries,
      copiers,
      ...(options.prices ? { prices: options.prices } : {}),
      random: options.random ?? Math.random,
      logger,
      gate,
      wallMs: (ms) => Math.max(0, ms / settings.timeScale),
    };
    installRuntime(runtime);
    registerCopyWorkflow();
    registerPolicyWorkflow();
    const url = withSessionOptions(options.databaseUrl);
    DBOS.setConfig({
      name: APPLICATION_NAME,
      systemDatabaseUrl: url,
      // DBOS on a pool of ours: its clients are guarded against the errors a restarting
      // server sends (see createPool).
      systemDatabasePool: dbosPool,
      executorID: options.executorId,
      applicationVersion: WORKFLOW_VERSION,
      runMigrations: false,
      logger: dbosLogger(logger, options.dbosLogLevel ?? 'warn'),
      listenQueues: [...queues.map((q) => copyQueueName(q.name, q.kind)), POLICY_QUEUE],
    });
    await DBOS.launch();
    for (const c of queues) {
      await DBOS.registerQueue(copyQueueName(c.name, c.kind), {
        partitionConcurrency: c.limit,
        minPollingIntervalMs: settings.queuePollMs,
      });
    }
    await DBOS.registerQueue(POLICY_QUEUE, { concurrency: 4, minPollingIntervalMs: settings.queuePollMs });
    client = await DBOSClient.create({
      systemDatabaseUrl: url,
      systemDatabasePool: clientPool,
      applicationName: APPLICATION_NAME,
      logger: dbosLogger(logger, options.dbosLogLevel ?? 'warn'),
    });
    setPolicyClient(client);
    const tracker = new Tracker(runtime, client);
    const heartbeat = new Heartbeat({
      // Its own connections: a beat must never wait behind the steps' and the tracker's
      // queries (after an outage they all retry at once), or a live worker looks dead.
      pool: beatPool,
      executorId: options.executorId,
      version: WORKFLOW_VERSION,
      heartbeatMs: settings.heartbeatMs,
      deadAfterMs: settings.deadAfterMs,
      recover: recoverExecutorWorkflows,
      onError: (err) => logger.warn('heartbeat failed', { error: (err as Error)?.message ?? String(err) }),
    });
    heartbeat.start();
    tracker.start();
    let stopping: Promise<void> | undefined;
    const dbosClient = client;
    return {
      executorId: options.executorId,
      takeovers: heartbeat.takeovers,
      tracker: tracker.stats,
      stop: () => {
        stopping ??= (async () => {
          await gate.close(settings.stopTimeoutMs);
          await tracker.stop();
          await heartbeat.stop();
          await DBOS.shutdown();
          await markExecutorGone(pool, options.executorId).catch((err) =>
            logger.warn('could not mark this worker gone; peers take over after the dead-after bound', {
              error: (err as Error)?.message,
            }),
          );
          setPolicyClient(undefined);
          await dbosClient.destroy().catch(() => undefined);
          await releasePools();
        })();
        return stopping;
      },
    };
  } catch (err) {
    if (DBOS.isInitialized()) await DBOS.shutdown().catch(() => undefined);
    if (registered) await markExecutorGone(pool, options.executorId).catch(() => undefined);
    await client?.destroy().catch(() => undefined);
    await releasePools();
    throw err;
  }
}
