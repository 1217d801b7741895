import {
  BACKING_SNAPSHOT_COPY_KEYS,
  type CallOptions,
  defineImageCapabilities,
  fromSnapshotCapabilities,
  type ImageCapabilities,
  type ImageCopyPlan,
  SnapcopyError,
} from '@snapcopy/core';
import {
  AbstractImageCopier,
  type CopierRuntime,
  IMAGE_LINEAGE_TAGS,
  imageLineageTags,
  imageSnapshotLineageTags,
  type NormalizedImageCopyRequest,
  type ObservedCopy,
  registerSecret,
  totalOfSnapshots,
} from '@snapcopy/core/driver';
import type { ReferenceCloud, ReferenceCredentials } from './cloud.js';
import {
  mapReferenceError,
  planReferenceSnapshotCopy,
  commonCopyParams,
  REFERENCE_PROVIDER,
  referenceCapabilities,
  referenceNotFound,
  requestedSource,
} from './copier.js';
import type { ReferenceImageView } from './images.js';
import { REFERENCE_SHARED_TAG_PREFIX } from './images.js';

/**
 * Every image flag true: the reference image copier exercises every true branch of the image
 * suite. The cloud copies an image as one snapshot copy per device, so what such a copy can do
 * (regions, encryption, time-based copy, tag room, read-your-writes) is the snapshot manifest's.
 */
export function referenceImageCapabilities(cloud: ReferenceCloud): ImageCapabilities {
  const onCompletion = cloud.cancelTakesEffect === 'on-completion';
  const snapshot = referenceCapabilities(cloud);
  return defineImageCapabilities({
    ...fromSnapshotCapabilities(snapshot, [
      ...BACKING_SNAPSHOT_COPY_KEYS,
      'crossRegionCopy',
      'maxUserTags',
      'consistencyWindowMs',
    ]),
    sameRegionCopy: true,
    crossAccountCopy: true,
    crossAccountCopyAcrossRegions: true,
    copySourceTags: true,
    tagsOnCopy: true,
    snapshotTagsOnCopy: true,
    cancelByDelete: true,
    cancelMethod: 'delete',
    cancelTakesEffect: cloud.cancelTakesEffect,
    snapshotsOnCancel: onCompletion ? 'removed-on-completion' : 'removed',
    deleteWhileCopying: true,
    nativeIdempotencyToken: true,
    maxConcurrentCopiesPerRegion: cloud.maxPendingCopiesPerRegion,
    queuesBeyondConcurrency: false,
    maxIdsPerStatusCall: cloud.maxIdsPerDescribe,
    maxSnapshotTags: snapshot.maxUserTags,
  });
}

/** What {@link ReferenceImageCopier} needs. */
export interface ReferenceImageCopierOptions extends CopierRuntime {
  readonly cloud: ReferenceCloud;
  readonly credentials: ReferenceCredentials;
  /** Overrides the manifest (broken copiers and tests only). */
  readonly capabilities?: ImageCapabilities;
}

const STATE_OF = { pending: 'pending', available: 'completed', failed: 'failed' } as const;

/**
 * A fully capable ImageCopier over the in-memory {@link ReferenceCloud}: every image flag is
 * true, so it runs every true branch of the image conformance suite. It is also the smallest
 * complete example of extending `AbstractImageCopier`.
 */
export class ReferenceImageCopier extends AbstractImageCopier {
  protected readonly cloud: ReferenceCloud;
  protected readonly credentials: ReferenceCredentials;

  constructor(options: ReferenceImageCopierOptions) {
    super(REFERENCE_PROVIDER, options.capabilities ?? referenceImageCapabilities(options.cloud), options);
    this.cloud = options.cloud;
    this.credentials = options.credentials;
    registerSecret(this.credentials.secretAccessKey);
  }

  protected describeSource(req: NormalizedImageCopyRequest): ReferenceImageView {
    const [found] = this.cloud.describeImages(this.credentials, req.source.region, [req.source.imageId]);
    return requestedSource(this.provider, 'image', found, req.source, req.source.imageId);
  }

  protected override async _plan(
    req: NormalizedImageCopyRequest,
    _options: CallOptions,
  ): Promise<ImageCopyPlan> {
    const image = this.describeSource(req);
    const ids = image.devices.map((d) => d.snapshotId);
    const visible = new Map<string, ReturnType<ReferenceCloud['describeSnapshots']>[number]>();
    for (let i = 0; i < ids.length; i += this.cloud.maxIdsPerDescribe) {
      for (const s of this.cloud.describeSnapshots(
        this.credentials,
        image.region,
        ids.slice(i, i + this.cloud.maxIdsPerDescribe),
      ))
        visible.set(s.snapshotId, s);
    }
    const snapshots = image.devices.map((d) => {
      const src = visible.get(d.snapshotId);
      if (!src) {
        throw new SnapcopyError(
          'ACCESS_DENIED',
          `${this.provider}: the snapshots of ${image.imageId} are not shared with you`,
          {
            provider: this.provider,
            details: { scope: 'request', rule: 'storage-not-readable' },
          },
        );
      }
      return { deviceName: d.deviceName, ...planReferenceSnapshotCopy(src, req.destination.region, req) };
    });
    const carried = req.copySourceTags
      ? Object.keys(image.tags).filter(
          (k) =>
            !k.toLowerCase().startsWith('aws:') &&
            (image.ownership === 'owned' || k.startsWith(REFERENCE_SHARED_TAG_PREFIX)),
        )
      : [];
    const lineage = imageLineageTags(req, snapshots);
    return {
      provider: this.provider,
      request: req,
      source: {
        region: image.region,
        imageId: image.imageId,
        name: image.name,
        ownerAccount: image.ownerAccount,
        ownership: image.ownership,
        rootDeviceType: 'ebs',
        tags: image.tags,
      },
      destination: { region: req.destination.region },
      snapshots,
      ...totalOfSnapshots(snapshots),
      tags: {
        image: {
          ...Object.fromEntries(carried.map((k) => [k, image.tags[k] ?? ''])),
          ...(req.tags ?? {}),
          ...lineage,
        },
        snapshots: {
          ...(req.snapshotTags ?? {}),
          ...imageSnapshotLineageTags(req),
        },
        carriedFromSource: carried,
      },
      ...(req.completionDurationMinutes === undefined
        ? {}
        : {
            timeBased: {
              completionDurationMinutes: req.completionDurationMinutes,
              minimumMinutes: 15,
              snapshotCopies: snapshots.length,
            },
          }),
      reasons: [`${snapshots.length} snapshots, each copied by the reference snapshot rules`],
    };
  }

  protected override async _findByToken(region: string, token: string): Promise<ObservedCopy[]> {
    return this.cloud
      .describeImagesByTag(this.credentials, region, IMAGE_LINEAGE_TAGS.clientToken, token)
      .map((v) => this.observed(v));
  }

  protected override async _startCopy(req: NormalizedImageCopyRequest, plan: ImageCopyPlan): Promise<string> {
    const carried = new Set(plan.tags.carriedFromSource);
    return this.cloud.copyImage(this.credentials, {
      ...commonCopyParams(req),
      sourceImageId: req.source.imageId,
      tags: this.imageTags(plan, carried),
      snapshotTags: plan.tags.snapshots,
      ...(req.copySourceTags === undefined ? {} : { copySourceTags: req.copySourceTags }),
    }).imageId;
  }

  /** The tags sent for the image: the plan's, less those the cloud carries from the source itself. */
  protected imageTags(plan: ImageCopyPlan, carried: ReadonlySet<string>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(plan.tags.image).filter(
        ([k]) => !carried.has(k) || plan.request.tags?.[k] !== undefined,
      ),
    );
  }

  /** An image as the reference cloud shows it, in the copy protocol's words. */
  protected observed(v: ReferenceImageView): ObservedCopy {
    const state = STATE_OF[v.state];
    const progress =
      state === 'completed'
        ? 100
        : v.devices.length === 0
          ? 0
          : Math.floor(v.devices.reduce((sum, d) => sum + d.progress, 0) / v.devices.length);
    return {
      region: v.region,
      id: v.imageId,
      state,
      rawState: v.state,
      progress,
      ...(state === 'failed' ? { message: 'a backing snapshot copy failed' } : {}),
      tags: v.tags,
      createdAt: v.createdAt,
      ...(v.devices.length === 0 ? {} : { encrypted: v.devices.every((d) => d.encrypted) }),
      extra: {
        snapshots: v.devices.map((d) => ({
          deviceName: d.deviceName,
          snapshotId: d.snapshotId,
          progress: d.progress,
          encrypted: d.encrypted,
          ...(d.kmsKeyId === undefined ? {} : { kmsKeyId: d.kmsKeyId }),
        })),
      },
    };
  }

  protected override async _describe(region: string, imageIds: readonly string[]): Promise<ObservedCopy[]> {
    return this.cloud.describeImages(this.credentials, region, imageIds).map((v) => this.observed(v));
  }

  protected override async _delete(copy: ObservedCopy): Promise<void> {
    if (this.cloud.deleteImage(this.credentials, copy.region, copy.id) === 'absent') {
      throw referenceNotFound(this.provider, 'image', copy.id, 'does not exist in', copy.region);
    }
  }

  protected override _mapError(err: unknown): SnapcopyError {
    return mapReferenceError(this.provider, err);
  }
}
