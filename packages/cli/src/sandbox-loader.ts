import { SnapcopyError } from '@snapcopy/core';
import type { LedgerEntry } from '@snapcopy/testkit';

/** One simulated cloud of a running sandbox, as `startSandbox` describes it. */
export interface SandboxCloudInfo {
  readonly endpoint: string;
  readonly accounts: readonly {
    readonly accountId: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
  }[];
  readonly regions: readonly string[];
}

/** What the demo reads of a simulator: its billing ledger and request log. */
export interface SimulatorView {
  readonly world: {
    readonly ledger: { forSnapshot(snapshotId: string): LedgerEntry | undefined };
    readonly requests: { count(operation?: string, since?: number): number; readonly size: number };
  };
}

/** What the CLI uses of a running sandbox. */
export interface RunningSandbox {
  readonly aws: SandboxCloudInfo;
  readonly alibaba: SandboxCloudInfo;
  readonly ec2: SimulatorView;
  readonly ecs: SimulatorView;
  close(): Promise<void>;
}

/** Options the CLI passes to `startSandbox`. */
export interface SandboxStartOptions {
  readonly timeScale?: number;
  readonly seed?: unknown;
}

/**
 * Starts the testkit's sandbox (both simulators on 127.0.0.1). The testkit is imported
 * here only, so that no other command loads the simulators.
 */
export async function startTestkitSandbox<S extends RunningSandbox = RunningSandbox>(
  options: SandboxStartOptions,
): Promise<S> {
  const testkit = (await import('@snapcopy/testkit')) as Record<string, unknown>;
  const start = testkit.startSandbox;
  if (typeof start !== 'function') {
    throw new SnapcopyError(
      'UNSUPPORTED',
      'the sandbox is not available yet (@snapcopy/testkit has no startSandbox)',
    );
  }
  return (await (start as (o: SandboxStartOptions) => Promise<S>)(options)) as S;
}
