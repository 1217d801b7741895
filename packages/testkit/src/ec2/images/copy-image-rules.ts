import type { Ec2RootDeviceType } from './image-model.js';

/**
 * The simulator's own statement of the refusals the "Copy an Amazon EC2 AMI" guide names
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html), written
 * independently of the adapter it tests. The encryption outcome of each backing snapshot
 * is the CopySnapshot rule (`resolveCopyEncryption`), which the guide's per-snapshot
 * scenarios restate.
 */
export interface ImageCopyRefusalInput {
  readonly rootDeviceType: Ec2RootDeviceType;
  /** The source AMI lives on an Outpost. */
  readonly onOutpost: boolean;
  readonly ownedByCaller: boolean;
  /** The `Encrypted` parameter, when given. */
  readonly encryptedFlag?: boolean;
  readonly kmsKeyGiven: boolean;
  readonly backingSnapshots: readonly {
    readonly encrypted: boolean;
    /** The caller owns the snapshot, or it is shared with the caller or public. */
    readonly readableByCaller: boolean;
  }[];
}

/** Which guide rule refused the copy, with the error EC2 answers. */
export interface ImageCopyRefusal {
  readonly rule: 'outpost-source' | 'instance-store-encryption' | 'decrypt' | 'storage-not-readable';
  readonly code: string;
  readonly message: string;
}

/**
 * The first guide rule that refuses this copy, or undefined:
 * - an AMI cannot be copied from an Outpost to a Region;
 * - an instance-store-backed AMI has no snapshots, so its encryption cannot be changed
 *   by a copy (`Encrypted=true` or a `KmsKeyId`);
 * - an encrypted snapshot cannot be copied to an unencrypted one (`Encrypted=false`);
 * - copying an AMI shared by another account needs read access to its storage, i.e. every
 *   backing snapshot shared with the caller (the message is the one EC2 users report).
 * A shared snapshot whose KMS key the caller was not granted is not refused here: like
 * CopySnapshot, that copy starts and fails later.
 */
export function imageCopyRefusal(input: ImageCopyRefusalInput): ImageCopyRefusal | undefined {
  if (input.onOutpost) {
    return {
      rule: 'outpost-source',
      code: 'UnsupportedOperation',
      message: 'You cannot copy an AMI from an Outpost to a Region.',
    };
  }
  if (input.rootDeviceType === 'instance-store' && (input.encryptedFlag === true || input.kmsKeyGiven)) {
    return {
      rule: 'instance-store-encryption',
      code: 'InvalidParameterCombination',
      message: 'The encryption of an instance store-backed AMI cannot be changed by copying it.',
    };
  }
  if (input.encryptedFlag === false && input.backingSnapshots.some((s) => s.encrypted)) {
    return {
      rule: 'decrypt',
      code: 'InvalidParameterCombination',
      message: 'You cannot create an unencrypted copy of an encrypted snapshot.',
    };
  }
  if (!input.ownedByCaller && input.backingSnapshots.some((s) => !s.readableByCaller)) {
    return {
      rule: 'storage-not-readable',
      code: 'InvalidRequest',
      message: 'You do not have permission to access the storage of this ami',
    };
  }
  return undefined;
}
