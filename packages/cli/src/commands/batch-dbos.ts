import { SnapcopyError } from '@snapcopy/core';
import type { BatchResult } from '@snapcopy/orchestrator';
import { batchIdFor, readBatchFile } from '../batch-file.js';
import { boardEvents, copiersFor, reportBatch, resumableCount, runStopper } from '../batch-runner.js';
import type { BatchFlags } from '../cli-flags.js';
import { warningsLogger } from '../cli-logger.js';
import { requireDatabaseUrl } from '../engine-connect.js';
import type { EngineFlags } from '../engine-program.js';
import { EXIT_CODES } from '../exit-codes.js';
import { Output } from '../output/output-mode.js';
import { createProgressBoard } from '../output/progress-board.js';
import { writeErrorLine } from '../report-error.js';

/**
 * `snapcopy batch FILE --engine dbos`: submits the batch to the workers on the database
 * (journaled, one copy workflow per request, in one transaction) and follows it there
 * until every copy has ended; `--detach` returns after the submit. The batch id comes from
 * the file, so submitting it again makes no new copy: it follows the same batch. Stopping
 * the command (SIGINT, `--timeout`) stops only the following: the workers go on. The
 * workers copy with their own credentials, so a line's `profile` (or `--profile`) is refused.
 */
export async function run(flags: BatchFlags & EngineFlags, args: readonly string[]): Promise<number> {
  const output = Output.for(flags);
  const databaseUrl = requireDatabaseUrl(flags.databaseUrl);
  const file = args[0];
  if (file === undefined) throw new SnapcopyError('INVALID_REQUEST', 'missing the batch file');
  const items = readBatchFile(file);
  const withProfile = items.findIndex((i) => i.profile !== undefined);
  if (flags.profile !== undefined || withProfile >= 0) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `${flags.profile !== undefined ? '--profile' : `line ${withProfile + 1} names a profile`}: with --engine dbos the workers copy with their own credentials; start a worker with that profile's credentials instead`,
    );
  }
  const batchId = flags.batchId ?? batchIdFor(items);
  const runItems = items.map((i) => ({ copier: i.provider, request: i.request }));
  // Built to validate the requests before anything is journaled; they make no call here.
  const copiers = await copiersFor([...new Set(runItems.map((i) => i.copier))], flags);
  const engine = await import('@snapcopy/engine-dbos');
  const conn = await engine.connectEngine(databaseUrl, { migrate: true, logger: warningsLogger() });
  try {
    const submitted = await engine.submitBatch({
      pool: conn.pool,
      client: conn.client,
      copiers,
      items: runItems,
      batchId,
    });
    const where = engine.redactDatabaseUrl(databaseUrl);
    output.info(
      `batch ${batchId}: ${items.length} request(s) ${submitted.resumed ? 'already submitted' : 'submitted'} to the workers on ${where}` +
        ` (${submitted.enqueued} copy workflow(s) enqueued${submitted.refused > 0 ? `, ${submitted.refused} refused` : ''})`,
    );
    if (flags.detach) {
      output.document({ ok: true, detached: true, database: where, ...submitted });
      output.line('follow it with the same command without --detach');
      return EXIT_CODES.success;
    }

    const stopper = runStopper(flags.timeout);
    const board = createProgressBoard(output);
    let result: BatchResult;
    try {
      result = await engine.followBatch({
        pool: conn.pool,
        batchId,
        resumed: submitted.resumed,
        signal: stopper.signal,
        onEvent: boardEvents(board, runItems),
        ...(flags.pollMs === undefined ? {} : { pollMs: Math.min(flags.pollMs, 5_000) }),
      });
    } finally {
      board.stop();
      stopper.dispose();
    }
    const stoppedBy = stopper.stoppedBy();
    const code = reportBatch(output, result, { flags, stoppedBy });
    if (stoppedBy) {
      writeErrorLine(
        `snapcopy: stopped following batch ${batchId} (${stoppedBy}); its copies keep running on the workers: run the same command to follow it again`,
      );
    }
    const resumable = resumableCount(result);
    if (!stoppedBy && resumable > 0) {
      writeErrorLine(
        `snapcopy: ${resumable} copy(ies) not finished after every round of retries; the journal keeps them: submit the same batch again to continue them`,
      );
    }
    return code;
  } finally {
    await conn.close();
  }
}
