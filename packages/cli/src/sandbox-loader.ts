import type { Sandbox, SandboxOptions } from '@snapcopy/testkit';

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
