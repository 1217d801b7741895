import type { SnapshotCopier } from '@snapcopy/core';
import type { BatchEvent, BatchResult, CopyResult } from '@snapcopy/orchestrator';
import type { BatchFileItem } from '../batch-file.js';
import type { BatchFlags } from '../cli-flags.js';
import { createCliRegistry, createCopier } from '../composition-root.js';
import { adapterOptions, endpointFor } from '../connect.js';
import { EXIT_CODES, exitCodeForError } from '../exit-codes.js';
import { gib, ref, seconds } from '../output/format.js';
import type { Output } from '../output/output-mode.js';
import type { ProgressBoard } from '../output/progress-board.js';
import { rowsTable } from '../output/tables.js';

// What `batch` does whichever engine runs it: the copiers, the progress board fed by the
// batch's events, the final document and table, the exit code.

/**
 * One attempt per copier call: the orchestrator (or the workflows) retry with the same
 * token and pause a whole region on a throttle themselves. Copier retries underneath
 * would multiply the calls and hide throttles from the shared backoff.
 */
const RUNNER_OWNS_RETRIES = Object.freeze({ maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 });

/** A copier for each provider the batch names (built, not called: a provider SDK loads on first use). */
export async function copiersForBatch(
  items: readonly BatchFileItem[],
  flags: BatchFlags,
): Promise<Record<string, SnapshotCopier>> {
  const providers = [...new Set(items.map((i) => i.provider))];
  const registry = await createCliRegistry(providers);
  const copiers: Record<string, SnapshotCopier> = {};
  for (const name of providers) {
    copiers[name] = createCopier(registry, name, {
      ...adapterOptions(endpointFor(name, flags[`${name}Endpoint`], `--${name}-endpoint`), flags),
      retry: RUNNER_OWNS_RETRIES,
    });
  }
  return copiers;
}

/** A copy's outcome in words, with why it did not complete. */
export function resultWords(r: CopyResult): string {
  if (r.error) return `${r.outcome}: ${r.error.code}: ${r.error.message}`;
  if (r.outcome !== 'completed' && r.status?.message) return `${r.outcome}: ${r.status.message}`;
  return r.outcome;
}

/**
 * 0 when every copy completed; 5/130 when the run was stopped; 4 when a copy failed or
 * was cancelled; otherwise 3: only `resumable` copies are left (the provider kept failing
 * or throttling, or a copy that may exist could not be confirmed), and a rerun continues them.
 */
export function exitCodeFor(result: BatchResult, stoppedBy: 'timeout' | 'interrupt' | undefined): number {
  if (stoppedBy === 'timeout') return EXIT_CODES.timeout;
  if (stoppedBy === 'interrupt') return EXIT_CODES.interrupted;
  if (result.results.every((r) => r.outcome === 'completed')) return EXIT_CODES.success;
  if (result.results.some((r) => r.outcome === 'failed' || r.outcome === 'cancelled')) {
    return EXIT_CODES.copyFailed;
  }
  return EXIT_CODES.providerError;
}

/** Feeds a batch's events to the progress board: a row per copy once it starts (or ends). */
export function boardEvents(
  board: ProgressBoard,
  items: readonly BatchFileItem[],
): (event: BatchEvent) => void {
  const labels = new Map<number, string>();
  const labelOf = (index: number) => labels.get(index) ?? `#${index}`;
  return (event) => {
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
  };
}

/** Prints the batch's document (json) or table and summary line; returns the exit code. */
export function reportBatch(
  output: Output,
  result: BatchResult,
  stoppedBy: 'timeout' | 'interrupt' | undefined,
): number {
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
  return code;
}
