import type { ResolvedKmsKey } from '@snapcopy/core';
import { ALIBABA_DEFAULT_SERVICE_KEY } from './encryption.js';
import { refuse } from './rule-error.js';

/**
 * What Alibaba Cloud KMS DescribeKey answered for one key reference in one region (KMS API
 * reference, DescribeKey): the key, no such key or alias (`Forbidden.KeyNotFound`,
 * `Forbidden.AliasNotFound`), or a refusal (`Forbidden.NoPermission`), which can come from
 * the caller's own RAM permissions or from the key's owner: the code does not say which.
 */
export type AlibabaKeyRead =
  | {
      readonly kind: 'found';
      readonly keyId: string;
      readonly arn: string;
      /** `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`. */
      readonly state: string;
      readonly creator?: string;
      readonly keySpec?: string;
      readonly keyUsage?: string;
    }
  | { readonly kind: 'not-found'; readonly message: string }
  | { readonly kind: 'denied'; readonly message: string };

const KMS_ARN = /^acs:kms:([^:]*):([^:]*):(key|alias)\/(.+)$/;

/** The region an `acs:kms:` ARN names, `undefined` for a key id or an alias. */
export function alibabaKeyRegion(ref: string): string | undefined {
  return KMS_ARN.exec(ref)?.[1];
}

/** What the key check concluded: the key, resolved (or not), and why in plain words. */
export interface AlibabaKeyCheck {
  readonly key: ResolvedKmsKey;
  readonly reasons: readonly string[];
}

/**
 * Checks the key an ECS copy will be encrypted under, from what KMS said about it. Pure.
 * ECS refuses a copy whose key it cannot use at once (CopySnapshot API reference, error
 * codes `InvalidParameter.KMSKeyId.*`); the plan refuses it first, with `ENCRYPTION_RULE`
 * (scope `request`):
 * - no such key or alias;
 * - a key not `Enabled` (disabled, pending deletion, pending import): KMS refuses
 *   cryptographic use in those states ("Impact of CMK status on API operations");
 * - a key that is not a symmetric encryption key;
 * - a key KMS refuses to describe while it answers this account otherwise (`kmsReadable`):
 *   its owner has not let this account use it.
 * The ECS service key `alias/acs/ecs` is created by ECS on first use: its absence is no
 * refusal. When KMS refuses and nothing shows it answers this account otherwise, the key
 * is `unread`: not resolved, not checked, and the reasons say so.
 */
export function checkAlibabaKey(input: {
  readonly reference: string;
  /** The destination region, where the key must be. */
  readonly region: string;
  readonly read: AlibabaKeyRead;
  /** KMS answered another DescribeKey of this account (so a refusal is the key's own). */
  readonly kmsReadable?: boolean;
}): AlibabaKeyCheck {
  const { reference, region, read } = input;
  const serviceKey = reference === ALIBABA_DEFAULT_SERVICE_KEY;
  const what = serviceKey ? `the ECS service key ${reference}` : `the KMS key ${reference}`;
  // A key ARN of another region is refused by the encryption rule before KMS is asked.
  const keyRegion = alibabaKeyRegion(reference);
  if (read.kind === 'not-found') {
    if (serviceKey) {
      return {
        key: { reference, checkedBy: 'kms', region, managedByProvider: true },
        reasons: [
          `${what} does not exist yet in ${region}: ECS creates it with the first encrypted copy there`,
        ],
      };
    }
    throw refuse('ENCRYPTION_RULE', `${what} does not exist in ${region} (KMS: ${read.message})`, {
      rule: 'key-exists',
      mirrors: 'InvalidParameter.KMSKeyId.NotFound',
      path: 'encryption.kmsKeyId',
      remedy: `name a KMS key of ${region} by its id, alias or ARN`,
    });
  }
  if (read.kind === 'denied') {
    if (input.kmsReadable === true) {
      throw refuse(
        'ENCRYPTION_RULE',
        `${what} does not let this account use it (KMS answers this account, and refuses this key: ${read.message})`,
        {
          rule: 'key-usable-by-account',
          mirrors: 'InvalidParameter.KMSKeyId.CMKUnauthorized',
          path: 'encryption.kmsKeyId',
          remedy: "ask the key's owner to let this account use it, or use a key of this account",
        },
      );
    }
    return {
      key: { reference, checkedBy: 'unread', ...(keyRegion === undefined ? {} : { region: keyRegion }) },
      reasons: [
        `KMS could not be read for ${what} (${read.message}): the key was neither resolved nor checked; ECS checks it when the copy is asked for and refuses it then if it cannot use it`,
      ],
    };
  }
  if (read.state !== 'Enabled') {
    throw refuse(
      'ENCRYPTION_RULE',
      `${what} is ${read.state} (${read.arn}): KMS uses only enabled keys, so ECS would refuse the copy`,
      {
        rule: 'key-enabled',
        mirrors: 'InvalidParameter.KMSKeyId.CMKNotEnabled',
        path: 'encryption.kmsKeyId',
        remedy: 'enable the key, or use another one',
      },
    );
  }
  const symmetric = read.keySpec === undefined || /^Aliyun_(AES|SM4)/.test(read.keySpec);
  if (!symmetric || (read.keyUsage !== undefined && read.keyUsage !== 'ENCRYPT/DECRYPT')) {
    throw refuse(
      'ENCRYPTION_RULE',
      `${what} is a ${read.keySpec ?? ''} key for ${read.keyUsage ?? 'unknown use'}; ECS encrypts disks and snapshots with symmetric encryption keys only`,
      { rule: 'key-symmetric', mirrors: 'InvalidKMSKeyId.NotSymmetric', path: 'encryption.kmsKeyId' },
    );
  }
  const named = reference === read.keyId ? '' : ` (${reference} names key ${read.keyId})`;
  return {
    key: {
      reference,
      checkedBy: 'kms',
      keyId: read.keyId,
      keyArn: read.arn,
      state: read.state,
      region: alibabaKeyRegion(read.arn) ?? region,
      ...(read.creator === undefined || serviceKey ? {} : { account: read.creator }),
      managedByProvider: serviceKey,
    },
    reasons: [`KMS resolved ${what}${named}: enabled and symmetric, in ${region}`],
  };
}
