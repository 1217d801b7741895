import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CopyJournal } from '@snapcopy/orchestrator';
import { stateDirectory } from './cancel-ledger-file.js';

// The journal's public API can list a batch's entries and every unfinished entry, but not
// the batches it holds. The CLI therefore notes each batch it runs, by journal file, in its
// state directory, and `batch status` lists those together with the batches that still
// have unfinished entries.

function indexFile(): string {
  return join(stateDirectory(), 'journal-batches.jsonl');
}

/** Notes that `batchId` ran in the journal at `journalPath`. */
export function noteBatch(journalPath: string, batchId: string): void {
  const journal = resolve(journalPath);
  if (knownBatches(journalPath).includes(batchId)) return;
  try {
    mkdirSync(stateDirectory(), { recursive: true, mode: 0o700 });
    appendFileSync(indexFile(), `${JSON.stringify({ journal, batchId })}\n`, { mode: 0o600 });
  } catch {
    // Only `batch status` without a batch id reads it; the journal itself is the record.
  }
}

/** The batches noted for the journal at `journalPath`, oldest first. */
export function knownBatches(journalPath: string): string[] {
  const journal = resolve(journalPath);
  let text: string;
  try {
    text = readFileSync(indexFile(), 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    try {
      const r = JSON.parse(line) as { journal?: unknown; batchId?: unknown };
      if (r.journal === journal && typeof r.batchId === 'string' && !out.includes(r.batchId))
        out.push(r.batchId);
    } catch {
      // A blank or torn line.
    }
  }
  return out;
}

/** The id of retry `n` of a batch (`batch retry-failed`). */
export function retryBatchId(batchId: string, n: number): string {
  return `${batchId}.retry-${n}`;
}

/** A batch and its retries that the journal holds, in order: the batch itself first. */
export async function batchChain(journal: CopyJournal, batchId: string): Promise<string[]> {
  if (!(await journal.getBatch(batchId))) return [];
  const chain = [batchId];
  for (let n = 1; n <= 1000; n++) {
    const id = retryBatchId(batchId, n);
    if (!(await journal.getBatch(id))) break;
    chain.push(id);
  }
  return chain;
}
