import { isDeepStrictEqual } from 'node:util';
import { IMAGE_CAPABILITY_KEYS, ImageCapabilitiesSchema } from '@snapcopy/core';
import type { ImageConformanceCase } from '../image-case.js';
import { plainImageRoute } from '../image-support.js';
import { check } from '../support.js';

function isDeepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

/** The image manifest: complete, frozen, plain data, consistent. */
export const imageManifestCases: readonly ImageConformanceCase[] = [
  {
    id: 'image.manifest.every-flag-present',
    group: 'image manifest',
    name: "has exactly core's image capability keys and passes the schema",
    async run(h) {
      const caps = h.copier.capabilities as unknown as Record<string, unknown>;
      const missing = IMAGE_CAPABILITY_KEYS.filter((k) => !(k in caps) || caps[k] === undefined);
      const extra = Object.keys(caps).filter(
        (k) => !(IMAGE_CAPABILITY_KEYS as readonly string[]).includes(k),
      );
      check(missing.length === 0, `image manifest is missing ${missing.join(', ')}`);
      check(extra.length === 0, `image manifest has keys core does not know: ${extra.join(', ')}`);
      const parsed = ImageCapabilitiesSchema.safeParse(caps);
      check(parsed.success, `image manifest fails ImageCapabilitiesSchema: ${parsed.error?.message ?? ''}`);
      check(typeof h.copier.provider === 'string' && h.copier.provider.length > 0, 'provider must be a name');
    },
  },
  {
    id: 'image.manifest.frozen',
    group: 'image manifest',
    name: 'is deeply frozen, refuses writes, and survives a JSON round trip',
    async run(h) {
      const caps = h.copier.capabilities;
      check(isDeepFrozen(caps), 'image manifest must be deeply frozen');
      const before = JSON.stringify(caps);
      try {
        (caps as unknown as Record<string, unknown>).crossRegionCopy = !caps.crossRegionCopy;
      } catch {
        // Strict-mode code throws on a frozen object; either way the value must not change.
      }
      check(JSON.stringify(caps) === before, 'a write to the image manifest changed it');
      check(isDeepStrictEqual(JSON.parse(before), { ...caps }), 'the image manifest is not plain JSON data');
    },
  },
  {
    id: 'image.manifest.consistent',
    group: 'image manifest',
    name: 'flags and limits agree with each other and allow at least one copy route',
    async run(h) {
      const caps = h.copier.capabilities;
      check(
        caps.cancelByDelete === (caps.cancelTakesEffect !== 'never'),
        'cancelByDelete and cancelTakesEffect disagree',
      );
      check(
        caps.cancelByDelete === (caps.cancelMethod !== 'none'),
        'cancelByDelete and cancelMethod disagree',
      );
      check(!caps.timeBasedCopy || caps.completionDurationMinutes !== null, 'timeBasedCopy needs its range');
      check(
        !caps.crossAccountCopyAcrossRegions || caps.crossAccountCopy,
        'cross-region sharing needs sharing',
      );
      check(caps.maxIdsPerStatusCall >= 1, 'maxIdsPerStatusCall must be at least 1');
      plainImageRoute(caps);
    },
  },
];
