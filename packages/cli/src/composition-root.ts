import type { Capabilities, SnapshotCopier } from '@snapcopy/core';
import type { CopierProvider, CopierRegistry } from '@snapcopy/core/di';
import { SnapcopyError } from '@snapcopy/core';

/** Providers this CLI knows. */
export const PROVIDER_NAMES = ['aws', 'alibaba'] as const;
/** One of {@link PROVIDER_NAMES}. */
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** True when `name` is a provider this CLI knows. */
export function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

interface ProviderPackage {
  readonly exportName: string;
  readonly factoryName: string;
  readonly capabilitiesName: string;
  load(): Promise<Record<string, unknown>>;
}

// Each provider package is imported only when a command needs that provider: a run
// for one cloud never loads the other's package, let alone its SDK.
const PACKAGES: Readonly<Record<ProviderName, ProviderPackage>> = {
  aws: {
    exportName: 'awsEbsCopierProvider',
    factoryName: 'createAwsEbsCopier',
    capabilitiesName: 'AWS_EBS_CAPABILITIES',
    load: () => import('@snapcopy/aws') as Promise<Record<string, unknown>>,
  },
  alibaba: {
    exportName: 'alibabaEcsCopierProvider',
    factoryName: 'createAlibabaEcsCopier',
    capabilitiesName: 'ALIBABA_ECS_CAPABILITIES',
    load: () => import('@snapcopy/alibaba') as Promise<Record<string, unknown>>,
  },
};

function isCopierProvider(value: unknown): value is CopierProvider {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CopierProvider).create === 'function' &&
    typeof (value as CopierProvider).provider === 'string'
  );
}

/**
 * The provider package's own {@link CopierProvider} when it exports one, else a small
 * one made from its factory and manifest.
 */
async function loadCopierProvider(name: ProviderName): Promise<CopierProvider> {
  const pkg = PACKAGES[name];
  const mod = await pkg.load();
  const exported = mod[pkg.exportName];
  if (isCopierProvider(exported)) return exported;
  const factory = mod[pkg.factoryName];
  const capabilities = mod[pkg.capabilitiesName];
  if (typeof factory !== 'function' || typeof capabilities !== 'object' || capabilities === null) {
    throw new SnapcopyError(
      'UNSUPPORTED',
      `the ${name} adapter is not available yet (no ${pkg.factoryName} export)`,
    );
  }
  return {
    provider: name,
    capabilities: capabilities as Capabilities,
    create: (options) => (factory as (o: Record<string, unknown>) => SnapshotCopier)(options),
  };
}

/**
 * The CLI's composition root: one inversify container with core's bindings and the
 * {@link CopierProvider} of each provider named, resolved to the registry commands use.
 */
export async function createCliRegistry(names: readonly ProviderName[]): Promise<CopierRegistry> {
  const [{ Container, ContainerModule, TOKENS, coreContainerModule }, providers] = await Promise.all([
    import('@snapcopy/core/di'),
    Promise.all(names.map(loadCopierProvider)),
  ]);
  const container = new Container();
  container.load(coreContainerModule());
  container.load(
    new ContainerModule(({ bind }) => {
      for (const provider of providers) bind(TOKENS.CopierProvider).toConstantValue(provider);
    }),
  );
  return container.get(TOKENS.CopierRegistry);
}

/** The manifest of a provider, without creating a copier or loading its SDK. */
export async function loadCapabilities(name: ProviderName): Promise<Capabilities> {
  const mod = await PACKAGES[name].load();
  const caps = mod[PACKAGES[name].capabilitiesName];
  if (typeof caps !== 'object' || caps === null) {
    throw new SnapcopyError('UNSUPPORTED', `the ${name} capability manifest is not available yet`);
  }
  return caps as Capabilities;
}
