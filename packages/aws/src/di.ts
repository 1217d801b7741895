/**
 * @snapcopy/aws/di — binds the AWS provider into a snapcopy DI container. Kept apart from
 * the main entry so that importing `@snapcopy/aws` does not load inversify.
 * @packageDocumentation
 */
import { ContainerModule, TOKENS } from '@snapcopy/core/di';
import { awsEbsCopierProvider } from './provider.js';

/** A container module that adds {@link awsEbsCopierProvider} under `TOKENS.CopierProvider`. */
export function awsContainerModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TOKENS.CopierProvider).toConstantValue(awsEbsCopierProvider);
  });
}

export { awsEbsCopierProvider } from './provider.js';
