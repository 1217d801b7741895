import { randomUUID } from 'node:crypto';
import { type CopyRequestInput, FORBIDDEN_TAG_KEYS, SnapcopyError } from '@snapcopy/core';
import type { RequestFlags } from './cli-flags.js';

/**
 * Turns request flags into a provider-neutral copy request. Checks only what the CLI
 * adds (required flags, the `--kms-key` shorthand); the copier validates the rest and
 * names each bad field. The client token is always set (generated when the flags give
 * none) so that the CLI can tell the user which token to retry with.
 */
export function requestFromFlags(flags: RequestFlags): CopyRequestInput & { readonly clientToken: string } {
  const missing = [
    flags.from === undefined ? '--from <region>' : undefined,
    flags.to === undefined ? '--to <region>' : undefined,
    flags.snapshot === undefined ? '--snapshot <id>' : undefined,
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    throw new SnapcopyError('INVALID_REQUEST', `missing ${missing.join(', ')}`);
  }
  for (const key of Object.keys(flags.tag ?? {})) {
    if (FORBIDDEN_TAG_KEYS.has(key)) {
      throw new SnapcopyError(
        'INVALID_REQUEST',
        `--tag ${key}=…: tag key "${key}" is not allowed (it names a property every JavaScript object has)`,
      );
    }
  }
  if (flags.kmsKey !== undefined && flags.encrypt === false) {
    throw new SnapcopyError('INVALID_REQUEST', '--kms-key and --no-encrypt contradict each other');
  }
  // A key implies encryption: `--kms-key K` alone means "encrypted under K".
  const encrypted = flags.kmsKey !== undefined ? true : flags.encrypt;
  const encryption =
    encrypted === undefined
      ? undefined
      : { encrypted, ...(flags.kmsKey === undefined ? {} : { kmsKeyId: flags.kmsKey }) };
  return {
    source: {
      region: flags.from as string,
      snapshotId: flags.snapshot as string,
      ...(flags.sourceAccount === undefined ? {} : { account: flags.sourceAccount }),
    },
    destination: { region: flags.to as string },
    ...(encryption === undefined ? {} : { encryption }),
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(flags.description === undefined ? {} : { description: flags.description }),
    ...(flags.tag === undefined ? {} : { tags: { ...flags.tag } }),
    ...(flags.retentionDays === undefined ? {} : { retentionDays: flags.retentionDays }),
    ...(flags.completionMinutes === undefined ? {} : { completionDurationMinutes: flags.completionMinutes }),
    clientToken: flags.clientToken ?? randomUUID(),
  };
}
