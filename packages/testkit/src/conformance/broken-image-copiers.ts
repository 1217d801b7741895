import {
  type CallOptions,
  defineImageCapabilities,
  type ImageCapabilities,
  type ImageCopier,
  type ImageCopyPlan,
} from '@snapcopy/core';
import type { NormalizedImageCopyRequest } from '@snapcopy/core/driver';
import {
  type ReferenceImageCopierOptions,
  ReferenceImageCopier,
  referenceImageCapabilities,
} from '../reference/image-copier.js';
import { type BrokenOf, brokenCopierMaker, skipsCapabilityCheck, withSharedFlaws } from './broken-flaws.js';
import { makeReferenceImageHarness } from '../reference/image-harness.js';
import type { ImageConformanceHarness } from './image-harness.js';

/** An image copier with one deliberate flaw, and the image suite cases that must catch it. */
export interface BrokenImageCopier extends BrokenOf<ImageConformanceHarness> {}

class DropsImageTags extends ReferenceImageCopier {
  protected override imageTags(plan: ImageCopyPlan, carried: ReadonlySet<string>): Record<string, string> {
    const all = super.imageTags(plan, carried);
    return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('snapcopy:')));
  }
}

class DropsSnapshotTags extends ReferenceImageCopier {
  protected override _startCopy(req: NormalizedImageCopyRequest, plan: ImageCopyPlan) {
    return super._startCopy(req, { ...plan, tags: { ...plan.tags, snapshots: {} } });
  }
}

class IgnoresCopySourceTags extends ReferenceImageCopier {
  protected override _startCopy(req: NormalizedImageCopyRequest, plan: ImageCopyPlan) {
    const { copySourceTags: _ignored, ...rest } = req;
    return super._startCopy(rest as NormalizedImageCopyRequest, plan);
  }
}

class WrongKeyInPlan extends ReferenceImageCopier {
  protected override async _plan(
    req: NormalizedImageCopyRequest,
    options: CallOptions,
  ): Promise<ImageCopyPlan> {
    const plan = await super._plan(req, options);
    return {
      ...plan,
      snapshots: plan.snapshots.map((s) =>
        s.encryption.encrypted
          ? { ...s, encryption: { encrypted: true, kmsKeyId: 'alias/ref/default', keySource: 'default-key' } }
          : s,
      ),
    };
  }
}

class PlansOneSnapshot extends ReferenceImageCopier {
  protected override async _plan(
    req: NormalizedImageCopyRequest,
    options: CallOptions,
  ): Promise<ImageCopyPlan> {
    const plan = await super._plan(req, options);
    return { ...plan, snapshots: plan.snapshots.slice(0, 1) };
  }
}

const IgnoresFalseCapability = skipsCapabilityCheck(
  class extends ReferenceImageCopier {
    constructor(options: ReferenceImageCopierOptions) {
      super({
        ...options,
        capabilities: defineImageCapabilities({
          ...referenceImageCapabilities(options.cloud),
          timeBasedCopy: false,
          completionDurationMinutes: null,
          copySourceTags: false,
        }),
      });
    }
  },
);

class MutableManifest extends ReferenceImageCopier {
  constructor(options: ReferenceImageCopierOptions) {
    super({
      ...options,
      capabilities: { ...referenceImageCapabilities(options.cloud) } as ImageCapabilities,
    });
  }
}

const flawed = withSharedFlaws(ReferenceImageCopier);

const broken = brokenCopierMaker<ImageCopier, ReferenceImageCopierOptions, ImageConformanceHarness>(
  makeReferenceImageHarness,
);

/** Image copiers with one deliberate flaw each; every one must fail the image suite. */
export const BROKEN_IMAGE_COPIERS: readonly BrokenImageCopier[] = Object.freeze([
  broken(
    'drops-image-tags',
    "drops the caller's tags from the new image",
    ['image.capability.tagsOnCopy'],
    DropsImageTags,
  ),
  broken(
    'drops-snapshot-tags',
    'drops the snapshot tags from the backing snapshot copies',
    ['image.capability.snapshotTagsOnCopy'],
    DropsSnapshotTags,
  ),
  broken(
    'ignores-copy-source-tags',
    "accepts copySourceTags but never asks the cloud to carry the source's tags",
    ['image.capability.copySourceTags'],
    IgnoresCopySourceTags,
  ),
  broken(
    'duplicates-on-retry',
    'sends a new idempotency token on every attempt',
    ['image.idempotency.dropped-response', 'image.idempotency.same-token-twice'],
    flawed.DuplicatesOnRetry,
  ),
  broken(
    'wrong-key-in-plan',
    'plans the default key for every encrypted snapshot whatever key the copy will get',
    ['image.plan.key-is-copy-key'],
    WrongKeyInPlan,
  ),
  broken(
    'plans-one-snapshot',
    'plans only the first backing snapshot',
    ['image.plan.per-snapshot'],
    PlansOneSnapshot,
  ),
  broken('plan-mutates', 'starts the copy while planning', ['image.plan.per-snapshot'], flawed.PlanMutates),
  broken(
    'false-cancel',
    'says a copy was cancelled but leaves it in the cloud',
    ['image.cancel.running-copy', 'image.cancel.completed-copy'],
    flawed.FalseCancel,
  ),
  broken(
    'unbatched-status',
    'reads status with one request per image',
    ['image.status.batching'],
    flawed.UnbatchedStatus,
  ),
  broken(
    'status-says-completed',
    'reports running image copies as completed',
    ['image.status.reflects-truth'],
    flawed.StatusSaysCompleted,
  ),
  broken(
    'deletes-on-timeout',
    'deletes the copy when a wait times out',
    ['image.wait.timeout'],
    flawed.DeletesOnTimeout,
  ),
  broken(
    'ignores-false-capability',
    'says timeBasedCopy/copySourceTags are false but skips the pre-check and calls the cloud',
    ['image.capability.timeBasedCopy', 'image.capability.copySourceTags'],
    IgnoresFalseCapability,
  ),
  broken(
    'mutable-manifest',
    'exposes an unfrozen image manifest',
    ['image.manifest.frozen'],
    MutableManifest,
  ),
]);
