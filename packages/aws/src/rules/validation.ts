import { type FieldIssue, RESERVED_TAG_PREFIX, SnapcopyError } from '@snapcopy/core';
import { invalidRequest, throwIfIssues, LINEAGE_TAG_COUNT } from '@snapcopy/core/driver';
import { AWS_EBS_CAPABILITIES, AWS_MAX_TAGS_PER_RESOURCE } from '../capabilities.js';

/** `snap-` and 8 (older) or 17 lowercase hex digits. */
export const AWS_SNAPSHOT_ID = /^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Limits on the tags of one EC2 resource (CreateTags / TagSpecification). */
export const AWS_TAG_LIMITS = Object.freeze({
  maxTags: AWS_MAX_TAGS_PER_RESOURCE,
  /** What is left for the caller once snapcopy's lineage tags are counted (the manifest's). */
  maxUserTags: AWS_EBS_CAPABILITIES.maxUserTags,
  maxKeyLength: 127,
  maxValueLength: 256,
});

/**
 * Checks an EBS snapshot id. Throws `INVALID_REQUEST` naming `path` when it is not
 * `snap-` followed by 8 or 17 lowercase hex digits; returns the id otherwise.
 */
export function validateAwsSnapshotId(id: string, path = 'source.snapshotId'): string {
  if (typeof id !== 'string' || !AWS_SNAPSHOT_ID.test(id)) {
    throw invalidRequest(
      [{ path, message: 'must be an EBS snapshot id: "snap-" and 8 or 17 lowercase hex digits' }],
      'aws',
    );
  }
  return id;
}

// AWS counts lengths in Unicode characters, not UTF-16 code units.
const charCount = (text: string): number => [...text].length;

/**
 * Checks the caller's tags against AWS's limits, counting the lineage tags snapcopy adds:
 * at most {@link AWS_TAG_LIMITS}.maxUserTags tags, keys of 1-127 characters, values of at
 * most 256, no key starting with `aws:` in any letter case (reserved by AWS) or with
 * snapcopy's own prefix. Keys are case-sensitive: `Team` and `team` are two tags. Throws
 * `INVALID_REQUEST` with one issue per bad tag.
 */
export function validateAwsTags(
  userTags: Readonly<Record<string, string>>,
  path = 'tags',
  /** Slots snapcopy's own extra tags (a policy's) take besides the lineage tags. */
  ownTags = 0,
): void {
  const issues: FieldIssue[] = [];
  const keys = Object.keys(userTags);
  const room = AWS_TAG_LIMITS.maxUserTags - ownTags;
  if (keys.length > room) {
    issues.push({
      path,
      message: `at most ${room} tags: AWS allows ${AWS_TAG_LIMITS.maxTags} per snapshot and snapcopy adds ${LINEAGE_TAG_COUNT + ownTags} of its own (${keys.length} given)`,
    });
  }
  for (const key of keys) {
    const at = `${path}.${key}`;
    const value: unknown = userTags[key];
    const length = charCount(key);
    if (length === 0 || length > AWS_TAG_LIMITS.maxKeyLength) {
      issues.push({ path: at, message: `key must be 1-${AWS_TAG_LIMITS.maxKeyLength} characters` });
    }
    if (key.toLowerCase().startsWith('aws:')) {
      issues.push({ path: at, message: 'the "aws:" prefix is reserved by AWS, in any letter case' });
    }
    if (key.startsWith(RESERVED_TAG_PREFIX)) {
      issues.push({
        path: at,
        message: `the "${RESERVED_TAG_PREFIX}" prefix is reserved for snapcopy's own tags`,
      });
    }
    if (typeof value !== 'string') {
      issues.push({ path: at, message: 'value must be a string' });
    } else if (charCount(value) > AWS_TAG_LIMITS.maxValueLength) {
      issues.push({ path: at, message: `value must be at most ${AWS_TAG_LIMITS.maxValueLength} characters` });
    }
  }
  throwIfIssues(issues, 'aws');
}

/** What DescribeSnapshots says about a source that decides whether it can be copied now. */
export interface AwsSourceState {
  readonly snapshotId: string;
  readonly region: string;
  /** `State`: `pending`, `completed`, `error`, `recoverable`, `recovering`. */
  readonly state?: string;
  /** `StorageTier`: `standard` or `archive`. */
  readonly storageTier?: string;
  /** True while an archived snapshot is temporarily restored (`RestoreExpiryTime` is set). */
  readonly restoring: boolean;
}

/**
 * Refuses a source AWS cannot copy in its current state: an archived snapshot that is not
 * restored (`UNSUPPORTED`, scope `request`: restore it first), and any snapshot that is not
 * `completed` (`INVALID_REQUEST`).
 */
export function checkAwsSourceCopyable(source: AwsSourceState): void {
  if (source.storageTier === 'archive' && !source.restoring) {
    throw new SnapcopyError(
      'UNSUPPORTED',
      `aws: ${source.snapshotId} is in the archive tier; restore it to the standard tier before copying`,
      { provider: 'aws', details: { scope: 'request', storageTier: 'archive' } },
    );
  }
  if (source.state !== 'completed') {
    throw invalidRequest(
      [
        {
          path: 'source.snapshotId',
          message: `is ${source.state ?? 'in an unknown state'}; only a completed snapshot can be copied`,
        },
      ],
      'aws',
    );
  }
}
