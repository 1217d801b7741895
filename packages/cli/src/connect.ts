import { type ImageCopier, SnapcopyError, type SnapshotCopier } from '@snapcopy/core';
import type { ConnectionFlags } from './cli-flags.js';
import { createCliRegistry, createCopier } from './composition-root.js';
import { isProviderName, PROVIDERS, type ProviderName, providerChoices } from './providers.js';

/** The provider the flags name, or an `INVALID_REQUEST` error saying how to name one. */
export function providerFromFlags(flags: ConnectionFlags): ProviderName {
  const name = flags.provider;
  if (name === undefined) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `missing --provider: choose ${providerChoices()} (or set SNAPCOPY_PROVIDER)`,
    );
  }
  if (!isProviderName(name)) {
    throw new SnapcopyError('INVALID_REQUEST', `unknown provider "${name}": choose ${providerChoices()}`);
  }
  return name;
}

/** The endpoint: the flag, else the provider's environment variable, else none (the real cloud). */
export function endpointFor(provider: ProviderName, flag: string | undefined): string | undefined {
  const value = flag ?? process.env[PROVIDERS[provider].endpointEnv];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Options for a provider's factory. Credentials are deliberately absent: each adapter
 * reads its SDK's default chain (environment, profile, instance role).
 */
export function adapterOptions(endpoint: string | undefined): { endpoint?: string } {
  return endpoint === undefined ? {} : { endpoint };
}

/** A copier for the provider the flags name, built through the composition root. */
export async function openCopier(flags: ConnectionFlags): Promise<SnapshotCopier> {
  const provider = providerFromFlags(flags);
  const registry = await createCliRegistry([provider]);
  return createCopier(registry, provider, adapterOptions(endpointFor(provider, flags.endpoint)));
}

/** An image copier for the provider the flags name (its package's image provider, same options). */
export async function openImageCopier(flags: ConnectionFlags): Promise<ImageCopier> {
  const provider = providerFromFlags(flags);
  const images = await PROVIDERS[provider].loadImages();
  return images.create(adapterOptions(endpointFor(provider, flags.endpoint)) as never);
}
