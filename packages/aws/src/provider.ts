import type { CopierProvider } from '@snapcopy/core';
import { AWS_EBS_CAPABILITIES } from './capabilities.js';
import { createAwsEbsCopier } from './copier.js';
import type { AwsEbsCopierOptions } from './options.js';

/**
 * The AWS provider for snapcopy's DI registry: its manifest (no SDK needed to read it)
 * and a factory for copiers.
 */
export const awsEbsCopierProvider: CopierProvider<AwsEbsCopierOptions> = Object.freeze({
  provider: 'aws',
  capabilities: AWS_EBS_CAPABILITIES,
  create: (options: AwsEbsCopierOptions) => createAwsEbsCopier(options),
});
