import type { AlibabaEcsCopierOptions } from '@snapcopy/alibaba';
import type { AwsEbsCopierOptions } from '@snapcopy/aws';
import type { Capabilities, SnapshotCopier } from '@snapcopy/core';
import type { ContainerModule, CopierRegistry } from '@snapcopy/core/di';

/** Providers this CLI knows. */
export const PROVIDER_NAMES = ['aws', 'alibaba'] as const;
/** One of {@link PROVIDER_NAMES}. */
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Options of each provider's copier factory. */
export interface ProviderOptions {
  readonly aws: AwsEbsCopierOptions;
  readonly alibaba: AlibabaEcsCopierOptions;
}

/** True when `name` is a provider this CLI knows. */
export function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

// Each provider's DI module is imported only when a command needs that provider: a run
// for one cloud never loads the other's package, let alone its SDK (each adapter loads
// its SDK on first use, not on import).
const CONTAINER_MODULES: Readonly<Record<ProviderName, () => Promise<ContainerModule>>> = {
  aws: async () => (await import('@snapcopy/aws/di')).awsContainerModule(),
  alibaba: async () => (await import('@snapcopy/alibaba/di')).alibabaContainerModule(),
};

// Manifests come from the packages' main entries, which load neither inversify nor an SDK.
const MANIFESTS: Readonly<Record<ProviderName, () => Promise<Capabilities>>> = {
  aws: async () => (await import('@snapcopy/aws')).AWS_EBS_CAPABILITIES,
  alibaba: async () => (await import('@snapcopy/alibaba')).ALIBABA_ECS_CAPABILITIES,
};

/**
 * The CLI's composition root: one inversify container with core's bindings and the
 * container module of each provider named, resolved to the registry commands use.
 */
export async function createCliRegistry(names: readonly ProviderName[]): Promise<CopierRegistry> {
  const [{ Container, TOKENS, coreContainerModule }, modules] = await Promise.all([
    import('@snapcopy/core/di'),
    Promise.all([...new Set(names)].map((name) => CONTAINER_MODULES[name]())),
  ]);
  const container = new Container();
  container.load(coreContainerModule(), ...modules);
  return container.get(TOKENS.CopierRegistry);
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

/** The manifest of a provider, without creating a copier, loading its SDK or inversify. */
export function loadCapabilities(name: ProviderName): Promise<Capabilities> {
  return MANIFESTS[name]();
}
