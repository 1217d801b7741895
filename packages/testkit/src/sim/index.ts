export { parseDuration } from './duration.js';
export { ExpiryQueue } from './expiry-queue.js';
export {
  FaultInjector,
  type FaultKind,
  type FaultRule,
  GARBAGE_REPLY,
  seededRandom,
  TokenBucket,
} from './faults.js';
export { BillingLedger, type LedgerEntry } from './ledger.js';
export {
  mountNock,
  type SimHandler,
  type SimHttpRequest,
  type SimHttpResponse,
  type SimNockMount,
  type SimServer,
  simRequestFromFetch,
  startSimServer,
} from './mount.js';
export { RequestLog, type RequestLogEntry } from './request-log.js';
export { ScaledClock } from './scaled-clock.js';
export { creationDurationMs, SnapshotCreations } from './snapshot-creation.js';
export { VirtualClock } from './virtual-clock.js';
export {
  hexId,
  type SimAccount,
  type SimCopyTask,
  type SimKey,
  type SimSnapshot,
  type SimVolume,
  SimWorld,
  type SimWorldOptions,
  type StartCopyInput,
} from './world.js';
export {
  type AwsJsonContext,
  AwsJsonFrontEnd,
  type AwsJsonOperation,
  type AwsJsonServiceSpec,
  AwsServiceError,
} from './aws-json-front-end.js';
export {
  BLOCK_BYTES,
  type BlockRange,
  type BlockRanges,
  BLOCKS_PER_GIB,
  blocksToGiB,
  countBlocks,
  gibToBlocks,
  normalizeBlockRanges,
} from './block-ranges.js';
export { RoutingHandler } from './dispatch.js';
export {
  applyKeyState,
  DEFAULT_DELETION_WINDOW_MS,
  type SimKeyState,
  setSimKeyState,
  simKeyState,
  simKeyUsableBy,
} from './key-state.js';
export {
  type MeasuredSnapshot,
  type RecordSnapshotBlocks,
  SnapshotBlockModel,
  SnapshotBlocksError,
  type SnapshotBlocksInput,
} from './snapshot-blocks.js';
