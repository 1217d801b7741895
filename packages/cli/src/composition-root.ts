import type {
  Capabilities,
  CopierProvider,
  ImageCapabilities,
  ImageCopier,
  SnapshotCopier,
} from '@snapcopy/core';
import { SnapcopyError } from '@snapcopy/core';
import { PROVIDERS, type ProviderName, type ProviderOptions } from './providers.js';

/** The providers a command asked for, by name. */
export class CopierRegistry {
  readonly #providers: ReadonlyMap<string, CopierProvider>;

  constructor(providers: readonly CopierProvider[]) {
    const map = new Map<string, CopierProvider>();
    for (const p of providers) {
      if (map.has(p.provider)) throw new TypeError(`provider "${p.provider}" is registered twice`);
      map.set(p.provider, p);
    }
    this.#providers = map;
  }

  /** Provider names in registration order. */
  names(): string[] {
    return [...this.#providers.keys()];
  }

  /** The provider named `name`, or an `UNSUPPORTED` error listing the loaded ones. */
  get(name: string): CopierProvider {
    const p = this.#providers.get(name);
    if (!p) {
      throw new SnapcopyError(
        'UNSUPPORTED',
        `unknown provider "${name}" (loaded: ${this.names().join(', ') || 'none'})`,
      );
    }
    return p;
  }
}

const COPIER_PROVIDER = Symbol.for('snapcopy.CopierProvider');
const COPIER_REGISTRY = Symbol.for('snapcopy.CopierRegistry');

/**
 * The CLI's composition root: one inversify container, fed from the provider table with
 * the providers a command names, resolved to the registry commands use. inversify is
 * loaded here only, so `--help` and `--version` never load it.
 */
export async function createCliRegistry(names: readonly ProviderName[]): Promise<CopierRegistry> {
  const [{ Container }, providers] = await Promise.all([
    import('inversify'),
    Promise.all([...new Set(names)].map((name) => PROVIDERS[name].load())),
  ]);
  const container = new Container();
  for (const provider of providers) {
    container.bind<CopierProvider>(COPIER_PROVIDER).toConstantValue(provider as CopierProvider);
  }
  container
    .bind<CopierRegistry>(COPIER_REGISTRY)
    .toResolvedValue(
      (bound: CopierProvider[] | undefined) => new CopierRegistry(bound ?? []),
      [{ serviceIdentifier: COPIER_PROVIDER, isMultiple: true, optional: true }],
    )
    .inSingletonScope();
  return container.get<CopierRegistry>(COPIER_REGISTRY);
}

/** A copier for `name`, made by its registered provider with that provider's own options. */
export function createCopier<P extends ProviderName>(
  registry: CopierRegistry,
  name: P,
  options: ProviderOptions[P],
): SnapshotCopier {
  // The registry holds providers type-erased; the name picks the options type back.
  return registry.get(name).create(options as unknown as Record<string, unknown>);
}

/**
 * A provider's copiers for one set of options, as a runner takes them: its snapshot copier
 * and its image copier (the same package, endpoint, profile and credentials).
 */
export async function createCopierPair<P extends ProviderName>(
  registry: CopierRegistry,
  name: P,
  options: ProviderOptions[P],
): Promise<{ copier: SnapshotCopier; imageCopier: ImageCopier }> {
  const images = await PROVIDERS[name].loadImages();
  return {
    copier: createCopier(registry, name, options),
    imageCopier: images.create(options as never),
  };
}

/** The manifest of a provider, without creating a copier, loading its SDK or inversify. */
export async function loadCapabilities(name: ProviderName): Promise<Capabilities> {
  return (await PROVIDERS[name].load()).capabilities;
}

/** The image manifest of a provider, loaded the same way (no copier, no SDK, no inversify). */
export async function loadImageCapabilities(name: ProviderName): Promise<ImageCapabilities> {
  return (await PROVIDERS[name].loadImages()).capabilities;
}
