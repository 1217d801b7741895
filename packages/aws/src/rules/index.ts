export {
  AWS_EBS_MANAGED_KEY_ALIAS,
  type AwsCopyEncryptionParams,
  type AwsEncryptionInput,
  type AwsEncryptionOutcome,
  resolveAwsEncryption,
} from './encryption.js';
export {
  type AwsKeyCheck,
  type AwsKeyRead,
  type AwsKeyRole,
  checkAwsKey,
  keyIdentity,
  kmsArnParts,
} from './keys.js';
export {
  type AwsLineageCopy,
  type AwsMostRecentCopy,
  latestPresentAwsCopy,
  mostRecentAwsCopy,
  presentAwsCopies,
} from './lineage.js';
export {
  AWS_TIME_BASED_COPY,
  type AwsTimeBasedCopy,
  minimumAwsCopyMinutes,
  validateAwsTimeBasedCopy,
} from './time-based.js';
export {
  type AwsDeltaRead,
  type AwsDestinationLineage,
  type AwsTransferInput,
  type AwsTransferKind,
  type AwsTransferOutcome,
  awsDeltaBase,
  classifyAwsTransfer,
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
