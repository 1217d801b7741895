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
  validateAlibabaRetentionDays,
  validateAlibabaSnapshotDescription,
  validateAlibabaSnapshotId,
  validateAlibabaSnapshotName,
  validateAlibabaTags,
} from './rules/validation.js';
