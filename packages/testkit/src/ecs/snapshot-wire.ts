import type { SimSnapshot, SimWorld } from '../sim/world.js';
import { ecsTime } from './time-format.js';

/** ECS snapshot status names for the engine's states. */
export function ecsStatus(s: SimSnapshot): 'progressing' | 'accomplished' | 'failed' {
  return s.state === 'pending' ? 'progressing' : s.state === 'completed' ? 'accomplished' : 'failed';
}

/** Tags as ECS returns them on a snapshot. */
export function wireTags(tags: ReadonlyMap<string, string>): {
  Tag: Array<{ TagKey: string; TagValue: string }>;
} {
  return { Tag: [...tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue })) };
}

/**
 * One snapshot as DescribeSnapshots returns it: every field the API reference lists, with
 * the wire types ECS uses (`Progress` as `"NN%"`, `SourceDiskSize` as a number, lists as arrays).
 */
export function snapshotToWire(world: SimWorld, s: SimSnapshot): Record<string, unknown> {
  const status = ecsStatus(s);
  const remainMs = world.remainingMs(s.id);
  const extra = s.extra;
  return {
    SnapshotId: s.id,
    SnapshotName: s.name ?? '',
    Description: s.description ?? '',
    Status: status,
    Progress: `${s.progress}%`,
    RemainTime: status === 'progressing' ? Math.ceil(remainMs / 1000) : 0,
    CreationTime: ecsTime(s.startedAt),
    LastModifiedTime: ecsTime(s.completedAt ?? s.startedAt),
    SourceDiskId: s.volumeId,
    SourceDiskSize: s.volumeSizeGiB,
    SourceDiskType: s.diskType ?? 'data',
    SourceStorageType: 'disk',
    SourceRegionId: s.copy?.sourceRegion ?? '',
    SourceSnapshotId: s.copy?.sourceSnapshotId ?? '',
    RegionId: s.region,
    Encrypted: s.encrypted,
    KMSKeyId: s.kmsKeyId ?? '',
    ...(s.retentionDays !== undefined ? { RetentionDays: s.retentionDays } : {}),
    InstantAccess: false,
    InstantAccessRetentionDays: 0,
    Category: s.category,
    Usage: 'none',
    SnapshotType: typeof extra.snapshotType === 'string' ? extra.snapshotType : 'user',
    Available: status === 'accomplished',
    SnapshotSN: typeof extra.seq === 'number' ? `64${String(extra.seq).padStart(18, '0')}` : '',
    SnapshotLinkId: `sl-${s.volumeId.replace(/^d-/, '')}`,
    ProductCode: '',
    ResourceGroupId: '',
    FullSnapshotSizeInBytes: Math.round(s.sizeGiB * 1024 ** 3),
    Tags: wireTags(s.tags),
  };
}
