/**
 * `@snapcopy/policy` — copy policies: which snapshots (own, or shared by accounts; a
 * description regex, tags, multi-volume sets by a tag), where (regions, each with its key
 * and retention), run once or on a schedule through the orchestrator; Amazon DLM
 * event-based (cross-account copy) policies read unchanged.
 * @packageDocumentation
 */
export {
  assertPolicyRunnable,
  type CheckedDestination,
  checkPolicy,
  type PolicyCheck,
  type PolicyRefusal,
  providerTagIssues,
  type RetentionMode,
} from './check.js';
export { CopiedIndex } from './copied-index.js';
export {
  DLM_MAX_COPY_REGIONS,
  type DlmConversionContext,
  type DlmPolicyDetails,
  dlmPolicyId,
  dlmToPolicy,
  looksLikeDlm,
  parseDlmPolicy,
} from './dlm.js';
export {
  invalidPolicy,
  MAX_RETENTION,
  POLICY_DOCUMENT_VERSION,
  type PolicyDestination,
  type PolicyDocument,
  type PolicyDocumentInput,
  policyDocumentJsonSchema,
  policyDocumentSchema,
  type PolicySource,
  parsePolicyDocument,
  type RetentionRule,
} from './document.js';
export { type LoadPolicyContext, loadPolicy, type PolicyFormat, parsePolicyText } from './load.js';
export {
  type BlockedCopy,
  type DestinationReport,
  type ExpiredCopy,
  type GroupReport,
  keyStepsMissing,
  type PassCopy,
  type PassOrchestratorOptions,
  type PassRunner,
  type PassTotals,
  type PolicyPassEvent,
  type PolicyPassOptions,
  type PolicyPassReport,
  runPolicyPass,
  type SourceReport,
} from './pass.js';
export { copyableSourceTags, POLICY_TAG_COUNT, POLICY_TAGS } from './policy-tags.js';
export {
  addCalendarMonths,
  maxRetentionDays,
  retentionDays,
  retentionEnd,
  retentionWords,
  youngEnoughToCopy,
} from './retention.js';
export { DEFAULT_PASS_BUCKET_MS, passBatchId, policyBatchPrefix, policyClientToken } from './tokens.js';
export { watchPolicy, type WatchPolicyOptions } from './watch.js';
