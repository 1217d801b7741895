import type { ErrorCode } from '@snapcopy/core';

/**
 * Exit codes of `snapcopy`. Scripts branch on these, so they never change meaning.
 * Listed in every `--help` and in the README.
 */
export const EXIT_CODES = Object.freeze({
  /** Everything asked for happened (for `copy --wait`/`wait`/`batch`: every copy completed). */
  success: 0,
  /** A bug in snapcopy itself: an unexpected error. */
  internal: 1,
  /** Bad flags or input, or a request the rules or the provider's capabilities refuse. */
  invalidRequest: 2,
  /** The provider said no or failed: not found, access denied, throttled, quota, outage. */
  providerError: 3,
  /** A copy ended `failed` or `cancelled` instead of `completed`. */
  copyFailed: 4,
  /** A wait gave up (`--timeout`); the copy was left running. */
  timeout: 5,
  /**
   * Interrupted (SIGINT/SIGTERM): the command stopped at once, abandoning a provider call
   * in flight; copies being waited for are left running.
   */
  interrupted: 130,
});

/** One of {@link EXIT_CODES}' values. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

const BY_ERROR_CODE: Readonly<Record<ErrorCode, ExitCode>> = {
  INVALID_REQUEST: EXIT_CODES.invalidRequest,
  UNSUPPORTED: EXIT_CODES.invalidRequest,
  ENCRYPTION_RULE: EXIT_CODES.invalidRequest,
  NOT_FOUND: EXIT_CODES.providerError,
  ACCESS_DENIED: EXIT_CODES.providerError,
  THROTTLED: EXIT_CODES.providerError,
  QUOTA_EXCEEDED: EXIT_CODES.providerError,
  PROVIDER_ERROR: EXIT_CODES.providerError,
  TIMEOUT: EXIT_CODES.timeout,
  CANCELLED: EXIT_CODES.interrupted,
};

/** The exit code for an error with one of core's codes. */
export function exitCodeForError(code: ErrorCode): ExitCode {
  return BY_ERROR_CODE[code];
}

/** The exit-code table as it appears at the end of every `--help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0    success (copy --wait, wait, batch: every copy completed)
  1    internal error (a bug: please report it)
  2    invalid or refused request (bad flags or input; INVALID_REQUEST, UNSUPPORTED, ENCRYPTION_RULE)
  3    provider error (NOT_FOUND, ACCESS_DENIED, THROTTLED, QUOTA_EXCEEDED, PROVIDER_ERROR)
  4    a copy failed or was cancelled
  5    timeout: gave up waiting (the copy keeps running)
  130  interrupted (SIGINT/SIGTERM): stopped at once (copies being waited for keep running)`;
