import {
  type CallOptions,
  defineImageCapabilities,
  type ImageCapabilities,
  type ImageCopyPlan,
  type ImageCopyStatus,
  type ImageRef,
  type ImageWaitOptions,
  is,
  type NormalizedImageCopyRequest,
  type ObservedCopy,
  parseImageCopyRequest,
} from '@snapcopy/core';
import {
  type ReferenceImageCopierOptions,
  ReferenceImageCopier,
  referenceImageCapabilities,
} from '../reference/image-copier.js';
import { makeReferenceImageHarness } from '../reference/image-harness.js';
import type { ImageConformanceHarnessFactory } from './image-harness.js';

/** An image copier with one deliberate flaw, and the image suite cases that must catch it. */
export interface BrokenImageCopier {
  readonly id: string;
  readonly flaw: string;
  /** Case ids that must fail against it (the meta-test checks each of them fails). */
  readonly caughtBy: readonly string[];
  readonly makeHarness: ImageConformanceHarnessFactory;
}

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

class DuplicatesOnRetry extends ReferenceImageCopier {
  // Finds nothing for its token and sends a fresh token: nothing finds the earlier copy.
  protected override async _findByToken(): Promise<ObservedCopy[]> {
    return [];
  }
  protected override _startCopy(req: NormalizedImageCopyRequest, plan: ImageCopyPlan) {
    return super._startCopy(
      { ...req, clientToken: `${req.clientToken.slice(0, 40)}-${Math.random().toString(36).slice(2, 10)}` },
      plan,
    );
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

class PlanMutates extends ReferenceImageCopier {
  protected override async _plan(
    req: NormalizedImageCopyRequest,
    options: CallOptions,
  ): Promise<ImageCopyPlan> {
    const plan = await super._plan(req, options);
    // "Warms up" by starting the copy while planning: a plan must never change anything.
    await super._startCopy(req, plan);
    return plan;
  }
}

class FalseCancel extends ReferenceImageCopier {
  // Says the image was removed without sending the delete.
  protected override async _delete(): Promise<void> {}
}

class UnbatchedStatus extends ReferenceImageCopier {
  protected override async _describe(region: string, ids: readonly string[]): Promise<ObservedCopy[]> {
    const out: ObservedCopy[] = [];
    for (const id of ids) out.push(...(await super._describe(region, [id])));
    return out;
  }
}

class StatusSaysCompleted extends ReferenceImageCopier {
  protected override async _describe(region: string, ids: readonly string[]): Promise<ObservedCopy[]> {
    const real = await super._describe(region, ids);
    return real.map((s) => (s.state === 'pending' ? { ...s, state: 'completed', progress: 100 } : s));
  }
}

class DeletesOnTimeout extends ReferenceImageCopier {
  override async wait(ref: ImageRef, options: ImageWaitOptions = {}): Promise<ImageCopyStatus> {
    try {
      return await super.wait(ref, options);
    } catch (err) {
      if (is(err, 'TIMEOUT')) await this.cancel(ref);
      throw err;
    }
  }
}

class IgnoresFalseCapability extends ReferenceImageCopier {
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
  // Skips core's capability pre-check: the cloud gets requests the manifest says never work.
  protected override normalize(input: unknown): NormalizedImageCopyRequest {
    const req = parseImageCopyRequest(input);
    return { ...req, clientToken: req.clientToken ?? `tok-${Math.random().toString(36).slice(2)}` };
  }
}

class MutableManifest extends ReferenceImageCopier {
  constructor(options: ReferenceImageCopierOptions) {
    super({
      ...options,
      capabilities: { ...referenceImageCapabilities(options.cloud) } as ImageCapabilities,
    });
  }
}

type BrokenClass = new (options: ReferenceImageCopierOptions) => ReferenceImageCopier;

function broken(
  id: string,
  flaw: string,
  caughtBy: readonly string[],
  Copier: BrokenClass,
): BrokenImageCopier {
  return {
    id,
    flaw,
    caughtBy,
    makeHarness: () =>
      makeReferenceImageHarness({
        makeCopier: ({ cloud, credentials, runtime }) => new Copier({ ...runtime, cloud, credentials }),
      }),
  };
}

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
    DuplicatesOnRetry,
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
  broken('plan-mutates', 'starts the copy while planning', ['image.plan.per-snapshot'], PlanMutates),
  broken(
    'false-cancel',
    'says a copy was cancelled but leaves it in the cloud',
    ['image.cancel.running-copy', 'image.cancel.completed-copy'],
    FalseCancel,
  ),
  broken(
    'unbatched-status',
    'reads status with one request per image',
    ['image.status.batching'],
    UnbatchedStatus,
  ),
  broken(
    'status-says-completed',
    'reports running image copies as completed',
    ['image.status.reflects-truth'],
    StatusSaysCompleted,
  ),
  broken(
    'deletes-on-timeout',
    'deletes the copy when a wait times out',
    ['image.wait.timeout'],
    DeletesOnTimeout,
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
