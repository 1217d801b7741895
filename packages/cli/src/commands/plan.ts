import type { RequestFlags } from '../cli-flags.js';
import { openCopier } from '../connect.js';
import { EXIT_CODES } from '../exit-codes.js';
import { withInterrupt } from '../interrupt.js';
import { Output } from '../output/output-mode.js';
import { planTable } from '../output/tables.js';
import { requestIsForImage } from '../image-flags.js';
import { prepareRequest } from '../request-setup.js';

/** `snapcopy plan`: what a copy would do and cost (in money with `--prices`). Changes nothing. */
export async function run(flags: RequestFlags): Promise<number> {
  if (requestIsForImage(flags)) return (await import('../image-commands.js')).runImagePlan(flags);
  const output = Output.for(flags);
  const { request, prices } = await prepareRequest(flags);
  const copier = await openCopier(flags);
  const plan = await withInterrupt((signal) =>
    copier.plan(request, { signal, ...(prices === undefined ? {} : { prices }) }),
  );
  output.document(plan);
  output.line(planTable(output.mode, plan));
  return EXIT_CODES.success;
}
