import { SnapcopyError } from '@snapcopy/core';
import { openSqliteJournal, TERMINAL_JOURNAL_STATES } from '@snapcopy/orchestrator';
import { batchIdFor, readBatchFile } from '../batch-file.js';
import { DEFAULT_JOURNAL, runBatchItems, type RunItem } from '../batch-runner.js';
import type { BatchFlags } from '../cli-flags.js';
import { EXIT_CODES } from '../exit-codes.js';
import { batchChain, retryBatchId } from '../journal-batches.js';
import { Output } from '../output/output-mode.js';

/**
 * `snapcopy batch retry-failed FILE --journal F`: the copies that failed in the latest run
 * of the batch (the batch itself, or its latest retry) run again as a new batch,
 * `<batch id>.retry-<n>`, whose client tokens are new (derived from that id): a failed
 * copy's token is never reused. A retry that did not finish (a crash, Ctrl-C) is resumed
 * instead. Works from the journal's public API only.
 */
export async function run(flags: BatchFlags, args: readonly string[]): Promise<number> {
  const output = Output.for(flags);
  const file = args[0];
  if (file === undefined) throw new SnapcopyError('INVALID_REQUEST', 'missing the batch file');
  const path = flags.journal ?? DEFAULT_JOURNAL;
  const batchId = flags.batchId ?? batchIdFor(readBatchFile(file));
  const journal = await openSqliteJournal(path);
  let items: RunItem[];
  let runId: string;
  try {
    const chain = await batchChain(journal, batchId);
    if (chain.length === 0) {
      throw new SnapcopyError(
        'INVALID_REQUEST',
        `batch ${batchId} is not in the journal ${path}: run it first (snapcopy batch ${file} --journal ${path})`,
      );
    }
    const latest = chain.at(-1) as string;
    const entries = await journal.listEntries(latest);
    const unfinished = entries.some((e) => !TERMINAL_JOURNAL_STATES.has(e.state));
    if (unfinished && latest !== batchId) {
      // A retry that stopped half-way: resume it with its own requests and tokens.
      runId = latest;
      items = entries.map((e) => ({ copier: e.copier, request: e.request }));
      output.info(`resuming ${latest}: it has copies that did not finish`);
    } else if (unfinished) {
      throw new SnapcopyError(
        'INVALID_REQUEST',
        `batch ${batchId} has copies that did not finish: resume it first (snapcopy batch ${file} --journal ${path})`,
      );
    } else {
      const failed = entries.filter((e) => e.state === 'failed');
      if (failed.length === 0) {
        output.line(`batch ${latest}: no failed copy to run again`);
        output.document({ ok: true, batchId: latest, retried: [] });
        return EXIT_CODES.success;
      }
      runId = retryBatchId(batchId, chain.length);
      // New tokens: the request's own token is dropped, and the orchestrator derives one
      // from the retry's batch id.
      items = failed.map((e) => {
        const { clientToken: _old, ...request } = e.request;
        return { copier: e.copier, request };
      });
      output.info(
        `retrying ${failed.length} failed cop${failed.length === 1 ? 'y' : 'ies'} of ${latest} as ${runId}: ${failed
          .map((e, i) => `#${i} is ${latest} #${e.index}`)
          .join(', ')}`,
      );
    }
  } finally {
    await journal.close();
  }
  return runBatchItems({
    items,
    batchId: runId,
    flags,
    output,
    retryHint: `snapcopy batch retry-failed ${file} --journal ${path}`,
  });
}
