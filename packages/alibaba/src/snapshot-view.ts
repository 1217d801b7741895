import type { DescribeSnapshotsResponseBodySnapshotsSnapshot } from '@alicloud/ecs20140526';
import type { CopyRequest, CopyState, SnapshotSummary, SourceSnapshotFacts } from '@snapcopy/core';
import {
  LINEAGE_TAGS,
  type ObservedCopy,
  parseProgressPercent,
  snapshotSummary as summaryOf,
} from '@snapcopy/core/driver';
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
 * An earlier copy of a lineage as the transfer rule sees it. With `keysResolved` (the
 * plan's key came from KMS, as a key id) its key is the key id ECS reports; otherwise the
 * lineage tag snapcopy wrote comes first (it names keys as plans that could not read KMS
 * named them, the service key by its alias), else what ECS reports.
 */
export function toEarlierCopy(s: EcsSnapshot, keysResolved = false): AlibabaEarlierCopy {
  const tagged = snapshotTags(s)[LINEAGE_TAGS.key];
  const encrypted =
    keysResolved && s.encrypted !== undefined
      ? s.encrypted
      : tagged === undefined
        ? s.encrypted === true
        : tagged !== 'none';
  const taggedKey = tagged !== undefined && tagged !== 'none' ? tagged : undefined;
  const reported = s.KMSKeyId || undefined;
  const key = keysResolved ? (reported ?? taggedKey) : (taggedKey ?? reported);
  return {
    encrypted,
    ...(encrypted && key !== undefined ? { kmsKeyId: key } : {}),
    ...(s.creationTime ? { creationTime: s.creationTime } : {}),
  };
}

/** ECS's `CreationTime` (ISO 8601, minutes or seconds) as epoch ms, when readable. */
function creationMs(s: EcsSnapshot): number | undefined {
  const ms = s.creationTime ? Date.parse(s.creationTime) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * One DescribeSnapshots entry as the copy protocol sees it: `progressing` → pending with
 * its percentage (never 100 until ECS says accomplished), `accomplished` → completed,
 * `failed` → failed; an unknown word is reported as pending so that a caller keeps
 * polling rather than stopping on a guess.
 */
export function observedSnapshot(region: string, s: EcsSnapshot): ObservedCopy {
  const raw = s.status ?? 'unknown';
  const state: CopyState = raw === 'accomplished' ? 'completed' : raw === 'failed' ? 'failed' : 'pending';
  const progress = parseProgress(s.progress, 0);
  const seen: { -readonly [K in keyof ObservedCopy]: ObservedCopy[K] } = {
    region,
    id: s.snapshotId ?? '',
    state,
    rawState: raw,
    progress: state === 'completed' ? 100 : state === 'pending' ? Math.min(99, progress) : progress,
    tags: snapshotTags(s),
  };
  if (state === 'failed') seen.message = 'ECS reports the copy as failed';
  else if (state === 'pending' && s.remainTime) seen.message = `about ${s.remainTime} s left`;
  const created = creationMs(s);
  if (created !== undefined) seen.createdAt = created;
  if (s.encrypted !== undefined) seen.encrypted = s.encrypted;
  if (s.KMSKeyId) seen.kmsKeyId = s.KMSKeyId;
  const size = fullSnapshotSizeGiB(s) ?? diskSizeGiB(s);
  if (size !== undefined) seen.sizeGiB = size;
  // ECS gives no completion time; a finished snapshot was last modified when it completed.
  const modified = s.lastModifiedTime ? Date.parse(s.lastModifiedTime) : Number.NaN;
  if (state === 'completed' && Number.isFinite(modified)) seen.completedAt = modified;
  return seen;
}

/** What ECS said about the source snapshot, reduced to the facts a plan needs. */
export function sourceFacts(
  req: { readonly source: Pick<CopyRequest['source'], 'region' | 'snapshotId'> },
  s: EcsSnapshot,
): { facts: SourceSnapshotFacts; notes: string[] } {
  const notes: string[] = [];
  const disk = diskSizeGiB(s);
  const full = fullSnapshotSizeGiB(s);
  let sizeGiB: number;
  if (full !== undefined) sizeGiB = full;
  else if (disk !== undefined) {
    sizeGiB = disk;
    notes.push(
      `ECS did not report the snapshot's data size; the estimate uses its source disk size (${disk} GiB), an upper bound.`,
    );
  } else {
    sizeGiB = 0;
    notes.push('ECS reported neither the snapshot size nor its disk size; the size estimate is 0 GiB.');
  }
  const encrypted = s.encrypted === true;
  return {
    facts: {
      region: req.source.region,
      snapshotId: req.source.snapshotId,
      ownership: 'owned',
      encrypted,
      ...(encrypted && s.KMSKeyId ? { kmsKeyId: s.KMSKeyId } : {}),
      ...(s.sourceDiskId ? { volumeId: s.sourceDiskId } : {}),
      sizeGiB,
      ...(disk === undefined ? {} : { diskSizeGiB: disk }),
    },
    notes,
  };
}

/** One DescribeSnapshots entry as a listing shows it (ECS lists the caller's own snapshots only). */
export function snapshotSummary(region: string, s: EcsSnapshot, groupId?: string): SnapshotSummary {
  const raw = s.status;
  const state: SnapshotSummary['state'] =
    raw === 'accomplished' ? 'completed' : raw === 'failed' ? 'failed' : 'pending';
  return summaryOf({
    region,
    snapshotId: s.snapshotId ?? '',
    ownership: 'owned',
    ownerAccount: undefined,
    state,
    tags: snapshotTags(s),
    encrypted: s.encrypted === true,
    description: s.description,
    name: s.snapshotName,
    kmsKeyId: s.encrypted ? s.KMSKeyId : undefined,
    volumeId: s.sourceDiskId,
    volumeSizeGiB: diskSizeGiB(s),
    createdAt: creationMs(s),
    groupId,
  });
}
