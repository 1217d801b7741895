import { SnapcopyError } from '@snapcopy/core';
import type { PolicyFlags } from '../cli-flags.js';
import { requireDatabaseUrl } from '../engine-connect.js';
import type { EngineFlags } from '../engine-program.js';
import { EXIT_CODES } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import { passExitCode, printPassReport, policyHeading } from '../output/policy-report.js';
import { Output, outputModeFor } from '../output/output-mode.js';
import { copiersForPolicy, readPolicyFile } from '../policy-file.js';

const DEFAULT_EVERY_MS = 15 * 60_000;

/**
 * `snapcopy policy run FILE --engine dbos`: the policy runs on the workers. Without `--once`
 * (or with `--watch`) it is scheduled there, every `--every` (default 15m): a DBOS schedule;
 * every worker runs the scheduler and each tick starts one pass fleet-wide. Scheduling
 * returns at once. `--once` starts one pass now and waits for its report (running it again
 * within the same quarter of an hour reports that pass again).
 */
export async function run(flags: PolicyFlags & EngineFlags, args: readonly string[]): Promise<number> {
  if (flags.once && flags.watch) throw new SnapcopyError('INVALID_REQUEST', 'give one of --once and --watch');
  if (flags.once && flags.every !== undefined) {
    throw new SnapcopyError('INVALID_REQUEST', '--every schedules the policy: it does not go with --once');
  }
  if (flags.prices !== undefined) {
    throw new SnapcopyError('INVALID_REQUEST', '--prices works with the in-process engine only');
  }
  const output = new Output(outputModeFor(flags.json));
  const databaseUrl = requireDatabaseUrl(flags.databaseUrl);
  const loaded = await readPolicyFile(args[0]!, flags);
  const { assertPolicyRunnable, checkPolicy, passBatchId } = await import('@snapcopy/policy');
  // Checked here against each provider's capabilities and rules (no call), before the workers see it.
  assertPolicyRunnable(checkPolicy(loaded.policy, await copiersForPolicy(loaded.policy, flags, true)));
  const engine = await import('@snapcopy/engine-dbos');
  const conn = await engine.connectEngine(databaseUrl, { migrate: true });
  const where = engine.redactDatabaseUrl(databaseUrl);
  try {
    if (!flags.once) {
      const everyMs = flags.every ?? DEFAULT_EVERY_MS;
      const scheduled = await engine.schedulePolicy({
        pool: conn.pool,
        client: conn.client,
        policy: loaded.policy,
        everyMs,
      });
      output.document({
        ok: true,
        format: loaded.format,
        policyId: loaded.policy.id,
        database: where,
        ...scheduled,
      });
      output.line(
        `${policyHeading(loaded)}: scheduled on the workers on ${where} (cron "${scheduled.cron}", schedule ${scheduled.scheduleName}); scheduling it again replaces it`,
      );
      return EXIT_CODES.success;
    }
    output.line(`${policyHeading(loaded)}: one pass on the workers on ${where}`);
    const passId = `snapcopy.pass:${passBatchId(loaded.policy.id, Date.now())}`;
    const interrupt = onInterrupt();
    try {
      const stopped = new Promise<undefined>((resolve) =>
        interrupt.signal.addEventListener('abort', () => resolve(undefined), { once: true }),
      );
      const report = await Promise.race([
        engine.runPolicyOnce({ pool: conn.pool, client: conn.client, policy: loaded.policy, passId }),
        stopped,
      ]);
      if (report === undefined) {
        process.stderr.write(
          `snapcopy: stopped waiting; the pass ${passId} goes on on the workers (run the same command to wait for it again)\n`,
        );
        return EXIT_CODES.interrupted;
      }
      printPassReport(output, report);
      output.document({ ok: passExitCode(report) === EXIT_CODES.success, format: loaded.format, report });
      return passExitCode(report);
    } finally {
      interrupt.dispose();
    }
  } finally {
    await conn.close();
  }
}
