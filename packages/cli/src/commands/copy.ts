import type { CopyFlags } from '../cli-flags.js';
import { openCopier } from '../connect.js';
import { EXIT_CODES } from '../exit-codes.js';
import {
  exitCodeForOutcomes,
  followCopies,
  outcomeJson,
  outcomeWords,
  waitErrorLine,
} from '../follow-copies.js';
import { onInterrupt } from '../interrupt.js';
import { encryptionWords, gib, ref, seconds } from '../output/format.js';
import { Output, outputModeFor } from '../output/output-mode.js';
import { createProgressBoard } from '../output/progress-board.js';
import { rowsTable } from '../output/tables.js';
import { requestFromFlags } from '../request-from-flags.js';

/** `snapcopy copy`: plans, starts the copy, and with `--wait` follows it to its end. */
export async function run(flags: CopyFlags): Promise<number> {
  const output = new Output(outputModeFor(flags.json));
  const request = requestFromFlags(flags);
  const copier = await openCopier(flags);
  const plan = await copier.plan(request);
  output.line(
    `plan: ${plan.transfer} transfer, ${gib(plan.billableGiB.transfer)} billable transfer, ${gib(plan.billableGiB.storage)} storage, ${encryptionWords(plan)}`,
  );
  const handle = await copier.copy(request, { plan });
  const label = `${ref(handle.sourceRegion, handle.sourceSnapshotId)} -> ${ref(handle.region, handle.snapshotId)}`;
  output.line(
    `copy ${handle.reused ? 'found (same client token)' : 'started'}: ${label} (client token ${handle.clientToken})`,
  );
  if (!flags.wait) {
    output.document({ ok: true, handle, plan });
    return EXIT_CODES.success;
  }

  const interrupt = onInterrupt();
  const board = createProgressBoard(output);
  const [outcome] = await followCopies([{ key: handle.snapshotId, label, ref: handle, copier }], board, {
    flags,
    signal: interrupt.signal,
  }).finally(() => {
    board.stop();
    interrupt.dispose();
  });
  if (!outcome) throw new Error('no outcome for the copy');
  const code = exitCodeForOutcomes([outcome]);
  output.document({ ok: code === EXIT_CODES.success, handle, plan, ...outcomeJson(outcome) });
  output.line(
    rowsTable(
      output.mode,
      ['copy', 'outcome', 'took'],
      [[label, outcomeWords(outcome), seconds(outcome.elapsedMs)]],
    ),
  );
  if (outcome.error) process.stderr.write(`${waitErrorLine(outcome.error, copier.provider, handle)}\n`);
  return code;
}
