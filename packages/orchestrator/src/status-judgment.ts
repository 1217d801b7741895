import { type CopyStatus, type ImageRef, SnapcopyError, type SnapshotRef } from '@snapcopy/core';
import { copyIdOf } from './copy-kind.js';

/** Well-formed "absent" answers seen in a row for one copy. */
export interface AbsentRecord {
  readonly count: number;
  /** Time of the first of them, ms. */
  readonly firstAt: number;
}

/**
 * What a status read means for the copy a request tracks.
 * - `running`: keep tracking.
 * - `finished`: a terminal state the provider reports.
 * - `follow`: the copy was a duplicate for its client token; the copy kept is `to`.
 * - `look-up`: the copy reads absent: look its token up before believing it is gone.
 * - `confirm`: it completed, and the provider has no native token: look the token up once
 *   more so that a duplicate another runner made (and could not remove) is removed now.
 */
export type StatusVerdict =
  | { readonly verdict: 'running'; readonly rule: string }
  | {
      readonly verdict: 'finished';
      readonly outcome: 'completed' | 'failed' | 'cancelled';
      readonly rule: string;
    }
  | { readonly verdict: 'follow'; readonly to: string; readonly rule: string }
  | { readonly verdict: 'look-up'; readonly rule: string }
  | { readonly verdict: 'confirm'; readonly rule: string };

/**
 * Judges one status read (each rule is a row of `test/status-judgment.test.ts`):
 *
 * 1. `replacedBy` is set → follow the copy kept for the token.
 * 2. completed, provider without a native token, not confirmed yet → confirm.
 * 3. completed → finished, completed.
 * 4. cancelled → finished, cancelled.
 * 5. failed with `rawState: 'absent'` (the provider no longer returns it) → look the token up.
 * 6. failed (the provider reports an error state) → finished, failed.
 * 7. pending → running.
 */
export function judgeStatus(
  status: Pick<CopyStatus, 'state' | 'rawState' | 'replacedBy'>,
  facts: { readonly nativeToken: boolean; readonly confirmed: boolean },
): StatusVerdict {
  if (status.replacedBy !== undefined) return { verdict: 'follow', to: status.replacedBy, rule: 'replaced' };
  switch (status.state) {
    case 'completed':
      if (!facts.nativeToken && !facts.confirmed) return { verdict: 'confirm', rule: 'completed-confirm' };
      return { verdict: 'finished', outcome: 'completed', rule: 'completed' };
    case 'cancelled':
      return { verdict: 'finished', outcome: 'cancelled', rule: 'cancelled' };
    case 'failed':
      if (status.rawState === 'absent') return { verdict: 'look-up', rule: 'absent' };
      return { verdict: 'finished', outcome: 'failed', rule: 'failed' };
    default:
      return { verdict: 'running', rule: 'pending' };
  }
}

/** What the lookup after an "absent" read (or a completion to confirm) found. */
export type LookupAnswer =
  | { readonly found: string }
  | { readonly found: undefined }
  | { readonly error: true };

/**
 * What a copy that read absent (or completed and was confirmed) becomes after its token
 * was looked up (each rule is a row of `test/status-judgment.test.ts`):
 *
 * 1. the lookup failed → keep tracking; nothing is counted absent from a failed call.
 * 2. it found another copy → follow it (the one every runner keeps).
 * 3. it found the tracked copy → keep tracking; the absent count starts over.
 * 4. it found none, and `absentConfirmations` answers in a row span the consistency window → failed.
 * 5. it found none otherwise → keep tracking, one more absent answer counted.
 */
export function judgeAbsentLookup(input: {
  readonly tracked: string;
  readonly answer: LookupAnswer;
  readonly absent: AbsentRecord | undefined;
  readonly now: number;
  readonly consistencyWindowMs: number;
  readonly absentConfirmations: number;
}):
  | { readonly verdict: 'running'; readonly absent: AbsentRecord | undefined; readonly rule: string }
  | { readonly verdict: 'follow'; readonly to: string; readonly rule: string }
  | { readonly verdict: 'gone'; readonly rule: string } {
  const { answer } = input;
  if ('error' in answer) return { verdict: 'running', absent: input.absent, rule: 'lookup-failed' };
  if (answer.found !== undefined && answer.found !== input.tracked) {
    return { verdict: 'follow', to: answer.found, rule: 'found-other' };
  }
  if (answer.found === input.tracked) return { verdict: 'running', absent: undefined, rule: 'found-same' };
  const absent: AbsentRecord = input.absent
    ? { count: input.absent.count + 1, firstAt: input.absent.firstAt }
    : { count: 1, firstAt: input.now };
  if (absent.count >= input.absentConfirmations && input.now - absent.firstAt >= input.consistencyWindowMs) {
    return { verdict: 'gone', rule: 'absent-confirmed' };
  }
  return { verdict: 'running', absent, rule: 'absent-counted' };
}

/**
 * What a completed copy becomes after the confirming lookup (providers without a native
 * token; each rule is a row of `test/status-judgment.test.ts`):
 *
 * 1. the lookup found another copy → follow it (ours was the duplicate and is being removed).
 * 2. the lookup failed, attempts left → keep tracking; confirm on the next read.
 * 3. otherwise (found ours, found none, or no attempts left) → completed.
 */
export function judgeConfirmLookup(input: {
  readonly tracked: string;
  readonly answer: LookupAnswer;
  readonly attempts: number;
  readonly maxAttempts: number;
}):
  | { readonly verdict: 'running'; readonly rule: string }
  | { readonly verdict: 'follow'; readonly to: string; readonly rule: string }
  | { readonly verdict: 'completed'; readonly rule: string } {
  const { answer } = input;
  if (!('error' in answer) && answer.found !== undefined && answer.found !== input.tracked) {
    return { verdict: 'follow', to: answer.found, rule: 'confirm-found-other' };
  }
  if ('error' in answer && input.attempts < input.maxAttempts) {
    return { verdict: 'running', rule: 'confirm-retry' };
  }
  return { verdict: 'completed', rule: 'error' in answer ? 'confirm-gave-up' : 'confirmed' };
}

/**
 * The error of a copy the provider reports failed (`finished`, `failed`), with the
 * provider's message. `status` is a status of either kind (named by `snapshotId` or `imageId`).
 */
export function copyFailedError(
  status: (SnapshotRef | ImageRef) & Pick<CopyStatus, 'message' | 'rawState'>,
  provider: string,
): SnapcopyError {
  return new SnapcopyError('PROVIDER_ERROR', status.message ?? `copy ${copyIdOf(status)} failed`, {
    provider,
    // A provider state (`error`) is not a provider error code.
    details: { rawState: status.rawState },
  });
}

/** The error of a tracked copy given up as gone (`judgeAbsentLookup` said `gone`) after `absentReads` more absent reads. */
export function copyGoneError(
  ref: SnapshotRef | ImageRef,
  absentReads: number,
  provider: string,
): SnapcopyError {
  return new SnapcopyError(
    'PROVIDER_ERROR',
    `copy ${copyIdOf(ref)} no longer exists in ${ref.region}: ${absentReads} more reads found it absent and no copy carries its client token (deleted outside snapcopy?)`,
    { provider, details: { rawState: 'absent' } },
  );
}
