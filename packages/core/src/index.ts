/**
 * @snapcopy/core — the provider-neutral contract for copying block-storage snapshots.
 * Its only runtime dependency is zod, loaded on the first parse.
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
export {
  compileDescriptionRegex,
  descriptionMatches,
  eachListedSnapshot,
  invalidListQuery,
  type NormalizedListQuery,
  type ProviderListPage,
  type SnapshotListPage,
  type SnapshotListQuery,
  SnapshotListQuerySchema,
  type SnapshotState,
  type SnapshotSummary,
  type SnapshotSummaryReading,
  snapshotSummary,
} from './listing.js';
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
  invalidRequest,
  throwIfIssues,
  is,
  isSnapcopyError,
  readInput,
  redactSecrets,
  registerSecret,
  SnapcopyError,
  type SnapcopyErrorOptions,
} from './errors.js';
export { type DefinedFields, definedFields } from './fields.js';
export { type Clock, MAX_TIMER_MS, systemClock } from './clock.js';
export {
  LOG_LEVELS,
  type LogFields,
  type LogFn,
  type Logger,
  type LogLevel,
  normalizeLogCall,
  redactingLogger,
  silentLogger,
} from './logger.js';
export {
  type ProviderCallRecord,
  type ResponseMetadata,
  reportProviderCall,
  responseMetadata,
  timeProviderCall,
  withProviderCalls,
} from './provider-calls.js';
export { type CancelLedger, type CancelRecord, cancelKey, MemoryCancelLedger } from './cancel-ledger.js';
export { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';

// Machine images (EC2 AMIs, ECS custom images): the same contract for another resource.
export {
  AbstractImageCopier,
  checkImageRef,
  type ImageCopier,
  imageLineage,
  type ImageCopierProvider,
  type ImageCopyOptions,
  type ImageKind,
  type ImageWaitOptions,
  type NormalizedImageCopyRequest,
} from './image-copier.js';
export {
  defineImageCapabilities,
  IMAGE_CAPABILITY_KEYS,
  type ImageCapabilities,
  ImageCapabilitiesSchema,
} from './image-capabilities.js';
export { checkImageRequestAgainstCapabilities } from './image-capability-check.js';
export {
  type ImageCopyRequest,
  type ImageCopyRequestInput,
  ImageCopyRequestSchema,
  type ImageRef,
  parseImageCopyRequest,
} from './image-request.js';
export {
  type BackingSnapshotPlan,
  type ImageCopyPlan,
  type PlannedImageTags,
  type SourceImageFacts,
  type SourceImageReading,
  sourceImageFacts,
  totalOfSnapshots,
} from './image-plan.js';
export type {
  BackingSnapshotProgress,
  ImageCancelResult,
  ImageCopyHandle,
  ImageCopyStatus,
} from './image-status.js';
export {
  IMAGE_LINEAGE_TAG_COUNT,
  IMAGE_LINEAGE_TAGS,
  IMAGE_SNAPSHOT_LINEAGE_TAG_COUNT,
  IMAGE_SNAPSHOT_LINEAGE_TAGS,
  imageKeyTag,
  imageLineageTags,
  imageSnapshotLineageTags,
  keyOfImageKeyTag,
} from './image-lineage.js';

// For adapter authors: the facade to extend and what its driver methods speak.
export {
  AbstractSnapshotCopier,
  checkSnapshotRef,
  type NormalizedCopyRequest,
  type SnapshotKind,
  snapshotLineage,
} from './snapshot-copier.js';
export {
  type CopierRuntime,
  CopyFacade,
  type CopyKindTypes,
  type MadeCopy,
  type NeutralCancel,
  type NeutralStatus,
  type ProtocolCapabilities,
  type ProtocolRequest,
} from './copy-facade.js';
export { type ObservedCopy, STATE_TAGS } from './observed-copy.js';
export { chunk, findOwnedOrShared, readByRegion, readPerGroup } from './batch-reads.js';
export {
  batchIdOfToken,
  type CopyListFilter,
  type CopyListPage,
  type CopyListQuery,
  type DriverCopyPage,
  LISTING_TAGS,
  type ListCopiesOptions,
  type ListedCopy,
} from './copy-listing.js';
export { LINEAGE_TAG_COUNT, LINEAGE_TAGS, lineageTags, type TokenLineage } from './lineage.js';
export { classifyNetworkError, type NetworkFailure } from './network-errors.js';
export {
  type CallDeadlineOptions,
  DEFAULT_REQUEST_TIMEOUT_MS,
  requestTimeoutError,
  timeoutOptionIssue,
  withCallDeadline,
} from './call-deadline.js';
export { type EndpointAddress, type ParseEndpointOptions, parseEndpoint } from './endpoint.js';
export { parseProgressPercent } from './status.js';
export {
  isLoopbackHost,
  isSandboxAccessKey,
  refuseSandboxKeyOffLoopback,
  SANDBOX_ACCESS_KEY_PREFIXES,
} from './sandbox-keys.js';
