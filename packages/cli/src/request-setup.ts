import type { CopyRequestInput, PriceTable } from '@snapcopy/core';
import type { RequestFlags } from './cli-flags.js';
import { withConfiguredRegion } from './configured-regions.js';
import { providerFromFlags } from './connect.js';
import { pricesFor, readPriceFile } from './prices-file.js';
import type { ProviderName } from './providers.js';
import { requestFromFlags } from './request-from-flags.js';

/** What `plan` and `copy` work from: the provider, the request and the prices, all checked. */
export interface PreparedRequest {
  readonly provider: ProviderName;
  readonly request: CopyRequestInput & { readonly clientToken: string };
  readonly prices?: PriceTable;
}

/**
 * The request the flags describe, with the configured region filled in where the
 * provider's CLI would use it, and the `--prices` table for the provider.
 */
export async function prepareRequest(flags: RequestFlags): Promise<PreparedRequest> {
  const provider = providerFromFlags(flags);
  const prices =
    flags.prices === undefined ? undefined : pricesFor(readPriceFile(flags.prices), provider, flags.prices);
  const request = requestFromFlags(await withConfiguredRegion(provider, flags));
  return { provider, request, ...(prices === undefined ? {} : { prices }) };
}
