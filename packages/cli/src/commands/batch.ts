import { SnapcopyError } from '@snapcopy/core';
import { type BatchResult, CopyOrchestrator, openSqliteJournal } from '@snapcopy/orchestrator';
import { batchIdFor, readBatchFile } from '../batch-file.js';
import type { BatchFlags } from '../cli-flags.js';
import type { EngineFlags } from '../engine-program.js';
import { onInterrupt } from '../interrupt.js';
import { orchestratorOptionsFor } from '../orchestrator-options.js';
import { Output, outputModeFor } from '../output/output-mode.js';
import { createProgressBoard } from '../output/progress-board.js';
import { boardEvents, copiersForBatch, reportBatch } from './batch-shared.js';

/**
 * `snapcopy batch FILE`: runs every request through the orchestrator, journalled in
 * SQLite. The batch id comes from the file, so rerunning after a crash resumes it.
 */
export async function run(flags: BatchFlags & EngineFlags, args: readonly string[]): Promise<number> {
  if (flags.engine === 'dbos') return (await import('./batch-dbos.js')).run(flags, args);
  const output = new Output(outputModeFor(flags.json));
  const file = args[0];
  if (file === undefined) throw new SnapcopyError('INVALID_REQUEST', 'missing the batch file');
  const items = readBatchFile(file);
  const batchId = flags.batchId ?? batchIdFor(items);

  const copiers = await copiersForBatch(items, flags);

  const journal = await openSqliteJournal(flags.journal ?? 'snapcopy-journal.db');
  const orchestrator = new CopyOrchestrator({
    copiers,
    journal,
    ...orchestratorOptionsFor(flags),
  });

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
  output.line(
    `batch ${batchId}: ${items.length} request(s), journal ${flags.journal ?? 'snapcopy-journal.db'}`,
  );
  let result: BatchResult;
  try {
    result = await orchestrator.run(
      items.map((i) => ({ copier: i.provider, request: i.request })),
      {
        batchId,
        signal: controller.signal,
        onEvent: boardEvents(board, items),
      },
    );
  } finally {
    board.stop();
    if (timer) clearTimeout(timer);
    interrupt.dispose();
    await journal.close();
  }

  const code = reportBatch(output, result, stoppedBy);
  if (stoppedBy)
    process.stderr.write(`snapcopy: batch stopped (${stoppedBy}); rerun the same command to resume it\n`);
  const resumable = result.results.filter((r) => r.outcome === 'resumable').length;
  if (!stoppedBy && resumable > 0) {
    process.stderr.write(
      `snapcopy: ${resumable} copy(ies) not finished: the provider kept failing, or a copy that may exist could not be confirmed yet; the journal keeps them: rerun the same command to continue\n`,
    );
  }
  return code;
}
