export {
  REFERENCE_DEFAULT_KEY_ALIAS,
  REFERENCE_DESCRIBE_BY_IDS,
  REFERENCE_DESCRIBE_BY_TAG,
  ReferenceCloud,
  ReferenceCloudError,
  type ReferenceCloudOptions,
  type ReferenceCopyParams,
  type ReferenceCredentials,
  type ReferenceEncryptionOutcome,
  type ReferenceOperation,
  type ReferenceSnapshotView,
  referenceEncryptionOutcome,
} from './cloud.js';
export {
  REFERENCE_PROVIDER,
  type ReferenceCopierOptions,
  ReferenceSnapshotCopier,
  referenceCapabilities,
} from './copier.js';
export { makeReferenceHarness, type ReferenceHarnessOptions } from './harness.js';
