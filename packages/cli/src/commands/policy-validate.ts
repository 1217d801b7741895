import type { PolicyFlags } from '../cli-flags.js';
import { EXIT_CODES } from '../exit-codes.js';
import { printCheck, policyHeading } from '../output/policy-report.js';
import { Output } from '../output/output-mode.js';
import { copiersForPolicy, readPolicyFile } from '../policy-file.js';
import { writeErrorLine } from '../report-error.js';

/**
 * `snapcopy policy validate FILE`: parses the policy (either format) and checks it
 * against each provider's capabilities and field rules. No provider call.
 */
export async function run(flags: PolicyFlags, args: readonly string[]): Promise<number> {
  const output = Output.for(flags);
  const loaded = await readPolicyFile(args[0]!, flags);
  const { checkPolicy } = await import('@snapcopy/policy');
  const check = checkPolicy(loaded.policy, await copiersForPolicy(loaded.policy, flags, false));
  const ok = check.refusals.length === 0;
  output.line(`${policyHeading(loaded)}: ${ok ? 'valid' : 'refused'}`);
  printCheck(output, check);
  output.document({
    ok,
    format: loaded.format,
    ...(loaded.region ? { region: loaded.region } : {}),
    policy: loaded.policy,
    check,
  });
  if (!ok && output.mode !== 'json') {
    writeErrorLine(
      `snapcopy: the policy cannot run: ${check.refusals.map((r) => `${r.path}: ${r.message}`).join('; ')}`,
    );
  }
  return ok ? EXIT_CODES.success : EXIT_CODES.invalidRequest;
}
