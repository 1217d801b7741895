import type { RetryPolicy, SnapcopyError } from '@snapcopy/core';
import { backoffDelay } from '@snapcopy/core/driver';

/**
 * The call of a request's lifecycle that failed: planning, the copy call, a lookup of
 * its client token, or a queue's batched status call.
 */
export type LifecycleStage = 'plan' | 'copy' | 'lookup' | 'status';

/** Everything {@link decideAfterError} looks at. Plain data: the decision is a pure function of it. */
export interface ErrorFacts {
  readonly error: Pick<SnapcopyError, 'code' | 'retryable' | 'ambiguous' | 'providerCode'>;
  readonly stage: LifecycleStage;
  /** Calls of this stage made for the request so far, the failed one included (status: failed rounds in a row). */
  readonly attempts: number;
  /** Calls of this stage allowed (`retry.maxAttempts`; for status, `maxStatusFailures`). */
  readonly maxAttempts: number;
  /** Some copy call for the request may have reached the cloud, and no lookup has settled it since. */
  readonly mayExist: boolean;
  /** The retry policy the delays follow. */
  readonly policy: RetryPolicy;
  /** A random draw in [0, 1) for the jitter. */
  readonly jitter: number;
  /** Shortest delay before the stage runs again, ms (status: the shortest poll interval). */
  readonly minDelayMs?: number;
}

/**
 * What happens after an error.
 * - `retry`: the same stage again after `delayMs`.
 * - `throttle`: the whole queue pauses for its shared backoff, then the stage runs again.
 * - `hold-quota`: the queue holds at the copies it runs until one finishes, then copies again.
 * - `look-up`: the copy may exist: look its client token up after `delayMs`, never copy first.
 * - `keep-open`: stop for this run; the journal keeps the request resumable.
 * - `fail`: the request ends `failed`.
 */
export type AfterError =
  | { readonly action: 'retry'; readonly delayMs: number; readonly rule: string }
  | { readonly action: 'throttle'; readonly rule: string }
  | { readonly action: 'hold-quota'; readonly rule: string }
  | { readonly action: 'look-up'; readonly delayMs: number; readonly rule: string }
  | { readonly action: 'keep-open'; readonly rule: string }
  | { readonly action: 'fail'; readonly rule: string };

/** Errors that clear with time: retried while attempts remain, resumable when they run out. */
function transient(error: ErrorFacts['error']): boolean {
  return error.retryable || error.code === 'THROTTLED' || error.code === 'QUOTA_EXCEEDED';
}

/**
 * Whether a failed copy call may have been applied: the adapter says so (`ambiguous`: a
 * lost reply, a 5xx), or the error carries no provider code at all (a reply nobody could
 * read, a bug): then nobody knows what the provider did.
 */
export function copyMayHaveApplied(error: ErrorFacts['error']): boolean {
  return error.ambiguous || (error.code === 'PROVIDER_ERROR' && error.providerCode === undefined);
}

/**
 * Decides what follows an error, by the first rule that matches (each rule is a row of
 * the table in `test/after-error.test.ts` and of `docs/orchestrator.md`):
 *
 * 1. status, throttled → throttle the queue.
 * 2. status, failed rounds left → retry after a backoff (at least the shortest poll interval).
 * 3. status, no failed rounds left → keep open (the copies stay `pending` in the journal).
 * 4. throttled, attempts left → throttle the queue.
 * 5. copy, quota exceeded, attempts left → hold on quota.
 * 6. copy, the call may have been applied → look the token up.
 * 7. the copy may exist (lookup failed), attempts left and the error clears with time → look up again.
 * 8. the copy may exist, anything else → keep open: a copy that may exist is never written off.
 * 9. transient, attempts left → retry after a backoff.
 * 10. transient, no attempts left → keep open.
 * 11. anything else → fail.
 */
export function decideAfterError(facts: ErrorFacts): AfterError {
  const { error, stage, attempts, maxAttempts, mayExist } = facts;
  const left = attempts < maxAttempts;
  const delay = () =>
    Math.max(
      facts.minDelayMs ?? 0,
      backoffDelay(facts.policy, Math.max(1, attempts), () => facts.jitter),
    );
  if (stage === 'status') {
    if (error.code === 'THROTTLED') return { action: 'throttle', rule: 'status-throttled' };
    if (left) return { action: 'retry', delayMs: delay(), rule: 'status-retry' };
    return { action: 'keep-open', rule: 'status-exhausted' };
  }
  if (error.code === 'THROTTLED' && left) return { action: 'throttle', rule: 'throttled' };
  if (stage === 'copy' && error.code === 'QUOTA_EXCEEDED' && left) {
    return { action: 'hold-quota', rule: 'quota' };
  }
  if (stage === 'copy' && copyMayHaveApplied(error)) {
    return { action: 'look-up', delayMs: delay(), rule: 'copy-may-exist' };
  }
  if (mayExist) {
    if (left && transient(error)) return { action: 'look-up', delayMs: delay(), rule: 'lookup-retry' };
    return { action: 'keep-open', rule: 'may-exist' };
  }
  if (transient(error)) {
    if (left) return { action: 'retry', delayMs: delay(), rule: 'transient-retry' };
    return { action: 'keep-open', rule: 'transient-exhausted' };
  }
  return { action: 'fail', rule: 'final' };
}

/** Everything {@link decideAfterEmptyLookup} looks at. */
export interface EmptyLookupFacts {
  /** Time since the last copy call that may have been applied ended, ms. */
  readonly sinceMayExistMs: number;
  /** The provider's consistency window (`capabilities.consistencyWindowMs`). */
  readonly consistencyWindowMs: number;
  /** The provider dedupes copy calls by client token itself. */
  readonly nativeToken: boolean;
  /** Copy calls may still be sent for the request in this run (`retry.maxAttempts`). */
  readonly attemptsLeft: boolean;
}

/**
 * What follows a well-formed lookup that found no copy for the token.
 * - `resend`: copy again with the same token.
 * - `wait`: look again once the window is over (`delayMs`), never copy before.
 * - `keep-open`: no copy calls left in this run: stop, resumable.
 *
 * `settled`: the lookup proves there is no copy (the consistency window is over), so the
 * request is no longer one whose copy may exist.
 */
export type AfterEmptyLookup =
  | { readonly action: 'resend'; readonly settled: boolean; readonly rule: string }
  | { readonly action: 'wait'; readonly delayMs: number; readonly rule: string }
  | { readonly action: 'keep-open'; readonly settled: true; readonly rule: string };

/**
 * Decides what follows a lookup that found nothing:
 *
 * 1. no copy calls left, the window is over → keep open, settled (nothing was made).
 * 2. no copy calls left, within the window → wait for the window to end, then look again.
 * 3. the window since the last possibly-applied call is over → resend, settled.
 * 4. the provider has a native token → resend now (it returns the copy if one was made), not settled.
 * 5. otherwise → wait for the window to end, then look again.
 */
export function decideAfterEmptyLookup(facts: EmptyLookupFacts): AfterEmptyLookup {
  const windowOver = facts.sinceMayExistMs >= facts.consistencyWindowMs;
  const wait = (rule: string) => ({
    action: 'wait' as const,
    delayMs: facts.consistencyWindowMs - facts.sinceMayExistMs,
    rule,
  });
  if (!facts.attemptsLeft) {
    return windowOver
      ? { action: 'keep-open', settled: true, rule: 'exhausted-settled' }
      : wait('exhausted-wait');
  }
  if (windowOver) return { action: 'resend', settled: true, rule: 'window-over' };
  if (facts.nativeToken) return { action: 'resend', settled: false, rule: 'native-token' };
  return wait('within-window');
}
