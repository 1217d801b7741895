import type { ErrorCode } from '@snapcopy/core';
import {
  type AfterEmptyLookup,
  type AfterError,
  decideAfterEmptyLookup,
  decideAfterError,
  type ErrorFacts,
} from '@snapcopy/orchestrator/runner';
import { describe, expect, it } from 'vitest';

const policy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };

function err(
  code: ErrorCode,
  extra: { retryable?: boolean; ambiguous?: boolean; providerCode?: string } = {},
): ErrorFacts['error'] {
  return {
    code,
    retryable: extra.retryable ?? false,
    ambiguous: extra.ambiguous ?? false,
    providerCode: 'providerCode' in extra ? extra.providerCode : 'SomeCode',
  };
}

const throttled = err('THROTTLED', { retryable: true, providerCode: 'RequestLimitExceeded' });
const quota = err('QUOTA_EXCEEDED', { retryable: true, providerCode: 'ResourceLimitExceeded' });
const serverError = err('PROVIDER_ERROR', { retryable: true, providerCode: 'InternalError' });
const lostReply = err('PROVIDER_ERROR', { retryable: true, ambiguous: true, providerCode: 'ECONNRESET' });
const unreadable = err('PROVIDER_ERROR', { providerCode: undefined });
const malformed = err('PROVIDER_ERROR', { retryable: true, providerCode: 'MalformedReply' });
const denied = err('ACCESS_DENIED', { providerCode: 'UnauthorizedOperation' });

// One row per rule of decideAfterError (docs/orchestrator.md, "Decisions after an error").
const rows: {
  rule: string;
  facts: Omit<ErrorFacts, 'policy' | 'jitter'>;
  expected: Pick<AfterError, 'action' | 'rule'> & { delayMs?: number };
}[] = [
  {
    rule: '1. status, throttled → throttle the queue',
    facts: { error: throttled, stage: 'status', attempts: 1, maxAttempts: 20, mayExist: false },
    expected: { action: 'throttle', rule: 'status-throttled' },
  },
  {
    rule: '2. status, failed rounds left → retry after a backoff, at least the shortest poll interval',
    facts: {
      error: malformed,
      stage: 'status',
      attempts: 1,
      maxAttempts: 20,
      mayExist: false,
      minDelayMs: 5_000,
    },
    expected: { action: 'retry', rule: 'status-retry', delayMs: 5_000 },
  },
  {
    rule: '3. status, no failed rounds left → keep open (copies stay pending)',
    facts: { error: serverError, stage: 'status', attempts: 20, maxAttempts: 20, mayExist: false },
    expected: { action: 'keep-open', rule: 'status-exhausted' },
  },
  {
    rule: '4. throttled with attempts left → throttle the queue (plan, copy or lookup)',
    facts: { error: throttled, stage: 'plan', attempts: 2, maxAttempts: 5, mayExist: false },
    expected: { action: 'throttle', rule: 'throttled' },
  },
  {
    rule: '5. copy, quota exceeded, attempts left → hold on quota',
    facts: { error: quota, stage: 'copy', attempts: 1, maxAttempts: 5, mayExist: false },
    expected: { action: 'hold-quota', rule: 'quota' },
  },
  {
    rule: '6a. copy, lost reply (ambiguous) → look the token up, even with no attempts left',
    facts: { error: lostReply, stage: 'copy', attempts: 5, maxAttempts: 5, mayExist: true },
    expected: { action: 'look-up', rule: 'copy-may-exist', delayMs: 8_000 },
  },
  {
    rule: '6b. copy, an error with no provider code (an unreadable reply) → look the token up',
    facts: { error: unreadable, stage: 'copy', attempts: 1, maxAttempts: 5, mayExist: false },
    expected: { action: 'look-up', rule: 'copy-may-exist', delayMs: 500 },
  },
  {
    rule: '7. the copy may exist, lookup failed transiently, attempts left → look up again',
    facts: { error: malformed, stage: 'lookup', attempts: 2, maxAttempts: 5, mayExist: true },
    expected: { action: 'look-up', rule: 'lookup-retry', delayMs: 1_000 },
  },
  {
    rule: '8a. the copy may exist, lookups ran out → keep open, never fail',
    facts: { error: serverError, stage: 'lookup', attempts: 5, maxAttempts: 5, mayExist: true },
    expected: { action: 'keep-open', rule: 'may-exist' },
  },
  {
    rule: '8b. the copy may exist, a lookup is refused for good → keep open, never fail',
    facts: { error: denied, stage: 'lookup', attempts: 1, maxAttempts: 5, mayExist: true },
    expected: { action: 'keep-open', rule: 'may-exist' },
  },
  {
    rule: '9. transient with attempts left → retry after a backoff',
    facts: { error: serverError, stage: 'copy', attempts: 3, maxAttempts: 5, mayExist: false },
    expected: { action: 'retry', rule: 'transient-retry', delayMs: 2_000 },
  },
  {
    rule: '10a. transient with no attempts left → keep open (resumable), not failed',
    facts: { error: serverError, stage: 'copy', attempts: 5, maxAttempts: 5, mayExist: false },
    expected: { action: 'keep-open', rule: 'transient-exhausted' },
  },
  {
    rule: '10b. throttled or over quota with no attempts left → keep open',
    facts: { error: quota, stage: 'copy', attempts: 5, maxAttempts: 5, mayExist: false },
    expected: { action: 'keep-open', rule: 'transient-exhausted' },
  },
  {
    rule: '11. anything else (refused for good, nothing may exist) → fail',
    facts: { error: denied, stage: 'copy', attempts: 1, maxAttempts: 5, mayExist: false },
    expected: { action: 'fail', rule: 'final' },
  },
];

describe('decideAfterError: one row per rule', () => {
  it.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const decision = decideAfterError({ ...row.facts, policy, jitter: 0.5 });
    expect(decision).toEqual(row.expected);
  });
});

const emptyRows: {
  rule: string;
  since: number;
  native: boolean;
  attemptsLeft?: boolean;
  expected: AfterEmptyLookup;
}[] = [
  {
    rule: '1. no copy calls left, the window is over → keep open, settled (nothing was made)',
    since: 300_000,
    native: false,
    attemptsLeft: false,
    expected: { action: 'keep-open', settled: true, rule: 'exhausted-settled' },
  },
  {
    rule: '2. no copy calls left, within the window → wait for the window, then look again',
    since: 100_000,
    native: true,
    attemptsLeft: false,
    expected: { action: 'wait', delayMs: 200_000, rule: 'exhausted-wait' },
  },
  {
    rule: '3. the consistency window is over → resend with the same token, settled',
    since: 300_000,
    native: false,
    expected: { action: 'resend', settled: true, rule: 'window-over' },
  },
  {
    rule: '4. within the window, native token → resend now (the provider returns the copy if made), not settled',
    since: 10_000,
    native: true,
    expected: { action: 'resend', settled: false, rule: 'native-token' },
  },
  {
    rule: '5. within the window, no native token → wait for the window to end, then look again',
    since: 10_000,
    native: false,
    expected: { action: 'wait', delayMs: 290_000, rule: 'within-window' },
  },
];

describe('decideAfterEmptyLookup: one row per rule', () => {
  it.each(emptyRows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    expect(
      decideAfterEmptyLookup({
        sinceMayExistMs: row.since,
        consistencyWindowMs: 300_000,
        nativeToken: row.native,
        attemptsLeft: row.attemptsLeft ?? true,
      }),
    ).toEqual(row.expected);
  });
});
