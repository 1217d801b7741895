export { alibabaKmsFrontEnd } from './front-end.js';
export {
  ALIBABA_KMS_OPERATIONS,
  ALIBABA_KMS_VERSION,
  alibabaAliasArn,
  alibabaKeyMetadata,
  alibabaKmsRegion,
  describeAlibabaKey,
  listAlibabaAliases,
  listAlibabaAliasesByKeyId,
  lookUpAlibabaKmsKey,
} from './operations.js';
