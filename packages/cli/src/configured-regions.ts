import { SnapcopyError } from '@snapcopy/core';
import { PROVIDERS, type ProviderName } from './providers.js';

/** The region flags of a copy request. */
export interface RegionFlags {
  readonly from?: string;
  readonly to?: string;
  readonly profile?: string;
}

/**
 * `--from`/`--to` with the provider's configured region filled in where its own CLI would
 * use it: AWS's region (`$AWS_REGION`, `$AWS_DEFAULT_REGION`, the profile's) is a copy's
 * destination, Alibaba's (`$ALIBABA_CLOUD_REGION_ID`, the profile's `region_id`) its source.
 * A flag given always wins; nothing is read when both are given.
 */
export async function withConfiguredRegion<F extends RegionFlags>(
  provider: ProviderName,
  flags: F,
): Promise<F> {
  const entry = PROVIDERS[provider];
  const end = entry.configuredRegionIs === 'destination' ? 'to' : 'from';
  if (flags[end] !== undefined) return flags;
  const region = await entry.configuredRegion(flags.profile);
  return region === undefined ? flags : { ...flags, [end]: region };
}

/**
 * The region copies are in (`--to` of status, wait, cancel, list): the flag, else the
 * provider's configured region (where both CLIs send their describe calls), else an
 * `INVALID_REQUEST` saying how to name it.
 */
export function regionOfCopies(
  provider: ProviderName,
  flags: { readonly to?: string; readonly profile?: string },
): Promise<string> {
  return regionOrConfigured(provider, flags.to, flags.profile, '--to <region>: the region the copies are in');
}

/**
 * A region flag's value, else the provider's configured region (as its own CLI sends a
 * call about one resource to it), else an `INVALID_REQUEST` naming `missing` (the flag and
 * what it is) and how to configure one.
 */
export async function regionOrConfigured(
  provider: ProviderName,
  flag: string | undefined,
  profile: string | undefined,
  missing: string,
): Promise<string> {
  if (flag !== undefined) return flag;
  const region = await PROVIDERS[provider].configuredRegion(profile);
  if (region !== undefined) return region;
  throw new SnapcopyError(
    'INVALID_REQUEST',
    `missing ${missing} (or configure one: ${provider === 'aws' ? "$AWS_REGION or a profile's region" : "$ALIBABA_CLOUD_REGION_ID or a profile's region_id"})`,
  );
}
