import { classifyNetworkError, type ErrorCode, isSnapcopyError, SnapcopyError } from '@snapcopy/core';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';

/** The ECS operations this adapter calls. */
export type EcsOperation =
  | 'CopySnapshot'
  | 'DescribeSnapshots'
  | 'DeleteSnapshot'
  | 'DescribeSnapshotGroups'
  | 'CopyImage'
  | 'DescribeImages'
  | 'CancelCopyImage'
  | 'DeleteImage';

/** How one ECS error code maps onto the closed set. */
export interface EcsErrorRule {
  /** An exact ECS code, or a prefix ending in `*` (`QuotaExceed*`). */
  readonly match: string;
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** What the code means, in plain words (README table). */
  readonly meaning: string;
}

const rule = (match: string, code: ErrorCode, retryable: boolean, meaning: string): EcsErrorRule => ({
  match,
  code,
  retryable,
  meaning,
});

/**
 * Every ECS error code of CopySnapshot, DescribeSnapshots, DeleteSnapshot, the tag APIs
 * and the platform (the ECS API reference's error codes), mapped onto snapcopy's closed set. Exact codes
 * win over prefixes; the longest prefix wins among prefixes.
 */
export const ECS_ERROR_RULES: readonly EcsErrorRule[] = Object.freeze([
  // Throttling: the SDK raises ThrottlingError for any code containing "Throttling".
  rule('Throttling*', 'THROTTLED', true, 'request rate limit; back off and retry'),
  // Not found
  rule('InvalidSnapshotId.NotFound', 'NOT_FOUND', false, 'the snapshot does not exist'),
  rule('InvalidResourceId.NotFound', 'NOT_FOUND', false, 'the tagged resource does not exist'),
  // Keys and encryption (reported synchronously by CopySnapshot)
  rule(
    'InvalidParameter.KMSKeyId.*',
    'ENCRYPTION_RULE',
    false,
    'the KMS key is missing, disabled or unauthorised',
  ),
  rule('InvalidKMSKeyId.*', 'ENCRYPTION_RULE', false, 'the KMS key cannot be used (e.g. asymmetric)'),
  rule('InvalidEncrypted.*', 'ENCRYPTION_RULE', false, 'KMSKeyId without Encrypted, or decrypting on copy'),
  rule('InvalidParameter.KmsNotEnabled', 'ENCRYPTION_RULE', false, 'KMS is not activated for the account'),
  rule(
    'InvalidParameter.DataEncryptedKeyCreateFailed',
    'ENCRYPTION_RULE',
    false,
    'KMS could not create a data key',
  ),
  // Refused for this request: the category, region pair or source cannot be copied this way
  rule(
    'InvalidOperation.NotSupportCopyInSameRegion',
    'UNSUPPORTED',
    false,
    'an unencrypted copy into the source region',
  ),
  rule(
    'InvalidSnapshotCategory.NotSupportCopy',
    'UNSUPPORTED',
    false,
    'local/archived snapshots cannot be copied',
  ),
  rule(
    'InvalidSnapshotCategory.NotSupportCrossRegionCopy',
    'UNSUPPORTED',
    false,
    'this category cannot cross regions',
  ),
  rule(
    'InvalidSnapshotCategory.NotSupportEncryptedCopy',
    'UNSUPPORTED',
    false,
    'this category cannot be copied encrypted',
  ),
  rule(
    'OperationDenied.SnapshotCategoryNotSupportCopy',
    'UNSUPPORTED',
    false,
    'archived snapshots cannot be copied',
  ),
  rule(
    'InvalidSnapshotId.EncryptedNotSupport',
    'UNSUPPORTED',
    false,
    'an encrypted source cannot be copied here',
  ),
  rule(
    'InvalidSnapshot.EncryptedNotSupported',
    'UNSUPPORTED',
    false,
    'an encrypted source cannot be copied here',
  ),
  rule(
    'InvalidRegionId.NotSupportedEncryptedSnapshotCopy',
    'UNSUPPORTED',
    false,
    'the region takes no encrypted copy',
  ),
  rule('InvalidRegion.NotSupport', 'UNSUPPORTED', false, 'the destination region does not support this copy'),
  rule(
    'OperationDenied.NonCompliantDestinationRegion',
    'UNSUPPORTED',
    false,
    'compliance blocks the destination',
  ),
  rule(
    'InvalidOperation.DeleteSharedSnapshotUnsupported',
    'UNSUPPORTED',
    false,
    'a shared snapshot cannot be deleted',
  ),
  rule(
    'InvalidOperation.ResourceManagedByCloudProduct',
    'UNSUPPORTED',
    false,
    'another cloud product manages it',
  ),
  rule('InvalidResourceId.NotSupported', 'UNSUPPORTED', false, 'the resource cannot be tagged'),
  // Limits and quotas
  rule('QuotaExceed*', 'QUOTA_EXCEEDED', false, 'an account quota is used up'),
  rule('OperationDenied.QuotaExceed', 'QUOTA_EXCEEDED', false, 'too many tags on the resource'),
  rule(
    'InvalidOperation.UnfinishedCrossRegionCopy',
    'QUOTA_EXCEEDED',
    true,
    'a copy of this disk to that region is unfinished',
  ),
  rule(
    'InvalidOperation.UnfinishedEncryptedSnapshotCopy',
    'QUOTA_EXCEEDED',
    true,
    'an encrypted copy of this disk is unfinished',
  ),
  rule(
    'InvalidOperation.DiskHasUnfinishedSnapshotCopy',
    'QUOTA_EXCEEDED',
    true,
    'a copy of this disk is unfinished',
  ),
  // Credentials, permissions and account state
  rule('Forbidden*', 'ACCESS_DENIED', false, 'RAM policy denies the call'),
  rule('InvalidAccessKeyId*', 'ACCESS_DENIED', false, 'the AccessKey id is unknown or disabled'),
  rule('SignatureDoesNotMatch', 'ACCESS_DENIED', false, 'the AccessKey secret is wrong'),
  rule('IncompleteSignature', 'ACCESS_DENIED', false, 'the request signature is incomplete'),
  rule('InvalidSecurityToken*', 'ACCESS_DENIED', false, 'the STS token is invalid or expired'),
  rule('InvalidTimeStamp.Expired', 'ACCESS_DENIED', false, 'the local clock is too far off'),
  rule('InvalidOperation.Unauthorized', 'ACCESS_DENIED', false, 'the account may not do this'),
  rule('InvalidUser.NotInWhiteList', 'ACCESS_DENIED', false, 'the account is not allow-listed'),
  rule('InvalidAccountStatus.*', 'ACCESS_DENIED', false, 'account state (balance, service suspended)'),
  rule('InvalidCredentials', 'ACCESS_DENIED', false, 'no credentials were found'),
  // Malformed or missing parameters
  rule('MissingParameter*', 'INVALID_REQUEST', false, 'a required parameter is missing'),
  rule('InvalidParameter', 'INVALID_REQUEST', false, 'a parameter is not valid'),
  rule('InvalidParameter.*', 'INVALID_REQUEST', false, 'a parameter is not valid'),
  rule('InvalidRegionId.*', 'INVALID_REQUEST', false, 'the region id is malformed or unknown'),
  rule('InvalidSnapshotId.NotReady', 'INVALID_REQUEST', false, 'the source snapshot is still being created'),
  rule('InvalidSnapshotName.Malformed', 'INVALID_REQUEST', false, 'DestinationSnapshotName is not valid'),
  rule(
    'InvalidDescription.Malformed',
    'INVALID_REQUEST',
    false,
    'DestinationSnapshotDescription is not valid',
  ),
  rule('InvalidRetentionDays.Malformed', 'INVALID_REQUEST', false, 'RetentionDays is not 1-65536'),
  rule(
    'InvalidSnapshotIds.Malformed',
    'INVALID_REQUEST',
    false,
    'SnapshotIds is not a JSON array of ≤ 100 ids',
  ),
  rule('InvalidSnapshotCategory.Malformed', 'INVALID_REQUEST', false, 'Category is not valid'),
  rule('Duplicate.TagKey', 'INVALID_REQUEST', false, 'a tag key is repeated'),
  rule('TagKey.Duplication', 'INVALID_REQUEST', false, 'a tag key is repeated'),
  rule('InvalidTagKey.Malformed', 'INVALID_REQUEST', false, 'a tag key is not valid'),
  rule('InvalidTagValue.Malformed', 'INVALID_REQUEST', false, 'a tag value is not valid'),
  rule('InvalidTag.Mismatch', 'INVALID_REQUEST', false, 'Tag.N.Key and Tag.N.Value do not pair'),
  rule('InvalidTagCount', 'INVALID_REQUEST', false, 'more than 20 tags'),
  rule('NumberExceed.*', 'INVALID_REQUEST', false, 'too many ids or tags in one call'),
  rule('InvalidFilterKey.NotFound', 'INVALID_REQUEST', false, 'an unknown Filter.N.Key'),
  rule('InvalidFilterValue', 'INVALID_REQUEST', false, 'a Filter.N.Value is not valid'),
  rule('InvalidUsage', 'INVALID_REQUEST', false, 'Usage is not valid'),
  rule('InvalidSourceDiskType', 'INVALID_REQUEST', false, 'SourceDiskType is not valid'),
  rule('InvalidStatus.NotFound', 'INVALID_REQUEST', false, 'Status is not valid'),
  rule('InvalidSnapshotType.NotFound', 'INVALID_REQUEST', false, 'SnapshotType is not valid'),
  rule('InvalidSnapshotLinkId.NotFound', 'INVALID_REQUEST', false, 'SnapshotLinkId is not valid'),
  rule('InvalidResourceType.NotFound', 'INVALID_REQUEST', false, 'ResourceType is not valid'),
  rule('InvalidParameter.Arns', 'INVALID_REQUEST', false, 'Arn.N is not valid'),
  rule('DryRunOperation', 'INVALID_REQUEST', false, 'a dry run succeeded (nothing was done)'),
  rule(
    'IdempotentParameterMismatch',
    'INVALID_REQUEST',
    false,
    'the ClientToken was used for a request with other parameters',
  ),
  rule('SnapshotCreatedImage', 'INVALID_REQUEST', false, 'the snapshot backs a custom image'),
  rule('SnapshotCreatedDisk', 'INVALID_REQUEST', false, 'the snapshot backs disks (Force not set)'),
  // Images (CopyImage, CancelCopyImage, DescribeImages, DeleteImage)
  rule('InvalidImageId.NotFound', 'NOT_FOUND', false, 'the image does not exist'),
  rule('InvalidImageName.Malformed', 'INVALID_REQUEST', false, 'DestinationImageName is not valid'),
  rule(
    'InvalidImageName.Duplicated',
    'INVALID_REQUEST',
    false,
    'the image name is in use in the destination',
  ),
  rule('IncorrectImageStatus', 'INVALID_REQUEST', false, 'the image is not available, or its copy ended'),
  rule('ImageCreatedNotFromCopy', 'INVALID_REQUEST', false, 'the image is not a copy'),
  rule('OperationDenied.ImageCopying', 'INVALID_REQUEST', false, 'an image being copied: cancel the copy'),
  rule('ImageUseShared', 'INVALID_REQUEST', false, 'a shared image cannot be deleted'),
  rule('ImageIsPublic', 'INVALID_REQUEST', false, 'a community image cannot be deleted'),
  rule('SourceRegion.NotFound', 'INVALID_REQUEST', false, 'the source region is unknown'),
  rule('DestinationRegion.NotFound', 'INVALID_REQUEST', false, 'the destination region is unknown'),
  rule('InvalidImageOwnerAlias.*', 'INVALID_REQUEST', false, 'ImageOwnerAlias is not valid'),
  rule('InvalidParamter', 'INVALID_REQUEST', false, "a parameter is not valid (ECS's spelling)"),
  rule('OperationDenied.CommunityImage', 'UNSUPPORTED', false, 'a community image cannot be copied'),
  rule('CancelNotSupported', 'UNSUPPORTED', false, 'this image copy cannot be cancelled'),
  rule('OperationDenied.SameRegionOnly', 'UNSUPPORTED', false, 'a shared image is copied within its region'),
  rule(
    'OperationDeined.EncryptedSnapshot',
    'ENCRYPTION_RULE',
    false,
    "an image with encrypted snapshots cannot be copied unencrypted (ECS's spelling)",
  ),
  rule(
    'OperationDenied.ImageCopyConflict',
    'QUOTA_EXCEEDED',
    true,
    'the same image is being copied; one copy at a time',
  ),
  // Transient: the same call may succeed later
  rule('InvalidOperation.Conflict', 'PROVIDER_ERROR', true, 'a conflicting request is in progress'),
  rule('Operation.Conflict', 'PROVIDER_ERROR', true, 'a conflicting request is in progress'),
  rule('IncorrectDiskStatus.CreatingSnapshot', 'PROVIDER_ERROR', true, 'the disk is creating a snapshot'),
  rule(
    'InvalidOperation.RelatedSnapshotNotFinished',
    'PROVIDER_ERROR',
    true,
    'a related snapshot is unfinished',
  ),
  rule('SignatureNonceUsed', 'PROVIDER_ERROR', true, 'nonce reuse; a new request gets a new nonce'),
  rule('InternalError', 'PROVIDER_ERROR', true, 'ECS failed internally'),
  rule('ServiceUnavailable', 'PROVIDER_ERROR', true, 'ECS is temporarily unavailable'),
]);

const EXACT = new Map(ECS_ERROR_RULES.filter((r) => !r.match.endsWith('*')).map((r) => [r.match, r]));
const PREFIXES = ECS_ERROR_RULES.filter((r) => r.match.endsWith('*'))
  .map((r) => ({ prefix: r.match.slice(0, -1), rule: r }))
  .sort((a, b) => b.prefix.length - a.prefix.length);

/** The rule for an ECS error code, or `undefined` when the code is not in the table. */
export function findEcsErrorRule(code: string): EcsErrorRule | undefined {
  const exact = EXACT.get(code);
  if (exact) return exact;
  if (code.includes('Throttling')) return PREFIXES.find((p) => p.prefix === 'Throttling')?.rule;
  return PREFIXES.find((p) => code.startsWith(p.prefix))?.rule;
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly requestId?: unknown;
  readonly message?: unknown;
  readonly data?: { readonly RequestId?: unknown; readonly Message?: unknown } | null;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value !== 'undefined' ? value : undefined;
}

/** The request id of an SDK error: its field, the reply body, or the tail of its message. */
export function requestIdOf(err: unknown): string | undefined {
  const e = (err ?? {}) as SdkErrorShape;
  return (
    text(e.requestId) ??
    text(e.data?.RequestId) ??
    (typeof e.message === 'string' ? /request id: ([\w-]+)/i.exec(e.message)?.[1] : undefined)
  );
}

/** Where an error happened, which decides whether a lost reply is ambiguous. */
export interface EcsCallContext {
  readonly operation: EcsOperation | string;
  /** True for calls that change state (CopySnapshot, DeleteSnapshot). */
  readonly mutating: boolean;
}

/**
 * Maps anything the ECS SDK (or the network below it) threw onto a `SnapcopyError` with
 * the provider code, request id, HTTP status and the SDK error as `cause`.
 *
 * - An ECS code in {@link ECS_ERROR_RULES} takes that rule's code and `retryable`.
 * - An unknown code falls back on its HTTP status: 429 → `THROTTLED`, 404 → `NOT_FOUND`,
 *   400 → `INVALID_REQUEST`, 5xx → `PROVIDER_ERROR` (retryable), else `PROVIDER_ERROR`.
 * - Connection resets, hang-ups and timeouts → `PROVIDER_ERROR`, retryable.
 * - No connection made (refused, DNS `ENOTFOUND`/`EAI_AGAIN`, no route) → `PROVIDER_ERROR`,
 *   retryable, never ambiguous.
 * - A 5xx or lost connection on a mutating call is `ambiguous`: ECS may have applied it.
 */
export function mapAlibabaError(err: unknown, context: EcsCallContext): SnapcopyError {
  if (isSnapcopyError(err)) return err;
  const e = (err ?? {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const providerCode = typeof e.code === 'string' && e.code !== '' ? e.code : undefined;
  const httpStatus = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const requestId = requestIdOf(err);
  const raw = typeof e.message === 'string' ? e.message : String(err);
  const where = `alibaba ECS ${context.operation}`;
  const base = {
    provider: ALIBABA_PROVIDER,
    cause: err,
    ...(providerCode === undefined ? {} : { providerCode }),
    ...(requestId === undefined ? {} : { requestId }),
    ...(httpStatus === undefined ? {} : { httpStatus }),
  };

  if (name === 'AbortError') {
    return new SnapcopyError(
      'CANCELLED',
      `${where} was aborted${context.mutating ? '; ECS may have applied it' : ''}`,
      { ...base },
    );
  }
  // A timeout name the shared classification does not know (the Tea runtime's own) is still a timeout.
  const net =
    httpStatus === undefined
      ? (classifyNetworkError(err) ??
        (/timeout/i.test(name) ? { code: name, sent: true, timeout: true } : undefined))
      : undefined;
  if (net?.sent === true) {
    return new SnapcopyError(
      'PROVIDER_ERROR',
      `${where}: ${net.timeout ? 'no reply in time' : 'connection lost'} (${providerCode ?? net.code}): ${raw}${
        context.mutating ? '; ECS may have applied it' : ''
      }`,
      { ...base, retryable: true, ambiguous: context.mutating },
    );
  }
  if (net?.sent === false) {
    return new SnapcopyError('PROVIDER_ERROR', `${where}: could not connect (${net.code}): ${raw}`, {
      ...base,
      retryable: true,
    });
  }
  if (/unable to get credentials/i.test(raw)) {
    return new SnapcopyError('ACCESS_DENIED', `${where}: no Alibaba credentials found: ${raw}`, base);
  }

  const found = providerCode === undefined ? undefined : findEcsErrorRule(providerCode);
  const serverSide = httpStatus !== undefined && httpStatus >= 500;
  let code: ErrorCode;
  let retryable: boolean;
  if (found) {
    code = found.code;
    retryable = found.retryable;
  } else if (httpStatus === 429 || name === 'ThrottlingError') {
    code = 'THROTTLED';
    retryable = true;
  } else if (serverSide) {
    code = 'PROVIDER_ERROR';
    retryable = true;
  } else if (httpStatus === 404) {
    code = 'NOT_FOUND';
    retryable = false;
  } else if (httpStatus === 400) {
    code = 'INVALID_REQUEST';
    retryable = false;
  } else {
    code = 'PROVIDER_ERROR';
    retryable = false;
  }
  const ambiguous = context.mutating && serverSide;
  return new SnapcopyError(
    code,
    `${where} failed: ${raw}${found ? ` (${found.meaning})` : ''}${ambiguous ? '; ECS may have applied it' : ''}`,
    { ...base, retryable, ambiguous },
  );
}
