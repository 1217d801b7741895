import type { CopySnapshotCommandInput } from '@aws-sdk/client-ec2';
import type { CopyPlan } from '@snapcopy/core';
import { invalidRequest, lineageTags, type NormalizedCopyRequest } from '@snapcopy/core/driver';
import { type AwsCopyEncryptionParams, resolveAwsEncryption, validateAwsTags } from './rules/index.js';

/** The tag AWS consoles show as a resource's name. */
export const NAME_TAG = 'Name';

/**
 * The caller's tags for the copy, with `request.name` as the `Name` tag. Checked against
 * AWS's limits counting the lineage tags snapcopy adds; throws `INVALID_REQUEST`.
 */
export function callerTags(request: NormalizedCopyRequest): Record<string, string> {
  const tags: Record<string, string> = { ...(request.tags ?? {}) };
  if (request.name !== undefined) {
    const given = tags[NAME_TAG];
    if (given !== undefined && given !== request.name) {
      throw invalidRequest(
        [{ path: `tags.${NAME_TAG}`, message: 'differs from name; give the name once' }],
        'aws',
      );
    }
    tags[NAME_TAG] = request.name;
  }
  // snapcopy's own tags (a policy's) take slots of the same 50.
  validateAwsTags(tags, 'tags', Object.keys(request.snapcopyTags ?? {}).length);
  return tags;
}

/** Every tag the copy is made with: the caller's, then snapcopy's lineage and client token. */
export function copyTags(request: NormalizedCopyRequest, plan: CopyPlan): Record<string, string> {
  const { encryption, source } = plan;
  return {
    ...callerTags(request),
    ...(request.snapcopyTags ?? {}),
    ...lineageTags({
      clientToken: request.clientToken,
      sourceSnapshotId: source.snapshotId,
      sourceRegion: source.region,
      ...(source.volumeId === undefined ? {} : { sourceVolumeId: source.volumeId }),
      // An encrypted copy whose key AWS did not name must not read as unencrypted lineage.
      ...(encryption.encrypted ? { kmsKeyId: encryption.kmsKeyId ?? 'unknown' } : {}),
    }),
  };
}

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
