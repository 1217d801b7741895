import { defineImageCapabilities, fromSnapshotCapabilities, type ImageCapabilities } from '@snapcopy/core';
import { ALIBABA_ECS_CAPABILITIES } from './capabilities.js';

/**
 * Image copy tasks one region runs at once; the others queue (`Waiting`) and run in order
 * (CopyImage API reference: "A region supports only up to five concurrent image copy tasks.
 * Excess image copy tasks are queued for execution").
 */
export const ALIBABA_MAX_CONCURRENT_IMAGE_COPIES_PER_REGION = 5;

/**
 * What ECS CopyImage can do (see docs/alibaba-image-rules.md). Static facts only: whether a
 * given image can be copied is decided by the rules in `rules/image-*.ts`.
 *
 * - A shared image is copied into your account within its region only
 *   (`crossAccountCopyAcrossRegions` false: `OperationDenied.SameRegionOnly`).
 * - No `CopyImageTags`, no tags for the disks' snapshots, no time-based copy.
 * - `cancelMethod` is `cancel-copy`: an image being copied cannot be deleted (DeleteImage
 *   answers `OperationDenied.ImageCopying`); CancelCopyImage removes the copy and the
 *   snapshots it made so far. A finished copy is deleted with DeleteImage, then its snapshots.
 * - From the snapshot manifest: encrypting and changing the key (`Encrypted` and `KMSKeyId`
 *   apply the snapshot rule to each disk); `maxUserTags`, the same room as a snapshot copy
 *   (`Tag.N` up to 20, less the five tags snapcopy writes on a snapshot copy; an image copy
 *   carries four, so one stays free); and `consistencyWindowMs`: ECS OpenAPI is eventually
 *   consistent for images as for snapshots, with no figure given
 *   (https://help.aliyun.com/en/ecs/developer-reference/final-consistency-of-alibaba-cloud-ecs-openapi-resources).
 */
export const ALIBABA_ECS_IMAGE_CAPABILITIES: ImageCapabilities = defineImageCapabilities({
  ...fromSnapshotCapabilities(ALIBABA_ECS_CAPABILITIES, [
    'encryptOnCopy',
    'changeKeyOnCopy',
    'maxUserTags',
    'consistencyWindowMs',
  ]),
  crossRegionCopy: true,
  sameRegionCopy: true,
  crossAccountCopy: true,
  crossAccountCopyAcrossRegions: false,
  // CopyImage's own refusal (`OperationDeined.EncryptedSnapshot`), not the snapshot rule's.
  decryptOnCopy: false,
  copySourceTags: false,
  tagsOnCopy: true,
  snapshotTagsOnCopy: false,
  timeBasedCopy: false,
  completionDurationMinutes: null,
  cancelByDelete: true,
  cancelMethod: 'cancel-copy',
  cancelTakesEffect: 'immediate',
  snapshotsOnCancel: 'removed',
  deleteWhileCopying: false,
  nativeIdempotencyToken: true,
  maxConcurrentCopiesPerRegion: ALIBABA_MAX_CONCURRENT_IMAGE_COPIES_PER_REGION,
  queuesBeyondConcurrency: true,
  maxIdsPerStatusCall: 100,
  maxSnapshotTags: 0,
});
