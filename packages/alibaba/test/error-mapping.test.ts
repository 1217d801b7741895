import { readFileSync } from 'node:fs';
import { type ErrorCode, isSnapcopyError, type SnapcopyError } from '@snapcopy/core';
import { registerSecret } from '@snapcopy/core/driver';
import { describe, expect, it } from 'vitest';
import { ECS_ERROR_RULES, findEcsErrorRule, mapAlibabaError } from '../src/index.js';
import { EcsWireStub, ecsError } from './support/ecs-wire-stub.js';
import { STUB_ORIGIN, stubCopier, TEST_CREDENTIALS } from './support/nock-copier.js';
import { localNetworkOnly } from './support/nock-lifecycle.js';

/**
 * Every ECS code the adapter maps (CopySnapshot, DescribeSnapshots,
 * DeleteSnapshot, TagResources, common), with the HTTP status ECS documents for it and
 * the snapcopy code it must become. Written independently of ECS_ERROR_RULES.
 */
const ROWS: readonly [ecsCode: string, http: number, code: ErrorCode, retryable: boolean][] = [
  // CopySnapshot
  ['MissingParameter', 400, 'INVALID_REQUEST', false],
  ['InvalidRegionId.MalFormed', 400, 'INVALID_REQUEST', false],
  ['Duplicate.TagKey', 400, 'INVALID_REQUEST', false],
  ['InvalidTagKey.Malformed', 400, 'INVALID_REQUEST', false],
  ['InvalidTagValue.Malformed', 400, 'INVALID_REQUEST', false],
  ['InvalidParameter.Arns', 400, 'INVALID_REQUEST', false],
  ['InvalidSnapshotId.NotFound', 403, 'NOT_FOUND', false],
  ['InvalidSnapshotId.NotReady', 403, 'INVALID_REQUEST', false],
  ['InvalidSnapshotId.EncryptedNotSupport', 403, 'UNSUPPORTED', false],
  ['InvalidSnapshot.EncryptedNotSupported', 403, 'UNSUPPORTED', false],
  ['InvalidSnapshotCategory.NotSupportEncryptedCopy', 403, 'UNSUPPORTED', false],
  ['InvalidSnapshotCategory.NotSupportCopy', 403, 'UNSUPPORTED', false],
  ['OperationDenied.SnapshotCategoryNotSupportCopy', 403, 'UNSUPPORTED', false],
  ['InvalidSnapshotCategory.NotSupportCrossRegionCopy', 403, 'UNSUPPORTED', false],
  ['InvalidOperation.NotSupportCopyInSameRegion', 403, 'UNSUPPORTED', false],
  ['InvalidOperation.UnfinishedCrossRegionCopy', 403, 'QUOTA_EXCEEDED', true],
  ['InvalidOperation.UnfinishedEncryptedSnapshotCopy', 403, 'QUOTA_EXCEEDED', true],
  ['InvalidOperation.DiskHasUnfinishedSnapshotCopy', 403, 'QUOTA_EXCEEDED', true],
  ['InvalidSnapshotName.Malformed', 403, 'INVALID_REQUEST', false],
  ['InvalidDescription.Malformed', 403, 'INVALID_REQUEST', false],
  ['InvalidRetentionDays.Malformed', 403, 'INVALID_REQUEST', false],
  ['InvalidRegionId.NotExists', 403, 'INVALID_REQUEST', false],
  ['InvalidRegionId.NotSupportedEncryptedSnapshotCopy', 403, 'UNSUPPORTED', false],
  ['InvalidRegion.NotSupport', 403, 'UNSUPPORTED', false],
  ['InvalidEncrypted.NotMatchKmsKeyId', 403, 'ENCRYPTION_RULE', false],
  ['InvalidEncrypted.NotSupportDecrypt', 403, 'ENCRYPTION_RULE', false],
  ['InvalidParameter.KmsNotEnabled', 403, 'ENCRYPTION_RULE', false],
  ['InvalidParameter.KMSKeyId.NotFound', 403, 'ENCRYPTION_RULE', false],
  ['InvalidParameter.KMSKeyId.KMSUnauthorized', 403, 'ENCRYPTION_RULE', false],
  ['InvalidParameter.KMSKeyId.CMKNotEnabled', 403, 'ENCRYPTION_RULE', false],
  ['InvalidParameter.KMSKeyId.CMKUnauthorized', 403, 'ENCRYPTION_RULE', false],
  ['InvalidKMSKeyId.NotSymmetric', 403, 'ENCRYPTION_RULE', false],
  ['InvalidParameter.DataEncryptedKeyCreateFailed', 403, 'ENCRYPTION_RULE', false],
  ['QuotaExceed.SnapshotQuota', 403, 'QUOTA_EXCEEDED', false],
  ['InvalidAccountStatus.NotEnoughBalance', 403, 'ACCESS_DENIED', false],
  ['InvalidAccountStatus.SnapshotServiceUnavailable', 403, 'ACCESS_DENIED', false],
  ['InvalidUser.NotInWhiteList', 403, 'ACCESS_DENIED', false],
  ['InvalidOperation.Unauthorized', 403, 'ACCESS_DENIED', false],
  ['OperationDenied.NonCompliantDestinationRegion', 403, 'UNSUPPORTED', false],
  ['InvalidOperation.Conflict', 409, 'PROVIDER_ERROR', true],
  ['InternalError', 500, 'PROVIDER_ERROR', true],
  // CopyImage, CancelCopyImage, DescribeImages, DeleteImage
  ['InvalidImageId.NotFound', 404, 'NOT_FOUND', false],
  ['InvalidImageName.Malformed', 400, 'INVALID_REQUEST', false],
  ['InvalidImageName.Duplicated', 400, 'INVALID_REQUEST', false],
  ['IncorrectImageStatus', 400, 'INVALID_REQUEST', false],
  ['ImageCreatedNotFromCopy', 400, 'INVALID_REQUEST', false],
  ['OperationDenied.ImageCopying', 403, 'INVALID_REQUEST', false],
  ['ImageUseShared', 403, 'INVALID_REQUEST', false],
  ['ImageIsPublic', 403, 'INVALID_REQUEST', false],
  ['SourceRegion.NotFound', 400, 'INVALID_REQUEST', false],
  ['DestinationRegion.NotFound', 400, 'INVALID_REQUEST', false],
  ['InvalidImageOwnerAlias.ValueNotSupported', 400, 'INVALID_REQUEST', false],
  ['InvalidParamter', 400, 'INVALID_REQUEST', false],
  ['OperationDenied.CommunityImage', 400, 'UNSUPPORTED', false],
  ['CancelNotSupported', 400, 'UNSUPPORTED', false],
  ['OperationDenied.SameRegionOnly', 403, 'UNSUPPORTED', false],
  ['OperationDeined.EncryptedSnapshot', 403, 'ENCRYPTION_RULE', false],
  ['OperationDenied.ImageCopyConflict', 400, 'QUOTA_EXCEEDED', true],
  // DescribeSnapshots
  ['InvalidTag.Mismatch', 400, 'INVALID_REQUEST', false],
  ['InvalidTagCount', 400, 'INVALID_REQUEST', false],
  ['InvalidSnapshotIds.Malformed', 403, 'INVALID_REQUEST', false],
  ['InvalidSnapshotCategory.Malformed', 403, 'INVALID_REQUEST', false],
  ['InvalidFilterKey.NotFound', 404, 'INVALID_REQUEST', false],
  ['InvalidFilterValue', 404, 'INVALID_REQUEST', false],
  ['InvalidUsage', 404, 'INVALID_REQUEST', false],
  ['InvalidSourceDiskType', 404, 'INVALID_REQUEST', false],
  ['InvalidStatus.NotFound', 404, 'INVALID_REQUEST', false],
  ['InvalidSnapshotType.NotFound', 404, 'INVALID_REQUEST', false],
  ['InvalidSnapshotLinkId.NotFound', 404, 'INVALID_REQUEST', false],
  ['DryRunOperation', 400, 'INVALID_REQUEST', false],
  ['IdempotentParameterMismatch', 400, 'INVALID_REQUEST', false],
  // DeleteSnapshot
  ['IncorrectDiskStatus.CreatingSnapshot', 400, 'PROVIDER_ERROR', true],
  ['SnapshotCreatedImage', 403, 'INVALID_REQUEST', false],
  ['SnapshotCreatedDisk', 403, 'INVALID_REQUEST', false],
  ['Operation.Conflict', 403, 'PROVIDER_ERROR', true],
  ['InvalidOperation.RelatedSnapshotNotFinished', 403, 'PROVIDER_ERROR', true],
  ['InvalidOperation.DeleteSharedSnapshotUnsupported', 403, 'UNSUPPORTED', false],
  ['InvalidOperation.ResourceManagedByCloudProduct', 403, 'UNSUPPORTED', false],
  // TagResources
  ['NumberExceed.ResourceIds', 400, 'INVALID_REQUEST', false],
  ['NumberExceed.Tags', 400, 'INVALID_REQUEST', false],
  ['OperationDenied.QuotaExceed', 400, 'QUOTA_EXCEEDED', false],
  ['QuotaExceed.Tags', 403, 'QUOTA_EXCEEDED', false],
  ['TagKey.Duplication', 403, 'INVALID_REQUEST', false],
  ['InvalidResourceId.NotSupported', 403, 'UNSUPPORTED', false],
  ['InvalidResourceId.NotFound', 404, 'NOT_FOUND', false],
  ['InvalidResourceType.NotFound', 404, 'INVALID_REQUEST', false],
  ['InvalidRegionId.NotFound', 404, 'INVALID_REQUEST', false],
  ['MissingParameter.RegionId', 404, 'INVALID_REQUEST', false],
  ['MissingParameter.ResourceType', 404, 'INVALID_REQUEST', false],
  ['MissingParameter.ResourceIds', 404, 'INVALID_REQUEST', false],
  ['MissingParameter.Tags', 404, 'INVALID_REQUEST', false],
  ['ServiceUnavailable', 503, 'PROVIDER_ERROR', true],
  // Common / platform
  ['InvalidParameter', 400, 'INVALID_REQUEST', false],
  ['Throttling', 400, 'THROTTLED', true],
  ['Throttling.User', 400, 'THROTTLED', true],
  ['Throttling.Api', 400, 'THROTTLED', true],
  ['InvalidAccessKeyId.NotFound', 404, 'ACCESS_DENIED', false],
  ['InvalidAccessKeyId.Inactive', 400, 'ACCESS_DENIED', false],
  ['SignatureDoesNotMatch', 400, 'ACCESS_DENIED', false],
  ['SignatureNonceUsed', 400, 'PROVIDER_ERROR', true],
  ['InvalidTimeStamp.Expired', 400, 'ACCESS_DENIED', false],
  ['Forbidden.RAM', 403, 'ACCESS_DENIED', false],
  ['Forbidden', 403, 'ACCESS_DENIED', false],
  ['IncompleteSignature', 400, 'ACCESS_DENIED', false],
  ['InvalidSecurityToken.Expired', 400, 'ACCESS_DENIED', false],
  ['InvalidCredentials', 400, 'ACCESS_DENIED', false],
  ['InvalidParameter.Encrypted', 400, 'INVALID_REQUEST', false],
  // Codes outside the table fall back on the HTTP status
  ['Some.NewCode', 404, 'NOT_FOUND', false],
  ['Some.NewCode', 400, 'INVALID_REQUEST', false],
  ['Some.NewCode', 429, 'THROTTLED', true],
  ['Some.NewCode', 502, 'PROVIDER_ERROR', true],
  ['Some.NewCode', 403, 'PROVIDER_ERROR', false],
];

let stub: EcsWireStub;
localNetworkOnly(() => stub?.stop());

async function statusError(reply: Parameters<EcsWireStub['on']>[1]): Promise<SnapcopyError> {
  stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', reply);
  const err = await stubCopier({ retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } })
    .status([{ region: 'cn-shanghai', snapshotId: 's-x' }])
    .catch((e: unknown) => e);
  if (!isSnapcopyError(err)) throw new Error(`expected a SnapcopyError, got ${String(err)}`);
  return err;
}

describe('every ECS error code maps onto the closed set (through the real SDK)', () => {
  for (const [ecsCode, http, code, retryable] of ROWS) {
    it(`${ecsCode} (HTTP ${http}) → ${code}${retryable ? ', retryable' : ''}`, async () => {
      const err = await statusError(() => ecsError(http, ecsCode, 'what ECS said', `REQ-${ecsCode}`));
      expect({ code: err.code, retryable: err.retryable }).toEqual({ code, retryable });
      expect(err).toMatchObject({
        provider: 'alibaba',
        providerCode: ecsCode,
        requestId: `REQ-${ecsCode}`,
        httpStatus: http,
        ambiguous: false,
      });
      expect(err.message).toContain('DescribeSnapshots');
      expect((err.cause as { code?: string }).code).toBe(ecsCode);
    });
  }

  it('the README error table has one row per rule, with its code and retryability', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = new Map<string, string[]>();
    for (const line of readme.split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      if (cells.length > 4 && cells[1]?.startsWith('`')) table.set(cells[1], cells.slice(2, 4));
    }
    const wrong = ECS_ERROR_RULES.filter((rule) => {
      const row = table.get(`\`${rule.match}\``);
      return row?.[0] !== `\`${rule.code}\`` || row?.[1] !== (rule.retryable ? 'yes' : 'no');
    }).map((r) => r.match);
    expect(wrong).toEqual([]);
  });

  it('every rule of ECS_ERROR_RULES is exercised by a row', () => {
    const unused = ECS_ERROR_RULES.filter(
      (rule) => !ROWS.some(([ecsCode]) => findEcsErrorRule(ecsCode) === rule),
    ).map((r) => r.match);
    expect(unused).toEqual([]);
  });
});

describe('connection failures and ambiguity', () => {
  it('a reset on a read: PROVIDER_ERROR, retryable, not ambiguous', async () => {
    const err = await statusError(() => ({ error: { code: 'ECONNRESET', message: 'socket hang up' } }));
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true, ambiguous: false });
  });

  const rows: [what: string, err: unknown, mutating: boolean, expected: Record<string, unknown>][] = [
    [
      'reset on CopySnapshot → ambiguous',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      true,
      { code: 'PROVIDER_ERROR', retryable: true, ambiguous: true },
    ],
    [
      'read timeout on CopySnapshot → ambiguous',
      Object.assign(new Error('ReadTimeout: 30000. POST / failed.'), { name: 'RequestTimeoutError' }),
      true,
      { code: 'PROVIDER_ERROR', retryable: true, ambiguous: true },
    ],
    [
      'connection refused → retryable, never ambiguous (nothing was sent)',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      true,
      { code: 'PROVIDER_ERROR', retryable: true, ambiguous: false },
    ],
    [
      'ENOTFOUND on CopySnapshot → retryable, never ambiguous (no connection was made)',
      Object.assign(new Error('getaddrinfo ENOTFOUND ecs.cn-hangzhou.aliyuncs.com'), { code: 'ENOTFOUND' }),
      true,
      { code: 'PROVIDER_ERROR', retryable: true, ambiguous: false },
    ],
    [
      'EAI_AGAIN on CopySnapshot → retryable, never ambiguous (no connection was made)',
      Object.assign(new Error('getaddrinfo EAI_AGAIN ecs.cn-hangzhou.aliyuncs.com'), { code: 'EAI_AGAIN' }),
      true,
      { code: 'PROVIDER_ERROR', retryable: true, ambiguous: false },
    ],
    [
      'EHOSTUNREACH on CopySnapshot → retryable, never ambiguous (no connection was made)',
      Object.assign(new Error('connect EHOSTUNREACH 10.0.0.1:443'), { code: 'EHOSTUNREACH' }),
      true,
      { code: 'PROVIDER_ERROR', retryable: true, ambiguous: false },
    ],
    [
      'ENETUNREACH on CopySnapshot → retryable, never ambiguous (no connection was made)',
      Object.assign(new Error('connect ENETUNREACH 10.0.0.1:443'), { code: 'ENETUNREACH' }),
      true,
      { code: 'PROVIDER_ERROR', retryable: true, ambiguous: false },
    ],
    [
      'ETIMEDOUT on CopySnapshot → retryable, ambiguous (the request may have been sent)',
      Object.assign(new Error('read ETIMEDOUT'), { code: 'ETIMEDOUT' }),
      true,
      { code: 'PROVIDER_ERROR', retryable: true, ambiguous: true },
    ],
    [
      'EPIPE on CopySnapshot → retryable, ambiguous (the request may have been sent)',
      Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }),
      true,
      { code: 'PROVIDER_ERROR', retryable: true, ambiguous: true },
    ],
    [
      'ENETDOWN on CopySnapshot → retryable, ambiguous (the request may have been sent)',
      Object.assign(new Error('read ENETDOWN'), { code: 'ENETDOWN' }),
      true,
      { code: 'PROVIDER_ERROR', retryable: true, ambiguous: true },
    ],
    [
      'the default chain found no credentials → ACCESS_DENIED',
      new Error('unable to get credentials from any of the providers in the chain: ...'),
      false,
      { code: 'ACCESS_DENIED', retryable: false },
    ],
    [
      'a reply the SDK cannot cast → PROVIDER_ERROR, not retryable',
      new Error('type of snapshot is mismatch, expect array, but object'),
      false,
      { code: 'PROVIDER_ERROR', retryable: false },
    ],
  ];
  for (const [what, err, mutating, expected] of rows) {
    it(what, () => {
      expect(mapAlibabaError(err, { operation: 'CopySnapshot', mutating })).toMatchObject(expected);
    });
  }

  it('5xx on a mutating call is ambiguous; on a read it is not', () => {
    const sdkError = {
      name: 'ServerError',
      code: 'InternalError',
      statusCode: 500,
      message: 'x request id: R1',
    };
    expect(mapAlibabaError(sdkError, { operation: 'DeleteSnapshot', mutating: true }).ambiguous).toBe(true);
    expect(mapAlibabaError(sdkError, { operation: 'DescribeSnapshots', mutating: false }).ambiguous).toBe(
      false,
    );
  });

  it('the request id is read from the message when the field is missing', () => {
    const err = mapAlibabaError(
      { code: 'Forbidden.RAM', statusCode: 403, message: 'Forbidden.RAM: code: 403, no request id: ABC-123' },
      { operation: 'CopySnapshot', mutating: true },
    );
    expect(err.requestId).toBe('ABC-123');
  });
});

describe('no secret in messages', () => {
  it('the access key secret given to the copier never appears in an error message', async () => {
    registerSecret(TEST_CREDENTIALS.accessKeySecret);
    const err = await statusError(() =>
      ecsError(400, 'SignatureDoesNotMatch', `bad signature for secret ${TEST_CREDENTIALS.accessKeySecret}`),
    );
    expect(err.code).toBe('ACCESS_DENIED');
    expect(err.message).not.toContain(TEST_CREDENTIALS.accessKeySecret);
    expect(JSON.stringify(err.toJSON())).not.toContain(TEST_CREDENTIALS.accessKeySecret);
  });

  it('a copier registers its secret at construction', () => {
    const secret = 'ctor-registered-secret-9876';
    stubCopier({ credentials: { accessKeyId: 'LTAI-other', accessKeySecret: secret } });
    const err = mapAlibabaError(new Error(`oops ${secret}`), { operation: 'CopySnapshot', mutating: false });
    expect(err.message).not.toContain(secret);
  });
});
