import {
  type BackingSnapshotProgress,
  type CallOptions,
  type ImageCopyPlan,
  is,
  isSnapcopyError,
} from '@snapcopy/core';
import {
  AbstractImageCopier,
  type CopyListFilter,
  IMAGE_LINEAGE_TAGS,
  throwIfIssues,
  type NormalizedImageCopyRequest,
  type ObservedCopy,
} from '@snapcopy/core/driver';
import { copyCallLogFields } from './copy-params.js';
import type { EcsClient } from './ecs-sdk.js';
import { mapAlibabaError } from './error-mapping.js';
import { ECS_IMAGE_PAGE_SIZE } from './image-calls.js';
import { ALIBABA_ECS_IMAGE_CAPABILITIES } from './image-capabilities.js';
import { buildCopyImageParams } from './image-copy-params.js';
import { decideAlibabaImagePlan } from './image-plan.js';
import { readAlibabaImagePlanFacts } from './image-plan-facts.js';
import { observedImage } from './image-view.js';
import type { AlibabaEcsCopierOptions } from './options.js';
import { AlibabaConnections } from './connections.js';
import { validateAlibabaImageId, validateAlibabaImageRequestFields } from './rules/image-validation.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';

/** Options of {@link createAlibabaImageCopier}: the same as the snapshot copier's. */
export type AlibabaImageCopierOptions = AlibabaEcsCopierOptions;

/**
 * Copies Alibaba Cloud ECS custom images with `@alicloud/ecs20140526`. The copy protocol is
 * core's; this class makes the ECS calls it needs: CopyImage sent to the source region with
 * `DestinationRegionId`, ECS's own `ClientToken` and snapcopy's lineage tags on the image;
 * DescribeImages (100 ids a call, every status) for status and token lookups; cancel with
 * CancelCopyImage while the copy runs (ECS refuses to delete an image being copied) and with
 * DeleteImage once it ended, then the snapshots the copy made (DeleteImage keeps them).
 *
 * Create it with {@link createAlibabaImageCopier}.
 */
export class AlibabaEcsImageCopier extends AbstractImageCopier {
  readonly #ecs: AlibabaConnections;

  constructor(options: AlibabaImageCopierOptions = {}) {
    super(ALIBABA_PROVIDER, ALIBABA_ECS_IMAGE_CAPABILITIES, options);
    this.#ecs = new AlibabaConnections(options);
  }

  /** The `@alicloud/ecs20140526` client this copier uses for `region` (escape hatch). */
  nativeClient(region: string): Promise<EcsClient> {
    return this.#ecs.client(region);
  }

  /** A copy's id named in status, wait or cancel: an ECS custom image id. */
  protected override _validateCopyId(id: string, path: string) {
    throwIfIssues(validateAlibabaImageId(id, path), ALIBABA_PROVIDER);
  }

  /** ECS's own field limits (image id, name, description, tags) before any call. */
  protected override _validate(request: NormalizedImageCopyRequest) {
    const refused = validateAlibabaImageRequestFields(request);
    if (refused) throw refused;
  }

  protected override async _plan(request: NormalizedImageCopyRequest, options: CallOptions) {
    const facts = await readAlibabaImagePlanFacts(
      this.#ecs.readers,
      this.#ecs.images,
      request,
      options.signal,
    );
    return decideAlibabaImagePlan(request, facts);
  }

  protected override async _findByToken(region: string, token: string, options: CallOptions) {
    const found = await this.#ecs.images.describeImages(
      region,
      { ownerAlias: 'self', tags: { [IMAGE_LINEAGE_TAGS.clientToken]: token } },
      options.signal,
    );
    return found.filter((i) => i.imageId).map((i) => observedImage(region, i));
  }

  /**
   * One page (100 images) of the caller's custom images in `region` matching the filter:
   * `Tag.N` for the exact tags; the tag keys that must be present are checked on the reply
   * (DescribeImages takes a tag's key only with its value). The next page is the next
   * `PageNumber`, while a page comes back full.
   */
  protected override async _listCopies(
    region: string,
    filter: CopyListFilter,
    nextToken: string | undefined,
    options: CallOptions,
  ) {
    const pageNumber = nextToken === undefined ? 1 : Number(nextToken);
    const images = await this.#ecs.images.describeImages(
      region,
      {
        ownerAlias: 'self',
        pageNumber,
        ...(Object.keys(filter.tags).length === 0 ? {} : { tags: filter.tags }),
      },
      options.signal,
    );
    const copies = images
      .filter((i) => i.imageId)
      .map((i) => observedImage(region, i))
      .filter((c) => filter.tagKeys.every((k) => c.tags[k] !== undefined));
    return {
      copies,
      ...(images.length < ECS_IMAGE_PAGE_SIZE ? {} : { nextToken: String(pageNumber + 1) }),
    };
  }

  protected override _startCopy(
    request: NormalizedImageCopyRequest,
    plan: ImageCopyPlan,
    options: CallOptions,
  ) {
    const params = buildCopyImageParams(request, plan);
    this.logger.debug(copyCallLogFields(params, { imageId: params.imageId }), 'CopyImage');
    return this.#ecs.images.copyImage(params, options.signal);
  }

  protected override async _describe(region: string, ids: readonly string[], options: CallOptions) {
    const found = await this.#ecs.images.describeImages(
      region,
      { ownerAlias: 'self', imageIds: ids },
      options.signal,
    );
    return found.filter((i) => i.imageId).map((i) => observedImage(region, i));
  }

  /**
   * A copy still running is cancelled (ECS removes it and its partial snapshots); one that
   * ended is deleted, then the snapshots it made (DeleteImage keeps an image's snapshots,
   * which would go on being billed). A copy that ends between the read and the cancel is
   * deleted instead.
   */
  protected override async _delete(copy: ObservedCopy, options: CallOptions) {
    if (copy.state === 'pending') {
      try {
        await this.#ecs.images.cancelCopyImage(copy.region, copy.id, options.signal);
        return;
      } catch (err) {
        if (!(isSnapcopyError(err) && err.providerCode === 'IncorrectImageStatus')) throw err;
      }
      const [now] = await this.#ecs.images.describeImages(
        copy.region,
        { ownerAlias: 'self', imageIds: [copy.id] },
        options.signal,
      );
      if (now === undefined) return;
      copy = observedImage(copy.region, now);
    }
    await this.#ecs.images.deleteImage(copy.region, copy.id, options.signal);
    await this.#deleteSnapshots(copy, options);
  }

  /** Deletes the snapshots an ended copy made; one that cannot go is logged, not hidden. */
  async #deleteSnapshots(copy: ObservedCopy, options: CallOptions): Promise<void> {
    const snapshots = (copy.extra?.snapshots ?? []) as readonly BackingSnapshotProgress[];
    for (const s of snapshots) {
      if (!s.snapshotId) continue;
      try {
        await this.#ecs.calls.deleteSnapshot(copy.region, s.snapshotId, options.signal);
      } catch (err) {
        if (is(err, 'NOT_FOUND')) continue;
        this.logger.warn(
          { region: copy.region, code: isSnapcopyError(err) ? err.code : 'unknown' },
          `alibaba: deleted image ${copy.id} but not its snapshot ${s.snapshotId}`,
        );
      }
    }
  }

  protected override _absentMessage(region: string, id: string) {
    return `image ${id} no longer exists in ${region} (deleted, its copy cancelled, or never made)`;
  }

  protected override _mapError(err: unknown) {
    return mapAlibabaError(err, { operation: 'call', mutating: false });
  }
}

/**
 * Creates an Alibaba Cloud ECS image copier. Synchronous and cheap: the SDK is loaded on the
 * first call that needs it.
 */
export function createAlibabaImageCopier(options: AlibabaImageCopierOptions = {}): AlibabaEcsImageCopier {
  return new AlibabaEcsImageCopier(options);
}
