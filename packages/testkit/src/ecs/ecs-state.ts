import { ExpiryQueue } from '../sim/expiry-queue.js';
import { SnapshotCreations } from '../sim/snapshot-creation.js';
import type { SimAccount, SimKey, SimSnapshot, SimWorld } from '../sim/world.js';
import { newKmsKeyId } from './ids.js';
import { EcsImageStore } from './images/ecs-image-store.js';
import type { EcsInstance, EcsSnapshotGroup } from './snapshot-groups.js';

/** The alias of the free ECS service key every account has in every region. */
export const ECS_SERVICE_KEY_ALIAS = 'alias/acs/ecs';

/** Settings the operations consult. */
export interface EcsBehaviour {
  /**
   * Refuse a copy while an earlier copy of the same disk to the same destination region is
   * unfinished (`InvalidOperation.UnfinishedCrossRegionCopy`), as ECS documents. This
   * serializes copies per disk and destination.
   */
  serializeCopiesPerDisk: boolean;
  /** The API reference marks `DestinationSnapshotName` and `…Description` required. */
  requireDestinationNameAndDescription: boolean;
  /** Image copy tasks that run at once per account and destination region (default 5). */
  imageCopyConcurrency?: number;
}

interface IndexEntry {
  readonly id: string;
  readonly seq: number;
}

/** A snapshot's position in creation order (newest has the highest). */
export function snapshotSeq(s: SimSnapshot): number {
  return typeof s.extra.seq === 'number' ? s.extra.seq : 0;
}

/**
 * ECS-specific state over a {@link SimWorld}: indexes that keep every per-request lookup
 * proportional to what the request asks for (not to the world's size), idempotency
 * tokens, KMS key lookup, and per-account flags.
 */
export class EcsState {
  readonly #byOwnerRegion = new Map<string, IndexEntry[]>();
  readonly #copiesByLineage = new Map<string, Set<string>>();
  readonly #timed = new Set<string>();
  readonly #known = new Set<string>();
  readonly #clientTokens = new Map<string, string>();
  readonly #tokenRequests = new Map<string, string>();
  readonly #kmsDisabled = new Set<string>();
  readonly #asyncFailures: string[] = [];
  readonly #expiring = new ExpiryQueue();
  #seq = 0;
  #registeredTotal = 0;
  /** Custom images and image copy tasks. */
  readonly images: EcsImageStore;
  /** Per owner/region list: the world's deleted count when the list was last compacted. */
  readonly #compactedAt = new Map<string, number>();
  /** Snapshots being taken by CreateSnapshotGroup. */
  readonly creations = new SnapshotCreations();
  /** Instances (fixtures) by id, with their disks. */
  readonly instances = new Map<string, EcsInstance>();
  /** Snapshot-consistent groups by id. */
  readonly snapshotGroups = new Map<string, EcsSnapshotGroup>();

  constructor(
    readonly world: SimWorld,
    readonly behaviour: EcsBehaviour,
  ) {
    this.images = new EcsImageStore(this, behaviour.imageCopyConcurrency);
  }

  /** Adds a snapshot to the indexes (fixtures and copies call this; others are found by {@link sync}). */
  register(s: SimSnapshot): void {
    if (this.#known.has(s.id)) return;
    this.#known.add(s.id);
    this.#registeredTotal += 1;
    (s.extra as Record<string, unknown>).seq = ++this.#seq;
    const key = `${s.account}/${s.region}`;
    const list = this.#byOwnerRegion.get(key) ?? [];
    if (list.length === 0) this.#byOwnerRegion.set(key, list);
    list.push({ id: s.id, seq: this.#seq });
    if (s.state === 'pending') this.#timed.add(s.id);
    this.trackRetention(s);
    if (s.copy) {
      const lineage = `${s.account}/${s.region}/${s.volumeId}`;
      const copies = this.#copiesByLineage.get(lineage) ?? new Set<string>();
      if (copies.size === 0) this.#copiesByLineage.set(lineage, copies);
      copies.add(s.id);
    }
  }

  /**
   * Picks up snapshots added to the world directly. Removed snapshots leave the indexes
   * when a list is next read ({@link ownedInRegion}, {@link copiesOfDisk}), so a clock jump
   * that releases many retained snapshots costs nothing per list until someone looks.
   */
  sync(): void {
    const w = this.world;
    if (w.snapshots.size + w.deleted.size !== this.#registeredTotal) {
      for (const s of w.snapshots.values()) this.register(s);
      this.#registeredTotal = w.snapshots.size + w.deleted.size;
    }
  }

  /** Brings pending copies, retained snapshots and image copy tasks up to the clock, then the indexes. */
  advance(): void {
    this.images.advance();
    this.sync();
    this.creations.advance(this.world);
    if (this.#timed.size > 0) {
      this.world.advance(this.#timed);
      for (const id of this.#timed) {
        const s = this.world.snapshots.get(id);
        if (s?.state !== 'pending') this.#timed.delete(id);
      }
    }
    this.#expireRetained();
    this.sync();
  }

  /**
   * Schedules a look at `s` when its retention (`RetentionDays`, counted by the world from
   * completion) may end. Call it again after changing the retention; stale entries are harmless.
   */
  trackRetention(s: SimSnapshot): void {
    if (s.retentionDays === undefined) return;
    const from = s.completedAt ?? s.startedAt;
    this.#expiring.push(s.id, from + s.retentionDays * 86_400_000);
  }

  /** Lets the world release the retained snapshots that came due; re-schedules the others. */
  #expireRetained(): void {
    const now = this.world.clock.now();
    const due = this.#expiring.popDue(now);
    if (due.length === 0) return;
    this.world.advance(due);
    for (const id of due) {
      const s = this.world.snapshots.get(id);
      if (!s || s.retentionDays === undefined || s.state === 'error') continue;
      if (s.state === 'completed') this.trackRetention(s);
      // Still being taken: look again a day later (its end is not known yet).
      else this.#expiring.push(id, now + 86_400_000);
    }
  }

  /** Snapshots owned by `account` in `region`, oldest first, without removed ones. */
  ownedInRegion(account: string, region: string): readonly IndexEntry[] {
    const key = `${account}/${region}`;
    const list = this.#byOwnerRegion.get(key);
    if (!list) return [];
    const deleted = this.world.deleted.size;
    if (this.#compactedAt.get(key) === deleted) return list;
    this.#compactedAt.set(key, deleted);
    const live = list.filter((e) => this.world.snapshots.has(e.id));
    if (live.length === list.length) return list;
    this.#byOwnerRegion.set(key, live);
    return live;
  }

  /** Copies of one disk held by `account` in `region`. */
  copiesOfDisk(account: string, region: string, diskId: string): SimSnapshot[] {
    const out: SimSnapshot[] = [];
    const copies = this.#copiesByLineage.get(`${account}/${region}/${diskId}`);
    for (const id of copies ?? []) {
      const s = this.world.snapshots.get(id);
      if (s) out.push(s);
      else copies?.delete(id);
    }
    return out;
  }

  /** The copy a client token already produced for this account. */
  tokenCopy(account: string, token: string): string | undefined {
    return this.#clientTokens.get(`${account}/${token}`);
  }

  /** What the request that first used a client token asked for (see {@link rememberToken}). */
  tokenRequest(account: string, token: string): string | undefined {
    return this.#tokenRequests.get(`${account}/${token}`);
  }

  /** Records the copy a token made and, when given, the parameters it was made with. */
  rememberToken(account: string, token: string, snapshotId: string, request?: string): void {
    this.#clientTokens.set(`${account}/${token}`, snapshotId);
    if (request !== undefined) this.#tokenRequests.set(`${account}/${token}`, request);
  }

  /** Makes the next accepted copy fail asynchronously (status `failed`) with this message. */
  queueAsyncFailure(message: string): void {
    this.#asyncFailures.push(message);
  }

  /** The async failure the next copy takes, if one is queued. */
  takeAsyncFailure(): string | undefined {
    return this.#asyncFailures.shift();
  }

  /** Whether KMS is activated for the account (default yes). */
  kmsEnabled(account: string): boolean {
    return !this.#kmsDisabled.has(account);
  }

  setKmsEnabled(account: string, on: boolean): void {
    if (on) this.#kmsDisabled.delete(account);
    else this.#kmsDisabled.add(account);
  }

  /** The service key `alias/acs/ecs` of an account in a region, created on first use. */
  serviceKey(account: string, region: string): SimKey {
    for (const k of this.world.keys.values()) {
      if (k.serviceKey && k.account === account && k.region === region) return k;
    }
    const id = newKmsKeyId();
    return this.world.addKey({
      id,
      arn: kmsKeyArn(region, account, id),
      region,
      account,
      aliases: [ECS_SERVICE_KEY_ALIAS],
      serviceKey: true,
    });
  }

  /**
   * A key named by id, ARN or alias in `region`. Aliases are the account's own; ids and
   * ARNs may name another account's key (then `usableBy` decides).
   */
  findKey(account: string, region: string, ref: string): SimKey | undefined {
    if (ref === ECS_SERVICE_KEY_ALIAS) return this.serviceKey(account, region);
    for (const k of this.world.keys.values()) {
      if (k.region !== region) continue;
      if (k.id === ref || k.arn === ref) return k;
      if (k.account === account && k.aliases.includes(ref)) return k;
    }
    return undefined;
  }

  /** The account behind an AccessKeyId. */
  accountByAccessKey(accessKeyId: string): SimAccount | undefined {
    return this.world.accountByAccessKey(accessKeyId);
  }
}

/** `acs:kms:<region>:<uid>:key/<id>` */
export function kmsKeyArn(region: string, account: string, id: string): string {
  return `acs:kms:${region}:${account}:key/${id}`;
}
