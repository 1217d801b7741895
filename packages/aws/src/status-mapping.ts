import type { Snapshot } from '@aws-sdk/client-ec2';
import { absentCopyStatus, type CopyState, type CopyStatus, parseProgressPercent } from '@snapcopy/core';
import { CANCELLED_TAG } from './cancel-tag.js';

/** `"56%"` → 56; anything unreadable → `fallback`. */
export function parseProgress(progress: string | undefined, fallback: number): number {
  return parseProgressPercent(progress, fallback, Math.round);
}

function isTaggedCancelled(snapshot: Snapshot): boolean {
  for (const t of snapshot.Tags ?? []) if (t.Key === CANCELLED_TAG) return t.Value === 'true';
  return false;
}

/**
 * One DescribeSnapshots item as a provider-neutral status. `pending`/`recovering` are in
 * progress, `completed` done, `error` failed with AWS's message; `recoverable` means the
 * snapshot was deleted into the Recycle Bin. A copy snapcopy cancelled (tagged, or
 * remembered in this process) reads `cancelled` while AWS finishes deleting it.
 */
export function snapshotStatus(region: string, snapshot: Snapshot, cancelledHere: boolean): CopyStatus {
  const raw = snapshot.State ?? 'unknown';
  const cancelled = cancelledHere || isTaggedCancelled(snapshot);
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
  if (cancelled) {
    state = 'cancelled';
    message =
      raw === 'pending'
        ? 'cancelled: AWS deletes the copy when it completes'
        : `cancelled${message ? ` (${message})` : ''}`;
  }
  const progress = raw === 'completed' ? 100 : parseProgress(snapshot.Progress, 0);
  // Assigned, not spread: this runs for every id of every poll round.
  const status: { -readonly [K in keyof CopyStatus]: CopyStatus[K] } = {
    region,
    snapshotId: snapshot.SnapshotId ?? '',
    state,
    progress,
    rawState: raw,
  };
  if (message !== undefined) status.message = message;
  if (snapshot.Encrypted !== undefined) status.encrypted = snapshot.Encrypted;
  if (snapshot.KmsKeyId) status.kmsKeyId = snapshot.KmsKeyId;
  return status;
}

/** The status of an id AWS no longer returns. */
export function absentStatus(region: string, snapshotId: string, cancelledHere: boolean): CopyStatus {
  return absentCopyStatus({ region, snapshotId }, cancelledHere, {
    cancelled: 'cancelled: the copy has been deleted',
    gone: `${snapshotId} no longer exists in ${region} (deleted, or never a snapshot of this account)`,
  });
}
