import { estimateCopyCost, type PriceTable } from '@snapcopy/core';
import {
  type AnyCopyRequestInput,
  type BatchEvent,
  type BatchResult,
  type CopierEntry,
  type CopyResult,
  CopyOrchestrator,
  copyIdOf,
  handleSourceId,
  type JournalEntry,
  openSqliteJournal,
  sourceIdOf,
} from '@snapcopy/orchestrator';
import { copierKey, parseCopierKey } from './batch-file.js';
import type { BatchFlags } from './cli-flags.js';
import { createCliRegistry, createCopierPair } from './composition-root.js';
import { adapterOptions, endpointFor } from './connect.js';
import { EXIT_CODES, exitCodeForError } from './exit-codes.js';
import { onInterrupt } from './interrupt.js';
import { orchestratorOptionsFor } from './orchestrator-options.js';
import { ref, seconds } from './output/format.js';
import type { Output } from './output/output-mode.js';
import { createProgressBoard, type ProgressBoard } from './output/progress-board.js';
import { billableWords, planCostHeading, rowsTable } from './output/tables.js';
import { pricesFor, readPriceFile } from './prices-file.js';
import { noteBatch } from './journal-batches.js';
import { isProviderName, type ProviderName } from './providers.js';
import { writeErrorLine } from './report-error.js';

/**
 * One attempt per copier call: the orchestrator retries (same token) and pauses a whole
 * region on a throttle itself. Copier retries underneath would multiply the calls and
 * hide throttles from the queue's shared backoff.
 */
const ORCHESTRATOR_OWNS_RETRIES = Object.freeze({ maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 });

/** The journal file when `--journal` is not given. */
export const DEFAULT_JOURNAL = 'snapcopy-journal.db';

/** One request of a run (a snapshot or an image), on the copier its key names (`aws`, `aws@prod`). */
export interface RunItem {
  readonly copier: string;
  readonly request: AnyCopyRequestInput;
}

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
 * The copiers for every key the items name, each on its provider's endpoint and profile:
 * its snapshot copier and its image copier (a batch may mix snapshots and images).
 */
export async function copiersFor(
  keys: readonly string[],
  flags: Pick<BatchFlags, 'awsEndpoint' | 'alibabaEndpoint' | 'profile' | 'verbose' | 'requestTimeout'>,
): Promise<Record<string, CopierEntry>> {
  const parsed = keys.map((key) => ({ key, ...parseCopierKey(key) }));
  const providers = [...new Set(parsed.map((p) => p.provider))].filter(isProviderName);
  const registry = await createCliRegistry(providers);
  const copiers: Record<string, CopierEntry> = {};
  for (const { key, provider, profile } of parsed) {
    if (!isProviderName(provider)) continue;
    const name: ProviderName = provider;
    copiers[key] = await createCopierPair(registry, name, {
      ...adapterOptions(endpointFor(name, flags[`${name}Endpoint`], `--${name}-endpoint`), {
        ...flags,
        ...(profile === undefined ? {} : { profile }),
      }),
      retry: ORCHESTRATOR_OWNS_RETRIES,
    });
  }
  return copiers;
}

/** The copier key of a batch file line under `--profile`. */
export function itemCopierKey(provider: string, profile: string | undefined, flags: BatchFlags): string {
  return copierKey(provider, profile ?? flags.profile);
}

/**
 * Money per result with `--prices`: each plan priced with its provider's table (an image's
 * plan over the sum of its backing snapshots, as `plan --image --prices` prices it).
 */
function costsOf(results: readonly CopyResult[], flags: BatchFlags) {
  if (flags.prices === undefined) return undefined;
  const file = readPriceFile(flags.prices);
  return results.map((r) => {
    const plan = r.plan;
    if (plan === undefined) return undefined;
    const table: PriceTable = pricesFor(file, parseCopierKey(r.copier).provider, flags.prices as string);
    return estimateCopyCost(
      {
        billableGiB: plan.billableGiB,
        kms: plan.kms,
        sourceRegion: plan.source.region,
        destinationRegion: plan.destination.region,
      },
      table,
    );
  });
}

/** Totals by currency: `12.5 USD once + 3.2 USD/month`. */
function totalsOf(costs: readonly (ReturnType<typeof estimateCopyCost> | undefined)[]) {
  const by = new Map<
    string,
    { oneOff: number; monthly: number; sources: Set<string>; unpriced: Set<string> }
  >();
  for (const c of costs) {
    if (c === undefined) continue;
    const t = by.get(c.currency) ?? { oneOff: 0, monthly: 0, sources: new Set(), unpriced: new Set() };
    t.oneOff = Math.round((t.oneOff + c.oneOff) * 1e6) / 1e6;
    t.monthly = Math.round((t.monthly + c.monthly) * 1e6) / 1e6;
    for (const s of c.priceSource.split('; ')) t.sources.add(s);
    for (const u of c.unpriced) t.unpriced.add(u);
    by.set(c.currency, t);
  }
  return [...by.entries()].map(([currency, t]) => ({
    currency,
    oneOff: t.oneOff,
    monthly: t.monthly,
    priceSources: [...t.sources],
    unpriced: [...t.unpriced],
  }));
}

/** How a run was stopped from outside, if it was: `--timeout` or SIGINT/SIGTERM. */
export type StoppedBy = 'timeout' | 'interrupt' | undefined;

/**
 * An abort signal for a run that SIGINT/SIGTERM and `--timeout` end; `stoppedBy()` says
 * which did, `dispose()` removes the handlers.
 */
export function runStopper(timeoutMs: number | undefined): {
  readonly signal: AbortSignal;
  stoppedBy(): StoppedBy;
  dispose(): void;
} {
  const interrupt = onInterrupt();
  const controller = new AbortController();
  let stoppedBy: StoppedBy;
  interrupt.signal.addEventListener('abort', () => {
    stoppedBy ??= 'interrupt';
    controller.abort(interrupt.signal.reason);
  });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          stoppedBy ??= 'timeout';
          controller.abort(new Error('timeout'));
        }, timeoutMs);
  return {
    signal: controller.signal,
    stoppedBy: () => stoppedBy,
    dispose: () => {
      if (timer) clearTimeout(timer);
      interrupt.dispose();
    },
  };
}

/** Feeds a batch's events to the progress board: a row per copy once it starts (or ends). */
export function boardEvents(board: ProgressBoard, items: readonly RunItem[]): (event: BatchEvent) => void {
  const labels = new Map<number, string>();
  const labelOf = (index: number) => labels.get(index) ?? `#${index}`;
  return (event) => {
    if (event.type === 'copy-started') {
      const h = event.handle;
      const label = `#${event.index} ${h.provider} ${ref(h.sourceRegion, handleSourceId(h))} -> ${ref(h.region, copyIdOf(h))}`;
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
          `#${r.index} ${items[r.index]?.copier ?? ''} ${req ? ref(req.source.region, sourceIdOf(req) ?? '') : ''}`,
        );
        board.add(String(r.index), labelOf(r.index));
      }
      if (r.status) board.update(String(r.index), r.status);
      if (r.outcome !== 'completed') board.fail(String(r.index), resultWords(r));
    }
  };
}

/**
 * Prints a finished (or stopped) batch: its document on stdout (`--output json`) or its
 * table, summary and money totals (`--prices`); returns the exit code.
 */
export function reportBatch(
  output: Output,
  result: BatchResult,
  options: {
    readonly flags: BatchFlags;
    readonly stoppedBy: StoppedBy;
    /** Failures a resumed batch replayed from the journal (not run again). */
    readonly replayed?: readonly JournalEntry[];
  },
): number {
  const { flags, stoppedBy } = options;
  const replayed = options.replayed ?? [];
  const code = exitCodeFor(result, stoppedBy);
  const costs = costsOf(result.results, flags);
  const totals = costs === undefined ? undefined : totalsOf(costs);
  output.document({
    ok: code === EXIT_CODES.success,
    batchId: result.batchId,
    resumed: result.resumed,
    aborted: result.aborted,
    counts: result.counts,
    calls: result.calls,
    ...(replayed.length === 0 ? {} : { replayedFailures: replayed.map((e) => e.index) }),
    ...(totals === undefined ? {} : { totals }),
    results: result.results.map((r, i) => ({
      index: r.index,
      provider: parseCopierKey(r.copier).provider,
      copier: r.copier,
      kind: r.kind,
      outcome: r.outcome,
      clientToken: r.clientToken,
      resumed: r.resumed,
      attempts: r.attempts,
      ...(r.destination ? { destination: r.destination } : {}),
      ...(r.plan ? { plan: r.plan } : {}),
      ...(costs?.[i] ? { cost: costs[i] } : {}),
      ...(r.status ? { status: r.status } : {}),
      ...(r.error ? { error: r.error.toJSON(), exitCode: exitCodeForError(r.error.code) } : {}),
    })),
  });
  output.line(
    rowsTable(
      output.mode,
      ['#', 'copier', 'copy', 'outcome', planCostHeading(costs !== undefined), 'took'],
      result.results.map((r, i) => [
        String(r.index),
        r.copier,
        r.destination ? ref(r.destination.region, copyIdOf(r.destination)) : '-',
        resultWords(r),
        costs?.[i]
          ? `${costs[i].oneOff} + ${costs[i].monthly}/mo ${costs[i].currency}`
          : r.plan
            ? billableWords(r.plan.billableGiB)
            : '-',
        r.timings.finishedAt === undefined ? '-' : seconds(r.timings.finishedAt - r.timings.queuedAt),
      ]),
    ),
  );
  const c = result.counts;
  output.line(
    `batch ${result.batchId}${result.resumed ? ' (resumed)' : ''}: ${c.completed} completed, ${c.failed} failed, ${c.cancelled} cancelled, ${c.notFinished} not finished of ${c.total}`,
  );
  for (const t of totals ?? []) {
    output.line(
      `total: ${t.oneOff} ${t.currency} once + ${t.monthly} ${t.currency}/month${t.unpriced.length > 0 ? ` (not priced: ${t.unpriced.join(', ')})` : ''}; prices: ${t.priceSources.join('; ')}`,
    );
  }
  return code;
}

/** How many copies of a result are left `resumable` (the journal keeps them open). */
export function resumableCount(result: BatchResult): number {
  return result.results.filter((r) => r.outcome === 'resumable').length;
}

/**
 * Runs items through the orchestrator with a SQLite journal, showing progress on stderr
 * and the results on stdout; returns the exit code. A batch already in the journal resumes:
 * the failures it had already recorded are replayed (not run again) and named on stderr.
 */
export async function runBatchItems(options: {
  readonly items: readonly RunItem[];
  readonly batchId: string;
  readonly flags: BatchFlags;
  readonly output: Output;
  /** How to run the failures again, for the note on a resumed batch. */
  readonly retryHint?: string;
}): Promise<number> {
  const { items, batchId, flags, output } = options;
  const copiers = await copiersFor([...new Set(items.map((i) => i.copier))], flags);
  const journalPath = flags.journal ?? DEFAULT_JOURNAL;
  const journal = await openSqliteJournal(journalPath);
  // What the journal already holds: a resumed batch replays its recorded failures.
  const before: JournalEntry[] = (await journal.getBatch(batchId)) ? await journal.listEntries(batchId) : [];
  noteBatch(journalPath, batchId);
  const orchestrator = new CopyOrchestrator({
    copiers,
    journal,
    ...orchestratorOptionsFor(flags),
  });

  const stopper = runStopper(flags.timeout);
  const board = createProgressBoard(output);
  output.info(`batch ${batchId}: ${items.length} request(s), journal ${journalPath}`);
  let result: BatchResult;
  try {
    result = await orchestrator.run(
      items.map((i) => ({ copier: i.copier, request: i.request })),
      { batchId, signal: stopper.signal, onEvent: boardEvents(board, items) },
    );
  } finally {
    board.stop();
    stopper.dispose();
    await journal.close();
  }

  const stoppedBy = stopper.stoppedBy();
  const replayed = before.filter((e) => e.state === 'failed');
  const code = reportBatch(output, result, { flags, stoppedBy, replayed });
  if (replayed.length > 0) {
    writeErrorLine(
      `snapcopy: resumed batch ${batchId}: ${replayed.length} failure(s) replayed from the journal, not run again: ${replayed
        .map((e) => `#${e.index}${e.error ? ` (${e.error.code})` : ''}`)
        .join(', ')}${options.retryHint ? `; to run them again: ${options.retryHint}` : ''}`,
    );
  }
  if (stoppedBy)
    writeErrorLine(`snapcopy: batch stopped (${stoppedBy}); rerun the same command to resume it`);
  const resumable = resumableCount(result);
  if (!stoppedBy && resumable > 0) {
    writeErrorLine(
      `snapcopy: ${resumable} copy(ies) not finished: the provider kept failing, or a copy that may exist could not be confirmed yet; the journal keeps them: rerun the same command to continue`,
    );
  }
  return code;
}
