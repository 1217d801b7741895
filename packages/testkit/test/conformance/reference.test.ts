import { CAPABILITY_KEYS } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { makeReferenceHarness, SNAPSHOT_COPIER_CONFORMANCE_CASES } from '../../src/index.js';
import { runSnapshotCopierConformance } from '../../src/conformance/entry.js';

// Two configurations so that both kinds of key failure and both kinds of cancel run.
runSnapshotCopierConformance({
  name: 'reference (async key failure, immediate cancel)',
  makeHarness: () => makeReferenceHarness({ keyFailure: 'async', cancelTakesEffect: 'immediate' }),
  options: { keyFailure: 'async' },
});

runSnapshotCopierConformance({
  name: 'reference (sync key failure, cancel on completion)',
  makeHarness: () => makeReferenceHarness({ keyFailure: 'sync', cancelTakesEffect: 'on-completion' }),
  options: { keyFailure: 'sync' },
});

describe('the reference copier', () => {
  it('has every boolean capability flag true, so every true branch of the suite runs', () => {
    const h = makeReferenceHarness();
    const caps = h.copier.capabilities as unknown as Record<string, unknown>;
    const booleans = CAPABILITY_KEYS.filter((k) => typeof caps[k] === 'boolean');
    expect(booleans.length).toBeGreaterThanOrEqual(13);
    expect(booleans.filter((k) => caps[k] !== true)).toEqual([]);
  });

  it('case ids are unique', () => {
    const ids = SNAPSHOT_COPIER_CONFORMANCE_CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
