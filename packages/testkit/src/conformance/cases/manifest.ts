import { isDeepStrictEqual } from 'node:util';
import { CAPABILITY_KEYS, CapabilitiesSchema } from '@snapcopy/core';
import { caseGroup, type ConformanceCase } from '../case.js';
import { checkManifestFrozen, checkManifestKeys, checkSharedManifestRules } from '../kind-cases.js';
import { check, plainCopy, plainRoute, recorded, rejection } from '../support.js';

/** The capability manifest: complete, frozen, plain data, stable. */
export const manifestCases: readonly ConformanceCase[] = caseGroup('manifest', [
  {
    id: 'manifest.every-flag-present',
    name: "has exactly core's capability keys and passes the schema",
    async run(h) {
      checkManifestKeys(h.copier, CAPABILITY_KEYS, CapabilitiesSchema, 'manifest', 'CapabilitiesSchema');
    },
  },
  {
    id: 'manifest.frozen',
    name: 'is deeply frozen and refuses writes',
    async run(h) {
      checkManifestFrozen(h.copier.capabilities, 'manifest');
    },
  },
  {
    id: 'manifest.json-cloneable',
    name: 'survives a JSON round trip unchanged (plain data only)',
    async run(h) {
      const caps = h.copier.capabilities;
      const clone: unknown = JSON.parse(JSON.stringify(caps));
      check(isDeepStrictEqual(clone, { ...caps }), 'manifest is not plain JSON data');
      check(isDeepStrictEqual(structuredClone(caps), clone), 'manifest is not structured-cloneable');
    },
  },
  {
    id: 'manifest.consistent',
    name: 'flags and limits agree with each other and allow at least one copy route',
    async run(h) {
      const caps = h.copier.capabilities;
      checkSharedManifestRules(caps);
      check(
        !caps.retentionPeriod || caps.retentionDaysRange !== null,
        'retentionPeriod needs retentionDaysRange',
      );
      plainRoute(caps);
    },
  },
  {
    id: 'manifest.unchanged-by-use',
    name: 'is the same object with the same content after plan, copy, status, wait, cancel and errors',
    async run(h, ctx) {
      const caps = h.copier.capabilities;
      const before = JSON.stringify(caps);
      const { request } = await plainCopy(h);
      await recorded(ctx, () => h.copier.plan(request));
      const handle = await recorded(ctx, () => h.copier.copy(request));
      await recorded(ctx, () => h.copier.status([handle]));
      await rejection(
        ctx,
        () => h.copier.copy({ source: { region: 'nope' } } as never),
        'an invalid request',
      );
      if (caps.cancelByDelete) await recorded(ctx, () => h.copier.cancel(handle));
      check(h.copier.capabilities === caps, 'the copier replaced its manifest object');
      check(JSON.stringify(h.copier.capabilities) === before, 'using the copier changed its manifest');
    },
  },
]);
