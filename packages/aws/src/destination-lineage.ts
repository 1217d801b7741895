import type { Snapshot } from '@aws-sdk/client-ec2';
import { LINEAGE_TAGS } from '@snapcopy/core';
import { CANCELLED_TAG } from './cancel-tag.js';
import type { Ec2Calls } from './ec2-calls.js';
import type { AwsDestinationLineage } from './rules/index.js';
import { tagRecord } from './source-snapshot.js';

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
  const usable = copies.filter((s) => s.State === 'completed' && tagRecord(s)[CANCELLED_TAG] !== 'true');
  if (usable.length === 0) return undefined;
  return { previousCopyPresent: true, copyKeys: [...new Set(usable.map(copyKey))] };
}

/**
 * Earlier copies of `volumeId`'s snapshots that snapcopy made in `region` (found by the
 * lineage tag, among the caller's own snapshots).
 */
export async function readDestinationLineage(
  calls: Ec2Calls,
  region: string,
  volumeId: string,
  signal?: AbortSignal,
): Promise<AwsDestinationLineage | undefined> {
  const copies = await calls.describeSnapshots(
    region,
    { OwnerIds: ['self'], Filters: [{ Name: `tag:${LINEAGE_TAGS.sourceVolume}`, Values: [volumeId] }] },
    signal,
  );
  return lineageFromCopies(copies);
}
