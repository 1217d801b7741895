import { SnapcopyError } from '@snapcopy/core';
import { copyIdOf, type JournalEntry, openSqliteJournal, sourceIdOf } from '@snapcopy/orchestrator';
import { batchIdFor, readBatchFile } from '../batch-file.js';
import { DEFAULT_JOURNAL } from '../batch-runner.js';
import type { BatchFlags } from '../cli-flags.js';
import { EXIT_CODES } from '../exit-codes.js';
import { batchChain, knownBatches } from '../journal-batches.js';
import { ref } from '../output/format.js';
import { Output } from '../output/output-mode.js';
import { rowsTable } from '../output/tables.js';

function entryJson(e: JournalEntry) {
  return {
    index: e.index,
    copier: e.copier,
    kind: e.kind,
    state: e.state,
    clientToken: e.clientToken,
    source: e.request.source,
    destinationRegion: e.request.destination.region,
    ...(e.destination ? { destination: e.destination } : {}),
    attempts: e.attempts,
    ...(e.error ? { error: e.error } : {}),
    updatedAt: new Date(e.updatedAt).toISOString(),
  };
}

/**
 * `snapcopy batch status --journal F [FILE]`: every copy the journal knows, batch by batch
 * (a batch's retries after it), from the journal alone. Without FILE or `--batch-id`: every
 * batch this CLI ran with the journal, and every batch with unfinished copies in it.
 */
export async function run(flags: BatchFlags, args: readonly string[]): Promise<number> {
  const output = Output.for(flags);
  const path = flags.journal ?? DEFAULT_JOURNAL;
  const file = args[0];
  const named = flags.batchId ?? (file === undefined ? undefined : batchIdFor(readBatchFile(file)));
  const journal = await openSqliteJournal(path);
  const batches: { batchId: string; createdAt: string; size: number; entries: JournalEntry[] }[] = [];
  try {
    const roots =
      named !== undefined
        ? [named]
        : [...new Set([...knownBatches(path), ...(await journal.listUnfinished()).map((e) => e.batchId)])];
    const ids = [...new Set((await Promise.all(roots.map((id) => batchChain(journal, id)))).flat())];
    if (named !== undefined && ids.length === 0) {
      throw new SnapcopyError('INVALID_REQUEST', `batch ${named} is not in the journal ${path}`);
    }
    for (const batchId of ids) {
      const batch = await journal.getBatch(batchId);
      if (batch === undefined) continue;
      batches.push({
        batchId,
        createdAt: new Date(batch.createdAt).toISOString(),
        size: batch.size,
        entries: await journal.listEntries(batchId),
      });
    }
  } finally {
    await journal.close();
  }
  output.document({
    ok: true,
    journal: path,
    batches: batches.map((b) => ({ ...b, entries: b.entries.map(entryJson) })),
  });
  const rows = batches.flatMap((b) =>
    b.entries.map((e) => [
      b.batchId,
      String(e.index),
      e.state,
      `${e.copier} ${ref(e.request.source.region, sourceIdOf(e.request) ?? '')}`,
      e.destination ? ref(e.destination.region, copyIdOf(e.destination)) : e.request.destination.region,
      e.error ? `${e.error.code}: ${e.error.message}` : '',
    ]),
  );
  if (rows.length === 0) output.line(`no batch found in ${path}`);
  else output.line(rowsTable(output.mode, ['batch', '#', 'state', 'source', 'copy', 'error'], rows));
  for (const b of batches) {
    const count = (s: string) => b.entries.filter((e) => e.state === s).length;
    output.line(
      `batch ${b.batchId}: ${count('completed')} completed, ${count('failed')} failed, ${count('cancelled')} cancelled, ${b.entries.length - count('completed') - count('failed') - count('cancelled')} not finished of ${b.size}`,
    );
  }
  return EXIT_CODES.success;
}
