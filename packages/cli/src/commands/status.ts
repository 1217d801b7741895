import type { CopyRefFlags } from '../cli-flags.js';
import { openCopierForRefs } from '../copy-refs.js';
import { EXIT_CODES } from '../exit-codes.js';
import { refsAreImages } from '../image-flags.js';
import { withInterrupt } from '../interrupt.js';
import { ref } from '../output/format.js';
import { Output } from '../output/output-mode.js';
import { rowsTable } from '../output/tables.js';

/** `snapcopy status`: state and progress of copies. Succeeds whatever the states are. */
export async function run(flags: CopyRefFlags): Promise<number> {
  if (refsAreImages(flags)) return (await import('../image-commands.js')).runImageStatus(flags);
  const output = Output.for(flags);
  const { refs, copier } = await openCopierForRefs(flags, false);
  const statuses = await withInterrupt((signal) => copier.status(refs, { signal }));
  output.document({ ok: true, statuses });
  const rows = statuses.map((s) => [
    ref(s.region, s.snapshotId),
    s.state,
    `${Math.floor(s.progress)}%`,
    s.encrypted === undefined
      ? ''
      : s.encrypted
        ? `encrypted${s.kmsKeyId ? ` (${s.kmsKeyId})` : ''}`
        : 'unencrypted',
    s.message ?? '',
  ]);
  if (output.mode === 'tty')
    output.line(rowsTable(output.mode, ['copy', 'state', 'progress', 'encryption', 'message'], rows));
  else for (const row of rows) output.line(row.filter((c) => c !== '').join('  '));
  return EXIT_CODES.success;
}
