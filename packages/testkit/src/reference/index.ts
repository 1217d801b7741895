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
  type ReferenceOwnedView,
  type ReferenceSnapshotView,
  referenceEncryptionOutcome,
} from './cloud.js';
export {
  mapReferenceError,
  planReferenceSnapshotCopy,
  REFERENCE_PROVIDER,
  type ReferenceCopierOptions,
  ReferenceSnapshotCopier,
  referenceCapabilities,
} from './copier.js';
export {
  addFixtureSnapshot,
  makeReferenceHarness,
  REFERENCE_CALLER,
  REFERENCE_OTHER,
  REFERENCE_REGIONS,
  type ReferenceHarnessOptions,
  setUpReferenceCloud,
} from './harness.js';
export {
  type ReferenceImageCopierOptions,
  ReferenceImageCopier,
  referenceImageCapabilities,
} from './image-copier.js';
export {
  makeReferenceImageHarness,
  REFERENCE_IMAGE_OPERATIONS,
  type ReferenceImageHarnessOptions,
  referenceImageTruth,
} from './image-harness.js';
export {
  REFERENCE_SHARED_TAG_PREFIX,
  type ReferenceImage,
  type ReferenceImageCopyParams,
  ReferenceImageStore,
  type ReferenceImageView,
  referenceTagsCarried,
} from './images.js';
