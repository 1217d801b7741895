/**
 * @snapcopy/core/driver — what adapter authors need: the copy facade to extend, the
 * driver-side types its protocol methods speak, and the helpers adapters share (lineage
 * tags, batched reads, listing, endpoints, deadlines, input checks, provider-call records).
 * Users of the SDK import from `@snapcopy/core`; nothing here is needed to copy.
 * @packageDocumentation
 */

export {
  AbstractSnapshotCopier,
  checkSnapshotRef,
  type NormalizedCopyRequest,
  snapshotLineage,
} from './snapshot-copier.js';
export {
  AbstractImageCopier,
  checkImageRef,
  imageLineage,
  type NormalizedImageCopyRequest,
} from './image-copier.js';
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
export { checkImageRequestAgainstCapabilities } from './image-capability-check.js';
export { type ObservedCopy, STATE_TAGS } from './observed-copy.js';
export { chunk, findOwnedOrShared, readByRegion, readPerGroup } from './batch-reads.js';

// Lineage tags: what a copy carries so it can be found again.
export { LINEAGE_TAG_COUNT, LINEAGE_TAGS, lineageTags, type TokenLineage } from './lineage.js';
export {
  IMAGE_LINEAGE_TAG_COUNT,
  IMAGE_LINEAGE_TAGS,
  IMAGE_SNAPSHOT_LINEAGE_TAG_COUNT,
  IMAGE_SNAPSHOT_LINEAGE_TAGS,
  imageKeyTag,
  type ImageLineageRequest,
  imageLineageTags,
  imageSnapshotLineageTags,
  keyOfImageKeyTag,
} from './image-lineage.js';

// Reading the provider: listings, source facts.
export {
  compileDescriptionRegex,
  descriptionMatches,
  invalidListQuery,
  type NormalizedListQuery,
  type ProviderListPage,
  type SnapshotSummaryReading,
  snapshotSummary,
} from './listing.js';
export type { CopyListFilter, DriverCopyPage } from './copy-listing.js';
export { type SourceImageReading, sourceImageFacts, totalOfSnapshots } from './image-plan.js';
export { parseProgressPercent } from './status.js';

// Checking input.
export { invalidRequest, readInput, registerSecret, throwIfIssues } from './errors.js';
export { type DefinedFields, definedFields } from './fields.js';
export { type EndpointAddress, type ParseEndpointOptions, parseEndpoint } from './endpoint.js';
export {
  isLoopbackHost,
  isSandboxAccessKey,
  refuseSandboxKeyOffLoopback,
  SANDBOX_ACCESS_KEY_PREFIXES,
} from './sandbox-keys.js';

// Calling the provider: deadlines, retries, network failures, call records, logging.
export {
  type CallDeadlineOptions,
  requestTimeoutError,
  timeoutOptionIssue,
  withCallDeadline,
} from './call-deadline.js';
export { backoffDelay } from './retry.js';
export { MAX_TIMER_MS } from './clock.js';
export { classifyNetworkError, type NetworkFailure } from './network-errors.js';
export {
  type ProviderCallRecord,
  reportProviderCall,
  timeProviderCall,
  withProviderCalls,
} from './provider-calls.js';
export { normalizeLogCall } from './logger.js';
