import { SnapshotCreations } from '../sim/snapshot-creation.js';
import type { SimSnapshot, SimWorld } from '../sim/world.js';
import type { DestinationLineageSnapshot } from './copy-billing.js';
import { DEFAULT_IMAGE_LIMITS, type Ec2ImageLimits, Ec2ImageStore } from './images/image-store.js';
import type { Ec2Instance } from './instances.js';
import { PageTokenCache } from './page-tokens.js';

/** EC2-only facts about a volume that the shared engine does not keep. */
export interface Ec2VolumeMeta {
  readonly createdAt: number;
  readonly tags: Map<string, string>;
}

/** EC2-only facts about a snapshot, kept in `SimSnapshot.extra`. */
export interface Ec2SnapshotExtra {
  ownerAlias?: string;
  outpostArn?: string;
  /** When a temporarily restored archived snapshot goes back to the archive tier, ms. */
  restoreExpiryTime?: number;
  dataEncryptionKeyId?: string;
  /** Shared with every account (`RestorableBy=all`). */
  public?: boolean;
  /** AWS Marketplace / DevPay product codes (such a snapshot cannot be made public). */
  productCodes?: readonly { readonly id: string; readonly type: 'devpay' | 'marketplace' }[];
}

/** The EC2 simulator's state: the shared world plus what only EC2 needs. */
export class Ec2State {
  readonly volumeMeta = new Map<string, Ec2VolumeMeta>();
  readonly pages = new PageTokenCache();
  /**
   * Copies that may still be pending. Each request brings only these up to date, and the
   * per-region copy limit counts them, so neither scans every snapshot in the world.
   */
  readonly pendingCopyIds = new Set<string>();
  /** AMIs and AMI copies (their backing snapshot copies are tracked there, not above). */
  readonly images: Ec2ImageStore;
  /** Snapshots being taken by CreateSnapshots. */
  readonly creations = new SnapshotCreations();
  /** Instances (fixtures) by id, with their attached volumes. */
  readonly instances = new Map<string, Ec2Instance>();
  /**
   * Every copy CopySnapshot (or CopyImage) made, by `account/region/volume`, so a deleted
   * copy still counts as the most recent one of its lineage in that region.
   */
  readonly #copyHistory = new Map<string, DestinationLineageSnapshot[]>();

  constructor(
    readonly world: SimWorld,
    /** Concurrent copies per account into one destination region (EC2: 20, not adjustable). */
    readonly copyLimitPerRegion: number,
    imageLimits: Ec2ImageLimits = DEFAULT_IMAGE_LIMITS,
  ) {
    this.images = new Ec2ImageStore(world, imageLimits);
  }

  /** Brings the pending copies (and AMI copies) up to the clock's now and forgets those that finished. */
  advanceCopies(): void {
    this.images.advance();
    this.creations.advance(this.world);
    if (this.pendingCopyIds.size === 0) return;
    this.world.advance(this.pendingCopyIds);
    for (const id of this.pendingCopyIds) {
      const s = this.world.snapshots.get(id);
      if (s?.state !== 'pending') this.pendingCopyIds.delete(id);
    }
  }

  /** Remembers a copy made by CopySnapshot (see {@link lineageIn}). */
  rememberCopy(copy: SimSnapshot): void {
    const key = `${copy.account}/${copy.region}/${copy.volumeId}`;
    const list = this.#copyHistory.get(key) ?? [];
    if (list.length === 0) this.#copyHistory.set(key, list);
    list.push({ ...lineageView(copy), gone: true });
  }

  /**
   * The snapshots of a volume lineage that `account` holds or held in `region`: every live
   * one, and the copies made here since deleted. Snapshots removed from the world
   * directly without passing through CopySnapshot are not remembered.
   */
  lineageIn(account: string, region: string, volumeId: string): DestinationLineageSnapshot[] {
    const out: DestinationLineageSnapshot[] = [];
    for (const s of this.world.snapshots.values()) {
      if (s.region === region && s.account === account && s.volumeId === volumeId) out.push(lineageView(s));
    }
    for (const past of this.#copyHistory.get(`${account}/${region}/${volumeId}`) ?? []) {
      if (!this.world.snapshots.has(past.id)) out.push(past);
    }
    return out;
  }

  /** Copies of `account` still pending into `region` (call after {@link advanceCopies}). */
  pendingCopies(account: string, region: string): number {
    let n = 0;
    for (const id of this.pendingCopyIds) {
      const s = this.world.snapshots.get(id);
      if (s && s.state === 'pending' && s.account === account && s.region === region) n++;
    }
    return n;
  }
}

/** Who is calling, where, and when: what every operation gets. */
export interface Ec2RequestContext {
  readonly state: Ec2State;
  readonly account: string;
  readonly region: string;
}

/** A snapshot as the incremental-copy rule sees it. */
function lineageView(s: SimSnapshot): DestinationLineageSnapshot {
  const task = s.copy;
  const completesAt =
    s.state === 'completed'
      ? s.completedAt
      : s.state === 'pending' && task && task.failAt === undefined
        ? task.startedAt + task.durationMs
        : undefined;
  return {
    id: s.id,
    blocksOf: task?.sourceSnapshotId ?? s.id,
    encrypted: s.encrypted,
    ...(s.kmsKeyId !== undefined ? { kmsKeyArn: s.kmsKeyId } : {}),
    ...(completesAt !== undefined ? { completesAt } : {}),
    gone: task?.deleteRequested ?? false,
    archived: s.category === 'archive',
  };
}
