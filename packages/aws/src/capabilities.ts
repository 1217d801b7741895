import { type Capabilities, defineCapabilities } from '@snapcopy/core';
import { LINEAGE_TAG_COUNT } from '@snapcopy/core/driver';
import { EC2_LIST_MAX_PAGE_SIZE } from './list-params.js';
import { AWS_COMPLETION_DURATION_MINUTES } from './rules/time-based.js';

/** AWS's limit on tags per EC2 resource; snapcopy's own lineage tags count against it. */
export const AWS_MAX_TAGS_PER_RESOURCE = 50;

/**
 * How long the EC2 API may not yet show a resource just made: AWS asks callers to back off
 * for up to about five minutes before trusting a describe
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
 */
export const EC2_CONSISTENCY_WINDOW_MS = 300_000;

/**
 * What AWS EBS CopySnapshot can do (see docs/aws-ebs-rules.md). Static facts only:
 * whether a given request can be honoured is decided by the rules in `rules/`.
 */
export const AWS_EBS_CAPABILITIES: Capabilities = defineCapabilities({
  crossRegionCopy: true,
  // Same account, same region, same key: AWS makes a metadata-only copy, free of charge.
  sameRegionStandardCopy: true,
  sameRegionEncryptedCopy: true,
  encryptOnCopy: true,
  changeKeyOnCopy: true,
  decryptOnCopy: false,
  instantAccess: false,
  retentionPeriod: false,
  cancelByDelete: true,
  // DeleteSnapshot on a pending copy is accepted, but the copy only goes away when it completes.
  cancelTakesEffect: 'on-completion',
  timeBasedCopy: true,
  completionDurationMinutes: AWS_COMPLETION_DURATION_MINUTES,
  tagsOnCopy: true,
  crossAccountCopy: true,
  // No ClientToken on CopySnapshot: idempotency is emulated with a token tag and a lookup.
  nativeIdempotencyToken: false,
  // Beyond 20 copies in progress per destination region AWS answers ResourceLimitExceeded.
  maxConcurrentCopiesPerRegion: 20,
  maxIdsPerStatusCall: 200,
  maxUserTags: AWS_MAX_TAGS_PER_RESOURCE - LINEAGE_TAG_COUNT,
  // A snapshot just made may be missing from DescribeSnapshots for a while.
  consistencyWindowMs: EC2_CONSISTENCY_WINDOW_MS,
  // DescribeSnapshots pages (MaxResults 5-1000) by owner: Owner=self, or Owner=<account> with
  // RestorableBy=self for snapshots shared with the caller. EC2 has no multi-volume group id
  // (a CreateSnapshots set shares tags and a start time): list a set by its tag.
  listSnapshots: true,
  listSharedWithCaller: true,
  listByGroup: false,
  // EC2's description filter has wildcards, not regular expressions.
  listDescriptionRegex: 'client',
  listMaxPageSize: EC2_LIST_MAX_PAGE_SIZE,
  // ModifySnapshotAttribute createVolumePermission.
  shareSnapshot: true,
  // KMS DescribeKey from the caller's account.
  keyAccessCheck: true,
});
