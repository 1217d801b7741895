import { type ErrorCode, isSnapcopyError, SnapcopyError } from '@snapcopy/core';
import { classifyNetworkError } from '@snapcopy/core/driver';

/** How one EC2 error code maps onto snapcopy's closed set. */
export interface AwsErrorRule {
  readonly code: ErrorCode;
  readonly retryable: boolean;
}

const rule = (code: ErrorCode, retryable = false): AwsErrorRule => ({ code, retryable });

/**
 * Every EC2 error code the snapshot operations document (and the server faults of KMS and the EBS direct APIs) (EC2 API reference, error codes) plus the throttling and server codes
 * the SDK knows, mapped onto the closed set. Codes not listed fall back on their shape
 * (`*.NotFound`, `*.Malformed`) and then on the HTTP status.
 */
export const AWS_ERROR_RULES: Readonly<Record<string, AwsErrorRule>> = Object.freeze({
  'InvalidSnapshot.NotFound': rule('NOT_FOUND'),
  'InvalidVolume.NotFound': rule('NOT_FOUND'),
  'InvalidSnapshotID.Malformed': rule('INVALID_REQUEST'),
  // Deleting a snapshot that backs a registered AMI: the caller must deregister it first.
  'InvalidSnapshot.InUse': rule('INVALID_REQUEST'),
  InvalidParameterValue: rule('INVALID_REQUEST'),
  InvalidParameterCombination: rule('INVALID_REQUEST'),
  InvalidParameterDependency: rule('INVALID_REQUEST'),
  InvalidParameter: rule('INVALID_REQUEST'),
  MissingParameter: rule('INVALID_REQUEST'),
  UnknownParameter: rule('INVALID_REQUEST'),
  InvalidRegion: rule('INVALID_REQUEST'),
  IncorrectState: rule('INVALID_REQUEST'),
  'InvalidTagKey.Malformed': rule('INVALID_REQUEST'),
  IdempotentParameterMismatch: rule('INVALID_REQUEST'),
  // Pagination tokens expire; a retry restarts the listing from the first page.
  InvalidNextToken: rule('PROVIDER_ERROR', true),
  InvalidPaginationToken: rule('PROVIDER_ERROR', true),
  // The 20 concurrent copies per destination region: frees up as copies finish.
  ResourceLimitExceeded: rule('QUOTA_EXCEEDED', true),
  // Pending snapshots finish too, so this one also clears with time.
  PendingSnapshotLimitExceeded: rule('QUOTA_EXCEEDED', true),
  SnapshotLimitExceeded: rule('QUOTA_EXCEEDED'),
  TagLimitExceeded: rule('QUOTA_EXCEEDED'),
  'SnapshotCopyUnsupported.InterRegion': rule('UNSUPPORTED'),
  // AMI copies (CopyImage, DeregisterImage): a source that is not available, or an AMI
  // deregistered already; a name in use in the destination; a copy EC2 never makes (from an
  // Outpost to a Region); an invalid request (among them a shared AMI whose snapshots are not).
  'InvalidAMIID.Unavailable': rule('INVALID_REQUEST'),
  'InvalidAMIName.Duplicate': rule('INVALID_REQUEST'),
  UnsupportedOperation: rule('UNSUPPORTED'),
  InvalidRequest: rule('INVALID_REQUEST'),
  // snapcopy never sends DryRun; if one arrives, nothing was done and repeating will not help.
  DryRunOperation: rule('PROVIDER_ERROR'),
  UnauthorizedOperation: rule('ACCESS_DENIED'),
  AuthFailure: rule('ACCESS_DENIED'),
  SignatureDoesNotMatch: rule('ACCESS_DENIED'),
  IncompleteSignature: rule('ACCESS_DENIED'),
  MissingAuthenticationToken: rule('ACCESS_DENIED'),
  InvalidClientTokenId: rule('ACCESS_DENIED'),
  OptInRequired: rule('ACCESS_DENIED'),
  // A skewed clock: the SDK corrects its offset from the reply's Date, so a retry can pass.
  RequestExpired: rule('ACCESS_DENIED', true),
  RequestLimitExceeded: rule('THROTTLED', true),
  Throttling: rule('THROTTLED', true),
  ThrottlingException: rule('THROTTLED', true),
  RequestThrottled: rule('THROTTLED', true),
  RequestThrottledException: rule('THROTTLED', true),
  EC2ThrottledException: rule('THROTTLED', true),
  BandwidthLimitExceeded: rule('THROTTLED', true),
  TooManyRequestsException: rule('THROTTLED', true),
  PriorRequestNotComplete: rule('THROTTLED', true),
  // KMS and the EBS direct APIs, whose replies plans read.
  KMSInternalException: rule('PROVIDER_ERROR', true),
  DependencyTimeoutException: rule('PROVIDER_ERROR', true),
  InternalServerException: rule('PROVIDER_ERROR', true),
  ServiceUnavailableException: rule('PROVIDER_ERROR', true),
  InternalError: rule('PROVIDER_ERROR', true),
  InternalFailure: rule('PROVIDER_ERROR', true),
  ServerInternal: rule('PROVIDER_ERROR', true),
  ServiceUnavailable: rule('PROVIDER_ERROR', true),
  Unavailable: rule('PROVIDER_ERROR', true),
});

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
  cause?: unknown;
}

function shape(err: unknown): SdkErrorShape {
  return typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Where the failed call was going, for the message and for ambiguity. */
export interface AwsCallContext {
  /** EC2 operation, e.g. `CopySnapshot`. */
  readonly operation: string;
  readonly region?: string;
  /** The call changes state, so a lost reply leaves its effect unknown. */
  readonly mutating?: boolean;
}

function ruleForUnlisted(code: string, status: number | undefined): AwsErrorRule {
  if (code.endsWith('.NotFound')) return rule('NOT_FOUND');
  if (code.endsWith('.Malformed') || code.startsWith('InvalidParameter')) return rule('INVALID_REQUEST');
  if (status === 429) return rule('THROTTLED', true);
  if (status !== undefined && status >= 500) return rule('PROVIDER_ERROR', true);
  if (status === 401 || status === 403) return rule('ACCESS_DENIED');
  if (status === 404) return rule('NOT_FOUND');
  return rule('PROVIDER_ERROR');
}

/**
 * Turns anything the AWS SDK (or the network under it) threw into a `SnapcopyError` with
 * the provider's code, request id, HTTP status and the SDK error as `cause`. A reply lost
 * after the request left (reset, timeout, 5xx) on a mutating call is marked `ambiguous`.
 */
export function mapAwsError(err: unknown, context: AwsCallContext = { operation: 'EC2' }): SnapcopyError {
  if (isSnapcopyError(err)) return err;
  const s = shape(err);
  const where = `${context.operation}${context.region ? ` in ${context.region}` : ''}`;
  const name = str(s.name);
  if (name === 'AbortError') {
    return new SnapcopyError(
      'CANCELLED',
      `aws: ${where} was aborted${context.mutating ? '; it may have been applied' : ''}`,
      { provider: 'aws', cause: err },
    );
  }
  const status = typeof s.$metadata?.httpStatusCode === 'number' ? s.$metadata.httpStatusCode : undefined;
  const requestId = str(s.$metadata?.requestId);
  const message = str(s.message) ?? 'no message';
  const common = {
    provider: 'aws',
    cause: err,
    ...(requestId === undefined ? {} : { requestId }),
    ...(status === undefined ? {} : { httpStatus: status }),
  };

  if (status === undefined) {
    const net = classifyNetworkError(err);
    if (net !== undefined) {
      const what = net.timeout ? 'got no reply in time' : 'failed on the network';
      return new SnapcopyError(
        'PROVIDER_ERROR',
        `aws: ${where} ${what} (${net.code})${net.sent && context.mutating ? '; it may have been applied' : ''}`,
        {
          ...common,
          retryable: true,
          providerCode: net.code,
          ambiguous: net.sent && context.mutating === true,
        },
      );
    }
    if (name === 'CredentialsProviderError') {
      return new SnapcopyError(
        'ACCESS_DENIED',
        `aws: no usable credentials for ${where}: ${message} (give credentials, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile)`,
        { ...common, providerCode: name },
      );
    }
    if (s.$fault === undefined) {
      // Not from the service and not the network: a bug or a client-side SDK failure.
      return new SnapcopyError('PROVIDER_ERROR', `aws: ${where} failed before reaching AWS: ${message}`, {
        ...common,
        ...(name === undefined ? {} : { providerCode: name }),
      });
    }
  }

  const code = str(s.code) ?? name ?? 'Unknown';
  const mapped = AWS_ERROR_RULES[code] ?? ruleForUnlisted(code, status);
  const serverFault = status !== undefined && status >= 500;
  return new SnapcopyError(mapped.code, `aws: ${where} failed: ${code}: ${message}`, {
    ...common,
    providerCode: code,
    retryable: mapped.retryable,
    ...(mapped.code === 'UNSUPPORTED' ? { details: { scope: 'request' } } : {}),
    // A 5xx may come after the server acted; throttling and 4xx are refusals.
    ambiguous: context.mutating === true && serverFault && mapped.code !== 'THROTTLED',
  });
}
