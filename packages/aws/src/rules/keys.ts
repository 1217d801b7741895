import { type ResolvedKmsKey, SnapcopyError } from '@snapcopy/core';
import { AWS_EBS_MANAGED_KEY_ALIAS } from './encryption.js';

/**
 * What AWS KMS DescribeKey answered for one key reference, in the region asked
 * (KMS API reference, DescribeKey). `denied` is an AccessDeniedException: `byKeyPolicy`
 * when the message names the resource-based (key) policy as what refused, the form IAM
 * documents for its access-denied messages; else the caller's own permissions refused, or
 * the message does not say.
 */
export type AwsKeyRead =
  | {
      readonly kind: 'found';
      readonly keyId: string;
      readonly arn: string;
      readonly account: string;
      /** `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`, `Unavailable`, … */
      readonly state: string;
      /** `AWS` for an AWS managed key (`alias/aws/ebs`), `CUSTOMER` otherwise. */
      readonly manager?: string;
      readonly keySpec?: string;
      readonly keyUsage?: string;
    }
  | { readonly kind: 'not-found'; readonly message: string }
  | { readonly kind: 'denied'; readonly byKeyPolicy: boolean; readonly message: string };

/** The role a key plays in a copy: the key the copy is encrypted under, or the source's key. */
export type AwsKeyRole = 'copy' | 'source';

const ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]*):(\d*):(key|alias)\/(.+)$/;

/** The region and account an ARN names (`undefined` for a bare key id or alias name). */
export function kmsArnParts(
  ref: string,
): { region: string; account: string; kind: 'key' | 'alias'; name: string } | undefined {
  const m = ARN.exec(ref);
  return m ? { region: m[1]!, account: m[2]!, kind: m[3] as 'key' | 'alias', name: m[4]! } : undefined;
}

/**
 * One spelling per key, so that a key ARN and its bare `key/…` id, or an alias ARN and its
 * `alias/…` name, compare equal when KMS could not be read to resolve them ("Key
 * identifiers" in the KMS developer guide).
 */
export function keyIdentity(key: string): string {
  const arn = kmsArnParts(key);
  if (arn) return `${arn.kind}/${arn.name}`;
  return /^[0-9a-f-]{36}$/i.test(key) || /^mrk-[0-9a-f]{32}$/i.test(key) ? `key/${key}` : key;
}

function encryptionRule(message: string, details: Record<string, unknown>): SnapcopyError {
  return new SnapcopyError('ENCRYPTION_RULE', `aws: ${message}`, {
    provider: 'aws',
    details: { scope: 'request', ...details },
  });
}

/** What the key check concluded: the key, resolved (or not), and why in plain words. */
export interface AwsKeyCheck {
  readonly key: ResolvedKmsKey;
  readonly reasons: readonly string[];
}

/**
 * Checks the key a copy uses (`copy`) or the source snapshot's key (`source`) from what KMS
 * said about it. Pure; throws `ENCRYPTION_RULE` (scope `request`) for a key EBS cannot use,
 * which AWS itself reports only after the copy has started, as the copy failing ("Given key
 * ID is not accessible"):
 * - a key ARN of another region than where it is used: KMS keys are regional (KMS developer
 *   guide, "Key identifiers"; EBS User Guide, "Copy an Amazon EBS snapshot": the copy's key
 *   must be in the destination region);
 * - no such key (`NotFoundException`);
 * - a key not `Enabled` (disabled, pending deletion, pending import): only enabled keys can be
 *   used in cryptographic operations (KMS developer guide, "Key states of AWS KMS keys");
 * - an asymmetric key or one not for encryption: EBS takes only symmetric encryption keys
 *   (EBS User Guide, "Amazon EBS encryption");
 * - a key whose key policy refuses this account (`AccessDeniedException` naming the
 *   resource-based policy): for the source's key this is the EBS rule that copying an
 *   encrypted snapshot shared with you needs permission to use its key (CopySnapshot API
 *   reference).
 * When KMS cannot be read (an AccessDeniedException from the caller's own permissions, or one
 * that does not say), nothing is checked: the key is `unread` and the reasons say so.
 */
export function checkAwsKey(input: {
  readonly role: AwsKeyRole;
  readonly reference: string;
  /** Where the key is used: the destination region for `copy`, the source's for `source`. */
  readonly region: string;
  readonly read: AwsKeyRead;
}): AwsKeyCheck {
  const { role, reference, region, read } = input;
  const what = role === 'copy' ? `the copy's key ${reference}` : `the source snapshot's key ${reference}`;
  const arn = kmsArnParts(reference);
  if (arn && arn.region !== region) {
    throw encryptionRule(
      `${what} is in ${arn.region || 'no region'}, but KMS keys are regional and this key must be in ${region}`,
      { rule: 'key-in-region', role, keyRegion: arn.region, region },
    );
  }
  if (read.kind === 'not-found') {
    if (reference === AWS_EBS_MANAGED_KEY_ALIAS || reference.endsWith(`:${AWS_EBS_MANAGED_KEY_ALIAS}`)) {
      // DescribeKey of a predefined AWS alias with no key behind it creates the AWS managed
      // key (KMS API reference, DescribeKey): its absence is no refusal.
      return {
        key: { reference, checkedBy: 'kms', region, managedByProvider: true },
        reasons: [`the AWS managed key ${reference} is created by AWS when it is first used in ${region}`],
      };
    }
    throw encryptionRule(`${what} does not exist in ${region} (KMS: ${read.message})`, {
      rule: 'key-exists',
      role,
      region,
    });
  }
  if (read.kind === 'denied') {
    if (read.byKeyPolicy) {
      throw encryptionRule(
        role === 'copy'
          ? `${what} does not let this account use it (its key policy refuses: ${read.message})`
          : `${what} is not shared with this account (its key policy refuses: ${read.message}); copying an encrypted snapshot shared with you needs permission to use its key`,
        { rule: 'key-usable-by-account', role },
      );
    }
    return {
      key: { reference, checkedBy: 'unread', ...(arn ? { region: arn.region } : {}) },
      reasons: [
        `KMS could not be read for ${what} (${read.message}): the key was neither resolved nor checked; AWS checks it only after the copy has started, and a key it cannot use makes the copy fail then`,
      ],
    };
  }
  if (read.state !== 'Enabled') {
    throw encryptionRule(
      `${what} is ${read.state} (${read.arn}): only an enabled key can encrypt or decrypt, so AWS would accept the copy and fail it later`,
      { rule: 'key-enabled', role, keyState: read.state, keyArn: read.arn },
    );
  }
  if (
    (read.keySpec !== undefined && read.keySpec !== 'SYMMETRIC_DEFAULT') ||
    (read.keyUsage !== undefined && read.keyUsage !== 'ENCRYPT_DECRYPT')
  ) {
    throw encryptionRule(
      `${what} is a ${read.keySpec ?? ''} ${read.keyUsage ?? ''} key; EBS uses only symmetric encryption keys`,
      { rule: 'key-symmetric', role, keySpec: read.keySpec, keyUsage: read.keyUsage },
    );
  }
  const key: ResolvedKmsKey = {
    reference,
    checkedBy: 'kms',
    keyId: read.keyId,
    keyArn: read.arn,
    state: read.state,
    account: read.account,
    region: kmsArnParts(read.arn)?.region ?? region,
    ...(read.manager === undefined ? {} : { managedByProvider: read.manager === 'AWS' }),
  };
  const named = reference === read.arn ? '' : ` (${reference} names ${read.arn})`;
  return {
    key,
    reasons: [
      role === 'copy'
        ? `KMS resolved the copy's key${named}: enabled, symmetric, usable by this account in ${region}`
        : `KMS resolved the source snapshot's key${named}: enabled and usable by this account`,
    ],
  };
}
