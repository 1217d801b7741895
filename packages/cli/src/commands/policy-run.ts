import { SnapcopyError } from '@snapcopy/core';
import { copyIdOf, handleSourceId, openSqliteJournal } from '@snapcopy/orchestrator';
import type { PolicyFlags } from '../cli-flags.js';
import type { EngineFlags } from '../engine-program.js';
import { EXIT_CODES } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import { orchestratorOptionsFor } from '../orchestrator-options.js';
import { ref } from '../output/format.js';
import { passExitCode, printPassReport, policyHeading } from '../output/policy-report.js';
import { Output } from '../output/output-mode.js';
import { copiersForPolicy, passClock, policyPrices, readPolicyFile } from '../policy-file.js';
import { writeErrorLine } from '../report-error.js';

const DEFAULT_JOURNAL = 'snapcopy-journal.db';

/**
 * `snapcopy policy run FILE --once` runs one pass; `--watch --every 15m` runs a pass every
 * period until SIGINT/SIGTERM. Every pass is journaled: a pass stopped mid-way (a signal,
 * `kill -9`) is resumed by the next one, and its deterministic client tokens make no
 * second copy even without the journal.
 */
export async function run(flags: PolicyFlags & EngineFlags, args: readonly string[]): Promise<number> {
  if (flags.engine === 'dbos') return (await import('./policy-run-dbos.js')).run(flags, args);
  if (flags.once === flags.watch) {
    throw new SnapcopyError('INVALID_REQUEST', 'give exactly one of --once and --watch');
  }
  if (flags.every !== undefined && !flags.watch)
    throw new SnapcopyError('INVALID_REQUEST', '--every needs --watch');
  const output = Output.for(flags);
  const loaded = await readPolicyFile(args[0]!, flags);
  const prices = policyPrices(loaded.policy, flags);
  const { runPolicyPass } = await import('@snapcopy/policy');
  const copiers = await copiersForPolicy(loaded.policy, flags, true);
  const journalFile = flags.journal ?? DEFAULT_JOURNAL;
  const journal = await openSqliteJournal(journalFile);
  const interrupt = onInterrupt();
  output.info(`${policyHeading(loaded)}; journal ${journalFile}`);
  const everyMs = flags.every ?? 15 * 60_000;
  let code: number = EXIT_CODES.success;
  try {
    for (let pass = 1; ; pass++) {
      const started = Date.now();
      const report = await runPolicyPass({
        policy: loaded.policy,
        copiers,
        journal,
        clock: await passClock(),
        signal: interrupt.signal,
        ...(prices === undefined ? {} : { pricesByProvider: prices }),
        ...(flags.watch ? { bucketMs: everyMs } : {}),
        orchestrator: orchestratorOptionsFor(flags),
        onEvent: (e) => {
          if (e.type === 'resuming') output.info(`resuming unfinished batch ${e.batchId}`);
          if (e.type === 'batch' && e.event.type === 'copy-started') {
            const h = e.event.handle;
            output.info(
              `  copy ${h.reused ? 'found' : 'started'}: ${ref(h.sourceRegion, handleSourceId(h))} -> ${ref(h.region, copyIdOf(h))}`,
            );
          }
        },
      });
      printPassReport(output, report);
      if (flags.watch) {
        // One JSON document per pass, one per line.
        if (output.mode === 'json') process.stdout.write(`${JSON.stringify({ pass, report })}\n`);
      } else {
        output.document({ ok: passExitCode(report) === EXIT_CODES.success, format: loaded.format, report });
      }
      code = passExitCode(report);
      if (!flags.watch || interrupt.signal.aborted) break;
      const wait = Math.max(0, started + everyMs - Date.now());
      output.info(`next pass in ${Math.round(wait / 1000)} s (stop with SIGTERM or Ctrl-C)`);
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, wait);
          interrupt.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('stopped'));
          });
        });
      } catch {
        // Stopped between passes: nothing was running.
        code = EXIT_CODES.success;
        break;
      }
    }
  } finally {
    interrupt.dispose();
    await journal.close();
  }
  if (interrupt.signal.aborted && code === EXIT_CODES.interrupted) {
    writeErrorLine('snapcopy: the pass was stopped; the next run resumes it from the journal');
  }
  return code;
}
