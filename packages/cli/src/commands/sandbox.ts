import type { SandboxFlags } from '../cli-flags.js';
import { EXIT_CODES } from '../exit-codes.js';
import { startTestkitSandbox } from '../sandbox-loader.js';

/**
 * `snapcopy sandbox`: both simulators on 127.0.0.1, one JSON line with endpoints and
 * credentials on stdout, then runs until SIGINT/SIGTERM and exits 0.
 */
export async function run(flags: SandboxFlags): Promise<number> {
  const sandbox = await startTestkitSandbox({
    ...(flags.timeScale === undefined ? {} : { timeScale: flags.timeScale }),
  });
  const line = {
    aws: { endpoint: sandbox.aws.endpoint, accounts: sandbox.aws.accounts, regions: sandbox.aws.regions },
    alibaba: {
      endpoint: sandbox.alibaba.endpoint,
      accounts: sandbox.alibaba.accounts,
      regions: sandbox.alibaba.regions,
    },
    env: {
      SNAPCOPY_AWS_ENDPOINT: sandbox.aws.endpoint,
      SNAPCOPY_ALIBABA_ENDPOINT: sandbox.alibaba.endpoint,
    },
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.close();
  return EXIT_CODES.success;
}
