import { RESERVED_TAG_PREFIX } from './request.js';

/**
 * Tags snapcopy writes on every copy it makes. They carry idempotency (the client
 * token) and lineage (what the copy is of), so that a retry can find an earlier copy
 * and a plan can find earlier copies of the same volume in the destination.
 */
export const LINEAGE_TAGS = Object.freeze({
  clientToken: `${RESERVED_TAG_PREFIX}client-token`,
  sourceSnapshot: `${RESERVED_TAG_PREFIX}source-snapshot`,
  sourceRegion: `${RESERVED_TAG_PREFIX}source-region`,
  sourceVolume: `${RESERVED_TAG_PREFIX}source-volume`,
  key: `${RESERVED_TAG_PREFIX}key`,
});

/** How many tags snapcopy itself adds to a copy. */
export const LINEAGE_TAG_COUNT = Object.keys(LINEAGE_TAGS).length;

/** The lineage tags for one copy. `key` is `none` for an unencrypted copy. */
export function lineageTags(input: {
  clientToken: string;
  sourceSnapshotId: string;
  sourceRegion: string;
  sourceVolumeId?: string;
  kmsKeyId?: string;
}): Record<string, string> {
  return {
    [LINEAGE_TAGS.clientToken]: input.clientToken,
    [LINEAGE_TAGS.sourceSnapshot]: input.sourceSnapshotId,
    [LINEAGE_TAGS.sourceRegion]: input.sourceRegion,
    [LINEAGE_TAGS.sourceVolume]: input.sourceVolumeId ?? 'unknown',
    [LINEAGE_TAGS.key]: input.kmsKeyId ?? 'none',
  };
}
