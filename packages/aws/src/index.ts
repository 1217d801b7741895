/**
 * @snapcopy/aws — the AWS EBS `SnapshotCopier` over `@aws-sdk/client-ec2`, its capability
 * manifest and the provider rules it applies. The SDK is loaded on first use.
 * @packageDocumentation
 */
export { AWS_EBS_CAPABILITIES, AWS_MAX_TAGS_PER_RESOURCE } from './capabilities.js';
export { AwsEbsSnapshotCopier, createAwsEbsCopier } from './copier.js';
export { awsConfiguredRegion } from './configured-region.js';
export { AWS_ERROR_RULES, type AwsCallContext, type AwsErrorRule, mapAwsError } from './error-mapping.js';
export type { AwsCredentialProvider, AwsEbsCopierOptions, AwsStaticCredentials } from './options.js';
export { awsEbsCopierProvider } from './provider.js';
export * from './rules/index.js';
