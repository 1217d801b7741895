import { SnapcopyError } from '@snapcopy/core';
import { invalidRequest } from '@snapcopy/core/driver';

// The refusals the EC2 User Guide names for copying an AMI:
// - "Copy an Amazon EC2 AMI" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html):
//   copying is from an available AMI; cross-account copies need read access to the storage
//   that backs the AMI, and to the keys of its encrypted snapshots; encryption and copying:
//   scenario 4 (encrypted to unencrypted) is not supported, and an instance store-backed
//   AMI cannot change its encryption by being copied.
// - The CopyImage API reference (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopyImage.html):
//   an AMI cannot be copied from an Outpost to a Region.

/** What the refusals of an AMI copy depend on. */
export interface AwsImageCopyInput {
  readonly imageId: string;
  /** `State` of the source AMI (`available`, `pending`, `failed`, `deregistered`, …). */
  readonly state: string;
  readonly rootDeviceType: 'ebs' | 'instance-store';
  /** The AMI lives on an Outpost (its snapshots are local to it). */
  readonly onOutpost: boolean;
  readonly ownership: 'owned' | 'shared';
  /** What the caller asked for: `ImageCopyRequest.encryption`. */
  readonly requested?: { readonly encrypted?: boolean; readonly kmsKeyId?: string };
  /** The backing snapshots, as the caller can see them. */
  readonly backingSnapshots: readonly {
    readonly snapshotId: string;
    /** The caller can read it: its own, or shared with it (DescribeSnapshots shows it). */
    readonly readable: boolean;
    /** Known once read: whether it is encrypted. */
    readonly encrypted?: boolean;
    /** Whether the caller may use its key; undefined when not known (EC2 checks it after the copy starts). */
    readonly keyUsable?: boolean;
  }[];
}

/** The name of the guide rule that refused a copy. */
export type AwsImageCopyRule =
  | 'source-not-available'
  | 'outpost-source'
  | 'instance-store-encryption'
  | 'encrypted-to-unencrypted'
  | 'storage-not-readable'
  | 'key-not-shared';

function refused(
  code: SnapcopyError['code'],
  rule: AwsImageCopyRule,
  message: string,
  extra: Record<string, unknown> = {},
): SnapcopyError {
  return new SnapcopyError(code, `aws: ${message}`, {
    provider: 'aws',
    details: { scope: 'request', rule, ...extra },
  });
}

/**
 * The first guide rule that refuses this AMI copy, as the error to throw, or `undefined`
 * when the copy may go ahead. Pure. The encryption of each backing snapshot is decided
 * afterwards by the snapshot rule (`resolveAwsEncryption`), which the guide's copying
 * scenarios restate per snapshot.
 */
export function awsImageCopyRefusal(input: AwsImageCopyInput): SnapcopyError | undefined {
  if (input.state !== 'available') {
    return invalidRequest(
      [
        {
          path: 'source.imageId',
          message: `is ${input.state}; only an available AMI can be copied (EC2: InvalidAMIID.Unavailable)`,
        },
      ],
      'aws',
    );
  }
  if (input.onOutpost) {
    return refused(
      'UNSUPPORTED',
      'outpost-source',
      `${input.imageId} is on an Outpost; an AMI cannot be copied from an Outpost to a Region`,
    );
  }
  const changesEncryption = input.requested?.encrypted === true || input.requested?.kmsKeyId !== undefined;
  if (input.rootDeviceType === 'instance-store' && changesEncryption) {
    return refused(
      'UNSUPPORTED',
      'instance-store-encryption',
      `${input.imageId} is instance store-backed: it has no snapshots, so copying it cannot change its encryption`,
    );
  }
  const encrypted = input.backingSnapshots.filter((s) => s.encrypted === true);
  if (input.requested?.encrypted === false && encrypted.length > 0) {
    return new SnapcopyError(
      'ENCRYPTION_RULE',
      `aws: ${input.imageId} has encrypted backing snapshots (${encrypted.map((s) => s.snapshotId).join(', ')}); an encrypted snapshot cannot be copied to an unencrypted one`,
      {
        provider: 'aws',
        details: {
          scope: 'request',
          rule: 'encrypted-to-unencrypted',
          sourceEncrypted: true,
          requested: false,
        },
      },
    );
  }
  if (input.ownership === 'shared') {
    const unreadable = input.backingSnapshots.filter((s) => !s.readable);
    if (unreadable.length > 0) {
      return refused(
        'ACCESS_DENIED',
        'storage-not-readable',
        `${input.imageId} is shared with you, but its backing snapshots (${unreadable.map((s) => s.snapshotId).join(', ')}) are not: the owner must share the storage of the AMI too`,
      );
    }
    const keyNotShared = input.backingSnapshots.filter((s) => s.encrypted === true && s.keyUsable === false);
    if (keyNotShared.length > 0) {
      return refused(
        'ACCESS_DENIED',
        'key-not-shared',
        `the keys of the encrypted backing snapshots ${keyNotShared.map((s) => s.snapshotId).join(', ')} of the shared AMI ${input.imageId} are not shared with you: the owner must share them`,
      );
    }
  }
  return undefined;
}
