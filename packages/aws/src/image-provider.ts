import type { ImageCopierProvider } from '@snapcopy/core';
import { AWS_AMI_CAPABILITIES } from './image-capabilities.js';
import { type AwsImageCopierOptions, createAwsImageCopier } from './image-copier.js';

/**
 * The AWS AMI provider for a composition root: its image manifest (no SDK needed to read
 * it) and a factory for image copiers.
 */
export const awsImageCopierProvider: ImageCopierProvider<AwsImageCopierOptions> = Object.freeze({
  provider: 'aws',
  capabilities: AWS_AMI_CAPABILITIES,
  create: (options: AwsImageCopierOptions) => createAwsImageCopier(options),
});
