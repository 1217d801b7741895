import { randomInt, randomUUID } from 'node:crypto';
import type { Clock } from '@snapcopy/core';
import { FaultInjector } from '../sim/faults.js';
import type { SimHandler, SimNockMount, SimServer } from '../sim/mount.js';
import { mountNock, startSimServer } from '../sim/mount.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { applyKeyState, type SimKeyState } from '../sim/key-state.js';
import type { SnapshotBlocksInput } from '../sim/snapshot-blocks.js';
import { type SimAccount, type SimKey, type SimSnapshot, type SimVolume, SimWorld } from '../sim/world.js';
import { ebsDirectFrontEnd } from '../ebs-direct/front-end.js';
import { kmsFrontEnd } from '../kms/front-end.js';
import type { AwsJsonFrontEnd } from '../sim/aws-json-front-end.js';
import { AWS_ENDPOINT_PATTERN, awsDispatcher } from './aws-dispatch.js';
import { newDataKeyId, newInstanceId, newSnapshotId, newVolumeId } from './ids.js';
import { addEc2Image, type Ec2ImageInput } from './images/image-fixtures.js';
import type { Ec2Image } from './images/image-model.js';
import { DEFAULT_IMAGE_LIMITS } from './images/image-store.js';
import { defaultDeviceName, type Ec2Instance } from './instances.js';
import { AWS_MANAGED_EBS_ALIAS, awsManagedEbsKey, defaultEbsKey, resolveKmsKey } from './kms.js';
import { Ec2QueryFrontEnd } from './query-front-end.js';
import { type SnapshotSetSpec, takeSnapshotSet } from './snapshot-sets.js';
import { type Ec2SnapshotExtra, Ec2State } from './state.js';
import { type Ec2BucketSize, Ec2Throttle } from './throttling.js';

/** Every `https://ec2[-fips].<region>.amazonaws.com[.cn]` endpoint. */
export const EC2_ENDPOINT_PATTERN =
  /(?:^|\/\/|\s)ec2(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(?::443)?(?:\/|$)/;

/** Settings of an {@link Ec2Simulator}. */
export interface Ec2SimulatorOptions {
  /** The clock copies progress by. Default: a new {@link VirtualClock}. */
  readonly clock?: Clock;
  /** Copy throughput, MiB/s of virtual time. Default 256. */
  readonly throughputMiBps?: number;
  /** Shortest copy, ms of virtual time. Default 10 s. */
  readonly minCopyMs?: number;
  /** Seed of the fault injector's random draws. */
  readonly faultSeed?: number;
  /**
   * EC2's per-action request throttling: `true` (default) with EC2's documented bucket
   * sizes, `false` to turn it off, or bucket sizes to override by action name.
   */
  readonly throttling?: boolean | Readonly<Record<string, Ec2BucketSize>>;
  /** Concurrent copies per account into one region. Default 20, EC2's fixed quota. */
  readonly copyLimitPerRegion?: number;
  /** Concurrent AMI copies per account into one region. Default 300 (`DEFAULT_IMAGE_LIMITS`). */
  readonly imageCopyLimitPerRegion?: number;
  /** Cumulative time-based copy throughput between two regions, MiB/s. Default 2,000 (EBS's quota). */
  readonly timeBasedThroughputMiBps?: number;
}

/** An account to add; anything left out is generated. */
export interface Ec2AccountInput {
  /** 12 digits. */
  readonly id?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
}

/** A customer-managed KMS key to add. */
export interface Ec2KeyInput {
  readonly account: string;
  readonly region: string;
  /** A UUID; generated when absent. */
  readonly id?: string;
  /** Aliases, with or without the `alias/` prefix. */
  readonly aliases?: readonly string[];
  /** Other accounts granted use of the key. */
  readonly usableBy?: Iterable<string>;
  /** False: EBS cannot use the key; copies with it fail asynchronously. Default true. */
  readonly accessible?: boolean;
  readonly enabled?: boolean;
  /** The key's state as KMS shows it (wins over `enabled`). Default `Enabled`. */
  readonly state?: SimKeyState;
  /** For `PendingDeletion`: when the key goes. Default: 30 days from now. */
  readonly deletionDate?: Date | number;
  readonly description?: string;
}

/** A volume to add. */
export interface Ec2VolumeInput {
  readonly account: string;
  readonly region: string;
  readonly sizeGiB: number;
  readonly id?: string;
  readonly encrypted?: boolean;
  /** Key reference (id, ARN, alias); the default EBS key when encrypted without one. */
  readonly kmsKeyId?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** A completed source snapshot to add. */
export interface Ec2SnapshotInput {
  readonly account: string;
  readonly region: string;
  readonly id?: string;
  /** The volume (lineage) it was taken from; created when unknown or absent. */
  readonly volumeId?: string;
  /** Size of the volume, GiB. Default: the volume's size, else `sizeGiB`. */
  readonly volumeSizeGiB?: number;
  /** Full data size, GiB. Default: the volume size. */
  readonly sizeGiB?: number;
  /**
   * GiB changed since the previous snapshot of the volume. Default: a tenth of the size
   * (at least what the size grew or shrank by since the previous snapshot).
   */
  readonly changedGiB?: number;
  /**
   * The snapshot's blocks relative to the previous snapshot of its volume, as block index
   * ranges (512 KiB blocks). They decide `sizeGiB` and `changedGiB`; without them the
   * layout is generated from those two.
   */
  readonly blocks?: SnapshotBlocksInput;
  /** Default: the volume's encryption. */
  readonly encrypted?: boolean;
  /** Key reference; default: the volume's key, else the default EBS key. */
  readonly kmsKeyId?: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly sharedWith?: Iterable<string>;
  readonly storageTier?: 'standard' | 'archive';
  /** When a temporarily restored archived snapshot returns to the archive. */
  readonly restoreExpiryTime?: Date | number;
  readonly ownerAlias?: string;
  readonly outpostArn?: string;
  /** Shared with every account. */
  readonly public?: boolean;
  /** AWS Marketplace / DevPay product codes. */
  readonly productCodes?: readonly { readonly id: string; readonly type: 'devpay' | 'marketplace' }[];
}

/** A volume attached to an instance being added. */
export interface Ec2InstanceVolumeInput extends Omit<Ec2VolumeInput, 'account' | 'region'> {
  /** Device name; default `/dev/xvda` for the root, `/dev/sdf`… for the others. */
  readonly device?: string;
  /** The root volume; default: the first volume when none says so. */
  readonly boot?: boolean;
  /** GiB of data on the volume (its first snapshot's size). Default: the volume size. */
  readonly usedGiB?: number;
  /** GiB that change between two snapshots. Default: a tenth of `usedGiB`, rounded up. */
  readonly changeGiB?: number;
}

/** An instance to add, with the volumes attached to it (CreateSnapshots takes one snapshot of each). */
export interface Ec2InstanceInput {
  readonly account: string;
  readonly region: string;
  /** `i-` + 17 hex digits; generated when absent. */
  readonly id?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly volumes: readonly Ec2InstanceVolumeInput[];
}

const withAliasPrefix = (a: string) => (a.startsWith('alias/') ? a : `alias/${a}`);
const randomDigits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');
const randomUpper = (n: number) =>
  Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[randomInt(32)]).join('');

/**
 * A simulated Amazon EC2 (EBS snapshots) that the real `@aws-sdk/client-ec2` talks to,
 * through nock or over 127.0.0.1. It owns the world (accounts, regions, KMS keys,
 * volumes, snapshots, copies, ledger, request log), the fault injector and the clock.
 */
export class Ec2Simulator {
  readonly clock: Clock;
  readonly world: SimWorld;
  readonly faults: FaultInjector;
  /**
   * Every AWS front-end of the simulator behind one dispatcher (EC2 Query, KMS, EBS direct
   * APIs; see {@link awsServiceOf}); mount it with {@link mountNock} / {@link listen}, or call it.
   */
  readonly handler: SimHandler;
  /** The EC2 Query API front-end alone. */
  readonly ec2Handler: Ec2QueryFrontEnd;
  /** KMS (DescribeKey, ListAliases) over the world's keys. */
  readonly kms: AwsJsonFrontEnd;
  /** The EBS direct APIs (ListChangedBlocks, ListSnapshotBlocks) over the block model. */
  readonly ebsDirect: AwsJsonFrontEnd;
  /** Per-action token buckets, or undefined when throttling is off. */
  readonly throttle: Ec2Throttle | undefined;
  readonly #state: Ec2State;

  constructor(options: Ec2SimulatorOptions = {}) {
    this.clock = options.clock ?? new VirtualClock();
    this.world = new SimWorld({
      clock: this.clock,
      cloud: 'ec2',
      newSnapshotId,
      ...(options.throughputMiBps !== undefined ? { throughputMiBps: options.throughputMiBps } : {}),
      ...(options.minCopyMs !== undefined ? { minCopyMs: options.minCopyMs } : {}),
    });
    this.faults = new FaultInjector(options.faultSeed);
    const throttling = options.throttling ?? true;
    this.throttle = throttling === false ? undefined : new Ec2Throttle(throttling === true ? {} : throttling);
    this.#state = new Ec2State(this.world, options.copyLimitPerRegion ?? 20, {
      copyLimitPerRegion: options.imageCopyLimitPerRegion ?? DEFAULT_IMAGE_LIMITS.copyLimitPerRegion,
      timeBasedThroughputMiBps:
        options.timeBasedThroughputMiBps ?? DEFAULT_IMAGE_LIMITS.timeBasedThroughputMiBps,
    });
    this.ec2Handler = new Ec2QueryFrontEnd(this.#state, this.faults, this.throttle);
    const refresh = () => this.#state.advanceCopies();
    this.kms = kmsFrontEnd(this.world, this.faults, refresh);
    this.ebsDirect = ebsDirectFrontEnd(this.world, this.faults, refresh);
    this.handler = awsDispatcher({ ec2: this.ec2Handler, kms: this.kms, ebs: this.ebsDirect });
  }

  /** Adds an account (12-digit id, access key, secret) with its AWS-managed EBS key per region. */
  addAccount(input: Ec2AccountInput = {}): SimAccount {
    const account = this.world.addAccount({
      id: input.id ?? randomDigits(12),
      accessKeyId: input.accessKeyId ?? `AKIA${randomUpper(16)}`,
      secretAccessKey: input.secretAccessKey ?? randomUUID().replaceAll('-', ''),
    });
    for (const region of this.world.regions) this.#ensureManagedKey(account.id, region);
    return account;
  }

  /** Adds regions; every account gets its AWS-managed EBS key (`alias/aws/ebs`) there. */
  addRegions(...regions: string[]): void {
    for (const region of regions) {
      this.world.addRegion(region);
      for (const account of this.world.accounts.keys()) this.#ensureManagedKey(account, region);
    }
  }

  /** Adds a customer-managed KMS key; its ARN is `arn:aws:kms:<region>:<account>:key/<id>`. */
  addKey(input: Ec2KeyInput): SimKey {
    this.#requireAccountRegion(input.account, input.region);
    const id = input.id ?? randomUUID();
    if (this.world.keys.has(id)) throw new Error(`KMS key ${id} already exists`);
    const key = this.world.addKey({
      id,
      arn: `arn:aws:kms:${input.region}:${input.account}:key/${id}`,
      region: input.region,
      account: input.account,
      aliases: (input.aliases ?? []).map(withAliasPrefix),
      serviceKey: false,
      ...(input.accessible !== undefined ? { accessible: input.accessible } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      ...(input.usableBy !== undefined ? { usableBy: input.usableBy } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
    });
    if (input.state !== undefined) applyKeyState(key, input.state, input.deletionDate, this.clock.now());
    return key;
  }

  /** Turns EBS encryption by default on or off for an account in a region. */
  setEncryptionByDefault(account: string, region: string, on: boolean): void {
    this.#requireAccountRegion(account, region);
    this.world.setEncryptionByDefault(account, region, on);
  }

  /** Sets the account's default EBS key in a region (key id, ARN or alias). */
  setDefaultKmsKey(account: string, region: string, keyRef: string): SimKey {
    const key = this.#key(keyRef, account, region);
    this.world.setDefaultKey(account, region, key.id);
    return key;
  }

  /** The default EBS key of an account in a region (the AWS-managed key unless set). */
  defaultKmsKey(account: string, region: string): SimKey {
    this.#requireAccountRegion(account, region);
    const key = defaultEbsKey(this.world, account, region);
    if (!key) throw new Error(`no default EBS key for ${account} in ${region}`);
    return key;
  }

  /** Adds a volume. */
  addVolume(input: Ec2VolumeInput): SimVolume {
    this.#requireAccountRegion(input.account, input.region);
    const encrypted = input.encrypted ?? input.kmsKeyId !== undefined;
    const key = encrypted
      ? input.kmsKeyId !== undefined
        ? this.#key(input.kmsKeyId, input.account, input.region)
        : this.defaultKmsKey(input.account, input.region)
      : undefined;
    const volume = this.world.addVolume({
      id: input.id ?? newVolumeId(),
      region: input.region,
      account: input.account,
      sizeGiB: input.sizeGiB,
      encrypted,
      ...(key ? { kmsKeyId: key.arn } : {}),
    });
    this.#state.volumeMeta.set(volume.id, {
      createdAt: this.clock.now(),
      tags: new Map(Object.entries(input.tags ?? {})),
    });
    return volume;
  }

  /** Adds a completed snapshot (a copy source), creating its volume when needed. */
  addSnapshot(input: Ec2SnapshotInput): SimSnapshot {
    this.#requireAccountRegion(input.account, input.region);
    let volume = input.volumeId !== undefined ? this.world.volumes.get(input.volumeId) : undefined;
    if (!volume) {
      const keyRef = input.encrypted === false ? undefined : input.kmsKeyId;
      volume = this.addVolume({
        account: input.account,
        region: input.region,
        sizeGiB: input.volumeSizeGiB ?? input.sizeGiB ?? 8,
        ...(input.volumeId !== undefined ? { id: input.volumeId } : {}),
        encrypted: input.encrypted ?? input.kmsKeyId !== undefined,
        ...(keyRef !== undefined ? { kmsKeyId: keyRef } : {}),
      });
    }
    const encrypted = input.encrypted ?? volume.encrypted;
    const keyArn = !encrypted
      ? undefined
      : input.kmsKeyId !== undefined
        ? this.#key(input.kmsKeyId, input.account, input.region).arn
        : (volume.kmsKeyId ?? this.defaultKmsKey(input.account, input.region).arn);
    const volumeSizeGiB = input.volumeSizeGiB ?? volume.sizeGiB;
    const sizeGiB = input.sizeGiB ?? (input.blocks ? undefined : volumeSizeGiB);
    const extra: Ec2SnapshotExtra = {
      ...(encrypted ? { dataEncryptionKeyId: newDataKeyId() } : {}),
      ...(input.ownerAlias !== undefined ? { ownerAlias: input.ownerAlias } : {}),
      ...(input.outpostArn !== undefined ? { outpostArn: input.outpostArn } : {}),
      ...(input.restoreExpiryTime !== undefined
        ? { restoreExpiryTime: new Date(input.restoreExpiryTime).getTime() }
        : {}),
      ...(input.public ? { public: true } : {}),
      ...(input.productCodes !== undefined ? { productCodes: input.productCodes } : {}),
    };
    const snapshot = this.world.addSnapshot({
      ...(input.id !== undefined ? { id: input.id } : {}),
      region: input.region,
      account: input.account,
      volumeId: volume.id,
      volumeSizeGiB,
      ...(sizeGiB !== undefined ? { sizeGiB } : {}),
      ...(input.changedGiB !== undefined
        ? { changedGiB: input.changedGiB }
        : { defaultChangedGiB: Math.ceil((sizeGiB ?? 0) / 10) }),
      ...(input.blocks !== undefined ? { blocks: input.blocks } : {}),
      encrypted,
      ...(keyArn !== undefined ? { kmsKeyId: keyArn } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.tags !== undefined ? { tags: { ...input.tags } } : {}),
      category: input.storageTier === 'archive' ? 'archive' : 'standard',
      extra: extra as Record<string, unknown>,
    });
    for (const other of input.sharedWith ?? []) this.shareSnapshot(snapshot.id, other);
    return snapshot;
  }

  /**
   * Adds an instance with its volumes attached (the root volume first), for
   * CreateSnapshots. Volumes are created as by {@link addVolume}.
   */
  addInstance(input: Ec2InstanceInput): Ec2Instance {
    this.#requireAccountRegion(input.account, input.region);
    if (input.volumes.length === 0) throw new Error('an instance needs at least one volume');
    const explicitBoot = input.volumes.filter((v) => v.boot === true).length;
    if (explicitBoot > 1) throw new Error('an instance has one root volume');
    const id = input.id ?? newInstanceId();
    if (this.#state.instances.has(id)) throw new Error(`instance ${id} already exists`);
    const attachments = input.volumes.map((v, i) => {
      const boot = explicitBoot === 0 ? i === 0 : v.boot === true;
      const { device, boot: _boot, usedGiB, changeGiB, ...volumeInput } = v;
      const volume = this.addVolume({ ...volumeInput, account: input.account, region: input.region });
      const used = usedGiB ?? volume.sizeGiB;
      return {
        volumeId: volume.id,
        device: device ?? defaultDeviceName(i, boot),
        boot,
        usedGiB: used,
        changeGiB: changeGiB ?? Math.ceil(used / 10),
      };
    });
    // The root volume first, as EC2 lists block device mappings.
    attachments.sort((a, b) => Number(b.boot) - Number(a.boot));
    const instance: Ec2Instance = {
      id,
      account: input.account,
      region: input.region,
      attachments,
      tags: new Map(Object.entries(input.tags ?? {})),
    };
    this.#state.instances.set(id, instance);
    return instance;
  }

  /**
   * Takes a multi-volume snapshot set of an instance, as CreateSnapshots does (pending
   * until taken, unless `completed`): for fixtures and seeds.
   */
  takeSnapshotSet(instanceId: string, spec: SnapshotSetSpec = {}): SimSnapshot[] {
    const instance = this.#state.instances.get(instanceId);
    if (!instance) throw new Error(`unknown instance ${instanceId}`);
    return takeSnapshotSet(this.#state, instance, spec);
  }

  /** An instance by id. */
  instance(id: string): Ec2Instance | undefined {
    return this.#state.instances.get(id);
  }

  /** Brings copies and snapshots being taken up to the clock's now (requests do this themselves). */
  advance(): void {
    this.#state.advanceCopies();
  }

  /**
   * Makes a snapshot public (the `all` group). As on EC2, an encrypted snapshot or one
   * with product codes cannot be.
   */
  makeSnapshotPublic(snapshotId: string): void {
    const s = this.world.snapshots.get(snapshotId);
    if (!s) throw new Error(`unknown snapshot ${snapshotId}`);
    const extra = s.extra as Ec2SnapshotExtra;
    if (s.encrypted) throw new Error(`${snapshotId} is encrypted and cannot be made public`);
    if ((extra.productCodes?.length ?? 0) > 0) throw new Error(`${snapshotId} has product codes`);
    extra.public = true;
  }

  /**
   * Shares a snapshot with another account (create-volume permission). As on EC2, a
   * snapshot encrypted with the AWS-managed key cannot be shared.
   */
  shareSnapshot(snapshotId: string, account: string): void {
    const s = this.world.snapshots.get(snapshotId);
    if (!s) throw new Error(`unknown snapshot ${snapshotId}`);
    if (s.encrypted && s.kmsKeyId === awsManagedEbsKey(this.world, s.account, s.region)?.arn) {
      throw new Error(`${snapshotId} is encrypted with the AWS-managed key and cannot be shared`);
    }
    s.sharedWith.add(account);
  }

  /**
   * Adds an AMI over completed snapshots its owner has in its region (EBS-backed), or
   * without snapshots (instance-store-backed).
   */
  addImage(input: Ec2ImageInput): Ec2Image {
    this.#requireAccountRegion(input.account, input.region);
    for (const a of input.launchPermissions ?? []) {
      if (!this.world.accounts.has(a)) throw new Error(`unknown account ${a}`);
    }
    return addEc2Image(this.#state.images, input);
  }

  /** Gives `account` launch permission on an AMI (shares it). */
  shareImage(imageId: string, account: string): void {
    const image = this.#state.images.images.get(imageId);
    if (!image) throw new Error(`unknown AMI ${imageId}`);
    if (account !== image.account) image.launchPermissions.add(account);
  }

  /** An AMI by id, brought up to the clock's now (undefined once deregistered and forgotten). */
  image(id: string): Ec2Image | undefined {
    this.#state.advanceCopies();
    return this.#state.images.images.get(id);
  }

  /** Every AMI the simulator holds (deregistered ones while still visible), brought up to the clock's now. */
  images(): Ec2Image[] {
    this.#state.advanceCopies();
    return [...this.#state.images.images.values()];
  }

  /** A snapshot by id, whatever its region or owner. */
  snapshot(id: string): SimSnapshot | undefined {
    return this.world.snapshots.get(id);
  }

  /** The static credentials of an account, for an SDK client. */
  credentials(accountId: string): { accessKeyId: string; secretAccessKey: string } {
    const a = this.world.accounts.get(accountId);
    if (!a) throw new Error(`unknown account ${accountId}`);
    return { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
  }

  /**
   * Intercepts every `https://{ec2,kms,ebs}.<region>.amazonaws.com` request with nock.
   * `through` (default: {@link handler}) answers instead, to wrap the simulator (time it,
   * script faults) on the same origins and methods: mount the simulator this way rather
   * than with another origin pattern, as nock matches only the first regular-expression
   * origin it was given once that one's interceptors were removed.
   */
  mountNock(through: SimHandler = this.handler): SimNockMount {
    return mountNock(through, AWS_ENDPOINT_PATTERN, ['POST', 'GET']);
  }

  /** Serves the simulator over HTTP on 127.0.0.1 (port 0: any free port). */
  listen(options: { port?: number } = {}): Promise<SimServer> {
    return startSimServer(this.handler, options);
  }

  #ensureManagedKey(account: string, region: string): void {
    if (awsManagedEbsKey(this.world, account, region)) return;
    const id = randomUUID();
    this.world.addKey({
      id,
      arn: `arn:aws:kms:${region}:${account}:key/${id}`,
      region,
      account,
      aliases: [AWS_MANAGED_EBS_ALIAS],
      serviceKey: true,
    });
  }

  #requireAccountRegion(account: string, region: string): void {
    if (!this.world.accounts.has(account)) throw new Error(`unknown account ${account}`);
    if (!this.world.regions.has(region)) throw new Error(`unknown region ${region}`);
  }

  #key(ref: string, account: string, region: string): SimKey {
    this.#requireAccountRegion(account, region);
    const key = resolveKmsKey(this.world, ref, account, region);
    if (!key) throw new Error(`unknown KMS key ${ref} for ${account} in ${region}`);
    return key;
  }
}
