import { defineCapabilities } from '@snapcopy/core';
import { LINEAGE_TAG_COUNT } from '@snapcopy/core/driver';
import { ECS_LIST_MAX_PAGE_SIZE } from './list-params.js';

/** Tags one ECS CopySnapshot call can set (`Tag.N`, N ≤ 20). */
export const ALIBABA_MAX_TAGS_PER_COPY = 20;

/** `RetentionDays` of CopySnapshot: a whole number of days in this range. */
export const ALIBABA_RETENTION_DAYS: readonly [number, number] = Object.freeze([1, 65536] as [
  number,
  number,
]);

/**
 * Concurrent copies per destination region that snapcopy allows itself by default.
 * Alibaba documents no cap on concurrent copy tasks (only one unfinished copy per
 * source disk per destination region, and an API rate of 1000 calls a minute), so this
 * is a conservative guess, not a provider limit; callers can raise it in the orchestrator.
 */
export const ALIBABA_DEFAULT_MAX_CONCURRENT_COPIES_PER_REGION = 10;

/**
 * What Alibaba Cloud ECS CopySnapshot can do (see docs/alibaba-ecs-rules.md).
 *
 * - `sameRegionStandardCopy` is false: an unencrypted copy into the source region is
 *   refused (`InvalidOperation.NotSupportCopyInSameRegion`); an encrypted one is allowed.
 * - `cancelTakesEffect` is `immediate`: deleting a copy in progress removes the partial copy.
 * - `maxConcurrentCopiesPerRegion` is undocumented by Alibaba; see
 *   {@link ALIBABA_DEFAULT_MAX_CONCURRENT_COPIES_PER_REGION}.
 * - `maxIdsPerStatusCall` is 100: DescribeSnapshots takes at most 100 ids in `SnapshotIds`.
 * - `maxUserTags` is 20 minus the lineage tags snapcopy writes on every copy.
 * - `consistencyWindowMs` is five minutes: ECS OpenAPI is eventually consistent (a resource
 *   just created may be missing, or a list empty, "for a short time"), with no figure given
 *   (https://help.aliyun.com/en/ecs/developer-reference/final-consistency-of-alibaba-cloud-ecs-openapi-resources),
 *   so snapcopy allows as long as the EC2 guide asks for.
 */
export const ALIBABA_ECS_CAPABILITIES = defineCapabilities({
  crossRegionCopy: true,
  sameRegionStandardCopy: false,
  sameRegionEncryptedCopy: true,
  encryptOnCopy: true,
  changeKeyOnCopy: true,
  decryptOnCopy: false,
  instantAccess: false,
  retentionPeriod: true,
  retentionDaysRange: [...ALIBABA_RETENTION_DAYS],
  cancelByDelete: true,
  cancelTakesEffect: 'immediate',
  timeBasedCopy: false,
  completionDurationMinutes: null,
  tagsOnCopy: true,
  crossAccountCopy: false,
  nativeIdempotencyToken: true,
  maxConcurrentCopiesPerRegion: ALIBABA_DEFAULT_MAX_CONCURRENT_COPIES_PER_REGION,
  maxIdsPerStatusCall: 100,
  maxUserTags: ALIBABA_MAX_TAGS_PER_COPY - LINEAGE_TAG_COUNT,
  consistencyWindowMs: 300_000,
  // DescribeSnapshots pages (MaxResults 1-100) list the caller's own snapshots only: ECS has
  // no snapshot sharing. DescribeSnapshotGroups names a snapshot-consistent group's members.
  listSnapshots: true,
  listSharedWithCaller: false,
  listByGroup: true,
  listDescriptionRegex: 'client',
  listMaxPageSize: ECS_LIST_MAX_PAGE_SIZE,
  shareSnapshot: false,
  keyAccessCheck: false,
});
