/**
 * @snapcopy/aws — the AWS EBS `SnapshotCopier` over `@aws-sdk/client-ec2`, its capability
 * manifest and the provider rules it applies. The SDK is loaded on first use.
 * @packageDocumentation
 */
export { AWS_EBS_CAPABILITIES, AWS_MAX_TAGS_PER_RESOURCE } from './capabilities.js';
export { CANCELLED_TAG } from './cancel-tag.js';
export { AwsEbsSnapshotCopier } from './copier.js';
export { copyEncryptionParams, copySnapshotInput, defaultCopyDescription } from './copy-params.js';
export { callerTags, copyTags, NAME_TAG } from './copy-tags.js';
export { createAwsEbsCopier } from './create-copier.js';
export { AWS_ERROR_RULES, type AwsCallContext, type AwsErrorRule, mapAwsError } from './error-mapping.js';
export type { AwsCredentialProvider, AwsEbsCopierOptions, AwsStaticCredentials } from './options.js';
export { awsEbsCopierProvider } from './provider.js';
export * from './rules/index.js';
export { absentStatus, parseProgress, snapshotStatus } from './status-mapping.js';
