import { Ec2ApiError } from './errors.js';
import type { QueryParams } from './query-params.js';

/** What decides the encryption of a CopySnapshot result. */
/**
 * `Encrypted` and `KmsKeyId` of a copy call (CopySnapshot, CopyImage): a key is only
 * accepted together with `Encrypted=true`.
 */
export function readEncryptionParams(p: QueryParams): { encryptedFlag?: boolean; kmsKeyId?: string } {
  const encryptedFlag = p.bool('Encrypted');
  const kmsKeyId = p.get('KmsKeyId');
  if (kmsKeyId !== undefined && encryptedFlag !== true) {
    throw new Ec2ApiError(
      'InvalidParameterDependency',
      'The parameter KmsKeyId requires the parameter Encrypted to be set.',
    );
  }
  return {
    ...(encryptedFlag === undefined ? {} : { encryptedFlag }),
    ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
  };
}

export interface CopyEncryptionInput {
  readonly sourceEncrypted: boolean;
  /** Key ARN of an encrypted source. */
  readonly sourceKeyArn?: string;
  /** The caller owns the source (as opposed to: it was shared with the caller). */
  readonly sourceOwnedByCaller: boolean;
  readonly sameRegion: boolean;
  /** The `Encrypted` parameter; `false` is ignored, as EC2 does. */
  readonly encryptedFlag?: boolean;
  /** The `KmsKeyId` parameter, as given. */
  readonly kmsKeyId?: string;
  /** Encryption by default in the destination account and region. */
  readonly encryptionByDefault: boolean;
  /** ARN of the destination account's default EBS key in the destination region. */
  readonly defaultKeyArn: string;
}

/** Where the copy's key came from, for tests and logs. */
export type CopyKeyOrigin = 'given' | 'source' | 'default';

/** The encryption of the copy: unencrypted, or encrypted with a key reference to resolve. */
export type CopyEncryptionOutcome =
  | { readonly encrypted: false }
  | { readonly encrypted: true; readonly keyRef: string; readonly origin: CopyKeyOrigin };

/**
 * EC2's encryption outcome of CopySnapshot (the simulator's own statement of the rules; it
 * deliberately does not share code with the adapter it tests):
 * - `KmsKeyId` without `Encrypted=true` → `InvalidParameterDependency`.
 * - A given key wins; it is validated later, asynchronously.
 * - Encrypted source, no key: the source's key when the caller owns it and stays in its
 *   region (a key is regional); otherwise the destination's default EBS key.
 * - Unencrypted source: encrypted with the default key when `Encrypted=true` or encryption
 *   by default is on; else unencrypted.
 */
export function resolveCopyEncryption(input: CopyEncryptionInput): CopyEncryptionOutcome {
  if (input.kmsKeyId !== undefined && input.encryptedFlag !== true) {
    throw new Ec2ApiError(
      'InvalidParameterDependency',
      'The parameter KmsKeyId requires the parameter Encrypted to be set.',
    );
  }
  if (input.kmsKeyId !== undefined) return { encrypted: true, keyRef: input.kmsKeyId, origin: 'given' };
  if (input.sourceEncrypted) {
    if (input.sourceOwnedByCaller && input.sameRegion && input.sourceKeyArn !== undefined) {
      return { encrypted: true, keyRef: input.sourceKeyArn, origin: 'source' };
    }
    return { encrypted: true, keyRef: input.defaultKeyArn, origin: 'default' };
  }
  if (input.encryptedFlag === true || input.encryptionByDefault) {
    return { encrypted: true, keyRef: input.defaultKeyArn, origin: 'default' };
  }
  return { encrypted: false };
}
