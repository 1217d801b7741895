import type { PolicyFlags } from '../cli-flags.js';
import { EXIT_CODES } from '../exit-codes.js';
import { readPolicyFile } from '../policy-file.js';

/** `snapcopy policy convert FILE`: prints the snapcopy form of a policy (a DLM document's translation). */
export async function run(flags: PolicyFlags, args: readonly string[]): Promise<number> {
  const loaded = await readPolicyFile(args[0]!, flags);
  process.stdout.write(`${JSON.stringify(loaded.policy, null, 2)}\n`);
  return EXIT_CODES.success;
}
