import { describe, expect, it } from 'vitest';
import { CAPABILITY_KEYS, CapabilitiesSchema, defineCapabilities } from '../src/index.js';

describe('defineCapabilities', () => {
  it('CAPABILITY_KEYS lists exactly the schema keys', () => {
    expect([...CAPABILITY_KEYS].sort()).toEqual(Object.keys(CapabilitiesSchema.shape).sort());
  });

  it('fills every flag, freezes deeply and is JSON-cloneable', () => {
    const caps = defineCapabilities({
      crossRegionCopy: true,
      timeBasedCopy: true,
      completionDurationMinutes: { min: 15, max: 2880, step: 15 },
    });
    expect(Object.keys(caps).sort()).toEqual([...CAPABILITY_KEYS].sort());
    expect(caps.sameRegionStandardCopy).toBe(false);
    expect(Object.isFrozen(caps)).toBe(true);
    expect(Object.isFrozen(caps.completionDurationMinutes)).toBe(true);
    expect(JSON.parse(JSON.stringify(caps))).toEqual(caps);
    expect(() => {
      (caps as { crossRegionCopy: boolean }).crossRegionCopy = false;
    }).toThrow(TypeError);
  });

  it.each([
    ['an unknown key', { teleport: true }],
    ['a wrong type', { crossRegionCopy: 'yes' }],
    ['retentionPeriod without its range', { retentionPeriod: true }],
    ['timeBasedCopy without its range', { timeBasedCopy: true }],
    ['cancelByDelete without when it takes effect', { cancelByDelete: true }],
    ['a negative concurrency limit', { maxConcurrentCopiesPerRegion: -1 }],
  ])('rejects %s', (_name, partial) => {
    expect(() => defineCapabilities(partial as never)).toThrow();
  });
});
