import type { CopyRequestInput, PriceTable } from '@snapcopy/core';
import type { RequestFlags } from './cli-flags.js';
import { withConfiguredRegion } from './configured-regions.js';
import { providerFromFlags } from './connect.js';
import { pricesFor, readPriceFile } from './prices-file.js';
import type { ProviderName } from './providers.js';
import { requestFromFlags } from './request-from-flags.js';

/** What `plan` and `copy` work from: the provider, the request and the prices, all checked. */
export interface PreparedRequest<R = CopyRequestInput & { readonly clientToken: string }> {
  readonly provider: ProviderName;
  readonly request: R;
  readonly prices?: PriceTable;
}

/** The `--prices` table for `provider`, when the flag is given. */
export function pricesFromFlags(
  flags: { readonly prices?: string },
  provider: string,
): PriceTable | undefined {
  return flags.prices === undefined
    ? undefined
    : pricesFor(readPriceFile(flags.prices), provider, flags.prices);
}

/**
 * The request `build` makes of the flags, with the configured region filled in where the
 * provider's CLI would use it, and the `--prices` table for the provider. Snapshot and
 * image requests alike: each cloud's CLI sends CopyImage where it sends CopySnapshot.
 */
export async function prepareRequestWith<R>(
  flags: RequestFlags,
  build: (flags: RequestFlags) => R,
): Promise<PreparedRequest<R>> {
  const provider = providerFromFlags(flags);
  const prices = pricesFromFlags(flags, provider);
  const request = build(await withConfiguredRegion(provider, flags));
  return { provider, request, ...(prices === undefined ? {} : { prices }) };
}

/** {@link prepareRequestWith} for a snapshot copy request. */
export function prepareRequest(flags: RequestFlags): Promise<PreparedRequest> {
  return prepareRequestWith(flags, requestFromFlags);
}
