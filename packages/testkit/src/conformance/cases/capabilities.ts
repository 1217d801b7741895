import { type Capabilities, type CopyHandle, type CopyRequestInput, isSnapcopyError } from '@snapcopy/core';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { caseGroup, type ConformanceCase, type ConformanceContext } from '../case.js';
import type { ConformanceHarness, FixtureKey } from '../harness.js';
import { flagCase, SNAPSHOT_KIND } from '../kind-cases.js';
import {
  check,
  copyInCloud,
  encryptedRoute,
  expectCompleted,
  expectNoCopyOf,
  expectRefusedWithoutMutation,
  expectUnsupportedWithZeroRequests,
  freshToken,
  mustExist,
  plainCopy,
  refusedUnless,
  startCopy,
  waitFor,
} from '../support.js';

/** A source in the first region under `key`, and a request to copy it within that region. */
async function copyInRegion(h: ConformanceHarness, key: FixtureKey, encrypted: boolean) {
  const region = h.fixtures.regions[0];
  const source = await h.fixtures.createSource({ region, key });
  const request: CopyRequestInput = {
    source: source.ref,
    destination: { region },
    encryption: { encrypted },
  };
  return { region, source, request };
}

/**
 * The run of a case about a request field: unless `flag`, a plain copy with `extra` must be
 * UNSUPPORTED with zero requests; with the flag, `whenTrue` checks the field's effect.
 */
function requestFieldRun(
  flag: (caps: Capabilities) => boolean,
  extra: Partial<CopyRequestInput>,
  refusal: string,
  whenTrue: (h: ConformanceHarness, ctx: ConformanceContext, caps: Capabilities) => Promise<void>,
): ConformanceCase['run'] {
  return async (h, ctx) => {
    const caps = h.copier.capabilities;
    if (!flag(caps)) {
      const { request } = await plainCopy(h, {}, extra);
      return expectUnsupportedWithZeroRequests(h, ctx, request, refusal);
    }
    await whenTrue(h, ctx, caps);
  };
}

/**
 * A copy of a source under `sourceKey` to a named customer key: when `flag` is false it is
 * refused without a copy; when the route is missing it is UNSUPPORTED with zero requests;
 * else the copy is encrypted under that key.
 */
async function keyedCopyCase(
  h: ConformanceHarness,
  ctx: ConformanceContext,
  flag: boolean,
  sourceKey: 'none' | 'default',
  label: string,
  messages: { readonly made: string; readonly unencrypted: string },
): Promise<void> {
  const { from, to } = encryptedRoute(h);
  const source = await h.fixtures.createSource({ region: from, key: sourceKey });
  const key = h.fixtures.keys(to).customer;
  const request: CopyRequestInput = {
    source: source.ref,
    destination: { region: to },
    encryption: { encrypted: true, kmsKeyId: key },
  };
  if (!flag) {
    const what = `${label} with the flag false`;
    return expectRefusedWithoutMutation(h, ctx, source, request, ['UNSUPPORTED'], what);
  }
  const routed = from !== to || h.copier.capabilities.sameRegionEncryptedCopy;
  if (await refusedUnless(routed, h, ctx, request, `${label} needs a route`)) return;
  const handle = await startCopy(h, ctx, request);
  const copy = await mustExist(h, to, handle.snapshotId, messages.made);
  check(copy.encrypted, messages.unencrypted);
  check(
    copy.kmsKeyId !== undefined && (await h.truth.sameKey(to, copy.kmsKeyId, key)),
    `the copy has key ${copy.kmsKeyId}, not ${key}`,
  );
}

/**
 * One case per capability flag. A true flag: the feature works and its effect is in the
 * cloud-side truth. A false flag: the call fails with `UNSUPPORTED` and the cloud saw
 * zero requests (or, for flags that depend on the source, no copy/delete request and no
 * copy). A false flag is asserted, never skipped.
 */
export const capabilityCases: readonly ConformanceCase[] = caseGroup('capabilities', [
  flagCase(
    SNAPSHOT_KIND,
    {
      id: 'capability.crossRegionCopy',
      name: 'crossRegionCopy: a copy lands in the other region when true; UNSUPPORTED with zero requests when false',
    },
    {
      flag: (caps) => caps.crossRegionCopy,
      refusal: 'cross-region copy with crossRegionCopy false',
      async prepare(h) {
        const [from, to] = h.fixtures.regions;
        const source = await h.fixtures.createSource({ region: from });
        return { to, source, request: { source: source.ref, destination: { region: to } } };
      },
      async verify(h, ctx, handle, { to, source }) {
        check(handle.region === to, `the handle names region ${handle.region}, not the destination ${to}`);
        const copy = await mustExist(h, to, handle.snapshotId, 'cross-region copy');
        check(
          copy.copyOf?.snapshotId === source.ref.snapshotId,
          'the copy in truth is not a copy of the source',
        );
        expectCompleted(await waitFor(h, ctx, handle));
        check(
          (await mustExist(h, to, handle.snapshotId, 'after wait')).state === 'completed',
          'truth does not show the copy completed',
        );
      },
    },
  ),
  {
    id: 'capability.sameRegionStandardCopy',
    name: 'sameRegionStandardCopy: an unencrypted copy in the source region when true; UNSUPPORTED with zero requests when false',
    async run(h, ctx) {
      const { region, source, request } = await copyInRegion(h, 'none', false);
      const flag = h.copier.capabilities.sameRegionStandardCopy;
      if (await refusedUnless(flag, h, ctx, request, 'same-region standard copy with the flag false')) {
        // The weaker promise without an explicit flag: no unencrypted copy in the region.
        let implicit: CopyHandle;
        try {
          implicit = await h.copier.copy({ source: source.ref, destination: { region } });
        } catch (err) {
          ctx.errors.push(err);
          check(
            isSnapcopyError(err),
            `an implicit same-region copy failed with a non-snapcopy error: ${String(err)}`,
          );
          await expectNoCopyOf(h, source, 'implicit same-region standard copy');
          return;
        }
        const copy = await mustExist(h, region, implicit.snapshotId, 'implicit same-region copy');
        check(
          copy.encrypted,
          'an unencrypted copy was made in the source region though sameRegionStandardCopy is false',
        );
        return;
      }
      const handle = await startCopy(h, ctx, request);
      check(handle.region === region, 'the copy is not in the source region');
      const copy = await mustExist(h, region, handle.snapshotId, 'same-region standard copy');
      check(!copy.encrypted, 'a same-region standard copy must be unencrypted');
      check(
        copy.copyOf?.snapshotId === source.ref.snapshotId,
        'the copy in truth is not a copy of the source',
      );
    },
  },
  flagCase(
    SNAPSHOT_KIND,
    {
      id: 'capability.sameRegionEncryptedCopy',
      name: 'sameRegionEncryptedCopy: an encrypted copy in the source region when true; UNSUPPORTED with zero requests when false',
    },
    {
      flag: (caps) => caps.sameRegionEncryptedCopy,
      refusal: 'same-region encrypted copy with the flag false',
      prepare: (h) => copyInRegion(h, 'customer', true),
      async verify(h, _ctx, handle, { region }) {
        const copy = await mustExist(h, region, handle.snapshotId, 'same-region encrypted copy');
        check(
          copy.region === region && copy.encrypted,
          'the same-region copy must be encrypted, in the source region',
        );
      },
    },
  ),
  {
    id: 'capability.encryptOnCopy',
    name: 'encryptOnCopy: an unencrypted source is copied under the given key when true; refused without a copy when false',
    run: (h, ctx) =>
      keyedCopyCase(h, ctx, h.copier.capabilities.encryptOnCopy, 'none', 'encrypt-on-copy', {
        made: 'encrypt-on-copy',
        unencrypted: 'the copy of an unencrypted source asked to be encrypted is not encrypted',
      }),
  },
  {
    id: 'capability.changeKeyOnCopy',
    name: 'changeKeyOnCopy: an encrypted source is re-encrypted under the given key when true; refused without a copy when false',
    run: (h, ctx) =>
      keyedCopyCase(h, ctx, h.copier.capabilities.changeKeyOnCopy, 'default', 'change-key', {
        made: 'change-key copy',
        unencrypted: 'a re-keyed copy must be encrypted',
      }),
  },
  {
    id: 'capability.decryptOnCopy',
    name: 'decryptOnCopy: an encrypted source gives an unencrypted copy when true; refused (UNSUPPORTED or ENCRYPTION_RULE) without a copy when false',
    async run(h, ctx) {
      const caps = h.copier.capabilities;
      const [first, second] = h.fixtures.regions;
      const to = caps.crossRegionCopy ? second : first;
      const source = await h.fixtures.createSource({ region: first, key: 'customer' });
      const request: CopyRequestInput = {
        source: source.ref,
        destination: { region: to },
        encryption: { encrypted: false },
      };
      if (!caps.decryptOnCopy) {
        // Whether a source is encrypted is only known after reading it, so the refusal may
        // come from the provider's encryption rule rather than the manifest pre-check.
        await expectRefusedWithoutMutation(
          h,
          ctx,
          source,
          request,
          ['UNSUPPORTED', 'ENCRYPTION_RULE'],
          'decrypt-on-copy with the flag false',
        );
        return;
      }
      const routed = to !== first || caps.sameRegionStandardCopy;
      if (await refusedUnless(routed, h, ctx, request, 'decrypt-on-copy needs a route')) return;
      const handle = await startCopy(h, ctx, request);
      const copy = await mustExist(h, to, handle.snapshotId, 'decrypt-on-copy');
      check(!copy.encrypted, 'a copy asked to be unencrypted, with decryptOnCopy true, is encrypted');
    },
  },
  {
    id: 'capability.retentionPeriod',
    name: 'retentionPeriod: the copy carries the retention asked for when true; UNSUPPORTED with zero requests when false',
    run: requestFieldRun(
      (caps) => caps.retentionPeriod,
      { retentionDays: 7 },
      'retentionDays with retentionPeriod false',
      async (h, ctx, caps) => {
        const [min, max] = caps.retentionDaysRange ?? [1, 1];
        for (const days of [min, max]) {
          const { request } = await plainCopy(h, {}, { retentionDays: days });
          const copy = await copyInCloud(h, ctx, request, 'copy with retention');
          check(
            copy.retentionDays === days,
            `the copy has retention ${copy.retentionDays}, asked for ${days}`,
          );
        }
      },
    ),
  },
  {
    id: 'capability.timeBasedCopy',
    name: 'timeBasedCopy: the copy carries the completion duration asked for when true; UNSUPPORTED with zero requests when false',
    run: requestFieldRun(
      (caps) => caps.timeBasedCopy,
      { completionDurationMinutes: 60 },
      'completionDurationMinutes with timeBasedCopy false',
      async (h, ctx, caps) => {
        const minutes = Math.max(15, caps.completionDurationMinutes?.min ?? 15);
        const { request } = await plainCopy(h, {}, { completionDurationMinutes: minutes });
        const plan = await h.copier.plan(request);
        check(
          plan.timeBased?.completionDurationMinutes === minutes,
          'the plan does not show the time-based copy',
        );
        const copy = await copyInCloud(h, ctx, request, 'time-based copy');
        check(
          copy.completionDurationMinutes === minutes,
          `the copy has duration ${copy.completionDurationMinutes}, asked for ${minutes}`,
        );
      },
    ),
  },
  {
    id: 'capability.tagsOnCopy',
    name: 'tagsOnCopy: maxUserTags tags and the lineage tags are on the copy when true; UNSUPPORTED with zero requests when false',
    run: requestFieldRun(
      (caps) => caps.tagsOnCopy,
      { tags: { team: 'storage' } },
      'tags with tagsOnCopy false',
      async (h, ctx, caps) => {
        const count = Math.max(1, Math.min(50, caps.maxUserTags));
        const tags = Object.fromEntries(
          Array.from({ length: count }, (_, i) => [`conformance-${i}`, `value-${i}`]),
        );
        const clientToken = freshToken('tags');
        const { request, source } = await plainCopy(h, {}, { tags, clientToken });
        const copy = await copyInCloud(h, ctx, request, 'tagged copy');
        for (const [k, v] of Object.entries(tags)) {
          check(
            copy.tags[k] === v,
            `tag ${k} is ${JSON.stringify(copy.tags[k])} on the copy, expected ${JSON.stringify(v)}`,
          );
        }
        check(
          copy.tags[LINEAGE_TAGS.clientToken] === clientToken,
          'the client-token lineage tag is missing from the copy',
        );
        check(
          copy.tags[LINEAGE_TAGS.sourceSnapshot] === source.ref.snapshotId,
          'the source-snapshot lineage tag is missing from the copy',
        );
        check(
          copy.tags[LINEAGE_TAGS.sourceRegion] === source.ref.region,
          'the source-region lineage tag is missing from the copy',
        );
      },
    ),
  },
  {
    id: 'capability.crossAccountCopy',
    name: "crossAccountCopy: a snapshot shared with the caller is copied into the caller's account when true; UNSUPPORTED with zero requests when false",
    async run(h, ctx) {
      const [first, second] = h.fixtures.regions;
      if (!h.copier.capabilities.crossAccountCopy) {
        const request: CopyRequestInput = {
          source: {
            region: first,
            snapshotId: h.fixtures.missingSnapshotId(first),
            account: h.fixtures.otherAccountId,
          },
          destination: { region: h.copier.capabilities.crossRegionCopy ? second : first },
        };
        await expectUnsupportedWithZeroRequests(
          h,
          ctx,
          request,
          'a shared source with crossAccountCopy false',
        );
        return;
      }
      const source = await h.fixtures.createSource({ region: first, ownership: 'shared' });
      check(source.ref.account !== undefined, 'a shared fixture must name its owner account in ref.account');
      const { request } = await plainCopy(h, {}, {});
      const copy = await copyInCloud(h, ctx, { ...request, source: source.ref }, 'cross-account copy');
      check(
        copy.account !== source.ref.account,
        "the copy of a shared snapshot must belong to the caller, not the source's owner",
      );
      check(
        copy.copyOf?.snapshotId === source.ref.snapshotId,
        'the copy in truth is not a copy of the shared source',
      );
    },
  },
]);
