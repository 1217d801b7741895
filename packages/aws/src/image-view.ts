import type { BlockDeviceMapping, Image, Snapshot } from '@aws-sdk/client-ec2';
import type { BackingSnapshotProgress, CopyState } from '@snapcopy/core';
import type { ObservedCopy, SourceImageReading } from '@snapcopy/core/driver';
import { observedSnapshot, tagRecord } from './snapshot-view.js';

/** One EBS mapping of an AMI: the device and the snapshot behind it. */
export interface AwsBackingDevice {
  readonly deviceName: string;
  readonly snapshotId: string;
}

/** The EBS mappings of an AMI that have a snapshot, in the AMI's order. */
export function backingDevices(image: Image): AwsBackingDevice[] {
  const out: AwsBackingDevice[] = [];
  for (const m of image.BlockDeviceMappings ?? []) {
    const snapshotId = m.Ebs?.SnapshotId;
    if (snapshotId) out.push({ deviceName: m.DeviceName ?? `device-${out.length}`, snapshotId });
  }
  return out;
}

/** `ebs` unless EC2 says the root device is an instance store volume. */
export function rootDeviceTypeOf(image: Image): 'ebs' | 'instance-store' {
  return image.RootDeviceType === 'instance-store' ? 'instance-store' : 'ebs';
}

/** What a plan reads off the source AMI. */
export function readSourceImage(image: Image): SourceImageReading {
  return {
    rootDeviceType: rootDeviceTypeOf(image),
    tags: tagRecord(image),
    name: image.Name,
    ownerAccount: image.OwnerId,
  };
}

/** An AMI's `State` as a neutral state, with AWS's reason when it did not succeed. */
function stateOf(image: Image): { state: CopyState; message?: string } {
  const reason = image.StateReason?.Message || image.StateReason?.Code;
  switch (image.State) {
    case 'available':
      return { state: 'completed' };
    case 'disabled':
      return { state: 'completed', message: 'the AMI is disabled' };
    case 'pending':
    case 'transient':
      return { state: 'pending' };
    case 'deregistered':
      return { state: 'failed', message: 'the AMI was deregistered' };
    case 'failed':
    case 'error':
    case 'invalid':
      return { state: 'failed', message: reason ?? `the AMI copy ended ${image.State} (AWS gave no reason)` };
    default:
      return { state: 'pending', message: `AWS reports an unknown AMI state "${String(image.State)}"` };
  }
}

function encryptionOf(mappings: readonly BlockDeviceMapping[]): boolean | undefined {
  const flags = mappings.flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.Encrypted === true] : []));
  return flags.length === 0 ? undefined : flags.every(Boolean);
}

/**
 * One DescribeImages item as the copy protocol sees it: `available` is completed,
 * `pending` in progress, `failed` (and `error`, `invalid`) failed with AWS's reason; a
 * `deregistered` AMI (EC2 shows it for a while) reads failed unless snapcopy cancelled it.
 * EC2 gives no progress for an AMI: it is that of its least advanced backing snapshot copy
 * (they copy side by side and the AMI is available when the last one completes, so this is
 * the figure that tells when), read from `snapshots` (DescribeSnapshots of those copies).
 */
export function observedImage(
  region: string,
  image: Image,
  snapshots: ReadonlyMap<string, Snapshot> = new Map(),
): ObservedCopy {
  const { state, message } = stateOf(image);
  const devices = backingDevices(image);
  const perSnapshot: BackingSnapshotProgress[] = devices.map(({ deviceName, snapshotId }) => {
    const s = snapshots.get(snapshotId);
    if (s === undefined) return { deviceName, snapshotId, progress: state === 'completed' ? 100 : 0 };
    const seen = observedSnapshot(region, s);
    return {
      deviceName,
      snapshotId,
      progress: seen.progress,
      state: seen.state,
      ...(seen.encrypted === undefined ? {} : { encrypted: seen.encrypted }),
      ...(seen.kmsKeyId === undefined ? {} : { kmsKeyId: seen.kmsKeyId }),
    };
  });
  const progress =
    state === 'completed'
      ? 100
      : perSnapshot.length === 0
        ? 0
        : Math.min(...perSnapshot.map((s) => s.progress));
  const keys = new Set(perSnapshot.flatMap((s) => (s.kmsKeyId ? [s.kmsKeyId] : [])));
  const encrypted = encryptionOf(image.BlockDeviceMappings ?? []);
  const created = image.CreationDate ? Date.parse(image.CreationDate) : Number.NaN;
  return {
    region,
    id: image.ImageId ?? '',
    state,
    rawState: image.State ?? 'unknown',
    progress,
    tags: tagRecord(image),
    ...(message === undefined ? {} : { message }),
    ...(Number.isFinite(created) ? { createdAt: created } : {}),
    ...(encrypted === undefined ? {} : { encrypted }),
    ...(encrypted === true && keys.size === 1 ? { kmsKeyId: [...keys][0]! } : {}),
    extra: { snapshots: perSnapshot },
  };
}
