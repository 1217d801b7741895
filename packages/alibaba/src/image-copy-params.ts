import type { ImageCopyPlan } from '@snapcopy/core';
import type { NormalizedImageCopyRequest } from '@snapcopy/core/driver';
import type { CopyImageParams } from './image-calls.js';

/**
 * Builds CopyImage from a request and its plan: sent to the source region with
 * `DestinationRegionId` and ECS's own `ClientToken`. `Encrypted=true` only when encryption
 * was asked for (it applies to every disk), `KMSKeyId` only with a key; the name and
 * description only when given (ECS names the copy otherwise); the image's tags are the
 * caller's and snapcopy's lineage tags, as the plan lists them.
 */
export function buildCopyImageParams(req: NormalizedImageCopyRequest, plan: ImageCopyPlan): CopyImageParams {
  const encryption = req.encryption;
  return {
    regionId: req.source.region,
    imageId: req.source.imageId,
    destinationRegionId: req.destination.region,
    ...(req.name === undefined ? {} : { destinationImageName: req.name }),
    ...(req.description === undefined ? {} : { destinationDescription: req.description }),
    ...(encryption?.encrypted === true ? { encrypted: true } : {}),
    ...(encryption?.kmsKeyId === undefined ? {} : { KMSKeyId: encryption.kmsKeyId }),
    tag: Object.entries(plan.tags.image).map(([key, value]) => ({ key, value })),
    clientToken: req.clientToken,
  };
}
