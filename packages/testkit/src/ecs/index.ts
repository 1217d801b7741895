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
  type EcsKeyFixture,
  EcsSimulator,
  type EcsSimulatorOptions,
  type EcsSnapshotFixture,
} from './ecs-simulator.js';
export { ECS_SERVICE_KEY_ALIAS, type EcsBehaviour, EcsState } from './ecs-state.js';
export { newEcsDiskId, newEcsSnapshotId } from './ids.js';
export { EcsApiError } from './rpc-errors.js';
export {
  ECS_DOCUMENTED_RATE_LIMIT,
  ECS_OPERATIONS,
  type EcsRateLimit,
  EcsRpcFrontEnd,
  type EcsRpcFrontEndOptions,
} from './rpc-front-end.js';
export { rpcV1Signature } from './rpc-v1-signature.js';
