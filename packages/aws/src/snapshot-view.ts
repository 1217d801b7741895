import type { Snapshot, Tag } from '@aws-sdk/client-ec2';
import type { CopyState, SnapshotRef, SnapshotSummary, SourceSnapshotFacts } from '@snapcopy/core';
import {
  LINEAGE_TAGS,
  type ObservedCopy,
  parseProgressPercent,
  snapshotSummary as summaryOf,
  STATE_TAGS,
} from '@snapcopy/core/driver';
import {
  type AwsDestinationLineage,
  type AwsLineageCopy,
  keyIdentity,
  mostRecentAwsCopy,
  presentAwsCopies,
} from './rules/index.js';

/** The volume id AWS puts on copies: "arbitrary, must not be used". */
const PLACEHOLDER_VOLUME = 'vol-ffffffff';
const GiB = 1024 ** 3;

/** `"56%"` → 56; anything unreadable → `fallback`. */
export function parseProgress(progress: string | undefined, fallback: number): number {
  return parseProgressPercent(progress, fallback, Math.round);
}

/** Tags of an EC2 resource (a snapshot, an AMI) as a plain record. */
export function tagRecord(resource: { readonly Tags?: readonly Tag[] | undefined }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of resource.Tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/**
 * The lineage a snapshot belongs to: its volume, or for a copy made by snapcopy the
 * volume its source came from (a copy's own VolumeId is a placeholder).
 */
export function lineageVolumeOf(snapshot: Snapshot): string | undefined {
  const tagged = tagRecord(snapshot)[LINEAGE_TAGS.sourceVolume];
  if (tagged !== undefined && tagged !== 'unknown') return tagged;
  const vol = snapshot.VolumeId;
  return vol && vol !== PLACEHOLDER_VOLUME ? vol : undefined;
}

/** Full size of the snapshot in GiB (the data size when AWS reports it, else the volume size). */
function sizeOf(snapshot: Snapshot): number {
  const bytes = snapshot.FullSnapshotSizeInBytes;
  if (typeof bytes === 'number' && bytes > 0) return Math.ceil((bytes / GiB) * 1000) / 1000;
  return snapshot.VolumeSize ?? 0;
}

/** What the plan needs to know about the source snapshot, from one DescribeSnapshots item. */
export function sourceFacts(
  ref: SnapshotRef,
  snapshot: Snapshot,
  ownership: 'owned' | 'shared',
): SourceSnapshotFacts {
  const volumeId = lineageVolumeOf(snapshot);
  return {
    region: ref.region,
    snapshotId: ref.snapshotId,
    ownership,
    encrypted: snapshot.Encrypted === true,
    sizeGiB: sizeOf(snapshot),
    ...(snapshot.OwnerId ? { ownerAccount: snapshot.OwnerId } : {}),
    ...(snapshot.Encrypted && snapshot.KmsKeyId ? { kmsKeyId: snapshot.KmsKeyId } : {}),
    ...(volumeId === undefined ? {} : { volumeId }),
    ...(snapshot.VolumeSize === undefined ? {} : { diskSizeGiB: snapshot.VolumeSize }),
  };
}

/**
 * One DescribeSnapshots item as the copy protocol sees it. `pending`/`recovering` are in
 * progress, `completed` done, `error` failed with AWS's message; `recoverable` means the
 * snapshot was deleted into the Recycle Bin.
 */
export function observedSnapshot(region: string, snapshot: Snapshot): ObservedCopy {
  const raw = snapshot.State ?? 'unknown';
  let state: CopyState;
  let message: string | undefined;
  switch (raw) {
    case 'completed':
      state = 'completed';
      break;
    case 'error':
      state = 'failed';
      message = snapshot.StateMessage || 'the copy failed (AWS gave no reason)';
      break;
    case 'recoverable':
      state = 'failed';
      message = 'the snapshot was deleted and is in the Recycle Bin';
      break;
    case 'recovering':
      state = 'pending';
      message = 'the snapshot is being restored from the Recycle Bin';
      break;
    case 'pending':
      state = 'pending';
      break;
    default:
      state = 'pending';
      message = `AWS reports an unknown state "${raw}"`;
  }
  // Assigned, not spread: this runs for every id of every poll round.
  const seen: { -readonly [K in keyof ObservedCopy]: ObservedCopy[K] } = {
    region,
    id: snapshot.SnapshotId ?? '',
    state,
    rawState: raw,
    progress: raw === 'completed' ? 100 : parseProgress(snapshot.Progress, 0),
    tags: tagRecord(snapshot),
  };
  if (message !== undefined) seen.message = message;
  if (snapshot.StartTime !== undefined) seen.createdAt = snapshot.StartTime.getTime();
  if (snapshot.Encrypted !== undefined) seen.encrypted = snapshot.Encrypted;
  if (snapshot.KmsKeyId) seen.kmsKeyId = snapshot.KmsKeyId;
  if (snapshot.VolumeSize !== undefined || snapshot.FullSnapshotSizeInBytes !== undefined)
    seen.sizeGiB = sizeOf(snapshot);
  if (snapshot.CompletionTime !== undefined) seen.completedAt = snapshot.CompletionTime.getTime();
  return seen;
}

/** One DescribeSnapshots item of a lineage listing, as the incremental rule reads it. */
export function lineageCopyOf(snapshot: Snapshot): AwsLineageCopy {
  const tags = tagRecord(snapshot);
  const raw = snapshot.State;
  const taggedKey = tags[LINEAGE_TAGS.key];
  return {
    id: snapshot.SnapshotId ?? '',
    state: raw === 'completed' ? 'completed' : raw === 'pending' ? 'pending' : 'failed',
    deleting: tags[STATE_TAGS.cancelled] === 'true' || tags[STATE_TAGS.supersededBy] !== undefined,
    archived: snapshot.StorageTier === 'archive',
    encrypted: snapshot.Encrypted === true,
    ...(tags[LINEAGE_TAGS.clientToken] === undefined ? {} : { clientToken: tags[LINEAGE_TAGS.clientToken] }),
    ...(snapshot.CompletionTime === undefined ? {} : { completedAt: snapshot.CompletionTime.getTime() }),
    ...(snapshot.StartTime === undefined ? {} : { startedAt: snapshot.StartTime.getTime() }),
    ...(snapshot.Encrypted && snapshot.KmsKeyId ? { kmsKeyArn: snapshot.KmsKeyId } : {}),
    ...(taggedKey !== undefined && taggedKey !== 'none' && taggedKey !== 'unknown' ? { taggedKey } : {}),
    ...(tags[STATE_TAGS.nextCopy] === undefined ? {} : { nextCopyToken: tags[STATE_TAGS.nextCopy] }),
    ...(tags[LINEAGE_TAGS.sourceSnapshot] === undefined
      ? {}
      : { sourceSnapshotId: tags[LINEAGE_TAGS.sourceSnapshot] }),
    ...(tags[LINEAGE_TAGS.sourceRegion] === undefined
      ? {}
      : { sourceRegion: tags[LINEAGE_TAGS.sourceRegion] }),
  };
}

/**
 * The copies of one volume's lineage found in the destination, reduced to what the transfer
 * rule needs: the most recent copy and the key of every copy present. With `keysResolved`
 * (the plan's key came from KMS) a copy's key is what DescribeSnapshots shows, the key ARN,
 * as KMS names it; otherwise the spelling snapcopy's lineage tag recorded comes first, as
 * plans that could not read KMS named it.
 */
export function destinationLineage(
  copies: readonly AwsLineageCopy[],
  keysResolved: boolean,
): AwsDestinationLineage {
  const keyOf = (c: AwsLineageCopy): string => {
    if (!c.encrypted) return 'none';
    const key = keysResolved ? (c.kmsKeyArn ?? c.taggedKey) : (c.taggedKey ?? c.kmsKeyArn);
    return key === undefined ? 'unknown' : keyIdentity(key);
  };
  return {
    mostRecent: mostRecentAwsCopy(copies),
    copyKeys: [...new Set(presentAwsCopies(copies).map(keyOf))],
  };
}

/**
 * One DescribeSnapshots item as a listing shows it. `caller` is the listing's owner side:
 * `owned` for the caller's own, `shared` for snapshots other accounts shared with it.
 */
export function snapshotSummary(
  region: string,
  snapshot: Snapshot,
  ownership: 'owned' | 'shared',
): SnapshotSummary {
  const raw = snapshot.State;
  const state: SnapshotSummary['state'] =
    raw === 'completed' ? 'completed' : raw === 'error' || raw === 'recoverable' ? 'failed' : 'pending';
  const volumeId =
    snapshot.VolumeId && snapshot.VolumeId !== PLACEHOLDER_VOLUME ? snapshot.VolumeId : undefined;
  return summaryOf({
    region,
    snapshotId: snapshot.SnapshotId ?? '',
    ownership,
    ownerAccount: snapshot.OwnerId,
    state,
    tags: tagRecord(snapshot),
    encrypted: snapshot.Encrypted === true,
    description: snapshot.Description,
    name: undefined,
    kmsKeyId: snapshot.Encrypted ? snapshot.KmsKeyId : undefined,
    volumeId,
    volumeSizeGiB: snapshot.VolumeSize,
    createdAt: snapshot.StartTime?.getTime(),
    groupId: undefined,
  });
}
