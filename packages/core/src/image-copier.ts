import type { BatchResult, CallOptions, CancelOptions, PlanOptions, WaitOptions } from './copier.js';
import type { CopyListPage, CopyListQuery, ListCopiesOptions, ListedCopy } from './copy-listing.js';
import {
  type CopierRuntime,
  CopyFacade,
  type CopyKindTypes,
  type MadeCopy,
  type NeutralCancel,
  type NeutralStatus,
} from './copy-facade.js';
import { estimateCopyCost, type PriceTable } from './cost.js';
import { invalidRequest, type SnapcopyError } from './errors.js';
import type { ImageCapabilities } from './image-capabilities.js';
import { checkImageRequestAgainstCapabilities } from './image-capability-check.js';
import { IMAGE_LINEAGE_TAGS, imageLineage } from './image-lineage.js';
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
import { REGION_ID, REGION_ID_MESSAGE } from './request-fields.js';

/** An image copy request after parsing, with its client token always set. */
export type NormalizedImageCopyRequest = ImageCopyRequest & { readonly clientToken: string };

/** Options of {@link ImageCopier.copy}. */
export interface ImageCopyOptions extends CallOptions {
  /** A plan made for this same request, to skip planning again. */
  readonly plan?: ImageCopyPlan;
  /**
   * The caller has just looked the client token up (`find`) and found no copy: the first
   * attempt skips its own lookup before the copy call (as in the snapshot `CopyOptions`).
   */
  readonly tokenChecked?: boolean;
}

/** Options of {@link ImageCopier.wait}. */
export interface ImageWaitOptions extends Omit<WaitOptions, 'onProgress'> {
  /** Called with every status read, terminal or not. */
  readonly onProgress?: (status: ImageCopyStatus) => void;
}

/**
 * One provider, one set of credentials: plans, starts, tracks and cancels machine image
 * copies, with the same method names, the same guarantees (one client token, one copy;
 * batched status; a wait that never touches the copy) and the same error model as
 * `SnapshotCopier`. A ref names a copy by region and `imageId`.
 */
export interface ImageCopier {
  readonly provider: string;
  /** What this provider can do with images: frozen, every flag present. */
  readonly capabilities: ImageCapabilities;
  /** Parses and checks a request with no provider call; returns it normalized, with its client token set. */
  validate(request: ImageCopyRequestInput): NormalizedImageCopyRequest;
  /** Validates the request and plans every backing snapshot copy. Never changes anything. */
  plan(request: ImageCopyRequestInput, options?: PlanOptions): Promise<ImageCopyPlan>;
  /**
   * Plans many requests sharing their reads, one result per request, in order (as
   * `SnapshotCopier.planMany`). Every copier built on `AbstractImageCopier` has it.
   */
  planMany?(
    requests: readonly ImageCopyRequestInput[],
    options?: PlanOptions,
  ): Promise<BatchResult<ImageCopyPlan>[]>;
  /** Starts the copy. One client token never yields two copies. */
  copy(request: ImageCopyRequestInput, options?: ImageCopyOptions): Promise<ImageCopyHandle>;
  /** The copy already made for the request's `clientToken`, or `undefined`. Changes nothing. */
  find(request: ImageCopyRequestInput, options?: CallOptions): Promise<ImageCopyHandle | undefined>;
  /**
   * {@link find} for many requests with as few provider calls as the filters allow, one
   * result per request, in order (as `SnapshotCopier.findMany`). Every copier built on
   * `AbstractImageCopier` has it.
   */
  findMany?(
    requests: readonly ImageCopyRequestInput[],
    options?: CallOptions,
  ): Promise<BatchResult<ImageCopyHandle | undefined>[]>;
  /** Reads the state of many image copies with as few provider calls as the limits allow. */
  status(refs: readonly ImageRef[], options?: CallOptions): Promise<ImageCopyStatus[]>;
  /** Polls until the copy reaches a terminal state. Rejects with `TIMEOUT` or `CANCELLED`; neither touches the copy. */
  wait(ref: ImageRef, options?: ImageWaitOptions): Promise<ImageCopyStatus>;
  /**
   * Cancels a copy (deregisters, cancels or deletes it, as the provider does) and says when
   * that takes effect. A completed copy is removed only with `{ force: true }`.
   */
  cancel(ref: ImageRef, options?: CancelOptions): Promise<ImageCancelResult>;
  /**
   * The image copies snapcopy made in one region, by lineage (source image, client token,
   * batch), one at a time; `UNSUPPORTED` when the adapter cannot list. As
   * `SnapshotCopier.listCopies`.
   */
  listCopies?(query: CopyListQuery, options?: ListCopiesOptions): AsyncIterable<ListedCopy<ImageRef>>;
  /** {@link listCopies} page by page, each page with its `$metadata`. */
  paginateListCopies?(
    query: CopyListQuery,
    options?: ListCopiesOptions,
  ): AsyncIterable<CopyListPage<ImageRef>>;
}

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

/**
 * Checks one image ref: a region id (as in a request) and a non-empty image id. The
 * provider checks the id's own format ({@link CopyFacade}'s `_validateCopyId`).
 */
export function checkImageRef(ref: unknown, index: number): { region: string; id: string } {
  const r = ref as Partial<ImageRef> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.region !== 'string' ||
    r.region === '' ||
    typeof r.imageId !== 'string' ||
    r.imageId === ''
  ) {
    throw invalidRequest([{ path: `refs.${index}`, message: 'needs a region and an imageId' }]);
  }
  if (!REGION_ID.test(r.region)) {
    throw invalidRequest([{ path: `refs.${index}.region`, message: REGION_ID_MESSAGE }]);
  }
  return { region: r.region, id: r.imageId };
}

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
  protected readonly kindNoun = 'image';

  protected constructor(provider: string, capabilities: ImageCapabilities, runtime: CopierRuntime = {}) {
    super(provider, capabilities, runtime);
  }

  protected kindParse(input: unknown): ImageCopyRequest {
    return parseImageCopyRequest(input);
  }

  protected kindCheckCapabilities(request: NormalizedImageCopyRequest): SnapcopyError | undefined {
    return checkImageRequestAgainstCapabilities(this.provider, this.capabilities, request);
  }

  protected kindLineage(request: NormalizedImageCopyRequest): TokenLineage {
    return imageLineage(request);
  }

  protected override get kindSourceTag(): string {
    return IMAGE_LINEAGE_TAGS.sourceImage;
  }

  protected kindRefId(ref: unknown, index: number): { region: string; id: string } {
    return checkImageRef(ref, index);
  }

  protected kindHandle(request: NormalizedImageCopyRequest, made: MadeCopy): ImageCopyHandle {
    return {
      provider: this.provider,
      region: request.destination.region,
      imageId: made.id,
      sourceRegion: request.source.region,
      sourceImageId: request.source.imageId,
      clientToken: request.clientToken,
      startedAt: new Date(made.startedAt).toISOString(),
      reused: made.reused,
      ...(made.duplicatesRemoved && made.duplicatesRemoved.length > 0
        ? { duplicatesRemoved: made.duplicatesRemoved }
        : {}),
    };
  }

  protected kindStatus(s: NeutralStatus): ImageCopyStatus {
    const status: { -readonly [P in keyof ImageCopyStatus]: ImageCopyStatus[P] } = {
      region: s.region,
      imageId: s.id,
      state: s.state,
      progress: s.progress,
      rawState: s.rawState,
    };
    if (s.message !== undefined) status.message = s.message;
    if (s.encrypted !== undefined) status.encrypted = s.encrypted;
    if (s.kmsKeyId !== undefined) status.kmsKeyId = s.kmsKeyId;
    if (s.replacedBy !== undefined) status.replacedBy = s.replacedBy;
    const snapshots = backingSnapshots(s.extra);
    if (snapshots !== undefined) status.snapshots = snapshots;
    return status;
  }

  protected kindCancel(r: NeutralCancel): ImageCancelResult {
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

  protected kindWithCost(plan: ImageCopyPlan, prices: unknown): ImageCopyPlan {
    const cost = estimateCopyCost(
      {
        billableGiB: plan.billableGiB,
        kms: plan.kms,
        sourceRegion: plan.source.region,
        destinationRegion: plan.destination.region,
      },
      prices as PriceTable,
    );
    return { ...plan, cost };
  }
}
