import {
  type CancelLedger,
  type ImageCopier,
  isSnapcopyError,
  type Logger,
  SnapcopyError,
  type SnapshotCopier,
} from '@snapcopy/core';
import { parseEndpoint } from '@snapcopy/core/driver';
import { FileCancelLedger } from './cancel-ledger-file.js';
import type { ConnectionFlags, ConventionFlags, RequestTimeoutFlags } from './cli-flags.js';
import { verboseLogger } from './cli-logger.js';
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

/**
 * The endpoint: the flag (`flagName`), else the provider's environment variable, else none
 * (the real cloud). A value that is malformed or carries credentials (`user:password@`)
 * is refused here, naming where it came from and never echoing the credentials; the
 * adapter checks the rest of its own form. An empty value (a variable set to nothing, as
 * a failed `$(…)` leaves it) is refused too: only an unset variable means the real cloud.
 */
export function endpointFor(
  provider: ProviderName,
  flag: string | undefined,
  flagName = '--endpoint',
): string | undefined {
  const { endpointEnv: env, endpointMayBeBareHost } = PROVIDERS[provider];
  const value = flag ?? process.env[env];
  if (value === undefined) return undefined;
  const source = flag === undefined ? `$${env}` : flagName;
  if (value.trim() === '') {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `${source} is set but empty: unset it to use ${PROVIDERS[provider].title}'s real endpoint, or set it to an endpoint such as the sandbox's`,
    );
  }
  try {
    parseEndpoint(value, { path: source, allowBareHost: endpointMayBeBareHost });
  } catch (err) {
    const why = isSnapcopyError(err) ? (err.issues[0]?.message ?? err.message) : String(err);
    throw new SnapcopyError('INVALID_REQUEST', `${source}: ${why}`);
  }
  return value.trim();
}

let ledger: CancelLedger | undefined;

/** The CLI's cancel ledger, shared by every process through a file (see {@link FileCancelLedger}). */
export function cliCancelLedger(): CancelLedger {
  ledger ??= new FileCancelLedger();
  return ledger;
}

/**
 * Options for a provider's factory. Credentials are deliberately absent: each adapter
 * reads its SDK's default chain (environment, the profile `--profile` names, instance role).
 * `--verbose` gives the copier a logger that prints each provider call on stderr.
 */
export function adapterOptions(
  endpoint: string | undefined,
  flags: RequestTimeoutFlags & Pick<ConventionFlags, 'profile' | 'verbose'> = {},
): {
  endpoint?: string;
  requestTimeoutMs?: number;
  profile?: string;
  logger?: Logger;
  cancelLedger: CancelLedger;
} {
  return {
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(flags.requestTimeout === undefined ? {} : { requestTimeoutMs: flags.requestTimeout }),
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
    ...(flags.verbose === true ? { logger: verboseLogger() } : {}),
    cancelLedger: cliCancelLedger(),
  };
}

/** A copier for the provider the flags name, built through the composition root. */
export async function openCopier(flags: ConnectionFlags): Promise<SnapshotCopier> {
  const provider = providerFromFlags(flags);
  const registry = await createCliRegistry([provider]);
  return createCopier(registry, provider, adapterOptions(endpointFor(provider, flags.endpoint), flags));
}

/** An image copier for the provider the flags name (its package's image provider, same options). */
export async function openImageCopier(flags: ConnectionFlags): Promise<ImageCopier> {
  const provider = providerFromFlags(flags);
  const images = await PROVIDERS[provider].loadImages();
  return images.create(adapterOptions(endpointFor(provider, flags.endpoint), flags) as never);
}
