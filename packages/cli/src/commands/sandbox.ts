import { SnapcopyError } from '@snapcopy/core';
import type { SandboxFlags } from '../cli-flags.js';
import { type ExitCode, EXIT_CODES } from '../exit-codes.js';
import { runTestkitSandboxCommand } from '../sandbox-loader.js';

/**
 * `snapcopy sandbox`: both simulators and the control endpoint on 127.0.0.1, one JSON
 * line with endpoints and credentials on stdout, then runs until SIGINT/SIGTERM and exits
 * 0. With `--env` it starts in the background and prints shell `export` lines; with
 * `--advance` it moves a running sandbox's clock. The testkit does the work.
 */
export async function run(flags: SandboxFlags): Promise<number> {
  const result = await runTestkitSandboxCommand({
    ...(flags.seed === undefined ? {} : { seedFile: flags.seed }),
    ...(flags.timeScale === undefined ? {} : { timeScale: flags.timeScale }),
    ...(flags.awsPort === undefined ? {} : { awsPort: flags.awsPort }),
    ...(flags.alibabaPort === undefined ? {} : { alibabaPort: flags.alibabaPort }),
    ...(flags.controlPort === undefined ? {} : { controlPort: flags.controlPort }),
    ...(flags.fault === undefined ? {} : { faults: flags.fault }),
    ...(flags.faultSeed === undefined ? {} : { faultSeed: flags.faultSeed }),
    ...(flags.env ? { env: true } : {}),
    ...(flags.writeEnv === undefined ? {} : { writeEnv: flags.writeEnv }),
    ...(flags.advance === undefined ? {} : { advance: flags.advance }),
    ...(flags.control === undefined ? {} : { control: flags.control }),
  });
  if ('usageError' in result) throw new SnapcopyError('INVALID_REQUEST', result.usageError);
  return result.code === 0 ? EXIT_CODES.success : (result.code as ExitCode);
}
