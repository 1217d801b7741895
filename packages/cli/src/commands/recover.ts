import { SnapcopyError } from '@snapcopy/core';
import { requireDatabaseUrl } from '../engine-connect.js';
import { EXIT_CODES } from '../exit-codes.js';
import { Output, outputModeFor } from '../output/output-mode.js';

/** `recover`'s flags. */
export interface RecoverFlags {
  readonly databaseUrl?: string;
  readonly executor?: string;
  readonly force?: boolean;
  readonly wait?: number;
  readonly json?: boolean;
}

/**
 * `snapcopy recover --executor ID`: marks a dead worker gone so that a live worker takes
 * its copies over now, and waits until one has. Exit 5 when none did within `--wait`
 * (no worker is running: start one, it takes them over).
 */
export async function run(flags: RecoverFlags): Promise<number> {
  const databaseUrl = requireDatabaseUrl(flags.databaseUrl);
  if (!flags.executor) throw new SnapcopyError('INVALID_REQUEST', 'missing --executor');
  const output = new Output(outputModeFor(flags.json));
  const engine = await import('@snapcopy/engine-dbos');
  const conn = await engine.connectEngine(databaseUrl);
  try {
    const report = await engine.recoverExecutor({
      pool: conn.pool,
      client: conn.client,
      executorId: flags.executor,
      force: flags.force === true,
      ...(flags.wait === undefined ? {} : { waitMs: flags.wait }),
    });
    const ok = report.takenOverBy !== undefined;
    output.document({ ok, ...report });
    output.line(
      ok
        ? `worker ${report.executorId}: taken over by ${report.takenOverBy}; ${report.recovered} copy workflow(s) back in their queues (${report.pendingAfter} still its own) in ${report.ms} ms`
        : `worker ${report.executorId}: marked gone, but no live worker took it over within the wait; start a worker: it takes over the ${report.pendingBefore} copy workflow(s)`,
    );
    return ok ? EXIT_CODES.success : EXIT_CODES.timeout;
  } finally {
    await conn.close();
  }
}
