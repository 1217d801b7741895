import { randomBytes } from 'node:crypto';
import type { Clock } from '@snapcopy/core';
import { BillingLedger, type LedgerEntry } from './ledger.js';
import { RequestLog } from './request-log.js';
import { SnapshotBlockModel, type SnapshotBlocksInput } from './snapshot-blocks.js';

/** An account of the simulated cloud with its one access key. */
export interface SimAccount {
  readonly id: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A KMS key. `usableBy` lists the accounts allowed to use it (the owner is implied). */
export interface SimKey {
  readonly id: string;
  /** Full ARN (AWS) or the key id again (Alibaba). */
  readonly arn: string;
  readonly region: string;
  readonly account: string;
  readonly aliases: readonly string[];
  /** The provider's default/service key (free), as opposed to a customer-managed key. */
  readonly serviceKey: boolean;
  enabled: boolean;
  /**
   * Whether the storage service can actually use the key. A key that exists but is not
   * accessible makes an AWS copy fail asynchronously.
   */
  accessible: boolean;
  readonly usableBy: Set<string>;
  /** A state beyond enabled/disabled: scheduled for deletion, or waiting for key material. */
  pending?: 'deletion' | 'import';
  /** When a key pending deletion goes (ms since the epoch). */
  deletionDate?: number;
  /** When the key was created (ms since the epoch). */
  readonly createdAt?: number;
  readonly description?: string;
}

/** A volume (AWS) or disk (Alibaba): the lineage its snapshots share. */
export interface SimVolume {
  readonly id: string;
  readonly region: string;
  readonly account: string;
  readonly sizeGiB: number;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  /** `system` or `data` (Alibaba). */
  readonly diskType?: 'system' | 'data';
}

/** The copy task behind a snapshot that is a copy. */
export interface SimCopyTask {
  readonly sourceSnapshotId: string;
  readonly sourceRegion: string;
  readonly startedAt: number;
  readonly durationMs: number;
  /** When set, the copy fails at this time with `failMessage` instead of completing. */
  readonly failAt?: number;
  readonly failMessage?: string;
  readonly clientToken?: string;
  /** AWS: a delete asked for while pending; applied when the copy completes. */
  deleteRequested: boolean;
  readonly completionDurationMinutes?: number;
  readonly billing: Omit<LedgerEntry, 'at' | 'snapshotId'>;
}

/** A snapshot, source or copy. */
export interface SimSnapshot {
  readonly id: string;
  readonly region: string;
  /** Owner account. */
  readonly account: string;
  readonly volumeId: string;
  /** Size of the source volume/disk, GiB. */
  readonly volumeSizeGiB: number;
  /** Full data size of the snapshot, GiB. */
  readonly sizeGiB: number;
  /** GiB changed since the previous snapshot of the same volume. */
  readonly changedGiB: number;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  state: 'pending' | 'completed' | 'error';
  progress: number;
  stateMessage?: string;
  readonly startedAt: number;
  completedAt?: number;
  name?: string;
  description?: string;
  readonly tags: Map<string, string>;
  readonly sharedWith: Set<string>;
  category: 'standard' | 'archive' | 'flash';
  retentionDays?: number;
  readonly diskType?: 'system' | 'data';
  readonly copy?: SimCopyTask;
  /** Anything cloud-specific. */
  readonly extra: Record<string, unknown>;
}

/** What {@link SimWorld.startCopy} needs: the outcome is decided by the cloud's own rules. */
export interface StartCopyInput {
  readonly source: SimSnapshot;
  readonly account: string;
  readonly region: string;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  readonly name?: string;
  readonly description?: string;
  readonly tags?: ReadonlyMap<string, string>;
  readonly retentionDays?: number;
  readonly clientToken?: string;
  /** GiB that must move: sets the copy's duration at the world's throughput. */
  readonly movedGiB: number;
  /** Time the copy waits before it starts moving data (queued behind an unfinished copy). */
  readonly waitMs?: number;
  readonly completionDurationMinutes?: number;
  /**
   * The copy's duration when the cloud decided it otherwise than by `movedGiB` at the
   * world's throughput (e.g. a throughput quota that slows a time-based copy down).
   */
  readonly durationMs?: number;
  /** When the copy started, default now (a copy that waited in a queue started when a slot freed). */
  readonly startedAt?: number;
  /** Make the copy fail asynchronously with this message. */
  readonly failMessage?: string;
  readonly billing: Omit<LedgerEntry, 'at' | 'snapshotId'>;
  readonly extra?: Record<string, unknown>;
}

/** Settings of a world. */
export interface SimWorldOptions {
  readonly clock: Clock;
  readonly cloud: 'ec2' | 'ecs';
  /** Makes a new snapshot id. */
  readonly newSnapshotId: () => string;
  /** Copy throughput in MiB/s of virtual time. Default 256. */
  readonly throughputMiBps?: number;
  /** Shortest copy, ms of virtual time. Default 10 s. */
  readonly minCopyMs?: number;
}

/** Pro-rata GiB to two decimals, so a partial transfer reads as a bill would. */
function roundGiB(gib: number): number {
  return Math.round(gib * 100) / 100;
}

/** Random lowercase hex of `n` characters. */
/**
 * The fields of a snapshot taken now of `volume` (an EBS volume, an ECS disk) holding
 * `usedGiB`, `changedGiB` of them changed since its last snapshot; complete at once or
 * still being taken.
 */
export function snapshotOfVolume(
  volume: Pick<SimVolume, 'id' | 'sizeGiB' | 'encrypted' | 'kmsKeyId'>,
  usedGiB: number,
  changedGiB: number,
  completed: boolean | undefined,
) {
  return {
    volumeId: volume.id,
    volumeSizeGiB: volume.sizeGiB,
    sizeGiB: usedGiB,
    changedGiB,
    encrypted: volume.encrypted,
    ...(volume.kmsKeyId !== undefined ? { kmsKeyId: volume.kmsKeyId } : {}),
    state: completed ? ('completed' as const) : ('pending' as const),
  };
}

export function hexId(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
}

/**
 * The state of one simulated cloud: accounts, regions, keys, volumes, snapshots and
 * copy tasks, the billing ledger and the request log. Time-dependent state (copy
 * progress, completion, async failures, deferred deletes, retention expiry) is brought
 * up to date lazily by {@link SimWorld.advance}, which front-ends call on every request.
 */
export class SimWorld {
  readonly clock: Clock;
  readonly cloud: 'ec2' | 'ecs';
  readonly accounts = new Map<string, SimAccount>();
  readonly regions = new Set<string>();
  readonly keys = new Map<string, SimKey>();
  readonly volumes = new Map<string, SimVolume>();
  readonly snapshots = new Map<string, SimSnapshot>();
  /** `account/region` → encryption by default on. */
  readonly encryptionByDefault = new Map<string, boolean>();
  /** `account/region` → default key id. */
  readonly defaultKeyId = new Map<string, string>();
  /** Snapshots deleted so far (ids), for tests that check nothing was lost. */
  readonly deleted = new Set<string>();
  readonly ledger = new BillingLedger();
  readonly requests = new RequestLog();
  /** Which blocks each snapshot holds: the truth behind sizes, deltas and changed-block lists. */
  readonly blocks = new SnapshotBlockModel();
  readonly #newSnapshotId: () => string;
  readonly throughputMiBps: number;
  readonly minCopyMs: number;

  constructor(options: SimWorldOptions) {
    this.clock = options.clock;
    this.cloud = options.cloud;
    this.#newSnapshotId = options.newSnapshotId;
    this.throughputMiBps = options.throughputMiBps ?? 256;
    this.minCopyMs = options.minCopyMs ?? 10_000;
  }

  addAccount(account: SimAccount): SimAccount {
    this.accounts.set(account.id, account);
    return account;
  }

  accountByAccessKey(accessKeyId: string): SimAccount | undefined {
    for (const a of this.accounts.values()) if (a.accessKeyId === accessKeyId) return a;
    return undefined;
  }

  addRegion(region: string): void {
    this.regions.add(region);
  }

  addKey(
    key: Omit<SimKey, 'usableBy' | 'enabled' | 'accessible'> &
      Partial<Pick<SimKey, 'enabled' | 'accessible'>> & { usableBy?: Iterable<string> },
  ): SimKey {
    const full: SimKey = {
      ...key,
      enabled: key.enabled ?? true,
      accessible: key.accessible ?? true,
      usableBy: new Set(key.usableBy ?? []),
      createdAt: key.createdAt ?? this.clock.now(),
    };
    this.keys.set(full.id, full);
    return full;
  }

  /** Finds a key by id, ARN or alias, in a region. */
  findKey(ref: string, region: string): SimKey | undefined {
    for (const k of this.keys.values()) {
      if (k.region !== region) continue;
      if (k.id === ref || k.arn === ref || k.aliases.includes(ref)) return k;
    }
    return undefined;
  }

  setEncryptionByDefault(account: string, region: string, on: boolean): void {
    this.encryptionByDefault.set(`${account}/${region}`, on);
  }

  isEncryptionByDefault(account: string, region: string): boolean {
    return this.encryptionByDefault.get(`${account}/${region}`) ?? false;
  }

  setDefaultKey(account: string, region: string, keyId: string): void {
    this.defaultKeyId.set(`${account}/${region}`, keyId);
  }

  addVolume(volume: SimVolume): SimVolume {
    this.volumes.set(volume.id, volume);
    return volume;
  }

  /**
   * Adds a finished snapshot (a source to copy from) at the end of its volume's block
   * timeline: `sizeGiB` and `changedGiB` become what the block model holds (see
   * {@link SnapshotBlockModel.record}; explicit `blocks` decide both).
   */
  addSnapshot(
    s: Omit<
      SimSnapshot,
      | 'state'
      | 'progress'
      | 'startedAt'
      | 'tags'
      | 'sharedWith'
      | 'category'
      | 'extra'
      | 'id'
      | 'sizeGiB'
      | 'changedGiB'
    > & {
      id?: string;
      /** Data in the snapshot, GiB. Default: what `blocks` hold, else the volume size. */
      sizeGiB?: number;
      /** GiB changed since the previous snapshot of the volume (exact). */
      changedGiB?: number;
      /** Changed GiB to use when `changedGiB` is absent, within what the sizes allow. */
      defaultChangedGiB?: number;
      /** The snapshot's blocks relative to the previous snapshot of its volume. */
      blocks?: SnapshotBlocksInput;
      tags?: Record<string, string>;
      sharedWith?: Iterable<string>;
      category?: SimSnapshot['category'];
      state?: SimSnapshot['state'];
      extra?: Record<string, unknown>;
    },
  ): SimSnapshot {
    const now = this.clock.now();
    const { tags, sharedWith, sizeGiB, changedGiB, defaultChangedGiB, blocks, ...rest } = s;
    const id = s.id ?? this.#newSnapshotId();
    if (this.snapshots.has(id)) throw new Error(`snapshot ${id} already exists`);
    const measured = this.blocks.record({
      snapshotId: id,
      volumeId: s.volumeId,
      volumeSizeGiB: s.volumeSizeGiB,
      ...(sizeGiB !== undefined ? { sizeGiB } : {}),
      ...(changedGiB !== undefined ? { changedGiB } : {}),
      ...(defaultChangedGiB !== undefined ? { defaultChangedGiB } : {}),
      ...(blocks !== undefined ? { blocks } : {}),
    });
    const snap: SimSnapshot = {
      ...rest,
      id,
      sizeGiB: measured.sizeGiB,
      changedGiB: measured.changedGiB,
      state: s.state ?? 'completed',
      progress: (s.state ?? 'completed') === 'completed' ? 100 : 0,
      startedAt: now,
      ...((s.state ?? 'completed') === 'completed' ? { completedAt: now } : {}),
      tags: new Map(Object.entries(tags ?? {})),
      sharedWith: new Set(sharedWith ?? []),
      category: s.category ?? 'standard',
      extra: s.extra ?? {},
    };
    this.snapshots.set(snap.id, snap);
    return snap;
  }

  /** Snapshots in `region` visible to `account`: owned, or shared with it. */
  visibleSnapshot(id: string, region: string, account: string): SimSnapshot | undefined {
    const s = this.snapshots.get(id);
    if (!s || s.region !== region) return undefined;
    if (s.account !== account && !s.sharedWith.has(account)) return undefined;
    return s;
  }

  /** Copies of this account still pending in a region (the concurrency limit counts these). */
  pendingCopies(account: string, region: string): number {
    let n = 0;
    for (const s of this.snapshots.values()) {
      if (s.copy && s.state === 'pending' && s.account === account && s.region === region) n++;
    }
    return n;
  }

  /** Starts a copy: a new pending snapshot in the destination, billed in the ledger. */
  startCopy(input: StartCopyInput): SimSnapshot {
    const now = input.startedAt ?? this.clock.now();
    const byThroughput = Math.ceil(((input.movedGiB * 1024) / this.throughputMiBps) * 1000);
    const durationMs =
      (input.waitMs ?? 0) +
      (input.durationMs !== undefined
        ? Math.max(this.minCopyMs, input.durationMs)
        : input.completionDurationMinutes !== undefined
          ? Math.max(this.minCopyMs, Math.min(byThroughput, input.completionDurationMinutes * 60_000))
          : Math.max(this.minCopyMs, byThroughput));
    const task: SimCopyTask = {
      sourceSnapshotId: input.source.id,
      sourceRegion: input.source.region,
      startedAt: now,
      durationMs,
      ...(input.failMessage !== undefined
        ? { failAt: now + Math.max(1, Math.floor(durationMs * 0.1)), failMessage: input.failMessage }
        : {}),
      ...(input.clientToken !== undefined ? { clientToken: input.clientToken } : {}),
      deleteRequested: false,
      ...(input.completionDurationMinutes !== undefined
        ? { completionDurationMinutes: input.completionDurationMinutes }
        : {}),
      billing: input.billing,
    };
    const snap: SimSnapshot = {
      id: this.#newSnapshotId(),
      region: input.region,
      account: input.account,
      volumeId: input.source.volumeId,
      volumeSizeGiB: input.source.volumeSizeGiB,
      sizeGiB: input.source.sizeGiB,
      changedGiB: input.source.changedGiB,
      encrypted: input.encrypted,
      ...(input.kmsKeyId !== undefined ? { kmsKeyId: input.kmsKeyId } : {}),
      state: 'pending',
      progress: 0,
      startedAt: now,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      tags: new Map(input.tags ?? []),
      sharedWith: new Set(),
      category: 'standard',
      ...(input.retentionDays !== undefined ? { retentionDays: input.retentionDays } : {}),
      ...(input.source.diskType !== undefined ? { diskType: input.source.diskType } : {}),
      copy: task,
      extra: input.extra ?? {},
    };
    this.snapshots.set(snap.id, snap);
    this.blocks.recordCopy(snap.id, input.source.id);
    this.ledger.charge({ ...input.billing, at: now, snapshotId: snap.id });
    return snap;
  }

  /**
   * Removes a snapshot now. A copy removed before it completed (cancelled) stores nothing,
   * and its ledger entry keeps only the transfer of the data that had moved.
   */
  remove(id: string): void {
    const s = this.snapshots.get(id);
    if (s?.copy && s.state === 'pending') {
      const moved = Math.min(1, Math.max(0, (this.clock.now() - s.copy.startedAt) / s.copy.durationMs));
      this.ledger.settle(id, 'cancelled', (e) => ({
        transferGiB: roundGiB(e.transferGiB * moved),
        storageGiB: 0,
        timeBasedGiB: roundGiB(e.timeBasedGiB * moved),
      }));
    }
    if (this.snapshots.delete(id)) this.deleted.add(id);
  }

  /**
   * Brings every time-dependent state up to the clock's now. With `only`, brings just
   * those snapshots up to date: a front-end that indexes its pending and retained
   * snapshots avoids a full scan per request when the world holds many snapshots.
   */
  advance(only?: Iterable<string>): void {
    const now = this.clock.now();
    const targets: SimSnapshot[] = [];
    if (only === undefined) targets.push(...this.snapshots.values());
    else
      for (const id of only) {
        const s = this.snapshots.get(id);
        if (s) targets.push(s);
      }
    for (const s of targets) {
      const task = s.copy;
      if (task && s.state === 'pending') {
        if (task.failAt !== undefined && now >= task.failAt) {
          s.state = 'error';
          s.stateMessage = task.failMessage ?? 'copy failed';
          // The copy never produced a snapshot: nothing is stored and no data was billed.
          this.ledger.settle(s.id, 'failed', () => ({ transferGiB: 0, storageGiB: 0, timeBasedGiB: 0 }));
          if (task.deleteRequested) this.remove(s.id);
          continue;
        }
        const elapsed = now - task.startedAt;
        if (elapsed >= task.durationMs) {
          s.state = 'completed';
          s.progress = 100;
          s.completedAt = task.startedAt + task.durationMs;
          if (task.deleteRequested) {
            this.remove(s.id);
            continue;
          }
        } else {
          s.progress = Math.min(99, Math.floor((elapsed / task.durationMs) * 100));
        }
      }
      if (s.state === 'completed' && s.retentionDays !== undefined && s.completedAt !== undefined) {
        if (now >= s.completedAt + s.retentionDays * 86_400_000) this.remove(s.id);
      }
    }
  }

  /** Milliseconds until the copy behind `id` ends (0 if not pending). */
  remainingMs(id: string): number {
    const s = this.snapshots.get(id);
    if (!s?.copy || s.state !== 'pending') return 0;
    return Math.max(0, s.copy.startedAt + s.copy.durationMs - this.clock.now());
  }
}
