import type {
  DescribeImagesResponseBodyImagesImage,
  DescribeImagesResponseBodyImagesImageDiskDeviceMappingsDiskDeviceMapping,
} from '@alicloud/ecs20140526';
import type { BackingSnapshotProgress, CopyState } from '@snapcopy/core';
import type { ObservedCopy, SourceImageReading } from '@snapcopy/core/driver';
import { parseProgress } from './snapshot-view.js';

/** One image as the ECS SDK returns it from DescribeImages. */
export type EcsImage = DescribeImagesResponseBodyImagesImage;
/** One disk of an image: its device, size and snapshot. */
export type EcsImageDisk = DescribeImagesResponseBodyImagesImageDiskDeviceMappingsDiskDeviceMapping;

/** The image's tags as a record (`TagKey`/`TagValue` on the wire). */
export function imageTags(image: EcsImage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of image.tags?.tag ?? []) if (t.tagKey !== undefined) out[t.tagKey] = t.tagValue ?? '';
  return out;
}

/** The disks of an image, system disk first, as ECS lists them. */
export function imageDisks(image: EcsImage): EcsImageDisk[] {
  return image.diskDeviceMappings?.diskDeviceMapping ?? [];
}

/** A disk's size in GiB (`Size` is a string on the wire), when readable. */
export function diskSize(disk: EcsImageDisk): number | undefined {
  const n = Number(disk.size);
  return disk.size !== undefined && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** What a plan reads off the source image. */
export function readSourceImage(image: EcsImage): SourceImageReading {
  return {
    // ECS custom images are always made of disk snapshots.
    rootDeviceType: 'ebs',
    tags: imageTags(image),
    name: image.imageName,
    ownerAccount: image.imageOwnerId === undefined ? undefined : String(image.imageOwnerId),
  };
}

function stateOf(status: string): { state: CopyState; message?: string } {
  switch (status) {
    case 'Available':
      return { state: 'completed' };
    case 'Deprecated':
      return { state: 'completed', message: 'the image is deprecated' };
    case 'Creating':
      return { state: 'pending' };
    case 'Waiting':
      return { state: 'pending', message: 'queued: ECS runs a few image copies per region at a time' };
    case 'CreateFailed':
      return { state: 'failed', message: 'ECS reports the image copy as failed' };
    case 'UnAvailable':
      return { state: 'failed', message: 'ECS reports the image as unavailable' };
    default:
      return { state: 'pending', message: `ECS reports an unknown image status "${status}"` };
  }
}

/** ECS's `CreationTime` as epoch ms, when readable. */
function creationMs(image: EcsImage): number | undefined {
  const ms = image.creationTime ? Date.parse(image.creationTime) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * One DescribeImages entry as the copy protocol sees it: `Creating`/`Waiting` pending with
 * the least of ECS's progress for the image and for each disk (never 100 until `Available`), `Available` completed, `CreateFailed` and
 * `UnAvailable` failed; each disk's copy with its own progress and encryption.
 */
export function observedImage(region: string, image: EcsImage): ObservedCopy {
  const raw = image.status ?? 'unknown';
  const { state, message } = stateOf(raw);
  const cap = (p: number) => (state === 'completed' ? 100 : state === 'pending' ? Math.min(99, p) : p);
  const snapshots: BackingSnapshotProgress[] = imageDisks(image).map((d) => ({
    ...(d.device ? { deviceName: d.device } : {}),
    ...(d.snapshotId ? { snapshotId: d.snapshotId } : {}),
    progress: cap(parseProgress(d.progress, 0)),
    ...(d.encrypted === undefined ? {} : { encrypted: d.encrypted }),
  }));
  const flags = snapshots.flatMap((s) => (s.encrypted === undefined ? [] : [s.encrypted]));
  const created = creationMs(image);
  // The image is ready when its last disk is: the least advanced disk's progress, when every
  // disk reports one, tells when better than ECS's figure for the whole image.
  const disks = imageDisks(image).map((d) => parseProgress(d.progress, Number.NaN));
  const own = parseProgress(image.progress, 0);
  const progress = disks.length > 0 && disks.every(Number.isFinite) ? Math.min(own, ...disks) : own;
  return {
    region,
    id: image.imageId ?? '',
    state,
    rawState: raw,
    progress: cap(progress),
    tags: imageTags(image),
    ...(message === undefined ? {} : { message }),
    ...(created === undefined ? {} : { createdAt: created }),
    ...(flags.length === 0 ? {} : { encrypted: flags.every(Boolean) }),
    extra: { snapshots },
  };
}
