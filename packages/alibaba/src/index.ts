/**
 * @snapcopy/alibaba — an Alibaba Cloud ECS `SnapshotCopier` and `ImageCopier` over `@alicloud/ecs20140526`,
 * with the ECS encryption, billing and field rules as pure functions. The SDK is loaded on
 * first use.
 * @packageDocumentation
 */
export {
  ALIBABA_DEFAULT_MAX_CONCURRENT_COPIES_PER_REGION,
  ALIBABA_ECS_CAPABILITIES,
  ALIBABA_MAX_TAGS_PER_COPY,
} from './capabilities.js';
export {
  ALIBABA_DEFAULT_SERVICE_KEY,
  type AlibabaCopyEncryptionParams,
  type AlibabaEncryptionInput,
  type AlibabaEncryptionResolution,
  decryptOnCopyError,
  resolveAlibabaEncryption,
  sameRegionStandardCopyError,
} from './rules/encryption.js';
export { ALIBABA_PROVIDER, type AlibabaRuleRefusal } from './rules/rule-error.js';
export {
  type AlibabaEarlierCopy,
  type AlibabaTransferInput,
  type AlibabaTransferResolution,
  resolveAlibabaTransfer,
} from './rules/transfer.js';
export {
  ALIBABA_COPY_LIMITS,
  type AlibabaSourceState,
  checkAlibabaSourceCopyable,
  defaultCopyDescription,
  defaultCopyName,
  validateAlibabaRequestFields,
  validateAlibabaSnapshotDescription,
  validateAlibabaSnapshotId,
  validateAlibabaSnapshotName,
  validateAlibabaTags,
} from './rules/validation.js';
export { AlibabaEcsSnapshotCopier, createAlibabaEcsCopier } from './copier.js';
export { alibabaConfiguredRegion, aliyunConfigPath } from './configured-region.js';
export { alibabaEcsCopierProvider } from './provider.js';
export {
  ALIBABA_DEFAULT_CONNECT_TIMEOUT_MS,
  ALIBABA_DEFAULT_REQUEST_TIMEOUT_MS,
  type AlibabaEcsCopierOptions,
} from './options.js';
export type {
  AlibabaCredentialModel,
  AlibabaCredentialSource,
  AlibabaCredentials,
  AlibabaStaticCredentials,
} from './credentials.js';
export { type AlibabaEndpoint, parseAlibabaEndpoint } from './endpoint.js';
export type { EcsClient } from './ecs-sdk.js';
export {
  ECS_ERROR_RULES,
  type EcsCallContext,
  type EcsErrorRule,
  type EcsOperation,
  findEcsErrorRule,
  mapAlibabaError,
} from './error-mapping.js';
export { buildCopySnapshotParams, type CopySnapshotParams } from './copy-params.js';

// Custom images: the same contract for ECS images.
export {
  ALIBABA_ECS_IMAGE_CAPABILITIES,
  ALIBABA_MAX_CONCURRENT_IMAGE_COPIES_PER_REGION,
} from './image-capabilities.js';
export {
  AlibabaEcsImageCopier,
  type AlibabaImageCopierOptions,
  createAlibabaImageCopier,
} from './image-copier.js';
export { alibabaImageCopierProvider } from './image-provider.js';
export {
  type AlibabaImageCopyInput,
  type AlibabaImageDiskEncryption,
  type AlibabaImageDiskEncryptionInput,
  alibabaImageCopyRefusal,
  resolveAlibabaImageDiskEncryption,
} from './rules/image-copy.js';
export {
  ALIBABA_IMAGE_ID,
  validateAlibabaImageId,
  validateAlibabaImageName,
  validateAlibabaImageRequestFields,
} from './rules/image-validation.js';
