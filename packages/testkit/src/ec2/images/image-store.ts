import type { SimSnapshot, SimWorld } from '../../sim/world.js';
import { backingSnapshotIds, type Ec2Image } from './image-model.js';
import { TIME_BASED_CUMULATIVE_MIBPS } from './time-based-quota.js';

/**
 * How long a deregistered AMI still shows in DescribeImages (EC2: "for a short interval",
 * unquantified; the simulator's choice).
 */
export const DEREGISTERED_VISIBLE_MS = 60 * 60_000;

/** The `stateReason.code` of an AMI copy that failed (the simulator's wording). */
export const IMAGE_COPY_FAILED_CODE = 'Client.CopyFailed';

/** Limits of AMI copies, per account and destination region. */
export interface Ec2ImageLimits {
  /** Concurrent AMI copies into one region. */
  readonly copyLimitPerRegion: number;
  /** Cumulative time-based copy throughput between a source and a destination region, MiB/s. */
  readonly timeBasedThroughputMiBps: number;
}

/**
 * The defaults: 300 concurrent AMI copies per destination Region (the quota the EC2 user
 * guide's "How Amazon EC2 AMI copy works" gives; it has been raised over the years) and
 * EBS's 2,000 MiB/s cumulative time-based copy throughput.
 */
export const DEFAULT_IMAGE_LIMITS: Ec2ImageLimits = Object.freeze({
  copyLimitPerRegion: 300,
  timeBasedThroughputMiBps: TIME_BASED_CUMULATIVE_MIBPS,
});

/**
 * The AMIs of the EC2 simulator and the bookkeeping of AMI copies: the backing snapshot
 * copies still pending (brought up to date on each request, like snapshot copies), the
 * images waiting for them, client tokens, and which images use which snapshots.
 */
export class Ec2ImageStore {
  readonly images = new Map<string, Ec2Image>();
  /** Snapshot copies started by CopyImage that may still be pending. */
  readonly snapshotCopyIds = new Set<string>();
  readonly #pending = new Set<string>();
  readonly #deregistered = new Set<string>();
  readonly #bySnapshot = new Map<string, Set<string>>();
  readonly #tokens = new Map<string, { readonly imageId: string; readonly request: string }>();

  constructor(
    readonly world: SimWorld,
    readonly limits: Ec2ImageLimits,
  ) {}

  /** Adds an image (a fixture or a copy) and indexes its backing snapshots. */
  add(image: Ec2Image): Ec2Image {
    this.images.set(image.id, image);
    if (image.state === 'pending') this.#pending.add(image.id);
    for (const id of backingSnapshotIds(image)) {
      const users = this.#bySnapshot.get(id) ?? new Set<string>();
      if (users.size === 0) this.#bySnapshot.set(id, users);
      users.add(image.id);
    }
    return image;
  }

  /** Registered (not deregistered) images that reference a snapshot. */
  usersOf(snapshotId: string): Ec2Image[] {
    const out: Ec2Image[] = [];
    for (const id of this.#bySnapshot.get(snapshotId) ?? []) {
      const image = this.images.get(id);
      if (image && image.state !== 'deregistered') out.push(image);
    }
    return out;
  }

  /** Marks an image deregistered now; it stays visible for {@link DEREGISTERED_VISIBLE_MS}. */
  deregister(image: Ec2Image): void {
    image.state = 'deregistered';
    image.deregisteredAt = this.world.clock.now();
    this.#pending.delete(image.id);
    this.#deregistered.add(image.id);
  }

  /** The copy a client token made for `account` in `region`, and the request it was made with. */
  tokenUse(account: string, region: string, token: string) {
    return this.#tokens.get(`${account}/${region}/${token}`);
  }

  rememberToken(account: string, region: string, token: string, imageId: string, request: string): void {
    this.#tokens.set(`${account}/${region}/${token}`, { imageId, request });
  }

  /**
   * Brings AMI copies up to the clock: advances their backing snapshot copies, makes an
   * image `available` when every one completed (an instance-store copy at its ready
   * time), `failed` when one failed or vanished; forgets deregistered images whose
   * visibility has run out.
   */
  advance(): void {
    const now = this.world.clock.now();
    if (this.snapshotCopyIds.size > 0) {
      this.world.advance(this.snapshotCopyIds);
      for (const id of this.snapshotCopyIds) {
        if (this.world.snapshots.get(id)?.state !== 'pending') this.snapshotCopyIds.delete(id);
      }
    }
    for (const id of this.#pending) {
      const image = this.images.get(id);
      if (image?.state !== 'pending') {
        this.#pending.delete(id);
        continue;
      }
      this.#settle(image, now);
      if (image.state !== 'pending') this.#pending.delete(id);
    }
    for (const id of this.#deregistered) {
      const image = this.images.get(id);
      if (image?.deregisteredAt !== undefined && now < image.deregisteredAt + DEREGISTERED_VISIBLE_MS)
        continue;
      this.#deregistered.delete(id);
      this.images.delete(id);
      if (image) for (const s of backingSnapshotIds(image)) this.#bySnapshot.get(s)?.delete(id);
    }
  }

  /** AMI copies of `account` still pending into `region` (call after {@link advance}). */
  pendingCopies(account: string, region: string): number {
    let n = 0;
    for (const id of this.#pending) {
      const image = this.images.get(id);
      if (image?.copy && image.account === account && image.region === region) n++;
    }
    return n;
  }

  #settle(image: Ec2Image, now: number): void {
    const snapshots: (SimSnapshot | undefined)[] = backingSnapshotIds(image).map((id) =>
      this.world.snapshots.get(id),
    );
    const broken = snapshots.find((s) => s === undefined || s.state === 'error');
    if (snapshots.length > 0 && broken !== undefined) {
      image.state = 'failed';
      image.stateReason = {
        code: IMAGE_COPY_FAILED_CODE,
        message: broken?.stateMessage ?? 'A backing snapshot of the image is missing.',
      };
      return;
    }
    const done = snapshots.every((s) => s?.state === 'completed');
    if (done && (snapshots.length > 0 || now >= (image.copy?.readyAt ?? now))) image.state = 'available';
  }
}
