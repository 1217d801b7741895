import { IMAGE_CAPABILITY_KEYS } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { runImageCopierConformance } from '../../src/conformance/entry.js';
import { IMAGE_COPIER_CONFORMANCE_CASES, makeReferenceImageHarness } from '../../src/index.js';

// Both kinds of cancel run: at once (snapshots removed now), and when the copy completes.
runImageCopierConformance({
  name: 'reference (immediate cancel)',
  makeHarness: () => makeReferenceImageHarness({ cancelTakesEffect: 'immediate' }),
});

runImageCopierConformance({
  name: 'reference (cancel on completion)',
  makeHarness: () => makeReferenceImageHarness({ cancelTakesEffect: 'on-completion' }),
});

describe('the reference image copier', () => {
  it('has every boolean image flag true, so every true branch of the image suite runs', () => {
    const h = makeReferenceImageHarness();
    const caps = h.copier.capabilities as unknown as Record<string, unknown>;
    const booleans = IMAGE_CAPABILITY_KEYS.filter((k) => typeof caps[k] === 'boolean');
    expect(booleans.length).toBeGreaterThanOrEqual(14);
    expect(booleans.filter((k) => caps[k] !== true && k !== 'queuesBeyondConcurrency')).toEqual([]);
  });

  it('image case ids are unique and distinct from the snapshot suite', () => {
    const ids = IMAGE_COPIER_CONFORMANCE_CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.startsWith('image.'))).toBe(true);
  });
});
