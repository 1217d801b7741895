/**
 * @snapcopy/core — the provider-neutral contract for copying block-storage snapshots and
 * machine images. Its only runtime dependency is zod, loaded on the first parse.
 * Adapter authors find the facade to extend and its helpers in `@snapcopy/core/driver`.
 * @packageDocumentation
 */

// The contract callers use.
export type {
  BatchResult,
  CallOptions,
  CancelOptions,
  CopierProvider,
  CopyOptions,
  FacadeCopyOptions,
  KeyAccess,
  KindCopier,
  PlanOptions,
  ShareResult,
  SnapshotCopier,
  WaitOptions,
} from './copier.js';
export type { SnapshotKind } from './snapshot-copier.js';
export {
  eachListedSnapshot,
  type SnapshotListPage,
  type SnapshotListQuery,
  SnapshotListQuerySchema,
  type SnapshotState,
  type SnapshotSummary,
} from './listing.js';
export {
  batchIdOfToken,
  type CopyListPage,
  type CopyListQuery,
  LISTING_TAGS,
  type ListCopiesOptions,
  type ListedCopy,
} from './copy-listing.js';
export {
  type CopyRequest,
  type CopyRequestInput,
  CopyRequestSchema,
  FORBIDDEN_TAG_KEYS,
  parseCopyRequest,
  REGION_ID,
  RESERVED_TAG_PREFIX,
  type SnapshotRef,
} from './request.js';
export type {
  BillableGiB,
  CopyPlan,
  DeltaEstimate,
  DeltaMeasurement,
  KeySource,
  KmsCharges,
  PlanLineage,
  ResolvedEncryption,
  ResolvedKmsKey,
  SizeBasis,
  SourceSnapshotFacts,
  Transfer,
} from './plan.js';
export {
  type CancelResult,
  type CopyHandle,
  type CopyState,
  type CopyStatus,
  TERMINAL_STATES,
} from './status.js';
export {
  CAPABILITY_KEYS,
  type Capabilities,
  CapabilitiesSchema,
  DEFAULT_CONSISTENCY_WINDOW_MS,
  defineCapabilities,
} from './capabilities.js';
export {
  type CostEstimate,
  type CostLine,
  estimateCopyCost,
  type FlatPriceTable,
  type Price,
  type PriceTable,
  PriceTableSchema,
  type RegionalPriceTable,
  type RegionPrices,
} from './cost.js';
export {
  ERROR_CODES,
  type ErrorCode,
  type FieldIssue,
  is,
  isSnapcopyError,
  redactSecrets,
  SnapcopyError,
  type SnapcopyErrorOptions,
} from './errors.js';
export { type Clock, systemClock } from './clock.js';
export {
  LOG_LEVELS,
  type LogFields,
  type LogFn,
  type Logger,
  type LogLevel,
  redactingLogger,
  silentLogger,
} from './logger.js';
export {
  type ResponseMetadata,
  responseMetadata,
} from './provider-calls.js';
export { type CancelLedger, type CancelRecord, cancelKey, MemoryCancelLedger } from './cancel-ledger.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
export { DEFAULT_REQUEST_TIMEOUT_MS } from './call-deadline.js';

// Machine images (EC2 AMIs, ECS custom images): the same contract for another resource.
export type {
  ImageCopier,
  ImageCopierProvider,
  ImageCopyOptions,
  ImageKind,
  ImageWaitOptions,
} from './image-copier.js';
export {
  BACKING_SNAPSHOT_COPY_KEYS,
  defineImageCapabilities,
  fromSnapshotCapabilities,
  IMAGE_CAPABILITY_KEYS,
  type ImageCapabilities,
  ImageCapabilitiesSchema,
  type SharedCapabilityKey,
} from './image-capabilities.js';
export {
  type ImageCopyRequest,
  type ImageCopyRequestInput,
  ImageCopyRequestSchema,
  type ImageRef,
  parseImageCopyRequest,
} from './image-request.js';
export type {
  BackingSnapshotPlan,
  ImageCopyPlan,
  PlannedImageTags,
  SourceImageFacts,
} from './image-plan.js';
export type {
  BackingSnapshotProgress,
  ImageCancelResult,
  ImageCopyHandle,
  ImageCopyStatus,
} from './image-status.js';
