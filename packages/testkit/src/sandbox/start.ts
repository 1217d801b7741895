import type { Clock } from '@snapcopy/core';
import { Ec2Simulator } from '../ec2/simulator.js';
import { EcsSimulator } from '../ecs/ecs-simulator.js';
import type { SimServer } from '../sim/mount.js';
import { ScaledClock } from '../sim/scaled-clock.js';
import { DEFAULT_SANDBOX_SEED } from './default-seed.js';
import { type SandboxSeed, type SandboxSeedInput, SandboxSeedSchema } from './seed.js';

/** How to reach one simulated cloud of a running sandbox. */
export interface SandboxCloudInfo {
  /** `http://127.0.0.1:<port>`: pass it as the SDK's (or snapcopy's) endpoint. */
  readonly endpoint: string;
  readonly regions: readonly string[];
  readonly accounts: readonly { accountId: string; accessKeyId: string; secretAccessKey: string }[];
}

/** A running sandbox: both simulators on 127.0.0.1. */
export interface Sandbox {
  readonly aws: SandboxCloudInfo;
  readonly alibaba: SandboxCloudInfo;
  readonly ec2: Ec2Simulator;
  readonly ecs: EcsSimulator;
  readonly clock: Clock;
  /** Stops both servers. */
  close(): Promise<void>;
}

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** The world; the default one has several regions, keys, and owned, shared and encrypted snapshots. */
  readonly seed?: SandboxSeedInput;
  /** Virtual seconds per real second (default 60: a 64 GiB copy takes about 4 s). */
  readonly timeScale?: number;
  /** Clock to use instead of a scaled real-time one (tests pass a VirtualClock). */
  readonly clock?: Clock;
  readonly awsPort?: number;
  readonly alibabaPort?: number;
}

/** The optional parts of a seeded key, as both simulators' `addKey` take them. */
function keyExtras(k: SandboxSeed['aws']['keys'][number]) {
  return {
    ...(k.id === undefined ? {} : { id: k.id }),
    ...(k.state === undefined ? {} : { state: k.state }),
    ...(k.deletionDate === undefined ? {} : { deletionDate: Date.parse(k.deletionDate) }),
    ...(k.description === undefined ? {} : { description: k.description }),
  };
}

/** Fills an EC2 simulator from the `aws` part of a seed. */
export function seedEc2(sim: Ec2Simulator, seed: SandboxSeed['aws']): void {
  sim.addRegions(...seed.regions);
  for (const a of seed.accounts)
    sim.addAccount({ id: a.id, accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey });
  for (const k of seed.keys) {
    sim.addKey({
      account: k.account,
      region: k.region,
      aliases: [k.alias],
      accessible: k.accessible,
      enabled: k.enabled,
      usableBy: k.usableBy,
      ...keyExtras(k),
    });
  }
  for (const e of seed.encryptionByDefault) sim.setEncryptionByDefault(e.account, e.region, true);
  for (const s of seed.snapshots) {
    const key = s.keyAlias === undefined ? undefined : `alias/${s.keyAlias}`;
    sim.addSnapshot({
      account: s.account,
      region: s.region,
      ...(s.id === undefined ? {} : { id: s.id }),
      volumeSizeGiB: s.volumeSizeGiB,
      sizeGiB: s.sizeGiB ?? s.volumeSizeGiB,
      ...(s.changedGiB === undefined ? {} : { changedGiB: s.changedGiB }),
      encrypted: s.encrypted,
      ...(key === undefined ? {} : { kmsKeyId: key }),
      ...(s.description === undefined ? {} : { description: s.description }),
      tags: s.tags,
      sharedWith: s.sharedWith,
      ...(s.category === 'archive' ? { storageTier: 'archive' as const } : {}),
    });
  }
}

/** Fills an ECS simulator from the `alibaba` part of a seed. */
export function seedEcs(sim: EcsSimulator, seed: SandboxSeed['alibaba']): void {
  sim.addRegions(...seed.regions);
  for (const a of seed.accounts)
    sim.addAccount({ id: a.id, accessKeyId: a.accessKeyId, accessKeySecret: a.secretAccessKey });
  for (const k of seed.keys) {
    sim.addKey({
      account: k.account,
      region: k.region,
      alias: `alias/${k.alias}`,
      enabled: k.enabled,
      usable: k.accessible,
      usableBy: k.usableBy,
      ...keyExtras(k),
    });
  }
  for (const s of seed.snapshots) {
    const key = s.keyAlias === undefined ? undefined : sim.world.findKey(`alias/${s.keyAlias}`, s.region)?.id;
    sim.addSnapshot({
      account: s.account,
      region: s.region,
      ...(s.id === undefined ? {} : { id: s.id }),
      diskSizeGiB: s.volumeSizeGiB,
      sizeGiB: s.sizeGiB ?? s.volumeSizeGiB,
      ...(s.changedGiB === undefined ? {} : { changedGiB: s.changedGiB }),
      encrypted: s.encrypted,
      ...(key === undefined ? {} : { kmsKeyId: key }),
      ...(s.description === undefined ? {} : { description: s.description }),
      tags: s.tags,
      category: s.category,
    });
  }
}

/**
 * Starts both simulators over HTTP on 127.0.0.1, filled from a seed, with copies that
 * progress in scaled real time. Used by `snapcopy-sandbox`, `snapcopy sandbox`, the demo
 * and end-to-end tests.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = SandboxSeedSchema.parse(options.seed ?? DEFAULT_SANDBOX_SEED);
  const clock = options.clock ?? new ScaledClock({ scale: options.timeScale ?? 60 });
  const ec2 = new Ec2Simulator({ clock });
  const ecs = new EcsSimulator({ clock });
  seedEc2(ec2, seed.aws);
  seedEcs(ecs, seed.alibaba);
  const servers: SimServer[] = [];
  try {
    servers.push(await ec2.listen(options.awsPort === undefined ? {} : { port: options.awsPort }));
    servers.push(await ecs.listen(options.alibabaPort === undefined ? {} : { port: options.alibabaPort }));
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  const [awsServer, aliServer] = servers as [SimServer, SimServer];
  const info = (server: SimServer, cloud: SandboxSeed['aws']): SandboxCloudInfo => ({
    endpoint: server.url,
    regions: cloud.regions,
    accounts: cloud.accounts.map((a) => ({
      accountId: a.id,
      accessKeyId: a.accessKeyId,
      secretAccessKey: a.secretAccessKey,
    })),
  });
  return {
    aws: info(awsServer, seed.aws),
    alibaba: info(aliServer, seed.alibaba),
    ec2,
    ecs,
    clock,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
