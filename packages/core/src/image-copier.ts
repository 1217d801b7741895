import type { FacadeCopyOptions, KindCopier, WaitOptions } from './copier.js';
import { CopyFacade, type CopyKindTypes, type NeutralCancel, type NeutralStatus } from './copy-facade.js';
import { defineCopyKind } from './copy-kind.js';
import type { ImageCapabilities } from './image-capabilities.js';
import { checkImageRequestAgainstCapabilities } from './image-capability-check.js';
import { IMAGE_LINEAGE_TAGS } from './image-lineage.js';
import type { ImageCopyPlan } from './image-plan.js';
import {
  type ImageCopyRequest,
  type ImageCopyRequestInput,
  type ImageRef,
  parseImageCopyRequest,
} from './image-request.js';
import type {
  BackingSnapshotProgress,
  ImageCancelResult,
  ImageCopyHandle,
  ImageCopyStatus,
} from './image-status.js';
import type { TokenLineage } from './lineage.js';

/** An image copy request after parsing, with its client token always set. */
export type NormalizedImageCopyRequest = ImageCopyRequest & { readonly clientToken: string };

/** Options of {@link ImageCopier.copy}. */
export type ImageCopyOptions = FacadeCopyOptions<ImageCopyPlan>;

/** Options of {@link ImageCopier.wait}. */
export interface ImageWaitOptions extends Omit<WaitOptions, 'onProgress'> {
  /** Called with every status read, terminal or not. */
  readonly onProgress?: (status: ImageCopyStatus) => void;
}

/**
 * A {@link KindCopier} of machine images: the same method names, guarantees and error
 * model as `SnapshotCopier`. A ref names a copy by region and `imageId`; a plan has one
 * entry per backing snapshot; a cancel says what becomes of the backing snapshot copies.
 */
export interface ImageCopier extends KindCopier<ImageKind> {}

/** Makes image copiers of one provider: its name, its image manifest and a factory. */
export interface ImageCopierProvider<Options = Record<string, unknown>> {
  readonly provider: string;
  readonly capabilities: ImageCapabilities;
  create(options: Options): ImageCopier;
}

/** The image kind of the copy protocol: the types {@link AbstractImageCopier} works on. */
export interface ImageKind extends CopyKindTypes {
  readonly capabilities: ImageCapabilities;
  readonly input: ImageCopyRequestInput;
  readonly request: NormalizedImageCopyRequest;
  readonly plan: ImageCopyPlan;
  readonly ref: ImageRef;
  readonly handle: ImageCopyHandle;
  readonly status: ImageCopyStatus;
  readonly cancel: ImageCancelResult;
}

/** The image kind: refs, handles and statuses name `imageId`. */
const IMAGE_KIND = defineCopyKind<NormalizedImageCopyRequest, ImageCapabilities>(
  'image',
  IMAGE_LINEAGE_TAGS.sourceImage,
  parseImageCopyRequest,
  checkImageRequestAgainstCapabilities,
);

/** Where an image copy carries its client token and source (the token-reuse check reads them). */
export const imageLineage: (request: NormalizedImageCopyRequest) => TokenLineage = IMAGE_KIND.lineage;

/** Checks one image ref: a region id (as in a request) and a non-empty image id. */
export const checkImageRef: (ref: unknown, index: number) => { region: string; id: string } =
  IMAGE_KIND.checkRef;

/** Reads the backing snapshots a driver put in `ObservedCopy.extra.snapshots`. */
function backingSnapshots(extra: NeutralStatus['extra']): readonly BackingSnapshotProgress[] | undefined {
  const value = extra?.snapshots;
  return Array.isArray(value) ? (value as BackingSnapshotProgress[]) : undefined;
}

const CANCEL_WORDS: Record<ImageCapabilities['cancelMethod'], string> = {
  deregister: 'deregistered',
  'cancel-copy': 'cancelled the copy of',
  delete: 'deleted',
  none: 'left',
};

/**
 * The facade every image adapter extends: the copy protocol of {@link CopyFacade}
 * (parsing, the capability pre-check, token lookups, batched status, `wait`, a guarded
 * cancel) for machine images. An adapter implements the same driver methods as a snapshot
 * adapter, on images: `_describe` returns images (with their backing snapshots in
 * `extra.snapshots`), `_delete` removes an image copy the way the provider stops one.
 */
export abstract class AbstractImageCopier extends CopyFacade<ImageKind> implements ImageCopier {
  protected readonly kind = IMAGE_KIND;

  /** The common status, with the backing snapshots the driver put in `extra.snapshots`. */
  protected override kindStatus(s: NeutralStatus): ImageCopyStatus {
    const status = super.kindStatus(s);
    const snapshots = backingSnapshots(s.extra);
    return snapshots === undefined ? status : Object.assign(status, { snapshots });
  }

  protected override kindCancel(r: NeutralCancel): ImageCancelResult {
    const caps = this.capabilities;
    if (r.takesEffect === 'already-gone') {
      return {
        region: r.region,
        imageId: r.id,
        takesEffect: r.takesEffect,
        snapshots: 'none',
        message: r.message,
      };
    }
    const snapshots =
      caps.snapshotsOnCancel === 'removed-on-completion' && !r.wasRunning
        ? 'removed'
        : caps.snapshotsOnCancel;
    const what =
      snapshots === 'removed'
        ? 'its backing snapshot copies are deleted'
        : snapshots === 'removed-on-completion'
          ? `its backing snapshot copies still in progress are deleted when they complete`
          : `its backing snapshot copies are kept`;
    const message =
      r.takesEffect === 'on-completion'
        ? `${r.id} is still copying: ${this.provider} removes it when the copy completes (it reads as cancelled meanwhile); ${what}`
        : `${CANCEL_WORDS[caps.cancelMethod]} ${r.id}${r.wasRunning ? ' while it was being copied' : ''}; ${what}`;
    return { region: r.region, imageId: r.id, takesEffect: r.takesEffect, snapshots, message };
  }
}
