export {
  AWS_EBS_MANAGED_KEY_ALIAS,
  type AwsCopyEncryptionParams,
  type AwsEncryptionInput,
  type AwsEncryptionOutcome,
  resolveAwsEncryption,
} from './encryption.js';
export {
  AWS_TIME_BASED_COPY,
  type AwsTimeBasedCopy,
  minimumAwsCopyMinutes,
  validateAwsTimeBasedCopy,
} from './time-based.js';
export {
  type AwsDestinationLineage,
  type AwsTransferInput,
  type AwsTransferOutcome,
  resolveAwsTransfer,
} from './transfer.js';
export {
  AWS_SNAPSHOT_ID,
  AWS_TAG_LIMITS,
  type AwsSourceState,
  checkAwsSourceCopyable,
  validateAwsSnapshotId,
  validateAwsTags,
} from './validation.js';
