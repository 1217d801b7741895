import type { CopyStatus } from '@snapcopy/core';
import {
  judgeAbsentLookup,
  judgeConfirmLookup,
  judgeStatus,
  type LookupAnswer,
  type StatusVerdict,
} from '@snapcopy/orchestrator/runner';
import { describe, expect, it } from 'vitest';

type Read = Pick<CopyStatus, 'state' | 'rawState' | 'replacedBy'>;

// One row per rule of judgeStatus (docs/orchestrator.md, "Tracking").
const statusRows: {
  rule: string;
  status: Read;
  nativeToken?: boolean;
  confirmed?: boolean;
  expected: StatusVerdict;
}[] = [
  {
    rule: '1. replacedBy set → follow the copy kept for the token (whatever the state)',
    status: { state: 'cancelled', rawState: 'absent', replacedBy: 'snap-kept' },
    expected: { verdict: 'follow', to: 'snap-kept', rule: 'replaced' },
  },
  {
    rule: '2. completed, no native token, not confirmed → confirm with a lookup',
    status: { state: 'completed', rawState: 'completed' },
    nativeToken: false,
    expected: { verdict: 'confirm', rule: 'completed-confirm' },
  },
  {
    rule: '3. completed (native token, or confirmed) → finished, completed',
    status: { state: 'completed', rawState: 'completed' },
    expected: { verdict: 'finished', outcome: 'completed', rule: 'completed' },
  },
  {
    rule: '4. cancelled → finished, cancelled',
    status: { state: 'cancelled', rawState: 'pending' },
    expected: { verdict: 'finished', outcome: 'cancelled', rule: 'cancelled' },
  },
  {
    rule: '5. failed with rawState absent (a well-formed reply without it) → look the token up',
    status: { state: 'failed', rawState: 'absent' },
    expected: { verdict: 'look-up', rule: 'absent' },
  },
  {
    rule: '6. failed in an error state the provider reports → finished, failed',
    status: { state: 'failed', rawState: 'error' },
    expected: { verdict: 'finished', outcome: 'failed', rule: 'failed' },
  },
  {
    rule: '7. pending → running',
    status: { state: 'pending', rawState: 'pending' },
    expected: { verdict: 'running', rule: 'pending' },
  },
];

describe('judgeStatus: one row per rule', () => {
  it.each(statusRows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    expect(
      judgeStatus(row.status, { nativeToken: row.nativeToken ?? true, confirmed: row.confirmed ?? false }),
    ).toEqual(row.expected);
  });
});

const WINDOW = 300_000;
const absentRows: {
  rule: string;
  answer: LookupAnswer;
  absent?: { count: number; firstAt: number };
  now: number;
  expected: ReturnType<typeof judgeAbsentLookup>;
}[] = [
  {
    rule: '1. the lookup failed → keep tracking, nothing counted',
    answer: { error: true },
    absent: { count: 1, firstAt: 0 },
    now: 400_000,
    expected: { verdict: 'running', absent: { count: 1, firstAt: 0 }, rule: 'lookup-failed' },
  },
  {
    rule: '2. another copy carries the token → follow it',
    answer: { found: 'snap-kept' },
    now: 0,
    expected: { verdict: 'follow', to: 'snap-kept', rule: 'found-other' },
  },
  {
    rule: '3. the lookup finds the tracked copy → keep tracking, the count starts over',
    answer: { found: 'snap-mine' },
    absent: { count: 2, firstAt: 0 },
    now: 100_000,
    expected: { verdict: 'running', absent: undefined, rule: 'found-same' },
  },
  {
    rule: '4. none found, the 3rd answer in a row, spanning the window → gone (failed)',
    answer: { found: undefined },
    absent: { count: 2, firstAt: 0 },
    now: WINDOW,
    expected: { verdict: 'gone', rule: 'absent-confirmed' },
  },
  {
    rule: '5a. none found, the first answer → counted, keep tracking',
    answer: { found: undefined },
    now: 50_000,
    expected: { verdict: 'running', absent: { count: 1, firstAt: 50_000 }, rule: 'absent-counted' },
  },
  {
    rule: '5b. none found, enough answers but within the window → counted, keep tracking',
    answer: { found: undefined },
    absent: { count: 5, firstAt: 0 },
    now: WINDOW - 1,
    expected: { verdict: 'running', absent: { count: 6, firstAt: 0 }, rule: 'absent-counted' },
  },
];

describe('judgeAbsentLookup: one row per rule', () => {
  it.each(absentRows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    expect(
      judgeAbsentLookup({
        tracked: 'snap-mine',
        answer: row.answer,
        absent: row.absent,
        now: row.now,
        consistencyWindowMs: WINDOW,
        absentConfirmations: 3,
      }),
    ).toEqual(row.expected);
  });
});

const confirmRows: {
  rule: string;
  answer: LookupAnswer;
  attempts: number;
  expected: ReturnType<typeof judgeConfirmLookup>;
}[] = [
  {
    rule: '1. another copy is kept for the token → follow it (ours was the duplicate)',
    answer: { found: 'snap-older' },
    attempts: 0,
    expected: { verdict: 'follow', to: 'snap-older', rule: 'confirm-found-other' },
  },
  {
    rule: '2. the lookup failed with attempts left → keep tracking, confirm on the next read',
    answer: { error: true },
    attempts: 1,
    expected: { verdict: 'running', rule: 'confirm-retry' },
  },
  {
    rule: '3a. ours is the copy kept → completed',
    answer: { found: 'snap-mine' },
    attempts: 0,
    expected: { verdict: 'completed', rule: 'confirmed' },
  },
  {
    rule: '3b. the lookups ran out → completed anyway (the copy is there and done)',
    answer: { error: true },
    attempts: 5,
    expected: { verdict: 'completed', rule: 'confirm-gave-up' },
  },
];

describe('judgeConfirmLookup: one row per rule', () => {
  it.each(confirmRows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    expect(
      judgeConfirmLookup({
        tracked: 'snap-mine',
        answer: row.answer,
        attempts: row.attempts,
        maxAttempts: 5,
      }),
    ).toEqual(row.expected);
  });
});
