import { hostname } from 'node:os';
import { SnapcopyError } from '@snapcopy/core';
import type { CopierEntry } from '@snapcopy/orchestrator';
import type { ProviderEndpointFlags, RequestTimeoutFlags } from '../cli-flags.js';
import { warningsLogger } from '../cli-logger.js';
import { createCliRegistry, createCopierPair } from '../composition-root.js';
import { adapterOptions, endpointFor } from '../connect.js';
import { requireDatabaseUrl } from '../engine-connect.js';
import { EXIT_CODES } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import { isProviderName, PROVIDER_NAMES, type ProviderName, providerChoices } from '../providers.js';

/** `worker`'s flags. */
export interface WorkerFlags extends ProviderEndpointFlags, RequestTimeoutFlags {
  readonly databaseUrl?: string;
  readonly executorId?: string;
  readonly provider?: readonly string[];
  readonly pollMs?: number;
  readonly consistencyWindow?: number;
  readonly heartbeat?: number;
  readonly deadAfter?: number;
  readonly migrateOnly?: boolean;
  readonly json?: boolean;
  /** The provider config profile this worker's copies use. */
  readonly profile?: string;
  readonly verbose?: boolean;
}

/** Warnings (the engine's and DBOS's) as one line each on stderr. */
const stderrLogger = warningsLogger('snapcopy worker');

/**
 * `snapcopy worker`: one worker of a deployment, until SIGINT/SIGTERM. It runs the copy
 * workflows of its providers' queues and the policies' passes, tracks copies, beats, and
 * takes dead workers over; a stop is clean (steps in flight end; a peer takes the rest
 * over at once).
 */
export async function run(flags: WorkerFlags): Promise<number> {
  const databaseUrl = requireDatabaseUrl(flags.databaseUrl);
  const engine = await import('@snapcopy/engine-dbos');
  if (flags.migrateOnly) {
    await engine.migrateDatabase(databaseUrl, stderrLogger);
    const where = engine.redactDatabaseUrl(databaseUrl);
    if (flags.json) process.stdout.write(`${JSON.stringify({ ok: true, migrated: where })}\n`);
    else
      process.stdout.write(`snapcopy: the database ${where} is ready (schema ${engine.SCHEMA} and DBOS's)\n`);
    return EXIT_CODES.success;
  }
  const wanted = flags.provider ?? PROVIDER_NAMES;
  const unknown = wanted.filter((p) => !isProviderName(p));
  if (unknown.length > 0) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `unknown provider ${unknown.join(', ')}: choose ${providerChoices()}`,
    );
  }
  const providers = [...new Set(wanted)] as ProviderName[];
  const registry = await createCliRegistry(providers);
  // Each provider's snapshot and image copiers: a worker runs batches that mix them.
  const copiers: Record<string, CopierEntry> = {};
  for (const name of providers) {
    copiers[name] = await createCopierPair(registry, name, {
      ...adapterOptions(endpointFor(name, flags[`${name}Endpoint`], `--${name}-endpoint`), flags),
      // One attempt per call: the workflows retry (same token) and pause a partition on throttling.
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
  }
  const executorId = flags.executorId ?? hostname();
  const worker = await engine.startWorker({
    databaseUrl,
    executorId,
    copiers,
    logger: stderrLogger,
    ...(flags.pollMs === undefined
      ? {}
      : {
          poll: {
            minIntervalMs: flags.pollMs,
            maxIntervalMs: Math.max(flags.pollMs, Math.min(60_000, flags.pollMs * 10)),
          },
        }),
    ...(flags.consistencyWindow === undefined ? {} : { consistencyWindowMs: flags.consistencyWindow }),
    ...(flags.heartbeat === undefined ? {} : { heartbeatMs: flags.heartbeat }),
    ...(flags.deadAfter === undefined ? {} : { deadAfterMs: flags.deadAfter }),
  });
  const where = engine.redactDatabaseUrl(databaseUrl);
  const say = (doc: Record<string, unknown>, text: string) =>
    process.stdout.write(flags.json ? `${JSON.stringify(doc)}\n` : `${text}\n`);
  say(
    { event: 'started', executorId, database: where, providers, pid: process.pid },
    `snapcopy worker ${executorId} started on ${where} (${providers.join(', ')}); stop it with SIGTERM or Ctrl-C`,
  );
  const interrupt = onInterrupt();
  await new Promise<void>((resolve) =>
    interrupt.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  interrupt.dispose();
  await worker.stop();
  say(
    { event: 'stopped', executorId, takeovers: worker.takeovers.length },
    `snapcopy worker ${executorId} stopped; its unfinished copies are taken over by a live worker (or by this one when it starts again)`,
  );
  return EXIT_CODES.success;
}
