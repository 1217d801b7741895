export {
  type BillingKeyView,
  type CopyBilling,
  type CopyBillingInput,
  computeCopyBilling,
  type DestinationLineageSnapshot,
  decideIncremental,
  type IncrementalDecision,
} from './copy-billing.js';
export { AWS_ENDPOINT_PATTERN, type AwsSimService, awsDispatcher, awsServiceOf } from './aws-dispatch.js';
export {
  type CopyEncryptionInput,
  type CopyEncryptionOutcome,
  type CopyKeyOrigin,
  resolveCopyEncryption,
} from './copy-encryption.js';
export { Ec2ApiError } from './errors.js';
export type { Ec2Attachment, Ec2Instance } from './instances.js';
export {
  type SigV4ErrorFactory,
  type SigV4Failure,
  SigV4Verifier,
  type SigV4VerifierOptions,
  sigV4ScopeService,
} from './sigv4.js';
export { KEY_NOT_ACCESSIBLE, SOURCE_KEY_NOT_ACCESSIBLE } from './operations/copy-snapshot.js';
export { EC2_OPERATIONS, Ec2QueryFrontEnd } from './query-front-end.js';
export {
  EC2_ENDPOINT_PATTERN,
  type Ec2AccountInput,
  type Ec2InstanceInput,
  type Ec2InstanceVolumeInput,
  type Ec2KeyInput,
  Ec2Simulator,
  type Ec2SimulatorOptions,
  type Ec2SnapshotInput,
  type Ec2VolumeInput,
} from './simulator.js';
export type { SnapshotSetSpec } from './snapshot-sets.js';
export {
  canCreateVolume,
  MAX_PERMISSION_MODIFICATIONS,
  ownerMatcher,
  type PermissionChange,
  readPermissionChange,
  restorableMatcher,
  type ShareFacts,
  shareRefusal,
} from './snapshot-permissions.js';
export { type Ec2RequestContext, type Ec2SnapshotExtra, Ec2State, type Ec2VolumeMeta } from './state.js';
export { EC2_THROTTLE_BUCKETS, type Ec2BucketSize, Ec2Throttle } from './throttling.js';
export {
  type ImageCopyRefusal,
  type ImageCopyRefusalInput,
  imageCopyRefusal,
} from './images/copy-image-rules.js';
export type { Ec2ImageInput } from './images/image-fixtures.js';
export type {
  Ec2BlockDevice,
  Ec2Image,
  Ec2ImageCopyTask,
  Ec2ImageState,
  Ec2RootDeviceType,
  Ec2StateReason,
} from './images/image-model.js';
export {
  DEFAULT_IMAGE_LIMITS,
  DEREGISTERED_VISIBLE_MS,
  type Ec2ImageLimits,
  Ec2ImageStore,
  IMAGE_COPY_FAILED_CODE,
} from './images/image-store.js';
export {
  planTimeBasedCopy,
  TIME_BASED_COPY_MAX_MIBPS,
  TIME_BASED_CUMULATIVE_MIBPS,
  type TimeBasedCopyInput,
  type TimeBasedCopyPlan,
} from './images/time-based-quota.js';
