import type { Snapshot } from '@aws-sdk/client-ec2';
import {
  invalidRequest,
  LINEAGE_TAGS,
  SnapcopyError,
  type SnapshotRef,
  type SourceSnapshotFacts,
} from '@snapcopy/core';
import type { Ec2Calls } from './ec2-calls.js';

/** The volume id AWS puts on copies: "arbitrary, must not be used". */
const PLACEHOLDER_VOLUME = 'vol-ffffffff';
const GiB = 1024 ** 3;

/** Tags of an EC2 resource as a plain record. */
export function tagRecord(snapshot: Snapshot): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of snapshot.Tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
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

function notFound(ref: SnapshotRef, why: string): SnapcopyError {
  return new SnapcopyError('NOT_FOUND', `aws: source snapshot ${ref.snapshotId} ${why} in ${ref.region}`, {
    provider: 'aws',
    details: { snapshotId: ref.snapshotId, region: ref.region },
  });
}

/**
 * Reads the source snapshot and whether the caller owns it, without STS: first among the
 * caller's own snapshots (`OwnerIds: ['self']`), then among those shared with it. When
 * the request names the owner account (`source.account`) the snapshot is taken as shared.
 */
export async function readSourceSnapshot(
  calls: Ec2Calls,
  source: SnapshotRef & { readonly account?: string },
  signal?: AbortSignal,
): Promise<{ snapshot: Snapshot; ownership: 'owned' | 'shared' }> {
  const ids = { SnapshotIds: [source.snapshotId] };
  if (source.account === undefined) {
    const own = await calls.describeSnapshots(source.region, { ...ids, OwnerIds: ['self'] }, signal);
    const mine = own.find((s) => s.SnapshotId === source.snapshotId);
    if (mine) return { snapshot: mine, ownership: 'owned' };
  }
  const any = await calls.describeSnapshots(source.region, ids, signal);
  const found = any.find((s) => s.SnapshotId === source.snapshotId);
  if (!found) throw notFound(source, 'does not exist or is not shared with you');
  if (source.account !== undefined && found.OwnerId !== undefined && found.OwnerId !== source.account) {
    throw notFound(source, `is not owned by account ${source.account}`);
  }
  return { snapshot: found, ownership: 'shared' };
}

/** Refuses a source AWS cannot copy in its current state. */
export function checkSourceCopyable(ref: SnapshotRef, snapshot: Snapshot): void {
  if (snapshot.StorageTier === 'archive' && snapshot.RestoreExpiryTime === undefined) {
    throw new SnapcopyError(
      'UNSUPPORTED',
      `aws: ${ref.snapshotId} is in the archive tier; restore it to the standard tier before copying`,
      { provider: 'aws', details: { scope: 'request', storageTier: 'archive' } },
    );
  }
  if (snapshot.State !== 'completed') {
    throw invalidRequest(
      [
        {
          path: 'source.snapshotId',
          message: `is ${snapshot.State ?? 'in an unknown state'}; only a completed snapshot can be copied`,
        },
      ],
      'aws',
    );
  }
}
