import { type ErrorCode, isSnapcopyError, SnapcopyError } from '@snapcopy/core';
import { classifyNetworkError } from '@snapcopy/core/driver';
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

/** The rules of one snapcopy code: `{ match: meaning }`, `match` an exact ECS code or a prefix ending in `*`. */
function rulesFor(
  code: ErrorCode,
  retryable: boolean,
  byMatch: Readonly<Record<string, string>>,
): EcsErrorRule[] {
  return Object.entries(byMatch).map(([match, meaning]) => ({ match, code, retryable, meaning }));
}

/**
 * Every ECS error code of CopySnapshot, DescribeSnapshots, DeleteSnapshot, CopyImage,
 * CancelCopyImage, DescribeImages, DeleteImage, the tag APIs and the platform (the ECS API
 * reference's error codes), mapped onto snapcopy's closed set, by the code it maps onto.
 * Exact codes win over prefixes (`QuotaExceed*`); the longest prefix wins among prefixes.
 */
export const ECS_ERROR_RULES: readonly EcsErrorRule[] = Object.freeze([
  // Request rate limits: the SDK raises ThrottlingError for any code containing "Throttling".
  ...rulesFor('THROTTLED', true, {
    'Throttling*': 'request rate limit; back off and retry',
  }),
  // What was named does not exist.
  ...rulesFor('NOT_FOUND', false, {
    'InvalidSnapshotId.NotFound': 'the snapshot does not exist',
    'InvalidResourceId.NotFound': 'the tagged resource does not exist',
    'InvalidImageId.NotFound': 'the image does not exist',
  }),
  // Keys and encryption (CopySnapshot and CopyImage report them synchronously).
  ...rulesFor('ENCRYPTION_RULE', false, {
    'InvalidParameter.KMSKeyId.*': 'the KMS key is missing, disabled or unauthorised',
    'InvalidKMSKeyId.*': 'the KMS key cannot be used (e.g. asymmetric)',
    'InvalidEncrypted.*': 'KMSKeyId without Encrypted, or decrypting on copy',
    'InvalidParameter.KmsNotEnabled': 'KMS is not activated for the account',
    'InvalidParameter.DataEncryptedKeyCreateFailed': 'KMS could not create a data key',
    'OperationDeined.EncryptedSnapshot':
      "an image with encrypted snapshots cannot be copied unencrypted (ECS's spelling)",
  }),
  // Refused for this request: the category, region pair or source cannot be copied this way.
  ...rulesFor('UNSUPPORTED', false, {
    'InvalidOperation.NotSupportCopyInSameRegion': 'an unencrypted copy into the source region',
    'InvalidSnapshotCategory.NotSupportCopy': 'local/archived snapshots cannot be copied',
    'InvalidSnapshotCategory.NotSupportCrossRegionCopy': 'this category cannot cross regions',
    'InvalidSnapshotCategory.NotSupportEncryptedCopy': 'this category cannot be copied encrypted',
    'OperationDenied.SnapshotCategoryNotSupportCopy': 'archived snapshots cannot be copied',
    'InvalidSnapshotId.EncryptedNotSupport': 'an encrypted source cannot be copied here',
    'InvalidSnapshot.EncryptedNotSupported': 'an encrypted source cannot be copied here',
    'InvalidRegionId.NotSupportedEncryptedSnapshotCopy': 'the region takes no encrypted copy',
    'InvalidRegion.NotSupport': 'the destination region does not support this copy',
    'OperationDenied.NonCompliantDestinationRegion': 'compliance blocks the destination',
    'InvalidOperation.DeleteSharedSnapshotUnsupported': 'a shared snapshot cannot be deleted',
    'InvalidOperation.ResourceManagedByCloudProduct': 'another cloud product manages it',
    'InvalidResourceId.NotSupported': 'the resource cannot be tagged',
    'OperationDenied.CommunityImage': 'a community image cannot be copied',
    CancelNotSupported: 'this image copy cannot be cancelled',
    'OperationDenied.SameRegionOnly': 'a shared image is copied within its region',
  }),
  // Limits and quotas used up.
  ...rulesFor('QUOTA_EXCEEDED', false, {
    'QuotaExceed*': 'an account quota is used up',
    'OperationDenied.QuotaExceed': 'too many tags on the resource',
  }),
  // A copy of the same disk or image is unfinished: retry when it ends.
  ...rulesFor('QUOTA_EXCEEDED', true, {
    'InvalidOperation.UnfinishedCrossRegionCopy': 'a copy of this disk to that region is unfinished',
    'InvalidOperation.UnfinishedEncryptedSnapshotCopy': 'an encrypted copy of this disk is unfinished',
    'InvalidOperation.DiskHasUnfinishedSnapshotCopy': 'a copy of this disk is unfinished',
    'OperationDenied.ImageCopyConflict': 'the same image is being copied; one copy at a time',
  }),
  // Credentials, permissions and account state.
  ...rulesFor('ACCESS_DENIED', false, {
    'Forbidden*': 'RAM policy denies the call',
    'InvalidAccessKeyId*': 'the AccessKey id is unknown or disabled',
    SignatureDoesNotMatch: 'the AccessKey secret is wrong',
    IncompleteSignature: 'the request signature is incomplete',
    'InvalidSecurityToken*': 'the STS token is invalid or expired',
    'InvalidTimeStamp.Expired': 'the local clock is too far off',
    'InvalidOperation.Unauthorized': 'the account may not do this',
    'InvalidUser.NotInWhiteList': 'the account is not allow-listed',
    'InvalidAccountStatus.*': 'account state (balance, service suspended)',
    InvalidCredentials: 'no credentials were found',
  }),
  // Malformed or missing parameters, and states that refuse the call.
  ...rulesFor('INVALID_REQUEST', false, {
    'MissingParameter*': 'a required parameter is missing',
    InvalidParameter: 'a parameter is not valid',
    'InvalidParameter.*': 'a parameter is not valid',
    'InvalidRegionId.*': 'the region id is malformed or unknown',
    'InvalidSnapshotId.NotReady': 'the source snapshot is still being created',
    'InvalidSnapshotName.Malformed': 'DestinationSnapshotName is not valid',
    'InvalidDescription.Malformed': 'DestinationSnapshotDescription is not valid',
    'InvalidRetentionDays.Malformed': 'RetentionDays is not 1-65536',
    'InvalidSnapshotIds.Malformed': 'SnapshotIds is not a JSON array of ≤ 100 ids',
    'InvalidSnapshotCategory.Malformed': 'Category is not valid',
    'Duplicate.TagKey': 'a tag key is repeated',
    'TagKey.Duplication': 'a tag key is repeated',
    'InvalidTagKey.Malformed': 'a tag key is not valid',
    'InvalidTagValue.Malformed': 'a tag value is not valid',
    'InvalidTag.Mismatch': 'Tag.N.Key and Tag.N.Value do not pair',
    InvalidTagCount: 'more than 20 tags',
    'NumberExceed.*': 'too many ids or tags in one call',
    'InvalidFilterKey.NotFound': 'an unknown Filter.N.Key',
    InvalidFilterValue: 'a Filter.N.Value is not valid',
    InvalidUsage: 'Usage is not valid',
    InvalidSourceDiskType: 'SourceDiskType is not valid',
    'InvalidStatus.NotFound': 'Status is not valid',
    'InvalidSnapshotType.NotFound': 'SnapshotType is not valid',
    'InvalidSnapshotLinkId.NotFound': 'SnapshotLinkId is not valid',
    'InvalidResourceType.NotFound': 'ResourceType is not valid',
    'InvalidParameter.Arns': 'Arn.N is not valid',
    DryRunOperation: 'a dry run succeeded (nothing was done)',
    IdempotentParameterMismatch: 'the ClientToken was used for a request with other parameters',
    SnapshotCreatedImage: 'the snapshot backs a custom image',
    SnapshotCreatedDisk: 'the snapshot backs disks (Force not set)',
    'InvalidImageName.Malformed': 'DestinationImageName is not valid',
    'InvalidImageName.Duplicated': 'the image name is in use in the destination',
    IncorrectImageStatus: 'the image is not available, or its copy ended',
    ImageCreatedNotFromCopy: 'the image is not a copy',
    'OperationDenied.ImageCopying': 'an image being copied: cancel the copy',
    ImageUseShared: 'a shared image cannot be deleted',
    ImageIsPublic: 'a community image cannot be deleted',
    'SourceRegion.NotFound': 'the source region is unknown',
    'DestinationRegion.NotFound': 'the destination region is unknown',
    'InvalidImageOwnerAlias.*': 'ImageOwnerAlias is not valid',
    InvalidParamter: "a parameter is not valid (ECS's spelling)",
  }),
  // Transient: the same call may succeed later.
  ...rulesFor('PROVIDER_ERROR', true, {
    'InvalidOperation.Conflict': 'a conflicting request is in progress',
    'Operation.Conflict': 'a conflicting request is in progress',
    'IncorrectDiskStatus.CreatingSnapshot': 'the disk is creating a snapshot',
    'InvalidOperation.RelatedSnapshotNotFinished': 'a related snapshot is unfinished',
    SignatureNonceUsed: 'nonce reuse; a new request gets a new nonce',
    InternalError: 'ECS failed internally',
    ServiceUnavailable: 'ECS is temporarily unavailable',
  }),
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
