import type { Snapshot, Tag } from '@aws-sdk/client-ec2';
import {
  type CopyState,
  LINEAGE_TAGS,
  type ObservedCopy,
  parseProgressPercent,
  type SnapshotRef,
  STATE_TAGS,
  type SourceSnapshotFacts,
} from '@snapcopy/core';
import type { AwsDestinationLineage } from './rules/index.js';

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
  return seen;
}

/**
 * The key a copy is encrypted with, `none` when it is not encrypted. The lineage tag comes
 * first: it spells the key as plans resolve it (e.g. the default key's alias ARN, where
 * DescribeSnapshots shows the key ARN), so that the same key compares equal across plans.
 */
function copyKey(snapshot: Snapshot): string {
  if (!snapshot.Encrypted) return 'none';
  const tagged = tagRecord(snapshot)[LINEAGE_TAGS.key];
  return (
    (tagged !== undefined && tagged !== 'none' && tagged !== 'unknown' ? tagged : undefined) ??
    (snapshot.KmsKeyId || 'unknown')
  );
}

/**
 * Reduces the copies of one volume's lineage found in the destination to what the
 * transfer rule needs. Only completed copies that were not cancelled count: a pending,
 * failed or cancelled copy is no base for an incremental one.
 */
export function lineageFromCopies(copies: readonly Snapshot[]): AwsDestinationLineage | undefined {
  const usable = copies.filter(
    (s) => s.State === 'completed' && tagRecord(s)[STATE_TAGS.cancelled] !== 'true',
  );
  if (usable.length === 0) return undefined;
  return { previousCopyPresent: true, copyKeys: [...new Set(usable.map(copyKey))] };
}
