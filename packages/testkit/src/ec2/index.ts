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
  type Ec2KeyInput,
  Ec2Simulator,
  type Ec2SimulatorOptions,
  type Ec2SnapshotInput,
  type Ec2VolumeInput,
} from './simulator.js';
export { type Ec2RequestContext, type Ec2SnapshotExtra, Ec2State, type Ec2VolumeMeta } from './state.js';
export { EC2_THROTTLE_BUCKETS, type Ec2BucketSize, Ec2Throttle } from './throttling.js';
