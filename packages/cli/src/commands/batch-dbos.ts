import { type Logger, SnapcopyError } from '@snapcopy/core';
import type { BatchResult } from '@snapcopy/orchestrator';
import { batchIdFor, readBatchFile } from '../batch-file.js';
import type { BatchFlags } from '../cli-flags.js';
import { requireDatabaseUrl } from '../engine-connect.js';
import type { EngineFlags } from '../engine-program.js';
import { EXIT_CODES } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import { escapeControlCharacters } from '../output/format.js';
import { Output, outputModeFor } from '../output/output-mode.js';
import { createProgressBoard } from '../output/progress-board.js';
import { boardEvents, copiersForBatch, reportBatch } from './batch-shared.js';

const warnings: Logger = {
  debug() {},
  info() {},
  warn: (message) => process.stderr.write(`snapcopy: ${escapeControlCharacters(message)}\n`),
};

/**
 * `snapcopy batch FILE --engine dbos`: submits the batch to the workers on the database
 * (journaled, one copy workflow per request, in one transaction) and follows it there
 * until every copy has ended; `--detach` returns after the submit. The batch id comes from
 * the file, so submitting it again makes no new copy: it follows the same batch. Stopping
 * the command (SIGINT, `--timeout`) stops only the following: the workers go on.
 */
export async function run(flags: BatchFlags & EngineFlags, args: readonly string[]): Promise<number> {
  const output = new Output(outputModeFor(flags.json));
  const databaseUrl = requireDatabaseUrl(flags.databaseUrl);
  const file = args[0];
  if (file === undefined) throw new SnapcopyError('INVALID_REQUEST', 'missing the batch file');
  const items = readBatchFile(file);
  const batchId = flags.batchId ?? batchIdFor(items);
  // Built to validate the requests before anything is journaled; they make no call here.
  const copiers = await copiersForBatch(items, flags);
  const engine = await import('@snapcopy/engine-dbos');
  const conn = await engine.connectEngine(databaseUrl, { migrate: true, logger: warnings });
  try {
    const submitted = await engine.submitBatch({
      pool: conn.pool,
      client: conn.client,
      copiers,
      items: items.map((i) => ({ copier: i.provider, request: i.request })),
      batchId,
    });
    const where = engine.redactDatabaseUrl(databaseUrl);
    output.line(
      `batch ${batchId}: ${items.length} request(s) ${submitted.resumed ? 'already submitted' : 'submitted'} to the workers on ${where}` +
        ` (${submitted.enqueued} copy workflow(s) enqueued${submitted.refused > 0 ? `, ${submitted.refused} refused` : ''})`,
    );
    if (flags.detach) {
      output.document({ ok: true, detached: true, database: where, ...submitted });
      output.line(`follow it with the same command without --detach`);
      return EXIT_CODES.success;
    }

    const interrupt = onInterrupt();
    const controller = new AbortController();
    let stoppedBy: 'timeout' | 'interrupt' | undefined;
    interrupt.signal.addEventListener('abort', () => {
      stoppedBy ??= 'interrupt';
      controller.abort(interrupt.signal.reason);
    });
    const timer =
      flags.timeout === undefined
        ? undefined
        : setTimeout(() => {
            stoppedBy ??= 'timeout';
            controller.abort(new Error('timeout'));
          }, flags.timeout);
    const board = createProgressBoard(output);
    let result: BatchResult;
    try {
      result = await engine.followBatch({
        pool: conn.pool,
        batchId,
        resumed: submitted.resumed,
        signal: controller.signal,
        onEvent: boardEvents(board, items),
        ...(flags.pollMs === undefined ? {} : { pollMs: Math.min(flags.pollMs, 5_000) }),
      });
    } finally {
      board.stop();
      if (timer) clearTimeout(timer);
      interrupt.dispose();
    }
    const code = reportBatch(output, result, stoppedBy);
    if (stoppedBy) {
      process.stderr.write(
        `snapcopy: stopped following batch ${batchId} (${stoppedBy}); its copies keep running on the workers: run the same command to follow it again\n`,
      );
    }
    const resumable = result.results.filter((r) => r.outcome === 'resumable').length;
    if (!stoppedBy && resumable > 0) {
      process.stderr.write(
        `snapcopy: ${resumable} copy(ies) not finished after every round of retries; the journal keeps them: submit the same batch again to continue them\n`,
      );
    }
    return code;
  } finally {
    await conn.close();
  }
}
