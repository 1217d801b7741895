import type { PolicyFlags } from '../cli-flags.js';
import { EXIT_CODES } from '../exit-codes.js';
import { withInterrupt } from '../interrupt.js';
import { printPassReport, policyHeading } from '../output/policy-report.js';
import { Output } from '../output/output-mode.js';
import { copiersForPolicy, passClock, policyPrices, readPolicyFile } from '../policy-file.js';

/**
 * `snapcopy policy plan FILE`: what one pass would copy, skip, expire, and what it would
 * cost (in money with `--prices`, each provider priced from its own table). Reads only
 * (list, describe and plan calls); changes nothing.
 */
export async function run(flags: PolicyFlags, args: readonly string[]): Promise<number> {
  const output = Output.for(flags);
  const loaded = await readPolicyFile(args[0]!, flags);
  const prices = policyPrices(loaded.policy, flags);
  const { runPolicyPass } = await import('@snapcopy/policy');
  output.info(policyHeading(loaded));
  const copiers = await copiersForPolicy(loaded.policy, flags, false);
  const report = await withInterrupt(async (signal) =>
    runPolicyPass({
      policy: loaded.policy,
      copiers,
      mode: 'plan',
      clock: await passClock(),
      signal,
      ...(prices === undefined ? {} : { pricesByProvider: prices }),
    }),
  );
  printPassReport(output, report);
  output.document({
    ok: true,
    format: loaded.format,
    ...(loaded.region ? { region: loaded.region } : {}),
    report,
  });
  return EXIT_CODES.success;
}
