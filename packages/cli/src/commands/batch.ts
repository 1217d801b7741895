import { SnapcopyError, type SnapshotCopier } from '@snapcopy/core';
import {
  type BatchResult,
  type CopyResult,
  CopyOrchestrator,
  openSqliteJournal,
} from '@snapcopy/orchestrator';
import { batchIdFor, readBatchFile } from '../batch-file.js';
import type { BatchFlags } from '../cli-flags.js';
import { createCliRegistry, createCopier } from '../composition-root.js';
import { adapterOptions, endpointFor } from '../connect.js';
import { EXIT_CODES, exitCodeForError } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import { orchestratorOptionsFor } from '../orchestrator-options.js';
import { gib, ref, seconds } from '../output/format.js';
import { Output, outputModeFor } from '../output/output-mode.js';
import { createProgressBoard } from '../output/progress-board.js';
import { rowsTable } from '../output/tables.js';

/**
 * One attempt per copier call: the orchestrator retries (same token) and pauses a whole
 * region on a throttle itself. Copier retries underneath would multiply the calls and
 * hide throttles from the queue's shared backoff.
 */
const ORCHESTRATOR_OWNS_RETRIES = Object.freeze({ maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 });

function resultWords(r: CopyResult): string {
  if (r.error) return `${r.outcome}: ${r.error.code}: ${r.error.message}`;
  if (r.outcome !== 'completed' && r.status?.message) return `${r.outcome}: ${r.status.message}`;
  return r.outcome;
}

/**
 * 0 when every copy completed; 5/130 when the run was stopped; 4 when a copy failed or
 * was cancelled; otherwise 3: only `resumable` copies are left (the provider kept failing
 * or throttling, or a copy that may exist could not be confirmed), and a rerun continues them.
 */
function exitCodeFor(result: BatchResult, stoppedBy: 'timeout' | 'interrupt' | undefined): number {
  if (stoppedBy === 'timeout') return EXIT_CODES.timeout;
  if (stoppedBy === 'interrupt') return EXIT_CODES.interrupted;
  if (result.results.every((r) => r.outcome === 'completed')) return EXIT_CODES.success;
  if (result.results.some((r) => r.outcome === 'failed' || r.outcome === 'cancelled')) {
    return EXIT_CODES.copyFailed;
  }
  return EXIT_CODES.providerError;
}

/**
 * `snapcopy batch FILE`: runs every request through the orchestrator, journalled in
 * SQLite. The batch id comes from the file, so rerunning after a crash resumes it.
 */
export async function run(flags: BatchFlags, args: readonly string[]): Promise<number> {
  const output = new Output(outputModeFor(flags.json));
  const file = args[0];
  if (file === undefined) throw new SnapcopyError('INVALID_REQUEST', 'missing the batch file');
  const items = readBatchFile(file);
  const batchId = flags.batchId ?? batchIdFor(items);

  const providers = [...new Set(items.map((i) => i.provider))];
  const registry = await createCliRegistry(providers);
  const copiers: Record<string, SnapshotCopier> = {};
  for (const name of providers) {
    copiers[name] = createCopier(registry, name, {
      ...adapterOptions(endpointFor(name, flags[`${name}Endpoint`], `--${name}-endpoint`), flags),
      retry: ORCHESTRATOR_OWNS_RETRIES,
    });
  }

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
  const labels = new Map<number, string>();
  const labelOf = (index: number) => labels.get(index) ?? `#${index}`;
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
        onEvent: (event) => {
          if (event.type === 'copy-started') {
            const h = event.handle;
            const label = `#${event.index} ${h.provider} ${ref(h.sourceRegion, h.sourceSnapshotId)} -> ${ref(h.region, h.snapshotId)}`;
            if (!labels.has(event.index)) {
              labels.set(event.index, label);
              board.add(String(event.index), label);
            }
          } else if (event.type === 'copy-progress') {
            board.update(String(event.index), event.status);
          } else if (event.type === 'copy-finished') {
            const r = event.result;
            if (!labels.has(r.index)) {
              const req = items[r.index]?.request;
              labels.set(
                r.index,
                `#${r.index} ${items[r.index]?.provider ?? ''} ${req ? ref(req.source.region, req.source.snapshotId) : ''}`,
              );
              board.add(String(r.index), labelOf(r.index));
            }
            if (r.status) board.update(String(r.index), r.status);
            if (r.outcome !== 'completed') board.fail(String(r.index), resultWords(r));
          }
        },
      },
    );
  } finally {
    board.stop();
    if (timer) clearTimeout(timer);
    interrupt.dispose();
    await journal.close();
  }

  const code = exitCodeFor(result, stoppedBy);
  output.document({
    ok: code === EXIT_CODES.success,
    batchId: result.batchId,
    resumed: result.resumed,
    aborted: result.aborted,
    counts: result.counts,
    calls: result.calls,
    results: result.results.map((r) => ({
      index: r.index,
      provider: r.copier,
      outcome: r.outcome,
      clientToken: r.clientToken,
      resumed: r.resumed,
      attempts: r.attempts,
      ...(r.destination ? { destination: r.destination } : {}),
      ...(r.plan ? { plan: r.plan } : {}),
      ...(r.status ? { status: r.status } : {}),
      ...(r.error ? { error: r.error.toJSON(), exitCode: exitCodeForError(r.error.code) } : {}),
    })),
  });
  output.line(
    rowsTable(
      output.mode,
      ['#', 'provider', 'copy', 'outcome', 'billable (transfer / storage)', 'took'],
      result.results.map((r) => [
        String(r.index),
        r.copier,
        r.destination ? ref(r.destination.region, r.destination.snapshotId) : '-',
        resultWords(r),
        r.plan ? `${gib(r.plan.billableGiB.transfer)} / ${gib(r.plan.billableGiB.storage)}` : '-',
        r.timings.finishedAt === undefined ? '-' : seconds(r.timings.finishedAt - r.timings.queuedAt),
      ]),
    ),
  );
  const c = result.counts;
  output.line(
    `batch ${result.batchId}${result.resumed ? ' (resumed)' : ''}: ${c.completed} completed, ${c.failed} failed, ${c.cancelled} cancelled, ${c.notFinished} not finished of ${c.total}`,
  );
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
