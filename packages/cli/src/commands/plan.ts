import type { PlanOptions, PriceTable } from '@snapcopy/core';
import type { RequestFlags } from '../cli-flags.js';
import { openCopier } from '../connect.js';
import { EXIT_CODES } from '../exit-codes.js';
import { requestIsForImage } from '../image-flags.js';
import { withInterrupt } from '../interrupt.js';
import { type OutputMode, Output } from '../output/output-mode.js';
import { planTable } from '../output/tables.js';
import { prepareRequest } from '../request-setup.js';

/** `snapcopy plan`: what a copy would do and cost (in money with `--prices`). Changes nothing. */
export async function run(flags: RequestFlags): Promise<number> {
  if (requestIsForImage(flags)) return (await import('../image-commands.js')).runImagePlan(flags);
  return planAndPrint(
    flags,
    () => prepareRequest(flags),
    () => openCopier(flags),
    planTable,
  );
}

/**
 * Plans the request the flags make with the copier they open (snapshots or images), SIGINT
 * or SIGTERM stopping it, and prints the plan: the JSON document, or `table`'s rendering.
 */
export async function planAndPrint<R, P>(
  flags: RequestFlags,
  prepare: () => Promise<{ readonly request: R; readonly prices?: PriceTable | undefined }>,
  open: () => Promise<{ plan(request: R, options: PlanOptions): Promise<P> }>,
  table: (mode: OutputMode, plan: P) => string,
): Promise<number> {
  const output = Output.for(flags);
  const { request, prices } = await prepare();
  const copier = await open();
  const plan = await withInterrupt((signal) =>
    copier.plan(request, { signal, ...(prices === undefined ? {} : { prices }) }),
  );
  output.document(plan);
  output.line(table(output.mode, plan));
  return EXIT_CODES.success;
}
