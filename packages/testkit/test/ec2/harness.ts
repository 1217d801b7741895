import { EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach } from 'vitest';
import { Ec2Simulator, type Ec2SimulatorOptions } from '../../src/ec2/index.js';
import { mountSimulator } from '../../src/conformance/simulator-harness.js';
import { VirtualClock } from '../../src/sim/index.js';

/** The two ways the simulator is mounted; every wire test runs under both. */
export const MOUNTINGS = ['server', 'nock'] as const;
export type Mounting = (typeof MOUNTINGS)[number];

export const A = '111111111111';
export const B = '222222222222';
export const C = '333333333333';
export const START = Date.UTC(2026, 0, 1);

/** A small world: three regions, three accounts, customer keys, owned and shared snapshots. */
export function buildWorld(options: Ec2SimulatorOptions = {}) {
  const clock = new VirtualClock({ autoAdvance: false, start: START });
  const sim = new Ec2Simulator({ clock, throughputMiBps: 1024, minCopyMs: 10_000, ...options });
  sim.addRegions('us-east-1', 'us-west-2', 'eu-west-1');
  for (const [id, n] of [
    [A, 1],
    [B, 2],
    [C, 3],
  ] as const) {
    sim.addAccount({
      id,
      accessKeyId: `AKIATEST0000000000${n}0`,
      secretAccessKey: `secret-${n}-abcdefghijklmnop`,
    });
  }
  const keys = {
    backupEast: sim.addKey({ account: A, region: 'us-east-1', aliases: ['backup'] }),
    backupWest: sim.addKey({ account: A, region: 'us-west-2', aliases: ['backup'] }),
    revokedWest: sim.addKey({ account: A, region: 'us-west-2', aliases: ['revoked'], accessible: false }),
    partnerEast: sim.addKey({ account: B, region: 'us-east-1', aliases: ['partner'], usableBy: [A] }),
    privateEast: sim.addKey({ account: B, region: 'us-east-1', aliases: ['private'] }),
  };
  const snaps = {
    plain: sim.addSnapshot({
      account: A,
      region: 'us-east-1',
      volumeSizeGiB: 100,
      sizeGiB: 64,
      changedGiB: 6,
    }),
    encrypted: sim.addSnapshot({
      account: A,
      region: 'us-east-1',
      volumeSizeGiB: 200,
      sizeGiB: 120,
      changedGiB: 12,
      kmsKeyId: 'alias/backup',
    }),
    sharedEncrypted: sim.addSnapshot({
      account: B,
      region: 'us-east-1',
      volumeSizeGiB: 50,
      sizeGiB: 30,
      kmsKeyId: 'alias/partner',
      sharedWith: [A],
    }),
    sharedPrivateKey: sim.addSnapshot({
      account: B,
      region: 'us-east-1',
      volumeSizeGiB: 50,
      sizeGiB: 30,
      kmsKeyId: 'alias/private',
      sharedWith: [A],
    }),
    sharedPlain: sim.addSnapshot({
      account: B,
      region: 'us-east-1',
      volumeSizeGiB: 40,
      sizeGiB: 20,
      sharedWith: [A],
    }),
    notShared: sim.addSnapshot({ account: B, region: 'us-east-1', volumeSizeGiB: 40, sizeGiB: 20 }),
  };
  return { sim, clock, keys, snaps };
}

export interface Mounted {
  /** An SDK client for `account` configured for `region` (the destination of copies). */
  client(
    account: string,
    region: string,
    credentials?: { accessKeyId: string; secretAccessKey: string },
  ): EC2Client;
  close(): Promise<void>;
}

/** Mounts the simulator one way and hands out real SDK clients pointed at it. */
export async function mount(sim: Ec2Simulator, mounting: Mounting): Promise<Mounted> {
  const mounted = await mountSimulator(sim, mounting);
  const clients: EC2Client[] = [];
  return {
    client: (account, region, credentials = sim.credentials(account)) => {
      const c = new EC2Client({
        region,
        credentials,
        maxAttempts: 1,
        ...(mounted.endpoint ? { endpoint: mounted.endpoint } : {}),
      });
      clients.push(c);
      return c;
    },
    close: async () => {
      for (const c of clients) c.destroy();
      await mounted.close();
    },
  };
}

/** The error an SDK call rejects with. */
export async function failure(p: Promise<unknown>): Promise<{
  name: string;
  message: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}> {
  try {
    await p;
  } catch (err) {
    return err as { name: string; message: string };
  }
  throw new Error('expected the call to fail');
}

/** A fresh world and mounting per test, closed after it. */
export function freshFixture(mounting: Mounting, options: Ec2SimulatorOptions = {}) {
  const f = {} as { w: ReturnType<typeof buildWorld>; m: Mounted };
  beforeEach(async () => {
    f.w = buildWorld(options);
    f.m = await mount(f.w.sim, mounting);
  });
  afterEach(async () => {
    await f.m.close();
  });
  return f;
}
