import type { RequestFlags } from '../cli-flags.js';
import { openCopier } from '../connect.js';
import { EXIT_CODES } from '../exit-codes.js';
import { withInterrupt } from '../interrupt.js';
import { Output, outputModeFor } from '../output/output-mode.js';
import { planTable } from '../output/tables.js';
import { requestIsForImage } from '../image-flags.js';
import { requestFromFlags } from '../request-from-flags.js';

/** `snapcopy plan`: what a copy would do and cost. Changes nothing. */
export async function run(flags: RequestFlags): Promise<number> {
  if (requestIsForImage(flags)) return (await import('../image-commands.js')).runImagePlan(flags);
  const output = new Output(outputModeFor(flags.json));
  const request = requestFromFlags(flags);
  const copier = await openCopier(flags);
  const plan = await withInterrupt((signal) => copier.plan(request, { signal }));
  output.document(plan);
  output.line(planTable(output.mode, plan));
  return EXIT_CODES.success;
}
