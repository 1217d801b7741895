import { callEcs, copiedId, notEcsReply } from './calls.js';
import type { EcsClientPool } from './client-pool.js';
import type { EcsImage } from './image-view.js';

/** DescribeImages returns at most 100 images a page; snapcopy asks about at most 100 ids a call. */
export const ECS_IMAGE_PAGE_SIZE = 100;

/** The filters of DescribeImages the adapter uses, in the SDK's field names. */
export interface EcsImageFilter {
  /** Up to 100 image ids (sent comma-separated). */
  readonly imageIds?: readonly string[];
  /** Images carrying every one of these tags. */
  readonly tags?: Readonly<Record<string, string>>;
  /** `self` (the caller's own), `others` (shared with it); absent: both, and community images. */
  readonly ownerAlias?: 'self' | 'others';
  /** `ALL` by default: copies in progress are `Creating`/`Waiting`, not the API's default `Available`. */
  readonly status?: string;
  readonly pageNumber?: number;
}

/** The CopyImage request, in the SDK's field names (each becomes one query parameter). */
export interface CopyImageParams {
  /** The **source** region: ECS serves CopyImage from where the image is. */
  readonly regionId: string;
  readonly imageId: string;
  readonly destinationRegionId: string;
  readonly destinationImageName?: string;
  readonly destinationDescription?: string;
  readonly encrypted?: boolean;
  readonly KMSKeyId?: string;
  /** Caller tags then lineage tags → `Tag.N.Key`/`Tag.N.Value`. */
  readonly tag: readonly { readonly key: string; readonly value: string }[];
  /** ECS's idempotency token. */
  readonly clientToken: string;
}

/**
 * The ECS image calls the image adapter makes (CopyImage, DescribeImages, CancelCopyImage,
 * DeleteImage), each one request with the SDK's retries off, ending within the pool's
 * request timeout or at once on abort, and every failure mapped onto snapcopy's closed set,
 * as the snapshot calls are.
 */
export class EcsImageCalls {
  readonly #pool: EcsClientPool;

  constructor(pool: EcsClientPool) {
    this.#pool = pool;
  }

  /** One page of the images in `region` matching `filter` (100 a page). */
  async describeImages(region: string, filter: EcsImageFilter, signal?: AbortSignal): Promise<EcsImage[]> {
    const res = await callEcs(this.#pool, 'DescribeImages', false, region, signal, (client, models) => {
      const request = new models.DescribeImagesRequest({
        regionId: region,
        status: filter.status ?? 'ALL',
        pageSize: ECS_IMAGE_PAGE_SIZE,
        pageNumber: filter.pageNumber ?? 1,
        ...(filter.imageIds === undefined ? {} : { imageId: filter.imageIds.join(',') }),
        ...(filter.ownerAlias === undefined ? {} : { imageOwnerAlias: filter.ownerAlias }),
        ...(filter.tags === undefined
          ? {}
          : {
              tag: Object.entries(filter.tags).map(
                ([key, value]) => new models.DescribeImagesRequestTag({ key, value }),
              ),
            }),
      });
      return client.describeImagesWithOptions(request, this.#pool.runtime);
    });
    // ECS always answers with a RequestId and an Images object (empty when nothing matches).
    const body = res.body;
    if (!body?.requestId || body.images === undefined || body.images === null) {
      throw notEcsReply('DescribeImages', region, 'no RequestId or Images in the reply');
    }
    return body.images.image ?? [];
  }

  /** Sends CopyImage (to the source region); returns the new image id. */
  async copyImage(params: CopyImageParams, signal?: AbortSignal): Promise<string> {
    const res = await callEcs(this.#pool, 'CopyImage', true, params.regionId, signal, (client, models) => {
      const request = new models.CopyImageRequest({
        ...params,
        tag: params.tag.map((t) => new models.CopyImageRequestTag(t)),
      });
      return client.copyImageWithOptions(request, this.#pool.runtime);
    });
    return copiedId('CopyImage', params.regionId, res.body?.imageId, res.body?.requestId);
  }

  /** Stops an image copy in progress (sent to the region of the copy); ECS removes it. */
  async cancelCopyImage(region: string, imageId: string, signal?: AbortSignal): Promise<void> {
    await callEcs(this.#pool, 'CancelCopyImage', true, region, signal, (client, models) =>
      client.cancelCopyImageWithOptions(
        new models.CancelCopyImageRequest({ regionId: region, imageId }),
        this.#pool.runtime,
      ),
    );
  }

  /** Deletes a custom image (refused while it is being copied); its snapshots stay. */
  async deleteImage(region: string, imageId: string, signal?: AbortSignal): Promise<void> {
    await callEcs(this.#pool, 'DeleteImage', true, region, signal, (client, models) =>
      client.deleteImageWithOptions(
        new models.DeleteImageRequest({ regionId: region, imageId, force: false }),
        this.#pool.runtime,
      ),
    );
  }
}
