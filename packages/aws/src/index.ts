/**
 * @snapcopy/aws — the AWS EBS `SnapshotCopier` and the EC2 AMI `ImageCopier` over
 * `@aws-sdk/client-ec2`, their capability manifests and the provider rules they apply. The
 * SDK is loaded on first use.
 * @packageDocumentation
 */
export { AWS_EBS_CAPABILITIES, AWS_MAX_TAGS_PER_RESOURCE } from './capabilities.js';
export { AwsEbsSnapshotCopier, createAwsEbsCopier } from './copier.js';
export { awsConfiguredRegion } from './configured-region.js';
export { AWS_ERROR_RULES, type AwsCallContext, type AwsErrorRule, mapAwsError } from './error-mapping.js';
export type { AwsCredentialProvider, AwsEbsCopierOptions, AwsStaticCredentials } from './options.js';
export { awsEbsCopierProvider } from './provider.js';
export * from './rules/index.js';

// AMIs: the same contract for EC2 images.
export { AWS_AMI_CAPABILITIES, AWS_MAX_CONCURRENT_AMI_COPIES_PER_REGION } from './image-capabilities.js';
export { type AwsImageCopierOptions, AwsEc2ImageCopier, createAwsImageCopier } from './image-copier.js';
export { awsImageCopierProvider } from './image-provider.js';
export { type AwsImageCopyInput, type AwsImageCopyRule, awsImageCopyRefusal } from './rules/image-copy.js';
export {
  AWS_SHARED_TAG_PREFIX,
  type AwsImageTagsInput,
  awsTagsCarriedByCopy,
  resolveAwsImageTags,
} from './rules/image-tags.js';
export { type AwsImageTimeBasedCopy, planAwsImageTimeBasedCopy } from './rules/image-time-based.js';
export {
  AWS_IMAGE_DESCRIPTION_MAX,
  AWS_IMAGE_ID,
  AWS_IMAGE_NAME,
  defaultAwsImageName,
  validateAwsImageDescription,
  validateAwsImageId,
  validateAwsImageName,
} from './rules/image-validation.js';
