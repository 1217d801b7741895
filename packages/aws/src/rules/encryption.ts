import { type ResolvedEncryption, SnapcopyError } from '@snapcopy/core';
import { invalidRequest } from '@snapcopy/core/driver';

/** The AWS managed key EBS uses when an account has not chosen its own default key. */
export const AWS_EBS_MANAGED_KEY_ALIAS = 'alias/aws/ebs';

/** Everything the encryption outcome of one CopySnapshot call depends on. */
export interface AwsEncryptionInput {
  /** What the caller asked for (`CopyRequest.encryption`). */
  readonly request?: { readonly encrypted?: boolean; readonly kmsKeyId?: string };
  readonly source: {
    readonly region: string;
    readonly encrypted: boolean;
    /** The source snapshot's key, as DescribeSnapshots reports it, when encrypted. */
    readonly kmsKeyId?: string;
    /** `owned` by the caller, or `shared` with the caller by another account. */
    readonly ownership: 'owned' | 'shared';
  };
  readonly destination: {
    readonly region: string;
    /** GetEbsEncryptionByDefault of the caller's account in the destination region. */
    readonly encryptionByDefault: boolean;
    /**
     * GetEbsDefaultKmsKeyId of the caller's account in the destination region;
     * {@link AWS_EBS_MANAGED_KEY_ALIAS} when absent.
     */
    readonly defaultKmsKeyId?: string;
  };
}

/** The encryption members of a CopySnapshot request, exactly as they must be sent. */
export interface AwsCopyEncryptionParams {
  /** Sent only when the outcome depends on it; AWS accepts no `false`. */
  readonly Encrypted?: true;
  /** Sent only when the caller gave a key. */
  readonly KmsKeyId?: string;
}

/** The resolved encryption of a copy, the wire parameters that produce it, and why. */
export interface AwsEncryptionOutcome {
  readonly encryption: ResolvedEncryption;
  readonly wire: AwsCopyEncryptionParams;
  readonly reasons: readonly string[];
}

function encryptionRule(message: string, details: Record<string, unknown>): SnapcopyError {
  return new SnapcopyError('ENCRYPTION_RULE', message, { provider: 'aws', details });
}

/**
 * Resolves what encryption an AWS EBS snapshot copy will have, and the `Encrypted` /
 * `KmsKeyId` parameters to send for it. Pure; throws a `SnapcopyError` with
 * `INVALID_REQUEST` for a key without encryption and `ENCRYPTION_RULE` for an
 * unencrypted copy AWS cannot make.
 *
 * The rules are those of the EBS User Guide, "Copy an Amazon EBS snapshot" →
 * "Encryption and snapshot copying" (outcome table) and the CopySnapshot API reference.
 */
export function resolveAwsEncryption(input: AwsEncryptionInput): AwsEncryptionOutcome {
  const { source, destination } = input;
  const asked = input.request?.encrypted;
  const key = input.request?.kmsKeyId;
  const defaultKey = destination.defaultKmsKeyId || AWS_EBS_MANAGED_KEY_ALIAS;
  const crossRegion = source.region !== destination.region;

  // AWS itself rejects KmsKeyId without Encrypted=true, even under encryption by default;
  // core's schema checks this too, but the rule must not depend on having been parsed.
  if (key !== undefined && asked !== true) {
    throw invalidRequest(
      [{ path: 'encryption.kmsKeyId', message: 'a key needs encryption: set encryption.encrypted to true' }],
      'aws',
    );
  }
  if (key !== undefined && key.length === 0) {
    throw invalidRequest([{ path: 'encryption.kmsKeyId', message: 'must not be empty' }], 'aws');
  }
  if (asked === false && source.encrypted) {
    throw encryptionRule(
      'AWS cannot make an unencrypted copy of an encrypted snapshot: remove encryption.encrypted=false',
      { sourceEncrypted: true, requested: false },
    );
  }
  if (asked === false && destination.encryptionByDefault) {
    throw encryptionRule(
      `encryption by default is on for the destination account in ${destination.region}, so AWS encrypts ` +
        'every copy made there: an unencrypted copy cannot be made',
      { sourceEncrypted: false, requested: false, encryptionByDefault: true },
    );
  }

  if (key !== undefined) {
    return {
      encryption: { encrypted: true, kmsKeyId: key, keySource: 'given-key' },
      wire: { Encrypted: true, KmsKeyId: key },
      reasons: [
        source.encrypted
          ? `the copy is re-encrypted under the given key ${key}`
          : `the unencrypted source is encrypted under the given key ${key}`,
      ],
    };
  }

  if (source.encrypted) {
    // Encrypted is never sent here: copies of encrypted snapshots are always encrypted.
    if (source.ownership === 'shared') {
      return {
        encryption: { encrypted: true, kmsKeyId: defaultKey, keySource: 'default-key' },
        wire: {},
        reasons: [
          `the source is encrypted and shared with you: with no key given, AWS encrypts the copy under your default EBS key in ${destination.region} (${defaultKey})`,
        ],
      };
    }
    if (crossRegion) {
      // KMS keys are regional, so the source's key does not exist in the destination region.
      // The CopySnapshot API reference says "By default, encrypted snapshot copies use the
      // default KMS key; however, you can specify a different KMS key", and for KmsKeyId "If
      // this parameter is not specified, your KMS key for Amazon EBS is used": the default EBS
      // key of the region the call is sent to, i.e. the destination. Read in the SDK copies of
      // that reference (docs.aws.amazon.com/sdk-for-kotlin/api/latest/ec2/aws.sdk.kotlin.services.ec2/
      // -ec2-client/copy-snapshot.html and .../-copy-snapshot-request/-builder). The user
      // guide's "encrypted by the same key" row for owned snapshots can only hold within one
      // region; no AWS page states the cross-region row outright, so this is the reading above.
      return {
        encryption: { encrypted: true, kmsKeyId: defaultKey, keySource: 'default-key' },
        wire: {},
        reasons: [
          `the source is encrypted under a key of ${source.region}; KMS keys are regional, so with no key given AWS encrypts the copy under your default EBS key in ${destination.region} (${defaultKey})`,
        ],
      };
    }
    return {
      encryption: {
        encrypted: true,
        ...(source.kmsKeyId === undefined ? {} : { kmsKeyId: source.kmsKeyId }),
        keySource: 'source-key',
      },
      wire: {},
      reasons: [
        `the source is yours and encrypted: with no key given, the copy keeps the source's key${source.kmsKeyId === undefined ? '' : ` (${source.kmsKeyId})`}`,
      ],
    };
  }

  if (asked === true) {
    // Encrypted=true is sent even when encryption by default is on, so that the outcome the
    // caller asked for does not hang on an account setting that may change before the copy.
    return {
      encryption: { encrypted: true, kmsKeyId: defaultKey, keySource: 'default-key' },
      wire: { Encrypted: true },
      reasons: [
        `encryption was asked for with no key: AWS encrypts the unencrypted source under your default EBS key in ${destination.region} (${defaultKey})`,
      ],
    };
  }
  if (destination.encryptionByDefault) {
    return {
      encryption: { encrypted: true, kmsKeyId: defaultKey, keySource: 'default-key' },
      wire: {},
      reasons: [
        `encryption by default is on in ${destination.region}: AWS encrypts the copy of the unencrypted source under your default EBS key (${defaultKey})`,
      ],
    };
  }
  return {
    encryption: { encrypted: false, keySource: 'none' },
    wire: {},
    reasons: [
      asked === false
        ? 'an unencrypted copy was asked for and the source is unencrypted: the copy stays unencrypted (AWS takes no Encrypted=false, so none is sent)'
        : `the source is unencrypted and encryption by default is off in ${destination.region}: the copy stays unencrypted`,
    ],
  };
}
