/**
 * Socket error codes of a request that never reached the server (refused, name not
 * resolved, no route): nothing can have been applied.
 */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Socket error codes and SDK error names of a transfer cut short after the request left:
 * the server may have acted on it.
 */
const CUT_SHORT = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Error names the SDKs give a request that got no reply in time (sent, so possibly applied). */
const TIMEOUT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'RequestTimeoutError',
]);

/** A failure of the network under an SDK call, as {@link classifyNetworkError} sees it. */
export interface NetworkFailure {
  /** The socket code or SDK error name that told. */
  readonly code: string;
  /** The request may have reached the server (so a mutating call may have been applied). */
  readonly sent: boolean;
  /** No reply came in time. */
  readonly timeout: boolean;
}

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * Whether `err` (or one of the first few errors in its `cause` chain, where HTTP clients
 * wrap socket errors) is a network failure, and whether the request may have been sent.
 * Both adapters use it, so a lost reply means the same on every cloud: not sent →
 * retryable and never ambiguous; sent → retryable, and ambiguous when the call mutates.
 *
 * @returns `undefined` when the error is not a network failure (a reply came back).
 */
export function classifyNetworkError(err: unknown): NetworkFailure | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const s = e as ErrorShape;
    const code = text(s.code);
    const name = text(s.name);
    if (code !== undefined && NOT_SENT.has(code)) return { code, sent: false, timeout: false };
    if (code !== undefined && CUT_SHORT.has(code)) {
      return { code, sent: true, timeout: code.includes('TIMEOUT') || code === 'ETIMEDOUT' };
    }
    if (name !== undefined && TIMEOUT_NAMES.has(name)) return { code: name, sent: true, timeout: true };
    if (typeof s.message === 'string' && /socket hang up/i.test(s.message)) {
      return { code: 'ECONNRESET', sent: true, timeout: false };
    }
    e = s.cause;
  }
  return undefined;
}
