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

/** The most recent copy of the same disk in the destination region, as billing sees it. */
export interface EcsPriorCopy {
  readonly encrypted: boolean;
  /** Key id of an encrypted copy. */
  readonly keyId?: string;
  /** GiB that differ between the new copy's source and the snapshot this copy was made from. */
  readonly deltaGiB: number;
}

/** What the billed size of a copy depends on. */
export interface EcsBillingInput {
  readonly sourceEncrypted: boolean;
  readonly copyEncrypted: boolean;
  /** Key id of an encrypted copy. */
  readonly copyKeyId?: string;
  readonly snapshotSizeGiB: number;
  readonly diskSizeGiB: number;
  /** The most recent completed copy of the disk still in the destination region, if any. */
  readonly mostRecentCopy?: EcsPriorCopy;
}

/** The size basis and billed GiB of a copy. */
export interface EcsBilling {
  readonly sizeBasis: 'delta' | 'snapshot' | 'disk';
  readonly transfer: 'incremental' | 'full';
  readonly gib: number;
}

/**
 * ECS copy billing, from the "Copy a snapshot" billing table: a later copy of the disk to
 * the same destination moves only what changed since the source of the most recent copy
 * there, when that copy has the same encryption and key; otherwise a standard copy moves
 * the full snapshot, an encrypted copy of an unencrypted snapshot the source disk's size,
 * and an encrypted copy of an encrypted snapshot the full snapshot. Changing the key
 * (including back to a key used earlier) starts a new full copy, after which copies under
 * the new key are incremental again.
 */
export function ecsCopyBilling(input: EcsBillingInput): EcsBilling {
  const prior = input.mostRecentCopy;
  const sameKey =
    prior !== undefined &&
    prior.encrypted === input.copyEncrypted &&
    (!prior.encrypted || prior.keyId === input.copyKeyId);
  if (sameKey) return { sizeBasis: 'delta', transfer: 'incremental', gib: prior.deltaGiB };
  if (input.copyEncrypted && !input.sourceEncrypted) {
    return { sizeBasis: 'disk', transfer: 'full', gib: input.diskSizeGiB };
  }
  return { sizeBasis: 'snapshot', transfer: 'full', gib: input.snapshotSizeGiB };
}

/**
 * The copy of a disk in the destination that a new copy is measured against: the most
 * recently completed one that still exists (copies of one disk to one region run one at
 * a time, so completion order is creation order).
 */
export function mostRecentCompletedCopy<T extends { readonly state: string; readonly completedAt?: number }>(
  copies: readonly T[],
): T | undefined {
  let best: T | undefined;
  for (const c of copies) {
    if (c.state !== 'completed' || c.completedAt === undefined) continue;
    if (!best || c.completedAt >= best.completedAt!) best = c;
  }
  return best;
}

/** What {@link billDiskCopy} reads of a snapshot: the source, or an earlier copy of its disk. */
interface BilledSnapshot {
  readonly id: string;
  readonly state: string;
  readonly completedAt?: number;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  readonly sizeGiB: number;
  readonly volumeSizeGiB: number;
  readonly copy?: { readonly sourceSnapshotId: string };
}

/**
 * {@link ecsCopyBilling} of a copy of `source` under `copy`'s encryption, measured against
 * the most recent completed one among `earlier` (the disk's copies in the destination);
 * `changedGiB(a, b)` is what differs between two snapshots of the disk.
 */
export function billDiskCopy(
  source: BilledSnapshot,
  copy: { readonly encrypted: boolean; readonly keyId?: string | undefined },
  earlier: readonly BilledSnapshot[],
  changedGiB: (a: string, b: string) => number,
): EcsBilling {
  const prior = mostRecentCompletedCopy(earlier);
  return ecsCopyBilling({
    sourceEncrypted: source.encrypted,
    copyEncrypted: copy.encrypted,
    ...(copy.keyId !== undefined ? { copyKeyId: copy.keyId } : {}),
    snapshotSizeGiB: source.sizeGiB,
    diskSizeGiB: source.volumeSizeGiB,
    ...(prior
      ? {
          mostRecentCopy: {
            encrypted: prior.encrypted,
            ...(prior.kmsKeyId !== undefined ? { keyId: prior.kmsKeyId } : {}),
            deltaGiB: changedGiB(source.id, prior.copy?.sourceSnapshotId ?? prior.id),
          },
        }
      : {}),
  });
}
