import { sourceTagsCarried } from '../sim/image-tags.js';
import type { SimSnapshot } from '../sim/world.js';
import { hexId } from '../sim/world.js';
import type { ReferenceCloud, ReferenceCopyParams, ReferenceOwnedView } from './cloud.js';
import { ownedView, RefusalSignal } from './cloud.js';

/** One image of the reference cloud: a name over snapshots, device by device. */
export interface ReferenceImage {
  readonly id: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  readonly createdAt: number;
  readonly devices: readonly { readonly deviceName: string; readonly snapshotId: string }[];
  readonly tags: Map<string, string>;
  readonly sharedWith: Set<string>;
  readonly copy?: {
    readonly sourceImageId: string;
    readonly sourceRegion: string;
    readonly clientToken: string;
  };
  /** A delete was accepted for a copy still running (`on-completion` clouds): it goes when done. */
  deleteRequested?: boolean;
}

/** An image as `DescribeImages` shows it to a caller. */
export interface ReferenceImageView extends ReferenceOwnedView {
  readonly imageId: string;
  readonly name: string;
  readonly state: 'pending' | 'available' | 'failed';
  readonly devices: readonly {
    readonly deviceName: string;
    readonly snapshotId: string;
    readonly progress: number;
    readonly state: 'pending' | 'completed' | 'error' | 'missing';
    readonly encrypted: boolean;
    readonly kmsKeyId?: string;
  }[];
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

/** `CopyImage` parameters; sent to the destination region. */
export interface ReferenceImageCopyParams {
  readonly region: string;
  readonly sourceRegion: string;
  readonly sourceImageId: string;
  readonly encrypted?: boolean;
  readonly kmsKeyId?: string;
  readonly name?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly snapshotTags?: Readonly<Record<string, string>>;
  readonly copySourceTags?: boolean;
  readonly completionDurationMinutes?: number;
  readonly clientToken: string;
}

/** The prefix under which an owner's tags travel with a shared image (as on EC2). */
export const REFERENCE_SHARED_TAG_PREFIX = 'ec2:SharedTag/';

/** The source tags a copy carries, by EC2's rule (see {@link sourceTagsCarried}). */
export function referenceTagsCarried(image: ReferenceImage, caller: string): Map<string, string> {
  return sourceTagsCarried(image, caller, REFERENCE_SHARED_TAG_PREFIX);
}

/**
 * The images of a {@link ReferenceCloud}: fixtures, copies made of snapshot copies (one per
 * device), their state read from those snapshots, and removal (at once, or when a running
 * copy ends on clouds whose deletes take effect on completion).
 */
export class ReferenceImageStore {
  readonly images = new Map<string, ReferenceImage>();

  constructor(readonly cloud: ReferenceCloud) {}

  /** Adds an image over completed snapshots its owner has in its region. */
  add(fixture: {
    account: string;
    region: string;
    name: string;
    snapshotIds: readonly string[];
    tags?: Readonly<Record<string, string>>;
    sharedWith?: readonly string[];
  }): ReferenceImage {
    const image: ReferenceImage = {
      id: `ami-ref${hexId(10)}`,
      region: fixture.region,
      account: fixture.account,
      name: fixture.name,
      createdAt: this.cloud.world.clock.now(),
      devices: fixture.snapshotIds.map((snapshotId, i) => ({ deviceName: deviceName(i), snapshotId })),
      tags: new Map(Object.entries(fixture.tags ?? {})),
      sharedWith: new Set(fixture.sharedWith ?? []),
    };
    this.images.set(image.id, image);
    return image;
  }

  #snapshots(image: ReferenceImage): (SimSnapshot | undefined)[] {
    return image.devices.map((d) => this.cloud.world.snapshots.get(d.snapshotId));
  }

  /** The image's state, from its snapshots. */
  stateOf(image: ReferenceImage): ReferenceImageView['state'] {
    const snapshots = this.#snapshots(image);
    if (snapshots.some((s) => s === undefined || s.state === 'error')) return 'failed';
    return snapshots.some((s) => s?.state === 'pending') ? 'pending' : 'available';
  }

  /** Removes images whose deferred delete can now take effect. */
  refresh(): void {
    for (const image of this.images.values()) {
      if (image.deleteRequested && this.stateOf(image) !== 'pending') this.#remove(image);
    }
  }

  /** The image `id` in `region` if `account` may see it (its own, or shared with it). */
  visible(id: string, region: string, account: string): ReferenceImage | undefined {
    const image = this.images.get(id);
    if (!image || image.region !== region) return undefined;
    return image.account === account || image.sharedWith.has(account) ? image : undefined;
  }

  view(image: ReferenceImage, account: string): ReferenceImageView {
    const snapshots = this.#snapshots(image);
    return {
      imageId: image.id,
      ...ownedView(image, account),
      name: image.name,
      state: this.stateOf(image),
      devices: image.devices.map((d, i) => {
        const s = snapshots[i];
        return {
          deviceName: d.deviceName,
          snapshotId: d.snapshotId,
          progress: s?.progress ?? 0,
          state: s?.state ?? 'missing',
          encrypted: s?.encrypted ?? false,
          ...(s?.kmsKeyId === undefined ? {} : { kmsKeyId: s.kmsKeyId }),
        };
      }),
      tags: Object.fromEntries(image.tags),
      createdAt: image.createdAt,
    };
  }

  /** CopyImage for `account`: the image made earlier for the token, or a new one. */
  copy(account: string, params: ReferenceImageCopyParams): { imageId: string; reused: boolean } {
    for (const image of this.images.values()) {
      if (image.copy?.clientToken === params.clientToken && image.account === account) {
        return { imageId: image.id, reused: true };
      }
    }
    const source = this.visible(params.sourceImageId, params.sourceRegion, account);
    if (!source)
      throw new RefusalSignal('InvalidImage.NotFound', `image ${params.sourceImageId} does not exist`, 404);
    if (this.stateOf(source) !== 'available') {
      throw new RefusalSignal('IncorrectState', 'the source image is not available', 400);
    }
    const snapshots = source.devices.map((d) => {
      const s = this.cloud.world.visibleSnapshot(d.snapshotId, source.region, account);
      if (!s)
        throw new RefusalSignal('InvalidRequest', 'the snapshots of the image are not shared with you', 400);
      return s;
    });
    if (this.cloud.world.pendingCopies(account, params.region) >= this.cloud.maxPendingCopiesPerRegion) {
      throw new RefusalSignal('ResourceLimitExceeded', 'too many copies in progress', 400);
    }
    const tags = params.copySourceTags ? referenceTagsCarried(source, account) : new Map<string, string>();
    for (const [k, v] of Object.entries(params.tags ?? {})) tags.set(k, v);
    const devices = snapshots.map((s, i) => {
      const device = source.devices[i]!.deviceName;
      const copyParams: ReferenceCopyParams = {
        region: params.region,
        sourceRegion: source.region,
        sourceSnapshotId: s.id,
        ...(params.encrypted === undefined ? {} : { encrypted: params.encrypted }),
        ...(params.kmsKeyId === undefined ? {} : { kmsKeyId: params.kmsKeyId }),
        tags: params.snapshotTags ?? {},
        ...(params.completionDurationMinutes === undefined
          ? {}
          : { completionDurationMinutes: params.completionDurationMinutes }),
        clientToken: `${params.clientToken}${device}`,
      };
      return { deviceName: device, snapshotId: this.cloud.startSnapshotCopy(account, s, copyParams).id };
    });
    const image: ReferenceImage = {
      id: `ami-ref${hexId(10)}`,
      region: params.region,
      account,
      name: params.name ?? `${source.name}-copy`,
      createdAt: this.cloud.world.clock.now(),
      devices,
      tags,
      sharedWith: new Set(),
      copy: { sourceImageId: source.id, sourceRegion: source.region, clientToken: params.clientToken },
    };
    this.images.set(image.id, image);
    return { imageId: image.id, reused: false };
  }

  /** Deletes an image copy and its snapshots: at once, or when a running copy ends. */
  delete(account: string, region: string, id: string): 'deleted' | 'deferred' | 'absent' {
    const image = this.images.get(id);
    if (!image || image.region !== region) return 'absent';
    if (image.account !== account) throw new RefusalSignal('UnauthorizedOperation', 'not your image', 403);
    if (this.stateOf(image) === 'pending' && this.cloud.cancelTakesEffect === 'on-completion') {
      image.deleteRequested = true;
      for (const s of this.#snapshots(image))
        if (s?.copy && s.state === 'pending') s.copy.deleteRequested = true;
      return 'deferred';
    }
    this.#remove(image);
    return 'deleted';
  }

  #remove(image: ReferenceImage): void {
    this.images.delete(image.id);
    for (const d of image.devices)
      if (this.cloud.world.snapshots.has(d.snapshotId)) this.cloud.world.remove(d.snapshotId);
  }
}

const DEVICES = 'bcdefghijklmnop';
function deviceName(i: number): string {
  return i === 0 ? '/dev/xvda' : `/dev/sd${DEVICES[(i - 1) % DEVICES.length]}`;
}
