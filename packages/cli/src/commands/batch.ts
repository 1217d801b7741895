import { SnapcopyError } from '@snapcopy/core';
import { batchIdFor, readBatchFile } from '../batch-file.js';
import { DEFAULT_JOURNAL, itemCopierKey, runBatchItems } from '../batch-runner.js';
import type { BatchFlags } from '../cli-flags.js';
import type { EngineFlags } from '../engine-program.js';
import { Output } from '../output/output-mode.js';

/**
 * `snapcopy batch FILE`: runs every request through the orchestrator, journalled in
 * SQLite (or, with `--engine dbos`, on the workers). The batch id comes from the file, so
 * rerunning after a crash resumes it; a line's `profile` (else `--profile`) picks the
 * credentials it runs with.
 */
export async function run(flags: BatchFlags & EngineFlags, args: readonly string[]): Promise<number> {
  if (flags.engine === 'dbos') return (await import('./batch-dbos.js')).run(flags, args);
  const output = Output.for(flags);
  const file = args[0];
  if (file === undefined) throw new SnapcopyError('INVALID_REQUEST', 'missing the batch file');
  const items = readBatchFile(file);
  const batchId = flags.batchId ?? batchIdFor(items);
  return runBatchItems({
    items: items.map((i) => ({ copier: itemCopierKey(i.provider, i.profile, flags), request: i.request })),
    batchId,
    flags,
    output,
    retryHint: `snapcopy batch retry-failed ${file} --journal ${flags.journal ?? DEFAULT_JOURNAL}${flags.batchId === undefined ? '' : ` --batch-id ${flags.batchId}`}`,
  });
}
