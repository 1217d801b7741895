import type { CopyRefFlags } from '../cli-flags.js';
import { openCopier } from '../connect.js';
import { copyRefsFromFlags } from '../copy-refs.js';
import { EXIT_CODES } from '../exit-codes.js';
import {
  exitCodeForOutcomes,
  followCopies,
  outcomeJson,
  outcomeWords,
  waitErrorLine,
} from '../follow-copies.js';
import { onInterrupt } from '../interrupt.js';
import { ref, seconds } from '../output/format.js';
import { Output, outputModeFor } from '../output/output-mode.js';
import { createProgressBoard } from '../output/progress-board.js';
import { rowsTable } from '../output/tables.js';

/** `snapcopy wait`: follows one copy to its end; a timeout or interrupt leaves it running. */
export async function run(flags: CopyRefFlags): Promise<number> {
  const output = new Output(outputModeFor(flags.json));
  const { refs, provider } = copyRefsFromFlags(flags, true);
  const copier = await openCopier({ ...flags, provider: flags.provider ?? provider });
  const target = refs[0] as (typeof refs)[number];
  const label = ref(target.region, target.snapshotId);
  const interrupt = onInterrupt();
  const board = createProgressBoard(output);
  const [outcome] = await followCopies([{ key: label, label, ref: target, copier }], board, {
    flags,
    signal: interrupt.signal,
  }).finally(() => {
    board.stop();
    interrupt.dispose();
  });
  if (!outcome) throw new Error('no outcome for the copy');
  const code = exitCodeForOutcomes([outcome]);
  output.document({ ok: code === EXIT_CODES.success, copy: target, ...outcomeJson(outcome) });
  output.line(
    rowsTable(
      output.mode,
      ['copy', 'outcome', 'waited'],
      [[label, outcomeWords(outcome), seconds(outcome.elapsedMs)]],
    ),
  );
  if (outcome.error) process.stderr.write(`${waitErrorLine(outcome.error, copier.provider, target)}\n`);
  return code;
}
