import type { CopyImageCommandInput, Tag } from '@aws-sdk/client-ec2';
import type { ImageCopyPlan } from '@snapcopy/core';
import type { NormalizedImageCopyRequest } from '@snapcopy/core/driver';
import { defaultAwsImageName } from './rules/image-validation.js';

const toTags = (record: Readonly<Record<string, string>>): Tag[] =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));

/** The description an AMI copy gets when the request gives none. */
export function defaultAwsImageDescription(request: NormalizedImageCopyRequest): string {
  return `Copy of ${request.source.imageId} from ${request.source.region} (snapcopy)`;
}

/**
 * The CopyImage input, sent to the destination Region's client with EC2's own
 * `ClientToken`. `Encrypted` is sent only when encryption was asked for (it applies to every
 * backing snapshot; EC2 takes no `Encrypted=false`, and an unencrypted copy of an encrypted
 * snapshot was refused by the plan), `KmsKeyId` only with a key. The image tags are the
 * caller's and snapcopy's lineage tags (the source's own ones come with `CopyImageTags`);
 * the snapshot tags go to every new snapshot.
 */
export function copyImageInput(
  request: NormalizedImageCopyRequest,
  plan: ImageCopyPlan,
): CopyImageCommandInput {
  const carried = new Set(plan.tags.carriedFromSource);
  const imageTags = Object.fromEntries(
    Object.entries(plan.tags.image).filter(([key]) => !carried.has(key) || request.tags?.[key] !== undefined),
  );
  const encryption = request.encryption;
  return {
    SourceRegion: request.source.region,
    SourceImageId: request.source.imageId,
    Name: request.name ?? defaultAwsImageName(request.source.imageId, request.clientToken),
    Description: request.description ?? defaultAwsImageDescription(request),
    ClientToken: request.clientToken,
    ...(encryption?.encrypted === true ? { Encrypted: true } : {}),
    ...(encryption?.kmsKeyId === undefined ? {} : { KmsKeyId: encryption.kmsKeyId }),
    ...(request.copySourceTags === true ? { CopyImageTags: true } : {}),
    TagSpecifications: [
      { ResourceType: 'image', Tags: toTags(imageTags) },
      ...(plan.snapshots.length > 0
        ? [{ ResourceType: 'snapshot' as const, Tags: toTags(plan.tags.snapshots) }]
        : []),
    ],
    ...(request.completionDurationMinutes === undefined
      ? {}
      : { SnapshotCopyCompletionDurationMinutes: request.completionDurationMinutes }),
  };
}
