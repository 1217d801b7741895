import type { Clock } from '@snapcopy/core';
import { Ec2Simulator } from '../ec2/simulator.js';
import { EcsSimulator } from '../ecs/ecs-simulator.js';
import type { SimServer } from '../sim/mount.js';
import { ScaledClock } from '../sim/scaled-clock.js';
import { type ControlServer, startControlServer } from './control-server.js';
import { DEFAULT_SANDBOX_SEED } from './default-seed.js';
import { faultRuleOfSeed, type SandboxFault } from './fault-spec.js';
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
  /** The read-only control endpoint on 127.0.0.1 (see `docs/sandbox.md`). */
  readonly control: { readonly url: string };
  /** Moves the virtual clock forward by `ms` at once (a scaled or virtual clock only). */
  advance(ms: number): void;
  /** Lets hung requests go, then stops every server. */
  close(): Promise<void>;
}

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** The world; the default one has several regions, keys, and owned, shared and encrypted snapshots and images. */
  readonly seed?: SandboxSeedInput;
  /** Virtual seconds per real second (default 60: a 64 GiB copy takes about 4 s). */
  readonly timeScale?: number;
  /** Clock to use instead of a scaled real-time one (tests pass a VirtualClock). */
  readonly clock?: Clock;
  readonly awsPort?: number;
  readonly alibabaPort?: number;
  /** Port of the control endpoint (default: any free port). */
  readonly controlPort?: number;
  /** Faults to inject besides the seed's (e.g. from `--fault`). */
  readonly faults?: readonly SandboxFault[];
  /** Seed of both clouds' random fault draws; wins over the seed file's `faultSeed`. */
  readonly faultSeed?: number;
}

/** A clock the sandbox can jump forward. */
function canJump(clock: Clock): clock is Clock & { advance(ms: number): void } {
  return typeof (clock as { advance?: unknown }).advance === 'function';
}

/** What both simulators' `addKey` take alike from a seeded key. */
function keyFields(k: SandboxSeed['aws']['keys'][number]) {
  return {
    account: k.account,
    region: k.region,
    enabled: k.enabled,
    usableBy: k.usableBy,
    ...(k.id === undefined ? {} : { id: k.id }),
    ...(k.state === undefined ? {} : { state: k.state }),
    ...(k.deletionDate === undefined ? {} : { deletionDate: Date.parse(k.deletionDate) }),
    ...(k.description === undefined ? {} : { description: k.description }),
  };
}

type Seeded = SandboxSeed['aws'];

/** A seeded resource's owner, region and fixed id, as both simulators take them. */
function placedFields(r: { account: string; region: string; id?: string | undefined }) {
  return { account: r.account, region: r.region, ...(r.id === undefined ? {} : { id: r.id }) };
}

/** What both simulators' `addSnapshot` take alike from a seeded snapshot (`kmsKeyId`: its key, resolved). */
function snapshotFields(s: Seeded['snapshots'][number], kmsKeyId: string | undefined) {
  return {
    ...placedFields(s),
    sizeGiB: s.sizeGiB ?? s.volumeSizeGiB,
    ...(s.changedGiB === undefined ? {} : { changedGiB: s.changedGiB }),
    encrypted: s.encrypted,
    ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
    ...(s.description === undefined ? {} : { description: s.description }),
    tags: s.tags,
  };
}

/** What both simulators' `addImage` take alike from a seeded image. */
function imageFields(i: Seeded['images'][number]) {
  return {
    ...placedFields(i),
    name: i.name,
    ...(i.description === undefined ? {} : { description: i.description }),
    snapshotIds: i.snapshots,
    tags: i.tags,
  };
}

/** What both simulators take alike of a seeded instance volume (`kmsKeyId`: its key, resolved). */
function volumeFields(
  v: NonNullable<Seeded['instances']>[number]['volumes'][number],
  kmsKeyId: string | undefined,
) {
  return {
    sizeGiB: v.sizeGiB,
    ...(v.id === undefined ? {} : { id: v.id }),
    ...(v.usedGiB === undefined ? {} : { usedGiB: v.usedGiB }),
    ...(v.changeGiB === undefined ? {} : { changeGiB: v.changeGiB }),
    encrypted: v.encrypted,
    ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
  };
}

/** Fills an EC2 simulator from the `aws` part of a seed. */
export function seedEc2(sim: Ec2Simulator, seed: SandboxSeed['aws']): void {
  sim.addRegions(...seed.regions);
  for (const a of seed.accounts)
    sim.addAccount({ id: a.id, accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey });
  for (const k of seed.keys) {
    sim.addKey({ ...keyFields(k), aliases: [k.alias], accessible: k.accessible });
  }
  for (const e of seed.encryptionByDefault) sim.setEncryptionByDefault(e.account, e.region, true);
  for (const s of seed.snapshots) {
    const key = s.keyAlias === undefined ? undefined : `alias/${s.keyAlias}`;
    if (s.retentionDays !== undefined) {
      throw new Error(
        `aws.snapshots: retentionDays is Alibaba only (EBS snapshots have no native retention)`,
      );
    }
    const snapshot = sim.addSnapshot({
      ...snapshotFields(s, key),
      volumeSizeGiB: s.volumeSizeGiB,
      sharedWith: s.sharedWith,
      ...(s.category === 'archive' ? { storageTier: 'archive' as const } : {}),
    });
    if (s.public) sim.makeSnapshotPublic(snapshot.id);
  }
  for (const i of seed.images) {
    sim.addImage({
      ...imageFields(i),
      rootDeviceType: i.rootDeviceType,
      launchPermissions: i.sharedWith,
      public: i.public,
    });
  }
  for (const i of seed.instances ?? []) {
    sim.addInstance({
      ...placedFields(i),
      volumes: i.volumes.map((v) => ({
        ...volumeFields(v, v.keyAlias === undefined ? undefined : `alias/${v.keyAlias}`),
        ...(v.boot === undefined ? {} : { boot: v.boot }),
        ...(v.tags === undefined ? {} : { tags: v.tags }),
      })),
    });
  }
  for (const set of seed.snapshotSets ?? []) {
    if (!sim.instance(set.instanceId))
      throw new Error(`aws.snapshotSets: unknown instance ${set.instanceId}`);
    sim.takeSnapshotSet(set.instanceId, {
      completed: true,
      tags: new Map(Object.entries(set.tags)),
      excludeBootVolume: set.excludeBootVolume,
      ...(set.description === undefined ? {} : { description: set.description }),
      ...(set.ids === undefined ? {} : { ids: set.ids }),
    });
  }
  for (const f of seed.faults ?? []) sim.faults.add(faultRuleOfSeed(f));
}

/** Fills an ECS simulator from the `alibaba` part of a seed. */
export function seedEcs(sim: EcsSimulator, seed: SandboxSeed['alibaba']): void {
  sim.addRegions(...seed.regions);
  for (const a of seed.accounts)
    sim.addAccount({ id: a.id, accessKeyId: a.accessKeyId, accessKeySecret: a.secretAccessKey });
  for (const k of seed.keys) {
    sim.addKey({ ...keyFields(k), alias: `alias/${k.alias}`, usable: k.accessible });
  }
  const keyId = (alias: string | undefined, region: string) =>
    alias === undefined ? undefined : sim.world.findKey(`alias/${alias}`, region)?.id;
  for (const s of seed.snapshots) {
    const key = keyId(s.keyAlias, s.region);
    if (s.public) throw new Error('alibaba.snapshots: public is AWS only (ECS cannot share snapshots)');
    sim.addSnapshot({
      ...snapshotFields(s, key),
      diskSizeGiB: s.volumeSizeGiB,
      category: s.category,
      ...(s.retentionDays === undefined ? {} : { retentionDays: s.retentionDays }),
    });
  }
  for (const i of seed.images) {
    if (i.rootDeviceType !== 'ebs') throw new Error(`image ${i.name}: ECS images are made of snapshots`);
    sim.addImage({ ...imageFields(i), sharedWith: i.sharedWith, isPublic: i.public });
  }
  for (const i of seed.instances ?? []) {
    const typed = i.volumes.some((v) => v.boot !== undefined);
    sim.addInstance({
      ...placedFields(i),
      disks: i.volumes.map((v, n) => ({
        ...volumeFields(v, keyId(v.keyAlias, i.region)),
        diskType: (typed ? v.boot === true : n === 0) ? ('system' as const) : ('data' as const),
      })),
    });
  }
  for (const set of seed.snapshotSets ?? []) {
    const instance = sim.state.instances.get(set.instanceId);
    if (!instance) throw new Error(`alibaba.snapshotSets: unknown instance ${set.instanceId}`);
    sim.addSnapshotGroup({
      instanceId: set.instanceId,
      tags: set.tags,
      snapshotTags: set.tags,
      ...(set.excludeBootVolume
        ? { excludeDiskIds: instance.disks.filter((d) => d.system).map((d) => d.diskId) }
        : {}),
      ...(set.groupId === undefined ? {} : { id: set.groupId }),
      ...(set.name === undefined ? {} : { name: set.name }),
      ...(set.description === undefined ? {} : { description: set.description }),
      ...(set.ids === undefined ? {} : { snapshotIds: set.ids }),
    });
  }
  for (const f of seed.faults ?? []) sim.faults.add(faultRuleOfSeed(f));
}

/**
 * Starts both simulators over HTTP on 127.0.0.1, filled from a seed, with copies that
 * progress in scaled real time. Used by `snapcopy-sandbox`, `snapcopy sandbox`, the demo
 * and end-to-end tests.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = SandboxSeedSchema.parse(options.seed ?? DEFAULT_SANDBOX_SEED);
  const clock = options.clock ?? new ScaledClock({ scale: options.timeScale ?? 60 });
  const ec2 = new Ec2Simulator({ clock, faultSeed: options.faultSeed ?? seed.aws.faultSeed ?? 1 });
  const ecs = new EcsSimulator({ clock, faultSeed: options.faultSeed ?? seed.alibaba.faultSeed ?? 1 });
  seedEc2(ec2, seed.aws);
  seedEcs(ecs, seed.alibaba);
  for (const f of options.faults ?? []) {
    if (f.clouds.includes('aws')) ec2.faults.add(f.rule);
    if (f.clouds.includes('alibaba')) ecs.faults.add(f.rule);
  }
  const advance = (ms: number): void => {
    if (!canJump(clock)) throw new Error('the sandbox clock cannot jump forward');
    clock.advance(ms);
  };
  const servers: (SimServer | ControlServer)[] = [];
  try {
    servers.push(await ec2.listen(options.awsPort === undefined ? {} : { port: options.awsPort }));
    servers.push(await ecs.listen(options.alibabaPort === undefined ? {} : { port: options.alibabaPort }));
    servers.push(
      await startControlServer(
        {
          clouds: { aws: ec2, alibaba: ecs },
          now: () => clock.now(),
          advanceClock: (ms) => {
            if (!canJump(clock)) return false;
            clock.advance(ms);
            return true;
          },
        },
        options.controlPort === undefined ? {} : { port: options.controlPort },
      ),
    );
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  const [awsServer, aliServer, controlServer] = servers as [SimServer, SimServer, ControlServer];
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
    control: { url: controlServer.url },
    advance,
    close: async () => {
      ec2.faults.releaseHangs();
      ecs.faults.releaseHangs();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
