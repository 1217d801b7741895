import { $OpenApiUtil } from '@alicloud/openapi-core';
import nock from 'nock';
import { EcsSimulator, type EcsSimulatorOptions } from '../../src/ecs/index.js';
import { mountSimulator } from '../../src/conformance/simulator-harness.js';
import { VirtualClock } from '../../src/sim/index.js';

type EcsNamespace = typeof import('@alicloud/ecs20140526');
/** The module: request classes by name, the client class as `default`. */
export type EcsModule = EcsNamespace;
type EcsClientClass = EcsNamespace['default'];
export type EcsClient = InstanceType<EcsClientClass>;

/**
 * Under plain Node the default import is the CommonJS exports object,
 * under vitest it may be the class itself. Resolve both.
 */
export async function loadEcs(): Promise<{ mod: EcsModule; Client: EcsClientClass }> {
  const ns = (await import('@alicloud/ecs20140526')) as unknown as { default: unknown };
  const exportsObject = (typeof ns.default === 'function' ? ns : ns.default) as Record<string, unknown>;
  const mod = exportsObject as unknown as EcsModule;
  const Client = (typeof ns.default === 'function' ? ns.default : exportsObject.default) as EcsClientClass;
  return { mod, Client };
}

export type Mounting = 'nock' | 'server';
export type Signing = 'acs3' | 'v2';

export const HANGZHOU = 'cn-hangzhou';
export const SHANGHAI = 'cn-shanghai';
export const BEIJING = 'cn-beijing';

/** A simulator with one account in three regions, mounted one way, and client factories. */
export interface EcsHarness {
  readonly sim: EcsSimulator;
  readonly clock: VirtualClock;
  readonly account: string;
  readonly mod: EcsModule;
  /** A client for `region`, signing as the account (or with an explicit secret/key id). */
  client(
    region: string,
    opts?: { signing?: Signing; accessKeySecret?: string; accessKeyId?: string },
  ): EcsClient;
  close(): Promise<void>;
}

export async function makeHarness(
  mounting: Mounting,
  options: Omit<EcsSimulatorOptions, 'clock'> = {},
  defaultSigning: Signing = 'acs3',
): Promise<EcsHarness> {
  const { mod, Client } = await loadEcs();
  const clock = new VirtualClock({ autoAdvance: false });
  const sim = new EcsSimulator({ ...options, clock, throughputMiBps: 1024, minCopyMs: 1000 });
  sim.addRegions(HANGZHOU, SHANGHAI, BEIJING);
  const account = sim.addAccount({ id: '1234567890123456' }).id;
  const creds = sim.credentials(account);
  const { endpoint: url, close } = await mountSimulator(sim, mounting);
  // The ECS client takes a host and a protocol, not a URL.
  const endpoint = url?.replace(/^http:\/\//, '');
  return {
    sim,
    clock,
    account,
    mod,
    client(region, opts = {}) {
      const config = new $OpenApiUtil.Config({
        accessKeyId: opts.accessKeyId ?? creds.accessKeyId,
        accessKeySecret: opts.accessKeySecret ?? creds.accessKeySecret,
        regionId: region,
        ...(endpoint ? { endpoint, protocol: 'http' } : {}),
        ...((opts.signing ?? defaultSigning) === 'v2' ? { signatureAlgorithm: 'v2' } : {}),
        readTimeout: 5000,
        connectTimeout: 2000,
      });
      return new Client(config);
    },
    close,
  };
}

export function blockNetwork(): void {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
}

/** The error an SDK call rejected with (fails the test when it resolved). */
export async function sdkError(
  p: Promise<unknown>,
): Promise<{ code?: string; statusCode?: number; message: string; data?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; statusCode?: number; message: string };
  }
  throw new Error('expected the call to fail');
}

/** All four ways the suite runs: both mountings, both signature schemes. */
export const MODES: ReadonlyArray<{ mounting: Mounting; signing: Signing }> = [
  { mounting: 'server', signing: 'acs3' },
  { mounting: 'server', signing: 'v2' },
  { mounting: 'nock', signing: 'acs3' },
  { mounting: 'nock', signing: 'v2' },
];

/** A CopySnapshot request with valid defaults. */
export function copyRequest(
  h: EcsHarness,
  fields: Record<string, unknown> & { snapshotId: string },
): InstanceType<EcsModule['CopySnapshotRequest']> {
  return new h.mod.CopySnapshotRequest({
    regionId: HANGZHOU,
    destinationRegionId: SHANGHAI,
    destinationSnapshotName: 'copy-of-snap',
    destinationSnapshotDescription: 'copied by the test suite',
    ...fields,
  });
}
