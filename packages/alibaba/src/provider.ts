import type { CopierProvider } from '@snapcopy/core';
import { ALIBABA_ECS_CAPABILITIES } from './capabilities.js';
import { createAlibabaEcsCopier } from './copier.js';
import type { AlibabaEcsCopierOptions } from './options.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';

/**
 * The Alibaba Cloud ECS entry of a copier registry: its manifest is readable without
 * creating a copier or loading the SDK.
 */
export const alibabaEcsCopierProvider: CopierProvider<AlibabaEcsCopierOptions> = Object.freeze({
  provider: ALIBABA_PROVIDER,
  capabilities: ALIBABA_ECS_CAPABILITIES,
  create: (options: AlibabaEcsCopierOptions) => createAlibabaEcsCopier(options),
});
