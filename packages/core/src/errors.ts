import { definedFields } from './fields.js';

/**
 * The closed set of error codes every snapcopy error carries. Adapters map each
 * provider's native errors onto exactly one of these; the native error stays in `cause`.
 */
export const ERROR_CODES = [
  'INVALID_REQUEST',
  'UNSUPPORTED',
  'ENCRYPTION_RULE',
  'NOT_FOUND',
  'ACCESS_DENIED',
  'THROTTLED',
  'QUOTA_EXCEEDED',
  'PROVIDER_ERROR',
  'TIMEOUT',
  'CANCELLED',
] as const;

/** One of {@link ERROR_CODES}. Stable: codes are never renamed or removed. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes that are worth retrying unless the provider says otherwise. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(['THROTTLED']);

const BRAND = Symbol.for('snapcopy.error');

/** A problem with one field of a request, as reported in an `INVALID_REQUEST` error. */
export interface FieldIssue {
  /** Dotted path of the field, e.g. `destination.region` or `tags.team`. */
  readonly path: string;
  readonly message: string;
}

/** Options for {@link SnapcopyError}. */
export interface SnapcopyErrorOptions {
  /** Whether the same call may succeed if repeated (with the same client token). */
  readonly retryable?: boolean;
  /** The provider's own error code, e.g. `InvalidSnapshot.NotFound`. */
  readonly providerCode?: string;
  /** The provider's request id, when the error came from a provider call. */
  readonly requestId?: string;
  /** HTTP status of the provider's reply, when there was one. */
  readonly httpStatus?: number;
  /** Which provider raised it (`aws`, `alibaba`, …). */
  readonly provider?: string;
  /** Per-field problems for `INVALID_REQUEST`. */
  readonly issues?: readonly FieldIssue[];
  /** The SDK's error (escape hatch). */
  readonly cause?: unknown;
  /** True when the provider may have applied the call although it failed (lost reply). */
  readonly ambiguous?: boolean;
  /** Extra JSON-safe facts, e.g. the last status seen before a `TIMEOUT`. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error type snapcopy throws. Identify it with {@link isSnapcopyError} or
 * {@link is} rather than `instanceof`: several copies of this package may be loaded.
 */
export class SnapcopyError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly providerCode: string | undefined;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly provider: string | undefined;
  readonly issues: readonly FieldIssue[];
  readonly ambiguous: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  declare readonly [BRAND]: true;

  constructor(code: ErrorCode, message: string, options: SnapcopyErrorOptions = {}) {
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SnapcopyError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.providerCode = options.providerCode;
    this.requestId = options.requestId;
    this.httpStatus = options.httpStatus;
    this.provider = options.provider;
    this.issues = Object.freeze([...(options.issues ?? [])]);
    this.ambiguous = options.ambiguous ?? false;
    this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  /** A JSON-safe view (no cause, no stack) for logs and `--json` output. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...definedFields({
        provider: this.provider,
        providerCode: this.providerCode,
        requestId: this.requestId,
        httpStatus: this.httpStatus,
        issues: this.issues.length === 0 ? undefined : this.issues,
        details: this.details,
      }),
    };
  }
}

/** True for any snapcopy error, whichever copy of `@snapcopy/core` made it. */
export function isSnapcopyError(err: unknown): err is SnapcopyError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

/** True when `err` is a snapcopy error with the given code. */
export function is(err: unknown, code: ErrorCode): err is SnapcopyError {
  return isSnapcopyError(err) && err.code === code;
}

// Patterns for material that must never reach a message or log: AWS/Alibaba secrets and
// signatures, presigned URLs, bearer tokens, credentials in URLs. The secret-key patterns
// match the value after a recognisable parameter name, because a secret alone looks like
// any base64.
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  // Credentials in a URL's authority (`scheme://user:password@host`): the whole user info.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi, '$1[redacted]@'],
  [/(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"']+/gi, '$1[redacted]'],
  [/(PresignedUrl=?)[^&\s"']+/gi, '$1[redacted]'],
  [/(https?:\/\/[^\s"']*[?&]X-Amz-[^\s"']*)/gi, '[redacted presigned URL]'],
  [/(Signature=)[^,&\s"']+/gi, '$1[redacted]'],
  // The same parameters inside a percent-encoded query (a URL embedded in another one).
  [/((?:SecurityToken|AccessKeySecret|Signature)%(?:25)?3D)[^&\s"']+/gi, '$1[redacted]'],
  [
    /((?:secret(?:Access)?Key|accessKeySecret|AccessKeySecret|securityToken|sessionToken|SecurityToken)["']?\s*[:=]\s*["']?)[^"',\s&}]+/gi,
    '$1[redacted]',
  ],
  [/(Authorization["']?\s*[:=]\s*["']?)[^"'\n]+/gi, '$1[redacted]'],
];

const registeredSecrets = new Set<string>();

/**
 * Registers a literal secret (an access-key secret, a session token) so that it is
 * removed from every message that passes through {@link redactSecrets}. Adapters call
 * this with the credentials they are given.
 */
export function registerSecret(secret: string | undefined): void {
  if (secret === undefined || secret.length < 8) return;
  registeredSecrets.add(secret);
  // Signed requests carry secrets (session tokens) percent-encoded, sometimes twice.
  const once = encodeURIComponent(secret);
  registeredSecrets.add(once);
  registeredSecrets.add(encodeURIComponent(once));
}

/** Removes secrets, signatures and presigned URLs from a text. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of registeredSecrets) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Shorthand for an `INVALID_REQUEST` error listing each bad field. */
export function invalidRequest(issues: readonly FieldIssue[], provider?: string): SnapcopyError {
  const list = issues.map((i) => `${i.path || '(request)'}: ${i.message}`).join('; ');
  return new SnapcopyError('INVALID_REQUEST', `Invalid copy request: ${list}`, {
    issues,
    ...(provider === undefined ? {} : { provider }),
  });
}

/** Throws {@link invalidRequest} when a check found any issue. */
export function throwIfIssues(issues: readonly FieldIssue[], provider?: string): void {
  if (issues.length > 0) throw invalidRequest(issues, provider);
}

/**
 * Reads a caller's input with `read`. A hostile input (a getter that throws, a Proxy whose
 * traps throw) must still give a typed error: anything `read` throws that is not already
 * a `SnapcopyError` becomes `INVALID_REQUEST` naming `path`.
 */
export function readInput<T>(path: string, read: () => T, provider?: string): T {
  try {
    return read();
  } catch (err) {
    if (isSnapcopyError(err)) throw err;
    let why: string;
    try {
      why = err instanceof Error ? err.message : String(err);
    } catch {
      why = 'it threw while being read';
    }
    throw invalidRequest([{ path, message: `unreadable input (${why})` }], provider);
  }
}
