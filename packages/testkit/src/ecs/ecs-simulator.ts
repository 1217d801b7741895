import type { Clock } from '@snapcopy/core';
import { FaultInjector } from '../sim/faults.js';
import type { SimHandler, SimNockMount, SimServer } from '../sim/mount.js';
import { mountNock, startSimServer } from '../sim/mount.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { applyKeyState, type SimKeyState } from '../sim/key-state.js';
import type { SnapshotBlocksInput } from '../sim/snapshot-blocks.js';
import { type SimAccount, type SimKey, type SimSnapshot, type SimVolume, SimWorld } from '../sim/world.js';
import { alibabaKmsFrontEnd } from '../alibaba-kms/front-end.js';
import { ALIBABA_ENDPOINT_PATTERN, alibabaDispatcher } from './alibaba-dispatch.js';
import { EcsState, kmsKeyArn } from './ecs-state.js';
import type { EcsImage } from './images/ecs-image-model.js';
import { addEcsImage, type EcsImageFixture } from './images/image-fixtures.js';
import {
  newAccessKeyId,
  newAccessKeySecret,
  newAlibabaAccountId,
  newEcsDiskId,
  newEcsInstanceId,
  newEcsSnapshotId,
  newKmsKeyId,
} from './ids.js';
import { ECS_DOCUMENTED_RATE_LIMIT, EcsRpcFrontEnd, type EcsRateLimit } from './rpc-front-end.js';
import {
  type EcsInstance,
  type EcsSnapshotGroup,
  type SnapshotGroupSpec,
  takeSnapshotGroup,
} from './snapshot-groups.js';

/**
 * Hosts the nock mounting intercepts: `ecs-cn-hangzhou.aliyuncs.com` (the SDK's override
 * for cn-hangzhou), `ecs.<region>.aliyuncs.com`, `ecs-vpc.<region>.aliyuncs.com`,
 * `ecs.aliyuncs.com`. Unanchored on purpose: nock tests it against `METHOD proto://host/path`.
 */
export const ECS_ENDPOINT_PATTERN = /https?:\/\/ecs[a-z0-9-]*(\.[a-z0-9-]+)*\.aliyuncs\.com/;

/** Settings of an {@link EcsSimulator}. */
export interface EcsSimulatorOptions {
  /** The clock copy progress and retention follow. Default: a new {@link VirtualClock}. */
  readonly clock?: Clock;
  /** Seed of the fault injector's random draws. */
  readonly faultSeed?: number;
  /** Copy throughput, MiB/s of virtual time (default 256). */
  readonly throughputMiBps?: number;
  /** Shortest copy, ms of virtual time (default 10 s). */
  readonly minCopyMs?: number;
  /**
   * Refuse a new copy of a disk while an earlier copy of the same disk to the same
   * destination is unfinished, as ECS documents (`InvalidOperation.UnfinishedCrossRegionCopy`).
   * Default true: it serializes copies per disk and destination region.
   */
  readonly serializeCopiesPerDisk?: boolean;
  /** Require `DestinationSnapshotName` and `…Description` as the API reference does. Default true. */
  readonly requireDestinationNameAndDescription?: boolean;
  /** Per-account, per-action flow control; default 1000 calls / 60 s; `false` disables it. */
  readonly rateLimit?: EcsRateLimit | false;
  /** What a `server-error` fault answers: 500 `InternalError` (default) or 503 `ServiceUnavailable`. */
  readonly serverErrorCode?: 'InternalError' | 'ServiceUnavailable';
  /** Image copy tasks that run at once per account and destination region; the rest wait. Default 5. */
  readonly imageCopyConcurrency?: number;
}

/** Credentials for the Alibaba SDK's config. */
export interface EcsCredentials {
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/** A KMS key to add (a customer master key unless `serviceKey`). */
export interface EcsKeyFixture {
  readonly account: string;
  readonly region: string;
  readonly id?: string;
  readonly alias?: string;
  /** Default true; a disabled key fails copies with `InvalidParameter.KMSKeyId.CMKNotEnabled`. */
  readonly enabled?: boolean;
  /** Default true; false fails copies with `InvalidParameter.KMSKeyId.KMSUnauthorized`. */
  readonly usable?: boolean;
  /** Other accounts allowed to use the key. */
  readonly usableBy?: Iterable<string>;
  /** The key's state as KMS shows it (wins over `enabled`). Default `Enabled`. */
  readonly state?: SimKeyState;
  /** For `PendingDeletion`: when the key goes. Default: 30 days from now. */
  readonly deletionDate?: Date | number;
  readonly description?: string;
}

/** A disk to add. */
export interface EcsDiskFixture {
  readonly account: string;
  readonly region: string;
  readonly id?: string;
  readonly sizeGiB: number;
  readonly encrypted?: boolean;
  /** Key of an encrypted disk (default: the service key of the account and region). */
  readonly kmsKeyId?: string;
  readonly diskType?: 'system' | 'data';
}

/** A source snapshot to add. */
export interface EcsSnapshotFixture {
  readonly account: string;
  readonly region: string;
  readonly id?: string;
  /** The disk it was taken from; created (with `diskSizeGiB`) when absent. */
  readonly diskId?: string;
  /** Size of a disk created for it (default: max(sizeGiB, 40)). */
  readonly diskSizeGiB?: number;
  /** Full data size of the snapshot, GiB (required unless `blocks` decide it). */
  readonly sizeGiB?: number;
  /** GiB changed since the previous snapshot of the disk (default: as much as the size allows). */
  readonly changedGiB?: number;
  /** The snapshot's blocks relative to the previous snapshot of its disk (512 KiB blocks). */
  readonly blocks?: SnapshotBlocksInput;
  /** Encrypted (the disk's encryption wins when `diskId` is given). */
  readonly encrypted?: boolean;
  readonly kmsKeyId?: string;
  readonly category?: 'standard' | 'archive' | 'flash';
  readonly diskType?: 'system' | 'data';
  readonly name?: string;
  readonly description?: string;
  readonly tags?: Record<string, string>;
  /** Default `accomplished`; `progressing` never finishes (a snapshot still being created). */
  readonly status?: 'accomplished' | 'progressing' | 'failed';
  readonly retentionDays?: number;
  /** `auto` or `user` (default). */
  readonly snapshotType?: 'auto' | 'user';
}

/** A disk attached to an instance being added. */
export interface EcsInstanceDiskFixture extends Omit<EcsDiskFixture, 'account' | 'region'> {
  /** GiB of data on the disk (its first snapshot's size). Default: the disk size. */
  readonly usedGiB?: number;
  /** GiB that change between two snapshots. Default: a tenth of `usedGiB`, rounded up. */
  readonly changeGiB?: number;
}

/** An instance to add, with its disks (the system disk first unless `diskType` says otherwise). */
export interface EcsInstanceFixture {
  readonly account: string;
  readonly region: string;
  readonly id?: string;
  readonly disks: readonly EcsInstanceDiskFixture[];
}

/** A snapshot-consistent group to take of an instance (fixtures, seeds). */
export interface EcsSnapshotGroupFixture {
  readonly instanceId: string;
  readonly id?: string;
  readonly name?: string;
  readonly description?: string;
  /** Tags of the group. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Tags each snapshot of the group gets too. */
  readonly snapshotTags?: Readonly<Record<string, string>>;
  /** Disks to leave out. */
  readonly excludeDiskIds?: readonly string[];
  /** Fixed snapshot ids, in disk order. */
  readonly snapshotIds?: readonly string[];
  /** Accomplished at once (default), or progressing like CreateSnapshotGroup. */
  readonly completed?: boolean;
}

/**
 * A simulated Alibaba Cloud ECS snapshot service speaking the RPC protocol of API
 * 2014-05-26, for the real `@alicloud/ecs20140526` client (and any other client of the
 * protocol). One {@link SimHandler} serves both mountings: {@link mountNock} and {@link listen}.
 */
export class EcsSimulator {
  readonly clock: Clock;
  readonly world: SimWorld;
  readonly faults: FaultInjector;
  readonly state: EcsState;
  readonly frontEnd: EcsRpcFrontEnd;
  /** KMS (DescribeKey, ListAliases, ListAliasesByKeyId) over the world's keys. */
  readonly kms: EcsRpcFrontEnd;
  /** ECS and KMS behind one dispatcher (by API version), for custom mountings. */
  readonly handler: SimHandler;

  constructor(options: EcsSimulatorOptions = {}) {
    this.clock = options.clock ?? new VirtualClock();
    this.world = new SimWorld({
      clock: this.clock,
      cloud: 'ecs',
      newSnapshotId: newEcsSnapshotId,
      ...(options.throughputMiBps !== undefined ? { throughputMiBps: options.throughputMiBps } : {}),
      ...(options.minCopyMs !== undefined ? { minCopyMs: options.minCopyMs } : {}),
    });
    this.faults = new FaultInjector(options.faultSeed ?? 1);
    this.state = new EcsState(this.world, {
      serializeCopiesPerDisk: options.serializeCopiesPerDisk ?? true,
      requireDestinationNameAndDescription: options.requireDestinationNameAndDescription ?? true,
      ...(options.imageCopyConcurrency !== undefined
        ? { imageCopyConcurrency: options.imageCopyConcurrency }
        : {}),
    });
    this.frontEnd = new EcsRpcFrontEnd(this.state, this.faults, {
      rateLimit: options.rateLimit ?? ECS_DOCUMENTED_RATE_LIMIT,
      serverErrorCode: options.serverErrorCode ?? 'InternalError',
    });
    this.kms = alibabaKmsFrontEnd(this.state, this.faults);
    this.handler = alibabaDispatcher({ ecs: this.frontEnd, kms: this.kms });
  }

  /** Adds an account (numeric uid, `LTAI…` AccessKeyId and a secret, generated when absent). */
  addAccount(
    fixture: { id?: string; accessKeyId?: string; accessKeySecret?: string; kmsEnabled?: boolean } = {},
  ): SimAccount {
    const account = this.world.addAccount({
      id: fixture.id ?? newAlibabaAccountId(),
      accessKeyId: fixture.accessKeyId ?? newAccessKeyId(),
      secretAccessKey: fixture.accessKeySecret ?? newAccessKeySecret(),
    });
    if (fixture.kmsEnabled === false) this.state.setKmsEnabled(account.id, false);
    for (const region of this.world.regions) this.state.serviceKey(account.id, region);
    return account;
  }

  /** Adds regions; every account gets its service key `alias/acs/ecs` there. */
  addRegions(...regions: string[]): void {
    for (const region of regions) {
      this.world.addRegion(region);
      for (const account of this.world.accounts.keys()) this.state.serviceKey(account, region);
    }
  }

  /** Turns KMS activation on or off for an account. */
  setKmsEnabled(account: string, on: boolean): void {
    this.state.setKmsEnabled(account, on);
  }

  /** Adds a customer master key in one region. */
  addKey(fixture: EcsKeyFixture): SimKey {
    const id = fixture.id ?? newKmsKeyId();
    if (this.world.keys.has(id)) throw new Error(`KMS key ${id} already exists`);
    const key = this.world.addKey({
      id,
      arn: kmsKeyArn(fixture.region, fixture.account, id),
      region: fixture.region,
      account: fixture.account,
      aliases: fixture.alias ? [fixture.alias] : [],
      serviceKey: false,
      enabled: fixture.enabled ?? true,
      accessible: fixture.usable ?? true,
      ...(fixture.usableBy ? { usableBy: fixture.usableBy } : {}),
      ...(fixture.description !== undefined ? { description: fixture.description } : {}),
    });
    if (fixture.state !== undefined)
      applyKeyState(key, fixture.state, fixture.deletionDate, this.clock.now());
    return key;
  }

  /** The service key `alias/acs/ecs` of an account in a region. */
  serviceKey(account: string, region: string): SimKey {
    return this.state.serviceKey(account, region);
  }

  /** Adds a disk. */
  addDisk(fixture: EcsDiskFixture): SimVolume {
    const encrypted = fixture.encrypted ?? fixture.kmsKeyId !== undefined;
    const keyId = encrypted
      ? (fixture.kmsKeyId ?? this.state.serviceKey(fixture.account, fixture.region).id)
      : undefined;
    return this.world.addVolume({
      id: fixture.id ?? newEcsDiskId(),
      region: fixture.region,
      account: fixture.account,
      sizeGiB: fixture.sizeGiB,
      encrypted,
      ...(keyId !== undefined ? { kmsKeyId: keyId } : {}),
      diskType: fixture.diskType ?? 'data',
    });
  }

  /** Adds a snapshot of a disk (accomplished unless told otherwise). */
  addSnapshot(fixture: EcsSnapshotFixture): SimSnapshot {
    const disk =
      (fixture.diskId !== undefined ? this.world.volumes.get(fixture.diskId) : undefined) ??
      this.addDisk({
        account: fixture.account,
        region: fixture.region,
        ...(fixture.diskId !== undefined ? { id: fixture.diskId } : {}),
        sizeGiB: fixture.diskSizeGiB ?? Math.max(fixture.sizeGiB ?? 0, 40),
        ...(fixture.encrypted !== undefined ? { encrypted: fixture.encrypted } : {}),
        ...(fixture.kmsKeyId !== undefined ? { kmsKeyId: fixture.kmsKeyId } : {}),
        ...(fixture.diskType !== undefined ? { diskType: fixture.diskType } : {}),
      });
    const state =
      fixture.status === 'progressing' ? 'pending' : fixture.status === 'failed' ? 'error' : 'completed';
    const snap = this.world.addSnapshot({
      ...(fixture.id !== undefined ? { id: fixture.id } : {}),
      region: fixture.region,
      account: fixture.account,
      volumeId: disk.id,
      volumeSizeGiB: disk.sizeGiB,
      ...(fixture.sizeGiB !== undefined ? { sizeGiB: fixture.sizeGiB } : {}),
      ...(fixture.changedGiB !== undefined
        ? { changedGiB: fixture.changedGiB }
        : { defaultChangedGiB: fixture.sizeGiB ?? disk.sizeGiB }),
      ...(fixture.blocks !== undefined ? { blocks: fixture.blocks } : {}),
      encrypted: disk.encrypted,
      ...(disk.kmsKeyId !== undefined ? { kmsKeyId: disk.kmsKeyId } : {}),
      ...(fixture.category !== undefined ? { category: fixture.category } : {}),
      ...(disk.diskType !== undefined ? { diskType: disk.diskType } : {}),
      ...(fixture.name !== undefined ? { name: fixture.name } : {}),
      ...(fixture.description !== undefined ? { description: fixture.description } : {}),
      ...(fixture.tags !== undefined ? { tags: fixture.tags } : {}),
      ...(fixture.retentionDays !== undefined ? { retentionDays: fixture.retentionDays } : {}),
      state,
      extra: fixture.snapshotType ? { snapshotType: fixture.snapshotType } : {},
    });
    this.state.register(snap);
    return snap;
  }

  /** Adds a custom image made of completed snapshots its owner has in its region. */
  addImage(fixture: EcsImageFixture): EcsImage {
    this.state.sync();
    return addEcsImage(this.state.images, fixture);
  }

  /** Shares an image with another account. */
  shareImage(imageId: string, account: string): void {
    const image = this.state.images.images.get(imageId);
    if (!image) throw new Error(`no such image: ${imageId}`);
    if (!this.world.accounts.has(account)) throw new Error(`no such account: ${account}`);
    if (account !== image.account) image.sharedWith.set(account, this.clock.now());
  }

  /** An image brought up to the clock's now, or undefined when it does not exist (any more). */
  image(id: string): EcsImage | undefined {
    this.advance();
    return this.state.images.images.get(id);
  }

  /** Adds an instance with its disks attached, for CreateSnapshotGroup. */
  addInstance(fixture: EcsInstanceFixture): EcsInstance {
    if (!this.world.accounts.has(fixture.account)) throw new Error(`no such account: ${fixture.account}`);
    if (!this.world.regions.has(fixture.region)) throw new Error(`no such region: ${fixture.region}`);
    if (fixture.disks.length === 0) throw new Error('an instance needs at least one disk');
    const id = fixture.id ?? newEcsInstanceId();
    if (this.state.instances.has(id)) throw new Error(`instance ${id} already exists`);
    const typed = fixture.disks.some((d) => d.diskType !== undefined);
    const disks = fixture.disks.map((d, i) => {
      const { usedGiB, changeGiB, ...diskFixture } = d;
      const disk = this.addDisk({
        ...diskFixture,
        account: fixture.account,
        region: fixture.region,
        diskType: d.diskType ?? (typed || i > 0 ? 'data' : 'system'),
      });
      const used = usedGiB ?? disk.sizeGiB;
      return {
        diskId: disk.id,
        system: disk.diskType === 'system',
        usedGiB: used,
        changeGiB: changeGiB ?? Math.ceil(used / 10),
      };
    });
    disks.sort((a, b) => Number(b.system) - Number(a.system));
    const instance: EcsInstance = { id, account: fixture.account, region: fixture.region, disks };
    this.state.instances.set(id, instance);
    return instance;
  }

  /** Takes a snapshot-consistent group of an instance (accomplished at once unless `completed: false`). */
  addSnapshotGroup(fixture: EcsSnapshotGroupFixture): EcsSnapshotGroup {
    this.state.sync();
    const instance = this.state.instances.get(fixture.instanceId);
    if (!instance) throw new Error(`no such instance: ${fixture.instanceId}`);
    const excluded = new Set(fixture.excludeDiskIds ?? []);
    const spec: SnapshotGroupSpec = {
      account: instance.account,
      region: instance.region,
      instanceId: instance.id,
      disks: instance.disks.filter((d) => !excluded.has(d.diskId)),
      ...(fixture.id !== undefined ? { id: fixture.id } : {}),
      ...(fixture.name !== undefined ? { name: fixture.name } : {}),
      ...(fixture.description !== undefined ? { description: fixture.description } : {}),
      tags: new Map(Object.entries(fixture.tags ?? {})),
      snapshotTags: new Map(Object.entries(fixture.snapshotTags ?? {})),
      ...(fixture.snapshotIds !== undefined ? { snapshotIds: fixture.snapshotIds } : {}),
      completed: fixture.completed ?? true,
    };
    return takeSnapshotGroup(this.state, spec);
  }

  /** A snapshot-consistent group by id. */
  snapshotGroup(id: string): EcsSnapshotGroup | undefined {
    return this.state.snapshotGroups.get(id);
  }

  /**
   * Makes the next `n` accepted copies fail asynchronously: they start `progressing`, then
   * turn `failed` after a tenth of their duration (e.g. a key disabled mid-copy).
   */
  failNextCopies(n = 1, message = 'The snapshot copy failed: the encryption key became unavailable.'): void {
    for (let i = 0; i < n; i++) this.state.queueAsyncFailure(message);
  }

  /** A snapshot brought up to the clock's now, or undefined when it does not exist (any more). */
  snapshot(id: string): SimSnapshot | undefined {
    this.advance();
    return this.world.snapshots.get(id);
  }

  /** Brings copy progress and retention up to the clock's now (requests do this themselves). */
  advance(): void {
    this.state.advance();
  }

  /** The credentials of an account, for the SDK's config. */
  credentials(accountId: string): EcsCredentials {
    const a = this.world.accounts.get(accountId);
    if (!a) throw new Error(`no such account: ${accountId}`);
    return { accountId: a.id, accessKeyId: a.accessKeyId, accessKeySecret: a.secretAccessKey };
  }

  /**
   * Intercepts `https://{ecs,kms}*.aliyuncs.com` with nock; `stop()` removes the
   * interceptor. `through` (default: {@link handler}) answers instead, to wrap the
   * simulator on the same origins (see `Ec2Simulator.mountNock`).
   */
  mountNock(through: SimHandler = this.handler): SimNockMount {
    return mountNock(through, ALIBABA_ENDPOINT_PATTERN);
  }

  /** Serves the RPC API on 127.0.0.1 (port 0 = any free port). */
  listen(options: { port?: number } = {}): Promise<SimServer> {
    return startSimServer(this.handler, options);
  }
}
