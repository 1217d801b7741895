import type { EcsOperationContext } from '../operation-context.js';
import { EcsApiError, ecsErrors } from '../rpc-errors.js';
import { type EcsImage, isCopying } from './ecs-image-model.js';

/** `RegionId` of an image call: required, and a region the simulator has. */
export function imageRegion(ctx: EcsOperationContext): string {
  const region = ctx.params.require('RegionId');
  if (!ctx.state.world.regions.has(region)) throw ecsErrors.regionNotFound();
  return region;
}

/** The caller's own image in `region`, or undefined. */
export function ownImage(ctx: EcsOperationContext, region: string, id: string): EcsImage | undefined {
  const image = ctx.state.images.images.get(id);
  return image && image.region === region && image.account === ctx.account.id ? image : undefined;
}

const imageNotFound = () =>
  new EcsApiError(404, 'InvalidImageId.NotFound', 'The specified ImageId does not exist.');

/** The caller's own image in `region`, or 404 `InvalidImageId.NotFound`. */
export function requireOwnImage(ctx: EcsOperationContext, region: string, id: string): EcsImage {
  const image = ownImage(ctx, region, id);
  if (!image) throw imageNotFound();
  return image;
}

/**
 * CancelCopyImage, sent to the region of the image copy: a copy still waiting or in
 * progress is removed with the snapshots it made so far (the source is untouched); a
 * finished or failed copy, or an image that is not a copy, is refused.
 */
export function cancelCopyImage(ctx: EcsOperationContext): Record<string, unknown> {
  const region = imageRegion(ctx);
  const image = requireOwnImage(ctx, region, ctx.params.require('ImageId'));
  if (!image.copy) {
    throw new EcsApiError(
      400,
      'ImageCreatedNotFromCopy',
      'The specified image is not the target image of a copy action.',
    );
  }
  if (image.status === 'Available')
    throw new EcsApiError(400, 'IncorrectImageStatus', 'The image copy has completed.');
  if (!isCopying(image))
    throw new EcsApiError(400, 'IncorrectImageStatus', 'The Image copy has been failed.');
  ctx.state.images.remove(image);
  return {};
}

/**
 * DeleteImage: an image being copied is refused (cancel it with CancelCopyImage), so are
 * images shared with other accounts or published as community images; an image the caller
 * does not have is ignored, as the API reference says of a missing image. The image's
 * snapshots stay.
 */
export function deleteImage(ctx: EcsOperationContext): Record<string, unknown> {
  const region = imageRegion(ctx);
  const id = ctx.params.require('ImageId');
  ctx.params.bool('Force');
  const image = ownImage(ctx, region, id);
  if (!image) return {};
  if (isCopying(image)) {
    throw new EcsApiError(
      403,
      'OperationDenied.ImageCopying',
      'The image is being copied. Please use the CancelCopyImage API.',
    );
  }
  if (image.sharedWith.size > 0) {
    throw new EcsApiError(
      403,
      'ImageUseShared',
      'The specified image has been shared to others. You can use the DescribeImageSharePermission API to query the users who have been shared.',
    );
  }
  if (image.isPublic) {
    throw new EcsApiError(
      403,
      'ImageIsPublic',
      'You can not delete public image, please modify it to private.',
    );
  }
  ctx.state.images.remove(image);
  return {};
}
