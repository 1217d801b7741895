import { EcsSimulator, type EcsSimulatorOptions, mountSimulator, VirtualClock } from '@snapcopy/testkit';
import {
  type AlibabaEcsCopierOptions,
  createAlibabaEcsCopier,
  createAlibabaImageCopier,
} from '../../src/index.js';

export const HANGZHOU = 'cn-hangzhou';
export const SHANGHAI = 'cn-shanghai';
export const BEIJING = 'cn-beijing';

/** A simulator with one account in three regions, a copier on the same virtual clock. */
export interface SimHarness {
  readonly sim: EcsSimulator;
  readonly clock: VirtualClock;
  readonly account: string;
  readonly credentials: { accessKeyId: string; accessKeySecret: string };
  /** `http://127.0.0.1:PORT` in server mode, undefined in nock mode (regional endpoints). */
  readonly endpoint: string | undefined;
  copier(overrides?: AlibabaEcsCopierOptions): ReturnType<typeof createAlibabaEcsCopier>;
  /** An image copier with the same credentials, endpoint, clock and retries. */
  imageCopier(overrides?: AlibabaEcsCopierOptions): ReturnType<typeof createAlibabaImageCopier>;
  /** Copies the simulator holds of one source snapshot (the cloud's word, not the adapter's). */
  copiesOf(sourceSnapshotId: string): string[];
  close(): Promise<void>;
}

/** Builds a harness mounted on 127.0.0.1 (`server`) or as a nock interceptor of the real endpoints. */
export async function makeSimHarness(
  mounting: 'server' | 'nock',
  options: Omit<EcsSimulatorOptions, 'clock'> = {},
): Promise<SimHarness> {
  const clock = new VirtualClock();
  const sim = new EcsSimulator({ clock, throughputMiBps: 1024, minCopyMs: 60_000, ...options });
  sim.addRegions(HANGZHOU, SHANGHAI, BEIJING);
  const account = sim.addAccount({ id: '1234567890123456' }).id;
  const { accessKeyId, accessKeySecret } = sim.credentials(account);
  const { endpoint, close } = await mountSimulator(sim, mounting);
  const copierOptions = (): AlibabaEcsCopierOptions => ({
    credentials: { accessKeyId, accessKeySecret },
    ...(endpoint ? { endpoint } : {}),
    clock,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
    requestTimeoutMs: 5_000,
  });
  return {
    sim,
    clock,
    account,
    credentials: { accessKeyId, accessKeySecret },
    endpoint,
    copier: (overrides = {}) => createAlibabaEcsCopier({ ...copierOptions(), ...overrides }),
    imageCopier: (overrides = {}) => createAlibabaImageCopier({ ...copierOptions(), ...overrides }),
    copiesOf: (sourceSnapshotId) =>
      [...sim.world.snapshots.values()]
        .filter((s) => s.copy?.sourceSnapshotId === sourceSnapshotId)
        .map((s) => s.id),
    close,
  };
}
