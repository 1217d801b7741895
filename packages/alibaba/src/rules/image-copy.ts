import type { KmsCharges, ResolvedEncryption, SnapcopyError } from '@snapcopy/core';
import { ALIBABA_DEFAULT_SERVICE_KEY, resolveAlibabaEncryption } from './encryption.js';
import { refuse } from './rule-error.js';

// Rules of ECS CopyImage, from its API reference
// (https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-copyimage):
// only an `Available` custom image is copied; it must be yours or shared with you (the copy
// is yours); `KMSKeyId` needs `Encrypted`; `Encrypted=true` encrypts the copy with the given
// key, else the service key; with `Encrypted` absent ECS decides per disk. Its error codes
// name the others: `OperationDenied.CommunityImage` (community images are not copied),
// `OperationDenied.SameRegionOnly` (a shared image is copied within its region only),
// `OperationDeined.EncryptedSnapshot` (an image with encrypted snapshots is not copied
// unencrypted). See docs/alibaba-image-rules.md for what snapcopy assumes where the
// reference leaves the choice to ECS.

/** What the refusals of an ECS image copy depend on. */
export interface AlibabaImageCopyInput {
  readonly imageId: string;
  /** `Status` of the source image. */
  readonly status: string;
  readonly ownership: 'owned' | 'shared';
  /** Published as a community image (`IsPublic`) by another account. */
  readonly community: boolean;
  readonly sameRegion: boolean;
  readonly requested?: { readonly encrypted?: boolean; readonly kmsKeyId?: string };
  /** Whether each disk's snapshot is encrypted. */
  readonly disks: readonly { readonly snapshotId?: string; readonly encrypted: boolean }[];
}

/**
 * The first CopyImage rule that refuses this copy, as the error to throw, or `undefined`.
 * Pure.
 */
export function alibabaImageCopyRefusal(input: AlibabaImageCopyInput): SnapcopyError | undefined {
  if (input.status !== 'Available') {
    return refuse(
      'INVALID_REQUEST',
      `the source image is ${input.status}; only an Available image can be copied`,
      {
        rule: 'source-not-available',
        mirrors: 'IncorrectImageStatus',
        path: 'source.imageId',
      },
    );
  }
  if (input.community) {
    return refuse(
      'UNSUPPORTED',
      `${input.imageId} is a community image; ECS does not copy community images`,
      {
        rule: 'community-image',
        mirrors: 'OperationDenied.CommunityImage',
      },
    );
  }
  if (input.ownership === 'shared' && !input.sameRegion) {
    return refuse(
      'UNSUPPORTED',
      `${input.imageId} is shared with you: ECS copies a shared image only within its region; copy it there first, then copy your copy`,
      {
        rule: 'shared-image-same-region-only',
        mirrors: 'OperationDenied.SameRegionOnly',
        capability: 'crossAccountCopyAcrossRegions',
        remedy: 'copy the image within its region, then copy the copy to the other region',
      },
    );
  }
  if (input.requested?.encrypted === false && input.disks.some((d) => d.encrypted)) {
    return refuse(
      'ENCRYPTION_RULE',
      `${input.imageId} has encrypted snapshots; ECS does not copy them to unencrypted ones`,
      {
        rule: 'encrypted-image-stays-encrypted',
        mirrors: 'OperationDeined.EncryptedSnapshot',
        capability: 'decryptOnCopy',
        remedy: 'leave encryption.encrypted unset or set it to true',
      },
    );
  }
  return undefined;
}

/** What the encryption of one disk's copy depends on. */
export interface AlibabaImageDiskEncryptionInput {
  readonly sourceRegion: string;
  readonly destinationRegion: string;
  readonly ownership: 'owned' | 'shared';
  readonly disk: { readonly encrypted: boolean; readonly kmsKeyId?: string };
  readonly requested?: { readonly encrypted?: boolean; readonly kmsKeyId?: string };
}

/** The encryption of one disk's copy and why. */
export interface AlibabaImageDiskEncryption {
  readonly encryption: ResolvedEncryption;
  readonly kms: KmsCharges;
  readonly reasons: readonly string[];
}

/**
 * The encryption of one disk's copy. With `Encrypted=true` every disk is encrypted under the
 * given key, else the service key (the snapshot rule, `resolveAlibabaEncryption`, which also
 * checks the key's region). Without it each disk keeps its encryption: an unencrypted one
 * stays unencrypted; an encrypted one keeps its key when the copy stays in the region of the
 * caller's own image, and takes the destination's service key otherwise (KMS keys are
 * regional, and a shared image's key is the owner's). Pure.
 */
export function resolveAlibabaImageDiskEncryption(
  input: AlibabaImageDiskEncryptionInput,
): AlibabaImageDiskEncryption {
  const { disk, requested } = input;
  if (requested?.encrypted === true || requested?.kmsKeyId !== undefined) {
    return resolveAlibabaEncryption({
      sourceRegion: input.sourceRegion,
      destinationRegion: input.destinationRegion,
      sourceEncrypted: disk.encrypted,
      requested,
    });
  }
  if (!disk.encrypted) {
    return {
      encryption: { encrypted: false, keySource: 'none' },
      kms: { customerManagedKey: false, serviceKey: false },
      reasons: ['The disk is unencrypted and no encryption was asked for: its copy stays unencrypted.'],
    };
  }
  const keepsKey =
    input.sourceRegion === input.destinationRegion &&
    input.ownership === 'owned' &&
    disk.kmsKeyId !== undefined;
  if (keepsKey) {
    return {
      encryption: { encrypted: true, kmsKeyId: disk.kmsKeyId!, keySource: 'source-key' },
      // The key may be a customer key: counting it as one can only over-estimate.
      kms: { customerManagedKey: disk.kmsKeyId !== ALIBABA_DEFAULT_SERVICE_KEY, serviceKey: false },
      reasons: [
        `The disk is encrypted and the copy stays in ${input.sourceRegion}: it keeps its key (${disk.kmsKeyId}).`,
      ],
    };
  }
  return {
    encryption: { encrypted: true, kmsKeyId: ALIBABA_DEFAULT_SERVICE_KEY, keySource: 'default-key' },
    kms: { customerManagedKey: false, serviceKey: true },
    reasons: [
      input.ownership === 'shared'
        ? `The disk of the shared image is encrypted under the owner's key: its copy is encrypted under your service key ${ALIBABA_DEFAULT_SERVICE_KEY}.`
        : `The disk is encrypted; its key stays in ${input.sourceRegion}, so the copy in ${input.destinationRegion} is encrypted under the service key ${ALIBABA_DEFAULT_SERVICE_KEY}.`,
    ],
  };
}
