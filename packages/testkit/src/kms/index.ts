export { kmsSigV4Errors } from './errors.js';
export { KMS_SERVICE, KMS_TARGET_PREFIX, kmsFrontEnd } from './front-end.js';
export { type AwsKmsKeyLookup, awsAliasArn, lookUpAwsKmsKey } from './key-lookup.js';
export { awsKeyMetadata, describeKey, KMS_OPERATIONS, listAliases } from './operations.js';
