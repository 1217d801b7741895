import type { ImageCopierProvider } from '@snapcopy/core';
import { ALIBABA_ECS_IMAGE_CAPABILITIES } from './image-capabilities.js';
import { type AlibabaImageCopierOptions, createAlibabaImageCopier } from './image-copier.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';

/**
 * The Alibaba ECS image provider for a composition root: its image manifest (no SDK needed
 * to read it) and a factory for image copiers.
 */
export const alibabaImageCopierProvider: ImageCopierProvider<AlibabaImageCopierOptions> = Object.freeze({
  provider: ALIBABA_PROVIDER,
  capabilities: ALIBABA_ECS_IMAGE_CAPABILITIES,
  create: (options: AlibabaImageCopierOptions) => createAlibabaImageCopier(options),
});
