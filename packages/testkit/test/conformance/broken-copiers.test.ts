import { describe, expect, it } from 'vitest';
import {
  BROKEN_COPIERS,
  runConformanceCases,
  SNAPSHOT_COPIER_CONFORMANCE_CASES,
} from '../../src/conformance/entry.js';
import { makeReferenceHarness } from '../../src/reference/index.js';

// Meta-test: the suite catches what it claims to. Each broken copier runs every case
// programmatically (no vitest reporter); the cases it names must fail, and it must fail
// at least one.
describe('every deliberately broken copier fails the conformance suite', () => {
  it.each(BROKEN_COPIERS.map((b) => [b.id, b] as const))('%s', async (_id, broken) => {
    const outcomes = await runConformanceCases(broken.makeHarness, { keyFailure: 'async' });
    const failed = outcomes.filter((o) => !o.passed).map((o) => o.id);
    expect(outcomes).toHaveLength(SNAPSHOT_COPIER_CONFORMANCE_CASES.length);
    expect(failed.length, `${broken.flaw}: no case failed`).toBeGreaterThan(0);
    for (const id of broken.caughtBy) expect(failed, `${broken.flaw}: ${id} should fail`).toContain(id);
  });

  it('control: the unbroken reference copier passes every case through the same programmatic runner', async () => {
    const outcomes = await runConformanceCases(() => makeReferenceHarness(), { keyFailure: 'async' });
    expect(outcomes.filter((o) => !o.passed).map((o) => [o.id, String(o.error)])).toEqual([]);
  });

  it('names only cases that exist', () => {
    const ids = new Set(SNAPSHOT_COPIER_CONFORMANCE_CASES.map((c) => c.id));
    for (const b of BROKEN_COPIERS)
      for (const id of b.caughtBy) expect(ids.has(id), `${b.id}: ${id}`).toBe(true);
  });
});
