import type { DescribeSnapshotsResponseBodySnapshotsSnapshot } from '@alicloud/ecs20140526';
import { absentCopyStatus, type CopyStatus, LINEAGE_TAGS, parseProgressPercent } from '@snapcopy/core';
import type { AlibabaEarlierCopy } from './rules/transfer.js';

/** One snapshot as the ECS SDK returns it from DescribeSnapshots. */
export type EcsSnapshot = DescribeSnapshotsResponseBodySnapshotsSnapshot;

const GIB = 1024 ** 3;

/** The snapshot's tags as a record (`TagKey`/`TagValue` on the wire). */
export function snapshotTags(s: EcsSnapshot): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of s.tags?.tag ?? []) if (t.tagKey !== undefined) out[t.tagKey] = t.tagValue ?? '';
  return out;
}

/** `"56%"` → 56; anything unreadable → `fallback`. Clamped to 0-100. */
export function parseProgress(progress: string | undefined, fallback: number): number {
  return parseProgressPercent(progress, fallback, Math.floor);
}

/** A finite, non-negative number from the SDK's loosely typed fields (`SourceDiskSize` is a string). */
function gib(value: string | number | undefined): number | undefined {
  const n = typeof value === 'number' ? value : value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The source disk's size in GiB, when ECS reports it. */
export function diskSizeGiB(s: EcsSnapshot): number | undefined {
  return gib(s.sourceDiskSize);
}

/** The snapshot's full data size in GiB (`FullSnapshotSizeInBytes`), when ECS reports it. */
export function fullSnapshotSizeGiB(s: EcsSnapshot): number | undefined {
  const bytes = gib(s.fullSnapshotSizeInBytes);
  return bytes === undefined || bytes === 0 ? undefined : Math.round((bytes / GIB) * 1000) / 1000;
}

/**
 * An earlier copy of a lineage as the transfer rule sees it. Its key comes from the
 * lineage tag snapcopy wrote (which names the service key by its alias, as the rule
 * does), else from what ECS reports.
 */
export function toEarlierCopy(s: EcsSnapshot): AlibabaEarlierCopy {
  const tagged = snapshotTags(s)[LINEAGE_TAGS.key];
  const encrypted = tagged === undefined ? s.encrypted === true : tagged !== 'none';
  const key = tagged !== undefined && tagged !== 'none' ? tagged : s.KMSKeyId || undefined;
  return {
    encrypted,
    ...(encrypted && key !== undefined ? { kmsKeyId: key } : {}),
    ...(s.creationTime ? { creationTime: s.creationTime } : {}),
  };
}

/**
 * Maps a DescribeSnapshots entry onto a status: `progressing` → pending with its
 * percentage, `accomplished` → completed at 100, `failed` → failed; an unknown word is
 * reported as pending so that a caller keeps polling rather than stopping on a guess.
 */
export function toCopyStatus(region: string, s: EcsSnapshot): CopyStatus {
  const raw = s.status ?? 'unknown';
  const id = s.snapshotId ?? '';
  const encryption = {
    ...(s.encrypted === undefined ? {} : { encrypted: s.encrypted }),
    ...(s.KMSKeyId ? { kmsKeyId: s.KMSKeyId } : {}),
  };
  switch (raw) {
    case 'accomplished':
      return { region, snapshotId: id, state: 'completed', progress: 100, rawState: raw, ...encryption };
    case 'failed':
      return {
        region,
        snapshotId: id,
        state: 'failed',
        progress: parseProgress(s.progress, 0),
        rawState: raw,
        message: 'ECS reports the copy as failed',
        ...encryption,
      };
    default:
      return {
        region,
        snapshotId: id,
        state: 'pending',
        progress: Math.min(99, parseProgress(s.progress, 0)),
        rawState: raw,
        ...(s.remainTime ? { message: `about ${s.remainTime} s left` } : {}),
        ...encryption,
      };
  }
}

/**
 * The status of a copy ECS no longer returns: `cancelled` if this copier deleted it,
 * otherwise `failed` (deleted elsewhere, released at the end of its retention, or never made).
 */
export function absentStatus(region: string, snapshotId: string, cancelledHere: boolean): CopyStatus {
  return absentCopyStatus({ region, snapshotId }, cancelledHere, {
    cancelled: 'the copy was cancelled: it was deleted and its partial data removed',
    gone: `snapshot ${snapshotId} no longer exists in ${region} (deleted, released at the end of its retention period, or never made)`,
  });
}
