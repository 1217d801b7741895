export {
  ACS3_ALGORITHM,
  type Acs3Authorization,
  acs3CanonicalRequest,
  acs3Signature,
  parseAcs3Authorization,
} from './acs3-signature.js';
export {
  ALIBABA_ENDPOINT_PATTERN,
  type AlibabaSimProduct,
  alibabaDispatcher,
  alibabaProductOf,
} from './alibaba-dispatch.js';
export {
  type EcsBilling,
  type EcsBillingInput,
  type EcsEncryptionInput,
  type EcsEncryptionOutcome,
  type EcsPriorCopy,
  ecsCopyBilling,
  mostRecentCompletedCopy,
  resolveEcsCopyEncryption,
} from './copy-rules.js';
export {
  ECS_ENDPOINT_PATTERN,
  type EcsCredentials,
  type EcsDiskFixture,
  type EcsInstanceDiskFixture,
  type EcsInstanceFixture,
  type EcsKeyFixture,
  EcsSimulator,
  type EcsSimulatorOptions,
  type EcsSnapshotFixture,
  type EcsSnapshotGroupFixture,
} from './ecs-simulator.js';
export { ECS_SERVICE_KEY_ALIAS, type EcsBehaviour, EcsState } from './ecs-state.js';
export { newEcsDiskId, newEcsImageId, newEcsSnapshotId } from './ids.js';
export { EcsApiError } from './rpc-errors.js';
export {
  ECS_DOCUMENTED_RATE_LIMIT,
  ECS_OPERATIONS,
  type EcsRateLimit,
  EcsRpcFrontEnd,
  type EcsRpcFrontEndOptions,
} from './rpc-front-end.js';
export { rpcV1Signature } from './rpc-v1-signature.js';
export type {
  EcsDiskCopyPlan,
  EcsDiskDeviceMapping,
  EcsImage,
  EcsImageCopyTask,
  EcsImageStatus,
} from './images/ecs-image-model.js';
export { ECS_IMAGE_COPY_CONCURRENCY, EcsImageStore } from './images/ecs-image-store.js';
export {
  decideEcsImageCopy,
  type EcsDiskKey,
  type EcsImageCopyDecision,
  type EcsImageCopyInput,
} from './images/image-copy-rules.js';
export type { EcsImageFixture } from './images/image-fixtures.js';
export { ECS_IMAGE_SHARE_LIMIT } from './images/image-share-permission.js';
export {
  type EcsAttachedDisk,
  type EcsInstance,
  type EcsSnapshotGroup,
  SNAPSHOT_GROUP_MAX_DISKS,
  SNAPSHOT_GROUP_MAX_TOTAL_GIB,
  type SnapshotGroupSpec,
  snapshotGroupStatus,
} from './snapshot-groups.js';
