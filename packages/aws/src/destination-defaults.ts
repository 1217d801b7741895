import type { SourceSnapshotFacts } from '@snapcopy/core';
import type { Ec2Calls } from './ec2-calls.js';

/** The destination account's EBS encryption settings that a copy's outcome may depend on. */
export interface DestinationEncryptionDefaults {
  readonly encryptionByDefault: boolean;
  readonly defaultKmsKeyId?: string;
}

/** Which account settings decide the outcome of this request (see `resolveAwsEncryption`). */
export function encryptionSettingsNeeded(
  requested: { readonly encrypted?: boolean; readonly kmsKeyId?: string } | undefined,
  source: Pick<SourceSnapshotFacts, 'encrypted' | 'ownership' | 'region'>,
  destinationRegion: string,
): { encryptionByDefault: boolean; defaultKey: 'always' | 'if-encryption-by-default' | 'never' } {
  const asked = requested?.encrypted;
  if (requested?.kmsKeyId !== undefined) return { encryptionByDefault: false, defaultKey: 'never' };
  if (source.encrypted) {
    const keepsSourceKey = source.ownership === 'owned' && source.region === destinationRegion;
    return { encryptionByDefault: false, defaultKey: keepsSourceKey ? 'never' : 'always' };
  }
  if (asked === true) return { encryptionByDefault: false, defaultKey: 'always' };
  // Unencrypted source, no flag (or false): encryption by default decides, and then its key.
  return { encryptionByDefault: true, defaultKey: asked === false ? 'never' : 'if-encryption-by-default' };
}

/**
 * Reads GetEbsEncryptionByDefault and GetEbsDefaultKmsKeyId in the destination region,
 * each only when the copy's outcome depends on it.
 */
export async function readDestinationDefaults(
  calls: Ec2Calls,
  region: string,
  needed: ReturnType<typeof encryptionSettingsNeeded>,
  signal?: AbortSignal,
): Promise<DestinationEncryptionDefaults> {
  if (needed.defaultKey === 'always') {
    const [ebd, key] = await Promise.all([
      needed.encryptionByDefault ? calls.ebsEncryptionByDefault(region, signal) : Promise.resolve(false),
      calls.ebsDefaultKmsKeyId(region, signal),
    ]);
    return { encryptionByDefault: ebd, ...(key === undefined ? {} : { defaultKmsKeyId: key }) };
  }
  const ebd = needed.encryptionByDefault ? await calls.ebsEncryptionByDefault(region, signal) : false;
  if (needed.defaultKey === 'if-encryption-by-default' && ebd) {
    const key = await calls.ebsDefaultKmsKeyId(region, signal);
    return { encryptionByDefault: ebd, ...(key === undefined ? {} : { defaultKmsKeyId: key }) };
  }
  return { encryptionByDefault: ebd };
}
