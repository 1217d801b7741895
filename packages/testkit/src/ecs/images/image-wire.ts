import type { SimWorld } from '../../sim/world.js';
import { wireTags } from '../snapshot-wire.js';
import { ecsTime } from '../time-format.js';
import type { EcsImage } from './ecs-image-model.js';

/** Copy progress of an image, percent: the mean of its snapshot copies while it is being made. */
export function imageProgress(world: SimWorld, image: EcsImage): number {
  if (image.status === 'Available') return 100;
  if (image.status === 'Waiting' || image.disks.length === 0) return 0;
  let sum = 0;
  for (const d of image.disks)
    sum += d.snapshotId === undefined ? 0 : (world.snapshots.get(d.snapshotId)?.progress ?? 0);
  return Math.floor(sum / image.disks.length);
}

/**
 * One image as DescribeImages returns it, with the wire names and types of the
 * `@alicloud/ecs20140526` response model (lists as arrays, `Size` of a disk as a string,
 * `IsSelfShared` as `"True"`/`"False"`). `ImageOwnerAlias` is `self` for the caller's own
 * images and `others` for shared and community ones.
 */
export function imageToWire(world: SimWorld, image: EcsImage, caller: string): Record<string, unknown> {
  const progress = imageProgress(world, image);
  const systemDisk = image.disks.find((d) => d.type === 'system') ?? image.disks[0];
  return {
    ImageId: image.id,
    ImageName: image.name,
    Description: image.description ?? '',
    Status: image.status,
    Progress: `${progress}%`,
    CreationTime: ecsTime(image.createdAt),
    ImageOwnerAlias: image.account === caller ? 'self' : 'others',
    ImageOwnerId: Number(image.account),
    IsCopied: image.copy !== undefined,
    IsPublic: image.isPublic,
    IsSelfShared: image.sharedWith.size > 0 ? 'True' : 'False',
    IsSubscribed: false,
    IsSupportCloudinit: true,
    IsSupportIoOptimized: true,
    LoginAsNonRootSupported: false,
    Architecture: image.architecture,
    BootMode: 'BIOS',
    OSType: image.osType,
    OSName: image.osName,
    OSNameEn: image.osName,
    Platform: image.platform,
    Size: systemDisk?.sizeGiB ?? 0,
    Usage: 'none',
    Usable: image.status === 'Available',
    ResourceGroupId: image.resourceGroupId ?? '',
    ImageFamily: '',
    ImageVersion: '',
    ProductCode: '',
    SupplierName: '',
    LicenseType: '',
    DiskDeviceMappings: {
      DiskDeviceMapping: image.disks.map((d, i) => {
        const s = d.snapshotId === undefined ? undefined : world.snapshots.get(d.snapshotId);
        return {
          Device: d.device,
          Type: d.type,
          SnapshotId: d.snapshotId ?? '',
          Size: String(d.sizeGiB),
          Format: '',
          ImportOSSBucket: '',
          ImportOSSObject: '',
          Progress: `${image.status === 'Available' ? 100 : (s?.progress ?? 0)}%`,
          RemainTime: s ? Math.ceil(world.remainingMs(s.id) / 1000) : 0,
          Encrypted: s?.encrypted ?? image.copy?.plans[i]?.encrypted ?? false,
        };
      }),
    },
    Tags: wireTags(image.tags),
  };
}
