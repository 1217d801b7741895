/**
 * @snapcopy/core — the provider-neutral contract for copying block-storage snapshots.
 * Its only runtime dependency is zod, loaded on the first parse.
 * @packageDocumentation
 */
export { AbstractSnapshotCopier, type CopierRuntime, type NormalizedCopyRequest } from './abstract-copier.js';
export {
  CAPABILITY_KEYS,
  type Capabilities,
  CapabilitiesSchema,
  defineCapabilities,
} from './capabilities.js';
export { checkRequestAgainstCapabilities } from './capability-check.js';
export { type Clock, systemClock } from './clock.js';
export type {
  CallOptions,
  CopierProvider,
  CopyOptions,
  PlanOptions,
  SnapshotCopier,
  WaitOptions,
} from './copier.js';
export {
  type CostEstimate,
  type CostLine,
  estimateCopyCost,
  type PriceTable,
  PriceTableSchema,
  transferPrice,
} from './cost.js';
export {
  ERROR_CODES,
  type ErrorCode,
  type FieldIssue,
  invalidRequest,
  is,
  isSnapcopyError,
  redactSecrets,
  registerSecret,
  SnapcopyError,
  type SnapcopyErrorOptions,
} from './errors.js';
export { type Logger, redactingLogger, silentLogger } from './logger.js';
export type {
  BillableGiB,
  CopyPlan,
  KeySource,
  KmsCharges,
  ResolvedEncryption,
  SizeBasis,
  SourceSnapshotFacts,
  Transfer,
} from './plan.js';
export {
  type CopyRequest,
  type CopyRequestInput,
  CopyRequestSchema,
  parseCopyRequest,
  RESERVED_TAG_PREFIX,
  type SnapshotRef,
  TAG_LIMITS,
} from './request.js';
export { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from './retry.js';
export {
  type AbsentCopyMessages,
  absentCopyStatus,
  type CancelResult,
  type CopyHandle,
  type CopyState,
  type CopyStatus,
  parseProgressPercent,
  TERMINAL_STATES,
} from './status.js';
export { LINEAGE_TAG_COUNT, LINEAGE_TAGS, lineageTags, tokenReuseMismatch } from './lineage.js';
