import { SnapcopyError } from '@snapcopy/core';
import {
  type BatchItemState,
  decideAfterStepError,
  itemFromJournalEntry,
  lookupAnswer,
  neverSent,
  retryEvent,
  sampleFromStart,
  sampleSeenAt,
  startedEvent,
} from '@snapcopy/orchestrator/runner';
import { describe, expect, it } from 'vitest';

const policy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 };

function item(changes: Partial<BatchItemState> = {}): BatchItemState {
  const base = itemFromJournalEntry(
    {
      batchId: 'b',
      index: 4,
      copier: 'c',
      kind: 'snapshot',
      clientToken: 'b.4',
      request: {
        source: { region: 'us-east-1', snapshotId: 'snap-1' },
        destination: { region: 'us-west-2' },
        clientToken: 'b.4',
      },
      state: 'queued',
      attempts: 0,
      updatedAt: 0,
    },
    false,
    0,
  );
  return Object.assign(base, changes);
}

const serverError = new SnapcopyError('PROVIDER_ERROR', 'boom', {
  retryable: true,
  providerCode: 'InternalError',
});
const lostReply = new SnapcopyError('PROVIDER_ERROR', 'reset', {
  retryable: true,
  ambiguous: true,
  providerCode: 'ECONNRESET',
});

describe('decideAfterStepError: the count and may-exist flag each stage is judged by', () => {
  // One row per stage (docs/orchestrator.md, "Decisions after an error"): the stage's own
  // count of calls decides whether attempts are left; only a copy that may exist, or a
  // lookup (always about a copy that may exist), is kept open when they run out.
  const rows: {
    rule: string;
    stage: 'plan' | 'copy' | 'lookup';
    item: Partial<BatchItemState>;
    error: SnapcopyError;
    action: string;
  }[] = [
    {
      rule: 'plan: planAttempts left',
      stage: 'plan',
      item: { planAttempts: 2 },
      error: serverError,
      action: 'retry',
    },
    {
      rule: 'plan: planAttempts used up',
      stage: 'plan',
      item: { planAttempts: 3, attempts: 0 },
      error: serverError,
      action: 'keep-open',
    },
    {
      rule: 'plan: copy attempts do not count',
      stage: 'plan',
      item: { planAttempts: 1, attempts: 9 },
      error: serverError,
      action: 'retry',
    },
    {
      rule: 'copy: a lost reply may have made the copy',
      stage: 'copy',
      item: { attempts: 1, mayExistSince: 5 },
      error: lostReply,
      action: 'look-up',
    },
    {
      rule: 'copy: attempts left',
      stage: 'copy',
      item: { attempts: 1 },
      error: serverError,
      action: 'retry',
    },
    {
      rule: 'copy: attempts used up',
      stage: 'copy',
      item: { attempts: 3 },
      error: serverError,
      action: 'keep-open',
    },
    {
      rule: 'lookup: lookupAttempts left',
      stage: 'lookup',
      item: { lookupAttempts: 1, attempts: 9 },
      error: serverError,
      action: 'look-up',
    },
    {
      rule: 'lookup: lookupAttempts used up, the copy may exist',
      stage: 'lookup',
      item: { lookupAttempts: 3 },
      error: serverError,
      action: 'keep-open',
    },
  ];
  for (const row of rows) {
    it(row.rule, () => {
      const decision = decideAfterStepError(item(row.item), row.stage, row.error, policy, 0.5);
      expect(decision.action).toBe(row.action);
    });
  }
});

describe('step outcomes as data', () => {
  it('retryEvent and startedEvent name the item, its kind and the attempt', () => {
    const it4 = item({ priorAttempts: 2, attempts: 1 });
    expect(retryEvent(it4, 'copy', serverError, 3, 250)).toEqual({
      type: 'copy-retry',
      stage: 'copy',
      index: 4,
      kind: 'snapshot',
      error: serverError,
      attempt: 3,
      delayMs: 250,
    });
    const handle = { region: 'us-west-2', snapshotId: 'snap-2', startedAt: '1970-01-01T00:00:00.000Z' };
    expect(startedEvent(it4, handle as never)).toMatchObject({ type: 'copy-started', index: 4, attempt: 3 });
  });

  it('lookupAnswer: a failure answers error, a find keeps the duplicates removed', () => {
    const it4 = item();
    expect(lookupAnswer(it4, { ok: false, error: serverError })).toEqual({ error: true });
    expect(lookupAnswer(it4, { ok: true, value: undefined })).toEqual({ found: undefined });
    const found = { region: 'us-west-2', snapshotId: 'snap-9', duplicatesRemoved: ['snap-8'] };
    expect(lookupAnswer(it4, { ok: true, value: found as never })).toEqual({ found: 'snap-9' });
    expect(it4.duplicatesRemoved).toEqual(['snap-8']);
  });

  it('neverSent: no copy call in any run and none that may exist', () => {
    expect(neverSent(item())).toBe(true);
    expect(neverSent(item({ attempts: 1 }))).toBe(false);
    expect(neverSent(item({ priorAttempts: 1 }))).toBe(false);
    expect(neverSent(item({ mayExistSince: 0 }))).toBe(false);
  });

  it('samples: from the start (uncertainty 0) or first seen (uncertainty 1)', () => {
    expect(sampleFromStart(10, undefined)).toEqual({
      baseAt: 10,
      baseProgress: 0,
      baseUncertainty: 0,
      at: 10,
      progress: 0,
    });
    expect(sampleFromStart(10, 500)).toMatchObject({ expectedMs: 500 });
    expect(sampleSeenAt(20, 40)).toEqual({
      baseAt: 20,
      baseProgress: 40,
      baseUncertainty: 1,
      at: 20,
      progress: 40,
    });
  });
});
