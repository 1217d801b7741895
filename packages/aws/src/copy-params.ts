import type { CopySnapshotCommandInput } from '@aws-sdk/client-ec2';
import type { CopyPlan, NormalizedCopyRequest } from '@snapcopy/core';
import { copyTags } from './copy-tags.js';
import { type AwsCopyEncryptionParams, resolveAwsEncryption } from './rules/index.js';

/** The description a copy gets when the request gives none. */
export function defaultCopyDescription(request: NormalizedCopyRequest): string {
  return `Copy of ${request.source.snapshotId} from ${request.source.region} (snapcopy)`;
}

/**
 * `Encrypted`/`KmsKeyId` for the call, from the rule. The wire parameters depend only on
 * the request and the source (the account's encryption-by-default changes the outcome,
 * never what is sent), so they can be recomputed from a plan made earlier, even one that
 * went through JSON.
 */
export function copyEncryptionParams(
  request: NormalizedCopyRequest,
  plan: CopyPlan,
): AwsCopyEncryptionParams {
  return resolveAwsEncryption({
    ...(request.encryption === undefined ? {} : { request: request.encryption }),
    source: {
      region: plan.source.region,
      encrypted: plan.source.encrypted,
      ownership: plan.source.ownership,
      ...(plan.source.kmsKeyId === undefined ? {} : { kmsKeyId: plan.source.kmsKeyId }),
    },
    destination: { region: plan.destination.region, encryptionByDefault: false },
  }).wire;
}

/**
 * The CopySnapshot input, sent to the destination region's client. `PresignedUrl` and
 * `DestinationRegion` are left to the SDK, which fills them from the client's region.
 */
export function copySnapshotInput(request: NormalizedCopyRequest, plan: CopyPlan): CopySnapshotCommandInput {
  const tags = copyTags(request, plan);
  return {
    SourceRegion: request.source.region,
    SourceSnapshotId: request.source.snapshotId,
    Description: request.description ?? defaultCopyDescription(request),
    ...copyEncryptionParams(request, plan),
    TagSpecifications: [
      {
        ResourceType: 'snapshot',
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      },
    ],
    ...(request.completionDurationMinutes === undefined
      ? {}
      : { CompletionDurationMinutes: request.completionDurationMinutes }),
  };
}
