import { SnapshotCreations } from '../sim/snapshot-creation.js';
import type { SimWorld } from '../sim/world.js';
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
