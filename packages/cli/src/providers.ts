import type { CopierProvider, ImageCopierProvider } from '@snapcopy/core';

/** What the CLI knows about one provider: everything else is read from this table. */
export interface ProviderEntry<Options> {
  /** The name users type (`--provider`, a batch line's `"provider"`). */
  readonly name: string;
  /** How help texts and tables name the cloud. */
  readonly title: string;
  /** The environment variable naming its endpoint (the sandbox prints it). */
  readonly endpointEnv: string;
  /** Whether its endpoint may be a bare `host[:port]` (else an `http(s)://` URL). */
  readonly endpointMayBeBareHost: boolean;
  /**
   * Which end of a copy the provider's own CLI sends to its configured region: AWS sends
   * CopySnapshot to the destination region (`aws ec2 copy-snapshot --source-region …`),
   * Alibaba to the source (`aliyun ecs CopySnapshot --RegionId …`). The configured region
   * is the default of that end's flag (`--to` or `--from`), and of the region a copy is in.
   */
  readonly configuredRegionIs: 'source' | 'destination';
  /**
   * The region the provider's own CLI would use (its environment variable, else the
   * profile's), or undefined. Loads the provider's package.
   */
  configuredRegion(profile: string | undefined): Promise<string | undefined>;
  /**
   * The provider package's main entry, imported only when a command needs that provider:
   * a run for one cloud never loads the other's package (and each adapter loads its SDK
   * on first use, not on import). The entry loads neither an SDK nor inversify.
   */
  load(): Promise<CopierProvider<Options>>;
  /** The same package's image copier provider (AMIs, custom images), loaded the same way. */
  loadImages(): Promise<ImageCopierProvider<Options>>;
}

/** What a provider package exports that the CLI uses. */
interface ProviderPackage<Options> {
  readonly configuredRegion: (options: { readonly profile?: string }) => Promise<string | undefined>;
  readonly copiers: CopierProvider<Options>;
  readonly images: ImageCopierProvider<Options>;
}

/**
 * An entry whose package is imported only when a command first needs it, `pick` naming the
 * package's exports; its endpoint variable is `SNAPCOPY_<NAME>_ENDPOINT`.
 */
function lazyEntry<Pkg, Options>(
  facts: Omit<ProviderEntry<Options>, 'endpointEnv' | 'configuredRegion' | 'load' | 'loadImages'>,
  importPackage: () => Promise<Pkg>,
  pick: (pkg: Pkg) => ProviderPackage<Options>,
): ProviderEntry<Options> {
  const exports = async () => pick(await importPackage());
  return {
    ...facts,
    endpointEnv: `SNAPCOPY_${facts.name.toUpperCase()}_ENDPOINT`,
    configuredRegion: async (profile) =>
      (await exports()).configuredRegion(profile === undefined ? {} : { profile }),
    load: async () => (await exports()).copiers,
    loadImages: async () => (await exports()).images,
  };
}

/** Every provider the CLI can use, by name. Adding a cloud is one entry here. */
export const PROVIDERS = Object.freeze({
  aws: lazyEntry(
    { name: 'aws', title: 'AWS EBS', endpointMayBeBareHost: false, configuredRegionIs: 'destination' },
    () => import('@snapcopy/aws'),
    (p) => ({
      configuredRegion: p.awsConfiguredRegion,
      copiers: p.awsEbsCopierProvider,
      images: p.awsImageCopierProvider,
    }),
  ),
  alibaba: lazyEntry(
    { name: 'alibaba', title: 'Alibaba ECS', endpointMayBeBareHost: true, configuredRegionIs: 'source' },
    () => import('@snapcopy/alibaba'),
    (p) => ({
      configuredRegion: p.alibabaConfiguredRegion,
      copiers: p.alibabaEcsCopierProvider,
      images: p.alibabaImageCopierProvider,
    }),
  ),
});

/** A provider name the CLI knows. */
export type ProviderName = keyof typeof PROVIDERS;

/** Options of each provider's copier factory. */
export type ProviderOptions = {
  readonly [P in ProviderName]: Parameters<Awaited<ReturnType<(typeof PROVIDERS)[P]['load']>>['create']>[0];
};

/** The provider names, in table order. */
export const PROVIDER_NAMES = Object.freeze(Object.keys(PROVIDERS)) as readonly ProviderName[];

/** True when `name` is a provider this CLI knows. */
export function isProviderName(name: string): name is ProviderName {
  return Object.hasOwn(PROVIDERS, name);
}

/** `aws or alibaba`, for messages that list the choices. */
export function providerChoices(): string {
  return PROVIDER_NAMES.join(' or ');
}
