import {
  BACKING_SNAPSHOT_COPY_KEYS,
  defineImageCapabilities,
  fromSnapshotCapabilities,
  type ImageCapabilities,
} from '@snapcopy/core';
import { AWS_EBS_CAPABILITIES } from './capabilities.js';

/**
 * AMI copies EC2 runs at once per destination Region: beyond this many, CopyImage answers
 * `ResourceLimitExceeded` ("How Amazon EC2 AMI copy works", quotas; it has been raised over
 * the years and can be raised again per account).
 */
export const AWS_MAX_CONCURRENT_AMI_COPIES_PER_REGION = 300;

/**
 * What EC2 CopyImage can do (see docs/aws-ami-rules.md). Static facts only: whether a given
 * AMI can be copied is decided by the rules in `rules/image-*.ts`.
 *
 * - `cancelMethod` is `deregister`: the user guide stops a pending copy by deregistering the
 *   AMI; it is deregistered at once (`cancelTakesEffect: 'immediate'`) and, with
 *   `DeleteAssociatedSnapshots`, its finished snapshot copies go with it while those still
 *   in progress are deleted when they complete (`snapshotsOnCancel`).
 * - From the snapshot manifest, where the guide applies the snapshot rule to each backing
 *   snapshot: encryption (the image-copying scenarios restate the snapshot copy's), the
 *   time-based copy (`SnapshotCopyCompletionDurationMinutes` per snapshot) and the EC2 API's
 *   eventual consistency (DescribeImages as DescribeSnapshots).
 * - Tags: the same room as a snapshot copy leaves (AWS's 50 per resource, less the five
 *   snapcopy writes on a snapshot copy): an AMI copy carries four lineage tags and each
 *   snapshot two, so one tag stays free for the cancel mark.
 */
export const AWS_AMI_CAPABILITIES: ImageCapabilities = defineImageCapabilities({
  ...fromSnapshotCapabilities(AWS_EBS_CAPABILITIES, [
    ...BACKING_SNAPSHOT_COPY_KEYS,
    'maxUserTags',
    'consistencyWindowMs',
  ]),
  crossRegionCopy: true,
  sameRegionCopy: true,
  crossAccountCopy: true,
  crossAccountCopyAcrossRegions: true,
  copySourceTags: true,
  tagsOnCopy: true,
  snapshotTagsOnCopy: true,
  cancelByDelete: true,
  cancelMethod: 'deregister',
  cancelTakesEffect: 'immediate',
  snapshotsOnCancel: 'removed-on-completion',
  deleteWhileCopying: true,
  nativeIdempotencyToken: true,
  maxConcurrentCopiesPerRegion: AWS_MAX_CONCURRENT_AMI_COPIES_PER_REGION,
  queuesBeyondConcurrency: false,
  maxIdsPerStatusCall: 200,
  maxSnapshotTags: AWS_EBS_CAPABILITIES.maxUserTags,
});
