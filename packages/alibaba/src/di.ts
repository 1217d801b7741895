import { type CopierProvider, ContainerModule, TOKENS } from '@snapcopy/core/di';
import { alibabaEcsCopierProvider } from './provider.js';

/**
 * Binds {@link alibabaEcsCopierProvider} under `TOKENS.CopierProvider`, so that a
 * container loaded with core's module and this one lists `alibaba` in its registry.
 * A subpath export: importing `@snapcopy/alibaba` itself never loads inversify.
 */
export function alibabaContainerModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TOKENS.CopierProvider).toConstantValue(alibabaEcsCopierProvider as CopierProvider);
  });
}

export { alibabaEcsCopierProvider } from './provider.js';
