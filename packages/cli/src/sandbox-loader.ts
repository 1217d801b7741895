import type { Sandbox, SandboxCommandIo, SandboxCommandOptions, SandboxOptions } from '@snapcopy/testkit';

/** A running sandbox: both simulators on 127.0.0.1 (the testkit's `Sandbox`). */
export type RunningSandbox = Sandbox;

/**
 * Starts the testkit's sandbox. The testkit (and with it the simulators and nock) is
 * imported here only, so that no other command loads it.
 */
export async function startTestkitSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const { startSandbox } = await import('@snapcopy/testkit');
  return startSandbox(options);
}

/**
 * Runs the testkit's sandbox command (foreground, `--env` background start, or
 * `--advance`); its bad-input errors come back as `SandboxUsageError`s.
 */
export async function runTestkitSandboxCommand(
  options: SandboxCommandOptions,
  io?: SandboxCommandIo,
): Promise<{ code: number } | { usageError: string }> {
  const { runSandboxCommand, processSandboxIo, SandboxUsageError } = await import('@snapcopy/testkit');
  try {
    return { code: await runSandboxCommand(options, io ?? processSandboxIo()) };
  } catch (err) {
    if (err instanceof SandboxUsageError) return { usageError: err.message };
    throw err;
  }
}
