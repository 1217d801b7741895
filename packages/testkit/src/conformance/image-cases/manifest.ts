import { isDeepStrictEqual } from 'node:util';
import { IMAGE_CAPABILITY_KEYS, ImageCapabilitiesSchema } from '@snapcopy/core';
import { caseGroup } from '../case.js';
import type { ImageConformanceCase } from '../image-case.js';
import { plainImageRoute } from '../image-support.js';
import { checkManifestFrozen, checkManifestKeys, checkSharedManifestRules } from '../kind-cases.js';
import { check } from '../support.js';

/** The image manifest: complete, frozen, plain data, consistent. */
export const imageManifestCases: readonly ImageConformanceCase[] = caseGroup('image manifest', [
  {
    id: 'image.manifest.every-flag-present',
    name: "has exactly core's image capability keys and passes the schema",
    async run(h) {
      checkManifestKeys(
        h.copier,
        IMAGE_CAPABILITY_KEYS,
        ImageCapabilitiesSchema,
        'image manifest',
        'ImageCapabilitiesSchema',
      );
    },
  },
  {
    id: 'image.manifest.frozen',
    name: 'is deeply frozen, refuses writes, and survives a JSON round trip',
    async run(h) {
      const caps = h.copier.capabilities;
      const before = checkManifestFrozen(caps, 'image manifest');
      check(isDeepStrictEqual(JSON.parse(before), { ...caps }), 'the image manifest is not plain JSON data');
    },
  },
  {
    id: 'image.manifest.consistent',
    name: 'flags and limits agree with each other and allow at least one copy route',
    async run(h) {
      const caps = h.copier.capabilities;
      checkSharedManifestRules(caps);
      check(
        caps.cancelByDelete === (caps.cancelMethod !== 'none'),
        'cancelByDelete and cancelMethod disagree',
      );
      check(
        !caps.crossAccountCopyAcrossRegions || caps.crossAccountCopy,
        'cross-region sharing needs sharing',
      );
      plainImageRoute(caps);
    },
  },
]);
