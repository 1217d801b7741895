import { type ErrorCode, isSnapcopyError, type SnapcopyError } from '@snapcopy/core';
import { afterEach, describe, expect, it } from 'vitest';
import { AWS_ERROR_RULES, createAwsEbsCopier, mapAwsError } from '../src/index.js';
import { fakeEc2, TEST_CREDENTIALS } from './support/ec2-nock.js';

type Row = [providerCode: string, http: number, code: ErrorCode, retryable: boolean];

// Every EC2 error code the adapter maps (plus the SDK's throttling/server codes), sent
// by a fake EC2 through the real SDK, mapped onto the closed set.
// biome-ignore format: one row per line keeps the table readable
const ROWS: Row[] = [
  ['InvalidSnapshot.NotFound', 400, 'NOT_FOUND', false],
  ['InvalidVolume.NotFound', 400, 'NOT_FOUND', false],
  ['InvalidSnapshotID.Malformed', 400, 'INVALID_REQUEST', false],
  ['InvalidSnapshot.InUse', 400, 'INVALID_REQUEST', false],
  ['InvalidParameterValue', 400, 'INVALID_REQUEST', false],
  ['InvalidParameterCombination', 400, 'INVALID_REQUEST', false],
  ['InvalidParameterDependency', 400, 'INVALID_REQUEST', false],
  ['InvalidParameter', 400, 'INVALID_REQUEST', false],
  ['MissingParameter', 400, 'INVALID_REQUEST', false],
  ['UnknownParameter', 400, 'INVALID_REQUEST', false],
  ['InvalidRegion', 400, 'INVALID_REQUEST', false],
  ['IncorrectState', 400, 'INVALID_REQUEST', false],
  ['InvalidTagKey.Malformed', 400, 'INVALID_REQUEST', false],
  ['IdempotentParameterMismatch', 400, 'INVALID_REQUEST', false],
  ['InvalidNextToken', 400, 'PROVIDER_ERROR', true],
  ['InvalidPaginationToken', 400, 'PROVIDER_ERROR', true],
  ['ResourceLimitExceeded', 400, 'QUOTA_EXCEEDED', true],
  ['PendingSnapshotLimitExceeded', 400, 'QUOTA_EXCEEDED', true],
  ['SnapshotLimitExceeded', 400, 'QUOTA_EXCEEDED', false],
  ['TagLimitExceeded', 400, 'QUOTA_EXCEEDED', false],
  ['SnapshotCopyUnsupported.InterRegion', 400, 'UNSUPPORTED', false],
  ['InvalidAMIID.Unavailable', 400, 'INVALID_REQUEST', false],
  ['InvalidAMIName.Duplicate', 400, 'INVALID_REQUEST', false],
  ['UnsupportedOperation', 400, 'UNSUPPORTED', false],
  ['InvalidRequest', 400, 'INVALID_REQUEST', false],
  ['DryRunOperation', 412, 'PROVIDER_ERROR', false],
  ['UnauthorizedOperation', 403, 'ACCESS_DENIED', false],
  ['AuthFailure', 401, 'ACCESS_DENIED', false],
  ['SignatureDoesNotMatch', 403, 'ACCESS_DENIED', false],
  ['IncompleteSignature', 400, 'ACCESS_DENIED', false],
  ['MissingAuthenticationToken', 403, 'ACCESS_DENIED', false],
  ['InvalidClientTokenId', 403, 'ACCESS_DENIED', false],
  ['OptInRequired', 403, 'ACCESS_DENIED', false],
  ['RequestExpired', 400, 'ACCESS_DENIED', true],
  ['RequestLimitExceeded', 503, 'THROTTLED', true],
  ['Throttling', 400, 'THROTTLED', true],
  ['ThrottlingException', 400, 'THROTTLED', true],
  ['RequestThrottled', 400, 'THROTTLED', true],
  ['RequestThrottledException', 400, 'THROTTLED', true],
  ['EC2ThrottledException', 400, 'THROTTLED', true],
  ['BandwidthLimitExceeded', 400, 'THROTTLED', true],
  ['TooManyRequestsException', 429, 'THROTTLED', true],
  ['PriorRequestNotComplete', 400, 'THROTTLED', true],
  ['KMSInternalException', 500, 'PROVIDER_ERROR', true],
  ['DependencyTimeoutException', 503, 'PROVIDER_ERROR', true],
  ['InternalServerException', 500, 'PROVIDER_ERROR', true],
  ['ServiceUnavailableException', 503, 'PROVIDER_ERROR', true],
  ['InternalError', 500, 'PROVIDER_ERROR', true],
  ['InternalFailure', 500, 'PROVIDER_ERROR', true],
  ['ServerInternal', 500, 'PROVIDER_ERROR', true],
  ['ServiceUnavailable', 503, 'PROVIDER_ERROR', true],
  ['Unavailable', 503, 'PROVIDER_ERROR', true],
  // Codes not in the table fall back on their shape, then on the HTTP status.
  ['InvalidVpcID.NotFound', 400, 'NOT_FOUND', false],
  ['InvalidFoo.Malformed', 400, 'INVALID_REQUEST', false],
  ['SomethingNew', 502, 'PROVIDER_ERROR', true],
  ['SomethingForbidden', 403, 'ACCESS_DENIED', false],
  ['SomethingOdd', 400, 'PROVIDER_ERROR', false],
];

let done: (() => void) | undefined;
afterEach(() => {
  done?.();
  done = undefined;
});

const NO_RETRY = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

describe('EC2 error codes → closed set (through the SDK)', () => {
  it.each(ROWS)('%s (HTTP %i) → %s, retryable %s', async (providerCode, http, code, retryable) => {
    const fake = fakeEc2(() => ({ status: http, code: providerCode, message: `about ${providerCode}` }));
    done = fake.done;
    const copier = createAwsEbsCopier({ credentials: TEST_CREDENTIALS, retry: NO_RETRY });
    const err = (await copier
      .status([{ region: 'us-east-1', snapshotId: 'snap-0123456789abcdef0' }])
      .catch((e: unknown) => e)) as SnapcopyError;
    expect(isSnapcopyError(err)).toBe(true);
    expect(err).toMatchObject({
      code,
      retryable,
      providerCode,
      httpStatus: http,
      provider: 'aws',
      requestId: `req-${providerCode}`,
      ambiguous: false,
    });
    expect((err.cause as { name?: string }).name).toBe(providerCode);
    expect(err.message).toContain(providerCode);
    expect(err.message).toContain('DescribeSnapshots in us-east-1');
    // The SDK's own retries are off: one request per call.
    expect(fake.calls).toHaveLength(1);
    if (code === 'UNSUPPORTED') expect(err.details).toMatchObject({ scope: 'request' });
  });

  it('every code in AWS_ERROR_RULES has a row', () => {
    const covered = new Set(ROWS.map((r) => r[0]));
    expect(Object.keys(AWS_ERROR_RULES).filter((c) => !covered.has(c))).toStrictEqual([]);
  });

  it('a 5xx on a mutating call is ambiguous; throttling is not', () => {
    const fault = (name: string, status: number) =>
      Object.assign(new Error('x'), { name, $fault: 'server', $metadata: { httpStatusCode: status } });
    expect(
      mapAwsError(fault('InternalError', 500), { operation: 'CopySnapshot', mutating: true }),
    ).toMatchObject({ code: 'PROVIDER_ERROR', ambiguous: true, retryable: true });
    expect(
      mapAwsError(fault('RequestLimitExceeded', 503), { operation: 'CopySnapshot', mutating: true }),
    ).toMatchObject({ code: 'THROTTLED', ambiguous: false });
    expect(mapAwsError(fault('InternalError', 500), { operation: 'DescribeSnapshots' }).ambiguous).toBe(
      false,
    );
  });
});

describe('errors without a service reply', () => {
  const net = (code: string, message = 'boom') => Object.assign(new Error(message), { code });
  // biome-ignore format: one row per line keeps the table readable
  const NET: [string, unknown, boolean, ErrorCode, boolean][] = [
    ['ECONNRESET on CopySnapshot: sent, maybe applied', net('ECONNRESET'), true, 'PROVIDER_ERROR', true],
    ['socket hang up on CopySnapshot: maybe applied', new Error('socket hang up'), true, 'PROVIDER_ERROR', true],
    ['request timeout on CopySnapshot: maybe applied', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), true, 'PROVIDER_ERROR', true],
    ['ECONNRESET wrapped as cause: maybe applied', Object.assign(new Error('fetch failed'), { cause: net('ECONNRESET') }), true, 'PROVIDER_ERROR', true],
    ['ECONNREFUSED on CopySnapshot: never sent', net('ECONNREFUSED'), true, 'PROVIDER_ERROR', false],
    ['ENOTFOUND (DNS) on CopySnapshot: never sent', net('ENOTFOUND'), true, 'PROVIDER_ERROR', false],
    ['EAI_AGAIN (DNS) on CopySnapshot: never sent', net('EAI_AGAIN'), true, 'PROVIDER_ERROR', false],
    ['EHOSTUNREACH on CopySnapshot: never sent', net('EHOSTUNREACH'), true, 'PROVIDER_ERROR', false],
    ['ENETUNREACH on CopySnapshot: never sent', net('ENETUNREACH'), true, 'PROVIDER_ERROR', false],
    ['ETIMEDOUT on CopySnapshot: maybe applied', net('ETIMEDOUT'), true, 'PROVIDER_ERROR', true],
    ['EPIPE on CopySnapshot: maybe applied', net('EPIPE'), true, 'PROVIDER_ERROR', true],
    ['ENETDOWN on CopySnapshot: maybe applied', net('ENETDOWN'), true, 'PROVIDER_ERROR', true],
    ['ECONNRESET on a read: not ambiguous', net('ECONNRESET'), false, 'PROVIDER_ERROR', false],
    ['AbortError → CANCELLED', Object.assign(new Error('aborted'), { name: 'AbortError' }), true, 'CANCELLED', false],
    ['no credentials in the default chain → ACCESS_DENIED', Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }), false, 'ACCESS_DENIED', false],
  ];
  it.each(NET)('%s', (_name, err, mutating, code, ambiguous) => {
    const mapped = mapAwsError(err, { operation: 'CopySnapshot', region: 'us-west-2', mutating });
    expect(mapped).toMatchObject({ code, ambiguous, provider: 'aws' });
    expect(mapped.cause).toBe(err);
    if (code === 'PROVIDER_ERROR') expect(mapped.retryable).toBe(true);
  });

  it('a real connection reset through the SDK is retryable and names the operation', async () => {
    const fake = fakeEc2(() => ({ network: 'ECONNRESET' }));
    done = fake.done;
    const copier = createAwsEbsCopier({ credentials: TEST_CREDENTIALS, retry: NO_RETRY });
    const err = await copier
      .status([{ region: 'us-east-1', snapshotId: 'snap-0123456789abcdef0' }])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true, providerCode: 'ECONNRESET' });
  });
});

describe('no secret in any message', () => {
  it('the secret key and a presigned URL in an SDK message are redacted', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzSECRET';
    createAwsEbsCopier({ credentials: { accessKeyId: 'AKIDX', secretAccessKey: secret } });
    const sdkError = Object.assign(
      new Error(
        `bad request for ${secret} at https://ec2.us-east-1.amazonaws.com/?Action=CopySnapshot&X-Amz-Signature=abcdef`,
      ),
      { name: 'InvalidParameterValue', $fault: 'client', $metadata: { httpStatusCode: 400 } },
    );
    const mapped = mapAwsError(sdkError, { operation: 'CopySnapshot' });
    expect(mapped.message).not.toContain(secret);
    expect(mapped.message).not.toContain('abcdef');
    expect(JSON.stringify(mapped.toJSON())).not.toContain(secret);
  });
});
