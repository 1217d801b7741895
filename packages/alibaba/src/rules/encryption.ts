import type { KmsCharges, ResolvedEncryption, SnapcopyError } from '@snapcopy/core';
import { refuse } from './rule-error.js';

/**
 * The ECS service key that encrypts a copy when no key is given. It is free; a customer
 * key (CMK) may be charged by KMS.
 */
export const ALIBABA_DEFAULT_SERVICE_KEY = 'alias/acs/ecs';

/** What the encryption rule needs to know about one copy. */
export interface AlibabaEncryptionInput {
  readonly sourceRegion: string;
  readonly destinationRegion: string;
  /** Whether the source snapshot is encrypted (it is when its disk was encrypted). */
  readonly sourceEncrypted: boolean;
  /** What the request asks for: `CopyRequest.encryption`. */
  readonly requested?: { readonly encrypted?: boolean; readonly kmsKeyId?: string };
}

/** The encryption parameters of ECS CopySnapshot, exactly as they go on the wire. */
export interface AlibabaCopyEncryptionParams {
  readonly Encrypted?: true;
  readonly KMSKeyId?: string;
}

/** The resolved encryption of one copy and how to ask ECS for it. */
export interface AlibabaEncryptionResolution {
  readonly encryption: ResolvedEncryption;
  /** Spread into the CopySnapshot request. Empty for a standard (unencrypted) copy. */
  readonly wire: AlibabaCopyEncryptionParams;
  readonly kms: KmsCharges;
  /** Plain-words reasons, in the order the decisions were taken. */
  readonly reasons: readonly string[];
}

/** The error for an unencrypted copy of an encrypted snapshot (ECS: `InvalidEncrypted.NotSupportDecrypt`). */
export function decryptOnCopyError(): SnapcopyError {
  return refuse(
    'ENCRYPTION_RULE',
    'the source snapshot is encrypted; Alibaba cannot make an unencrypted copy of it',
    {
      rule: 'encrypted-source-stays-encrypted',
      mirrors: 'InvalidEncrypted.NotSupportDecrypt',
      capability: 'decryptOnCopy',
      remedy: 'leave encryption.encrypted unset or set it to true',
    },
  );
}

/**
 * The error for a standard copy into the source region (ECS:
 * `InvalidOperation.NotSupportCopyInSameRegion`). `details.scope` is `request`: the same
 * copy encrypted, or to another region, would be accepted.
 */
export function sameRegionStandardCopyError(region: string): SnapcopyError {
  return refuse(
    'UNSUPPORTED',
    `Alibaba does not make an unencrypted copy in the source region (${region}); copy to another region, or ask for an encrypted copy`,
    {
      rule: 'same-region-standard-copy',
      mirrors: 'InvalidOperation.NotSupportCopyInSameRegion',
      capability: 'sameRegionStandardCopy',
      remedy: 'choose another destination region or set encryption.encrypted to true',
    },
  );
}

// `acs:kms:<region>:<account>:key/<id>` or `…:alias/<name>`: the only key form whose region we can read.
const KMS_ARN = /^acs:kms:([^:]*):/;

/**
 * Resolves the encryption of an ECS snapshot copy. Pure: no provider call.
 *
 * Rules (CopySnapshot API reference; docs/alibaba-ecs-rules.md):
 * - `KMSKeyId` needs `Encrypted=true` (ECS: `InvalidEncrypted.NotMatchKmsKeyId`) → `INVALID_REQUEST`.
 * - A key named by ARN must be in the destination region ("Copy a snapshot": an encrypted
 *   copy uses a KMS key of the destination region) → `ENCRYPTION_RULE`.
 * - Snapshots of encrypted disks must be copied encrypted; `encrypted: false` on an
 *   encrypted source (ECS: `InvalidEncrypted.NotSupportDecrypt`) → `ENCRYPTION_RULE`.
 *   Without a flag the copy of an encrypted source is encrypted and `Encrypted=true` is sent.
 * - A standard (unencrypted) copy must go to another region
 *   (ECS: `InvalidOperation.NotSupportCopyInSameRegion`) → `UNSUPPORTED` with
 *   `details.scope = 'request'`: an encrypted copy in the same region would be accepted.
 * - Encrypted with a key given → that key (a KMS key in the destination region, may be
 *   charged); without a key → the free service key `alias/acs/ecs`.
 *
 * Key references are compared and checked through KMS afterwards (see `checkAlibabaKey`).
 *
 * @throws SnapcopyError `INVALID_REQUEST`, `ENCRYPTION_RULE` or `UNSUPPORTED` as above.
 */
export function resolveAlibabaEncryption(input: AlibabaEncryptionInput): AlibabaEncryptionResolution {
  const { sourceRegion, destinationRegion, sourceEncrypted } = input;
  const asked = input.requested?.encrypted;
  const givenKey = input.requested?.kmsKeyId;
  const sameRegion = sourceRegion === destinationRegion;
  const reasons: string[] = [];

  if (givenKey !== undefined && asked !== true) {
    throw refuse('INVALID_REQUEST', 'a KMS key needs encryption: set encryption.encrypted to true', {
      rule: 'key-needs-encrypted',
      mirrors: 'InvalidEncrypted.NotMatchKmsKeyId',
      path: 'encryption.kmsKeyId',
      remedy: 'set encryption.encrypted to true',
    });
  }
  const keyRegion = givenKey === undefined ? undefined : KMS_ARN.exec(givenKey)?.[1];
  if (keyRegion !== undefined && keyRegion !== destinationRegion) {
    throw refuse(
      'ENCRYPTION_RULE',
      `the KMS key is in ${keyRegion || 'no region'}, but an Alibaba copy must use a key in the destination region ${destinationRegion}`,
      {
        rule: 'key-in-destination-region',
        mirrors: 'InvalidParameter.KMSKeyId.NotFound',
        path: 'encryption.kmsKeyId',
        remedy: `use a KMS key in ${destinationRegion}`,
      },
    );
  }
  if (sourceEncrypted && asked === false) throw decryptOnCopyError();

  const encrypted = sourceEncrypted || asked === true;
  if (!encrypted && sameRegion) throw sameRegionStandardCopyError(sourceRegion);

  if (!encrypted) {
    reasons.push(
      `Standard (unencrypted) copy from ${sourceRegion} to ${destinationRegion}: the source is unencrypted and no encryption was asked for.`,
    );
    return {
      encryption: { encrypted: false, keySource: 'none' },
      wire: {},
      kms: { customerManagedKey: false, serviceKey: false },
      reasons,
    };
  }

  if (sourceEncrypted) {
    reasons.push(
      asked === true
        ? 'The source snapshot is encrypted and an encrypted copy was asked for.'
        : 'The source snapshot is encrypted, so Alibaba requires an encrypted copy: Encrypted=true is sent.',
    );
  } else {
    reasons.push('The source snapshot is unencrypted and encryption was asked for: the copy is encrypted.');
  }
  if (sameRegion) {
    reasons.push(
      `Encrypted copy within ${sourceRegion}: Alibaba allows a same-region copy only when it is encrypted.`,
    );
  }

  if (givenKey === undefined || givenKey === ALIBABA_DEFAULT_SERVICE_KEY) {
    reasons.push(
      givenKey === undefined
        ? `No key was given: the copy uses the ECS service key ${ALIBABA_DEFAULT_SERVICE_KEY} in ${destinationRegion}, which is free.`
        : `The given key is the ECS service key ${ALIBABA_DEFAULT_SERVICE_KEY}, which is free.`,
    );
    if (sourceEncrypted && !sameRegion) {
      reasons.push("The source's key stays in its own region; the copy is re-encrypted in the destination.");
    }
    return {
      encryption: {
        encrypted: true,
        kmsKeyId: ALIBABA_DEFAULT_SERVICE_KEY,
        keySource: givenKey === undefined ? 'default-key' : 'given-key',
      },
      wire: givenKey === undefined ? { Encrypted: true } : { Encrypted: true, KMSKeyId: givenKey },
      kms: { customerManagedKey: false, serviceKey: true },
      reasons,
    };
  }

  reasons.push(
    `The copy is encrypted with the given key ${givenKey}, which must be a KMS key in ${destinationRegion}; KMS may charge for a customer key and its use.`,
  );
  return {
    encryption: { encrypted: true, kmsKeyId: givenKey, keySource: 'given-key' },
    wire: { Encrypted: true, KMSKeyId: givenKey },
    kms: { customerManagedKey: true, serviceKey: false },
    reasons,
  };
}
