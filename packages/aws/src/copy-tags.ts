import { type CopyPlan, invalidRequest, lineageTags, type NormalizedCopyRequest } from '@snapcopy/core';
import { validateAwsTags } from './rules/index.js';

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
  validateAwsTags(tags);
  return tags;
}

/** Every tag the copy is made with: the caller's, then snapcopy's lineage and client token. */
export function copyTags(request: NormalizedCopyRequest, plan: CopyPlan): Record<string, string> {
  const { encryption, source } = plan;
  return {
    ...callerTags(request),
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
