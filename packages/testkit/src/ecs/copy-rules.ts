/**
 * ECS CopySnapshot rules, written from Alibaba's documentation independently of the
 * adapter in packages/alibaba, so that each checks the other.
 */

/** What the encryption outcome depends on. */
export interface EcsEncryptionInput {
  readonly sourceEncrypted: boolean;
  /** The `Encrypted` parameter; undefined when absent. */
  readonly encryptedParam: boolean | undefined;
  /** Whether `KMSKeyId` was given. */
  readonly kmsKeyGiven: boolean;
  readonly sameRegion: boolean;
}

/** The copy's encryption, or the synchronous refusal ECS answers with. */
export type EcsEncryptionOutcome =
  | { readonly kind: 'refused'; readonly code: string; readonly message: string }
  | { readonly kind: 'copy'; readonly encrypted: false }
  | { readonly kind: 'copy'; readonly encrypted: true; readonly key: 'service' | 'given' };

/**
 * Decides the copy's encryption:
 * - `KMSKeyId` needs `Encrypted=true` (`InvalidEncrypted.NotMatchKmsKeyId`);
 * - an encrypted source cannot be copied with `Encrypted=false` (`InvalidEncrypted.NotSupportDecrypt`);
 *   with `Encrypted` absent the copy stays encrypted, with the destination's service key
 *   (KMS keys are regional, so the source's key cannot follow the copy);
 * - an unencrypted (standard) copy must change region (`InvalidOperation.NotSupportCopyInSameRegion`);
 * - an encrypted copy uses the given CMK, else the service key `alias/acs/ecs`.
 */
export function resolveEcsCopyEncryption(input: EcsEncryptionInput): EcsEncryptionOutcome {
  if (input.kmsKeyGiven && input.encryptedParam !== true) {
    return {
      kind: 'refused',
      code: 'InvalidEncrypted.NotMatchKmsKeyId',
      message: 'The KMSKeyId can only be specified when Encrypted is true.',
    };
  }
  if (input.sourceEncrypted && input.encryptedParam === false) {
    return {
      kind: 'refused',
      code: 'InvalidEncrypted.NotSupportDecrypt',
      message: 'An encrypted snapshot cannot be copied to an unencrypted snapshot.',
    };
  }
  const encrypted = input.encryptedParam === true || input.sourceEncrypted;
  if (!encrypted) {
    if (input.sameRegion) {
      return {
        kind: 'refused',
        code: 'InvalidOperation.NotSupportCopyInSameRegion',
        message: 'A standard snapshot cannot be copied within the same region.',
      };
    }
    return { kind: 'copy', encrypted: false };
  }
  return { kind: 'copy', encrypted: true, key: input.kmsKeyGiven ? 'given' : 'service' };
}

/** What the billed size of a copy depends on. */
export interface EcsBillingInput {
  readonly sourceEncrypted: boolean;
  readonly copyEncrypted: boolean;
  readonly snapshotSizeGiB: number;
  readonly diskSizeGiB: number;
  readonly changedGiB: number;
  /**
   * An earlier completed copy of the same disk is still in the destination region with
   * the same encryption and key (none, or the same key).
   */
  readonly priorCopyWithSameKey: boolean;
}

/** The size basis and billed GiB of a copy. */
export interface EcsBilling {
  readonly sizeBasis: 'delta' | 'snapshot' | 'disk';
  readonly transfer: 'incremental' | 'full';
  readonly gib: number;
}

/**
 * ECS copy billing (DESIGN.md "Alibaba ECS"): a later copy of the same lineage to the same
 * region with the same key moves only the delta; otherwise a standard copy moves the full
 * snapshot, the first encrypted copy of an unencrypted snapshot the source disk's size,
 * and an encrypted copy of an encrypted snapshot the full snapshot. A key change has no
 * prior copy with the same key, so it starts a new full copy.
 */
export function ecsCopyBilling(input: EcsBillingInput): EcsBilling {
  if (input.priorCopyWithSameKey)
    return { sizeBasis: 'delta', transfer: 'incremental', gib: input.changedGiB };
  if (input.copyEncrypted && !input.sourceEncrypted) {
    return { sizeBasis: 'disk', transfer: 'full', gib: input.diskSizeGiB };
  }
  return { sizeBasis: 'snapshot', transfer: 'full', gib: input.snapshotSizeGiB };
}
