import { describe, expect, it } from 'vitest';
import {
  BROKEN_IMAGE_COPIERS,
  IMAGE_COPIER_CONFORMANCE_CASES,
  imageRunnerOptions,
  runConformanceCases,
} from '../../src/conformance/entry.js';
import { makeReferenceImageHarness } from '../../src/reference/index.js';

// Meta-test: the image suite catches what it claims to. Each broken image copier runs every
// case programmatically; the cases it names must fail, and it must fail at least one.
const options = imageRunnerOptions({});

describe('every deliberately broken image copier fails the image conformance suite', () => {
  it.each(BROKEN_IMAGE_COPIERS.map((b) => [b.id, b] as const))('%s', async (_id, broken) => {
    const outcomes = await runConformanceCases(broken.makeHarness, options, IMAGE_COPIER_CONFORMANCE_CASES);
    const failed = outcomes.filter((o) => !o.passed).map((o) => o.id);
    expect(outcomes).toHaveLength(IMAGE_COPIER_CONFORMANCE_CASES.length);
    expect(failed.length, `${broken.flaw}: no case failed`).toBeGreaterThan(0);
    for (const id of broken.caughtBy) expect(failed, `${broken.flaw}: ${id} should fail`).toContain(id);
  });

  it('control: the unbroken reference image copier passes every case through the same programmatic runner', async () => {
    const outcomes = await runConformanceCases(
      () => makeReferenceImageHarness(),
      options,
      IMAGE_COPIER_CONFORMANCE_CASES,
    );
    expect(outcomes.filter((o) => !o.passed).map((o) => [o.id, String(o.error)])).toEqual([]);
  });

  it('names only cases that exist', () => {
    const ids = new Set(IMAGE_COPIER_CONFORMANCE_CASES.map((c) => c.id));
    for (const b of BROKEN_IMAGE_COPIERS)
      for (const id of b.caughtBy) expect(ids.has(id), `${b.id}: ${id}`).toBe(true);
  });
});
