import type { SnapshotListPage, SnapshotListQuery, SnapshotSummary } from '@snapcopy/core';
import { caseGroup, type ConformanceCase, type ConformanceContext, type GroupedCase } from '../case.js';
import type { ConformanceHarness, SourceFixture, TruthSnapshot } from '../harness.js';
import {
  check,
  expectCode,
  expectNoRequestsSince,
  fail,
  recorded,
  requestMark,
  requestsSince,
} from '../support.js';

/** Every page of a listing, read through the copier. */
async function listPages(
  h: ConformanceHarness,
  ctx: ConformanceContext,
  query: SnapshotListQuery,
): Promise<SnapshotListPage[]> {
  const list = h.copier.list;
  if (list === undefined) return fail('listSnapshots is true but the copier has no list method');
  return recorded(ctx, async () => {
    const pages: SnapshotListPage[] = [];
    for await (const page of list.call(h.copier, query)) {
      pages.push(page);
      check(pages.length <= 1000, 'the listing did not end after 1000 pages');
    }
    return pages;
  });
}

/** Every snapshot a listing gives, all pages together. */
async function listAll(
  h: ConformanceHarness,
  ctx: ConformanceContext,
  query: SnapshotListQuery,
): Promise<SnapshotSummary[]> {
  return (await listPages(h, ctx, query)).flatMap((p) => p.snapshots);
}

const idsOf = (items: readonly { readonly snapshotId?: string; readonly id?: string }[]): string[] =>
  items.map((i) => i.snapshotId ?? i.id ?? '').sort();

function sameIds(listed: readonly SnapshotSummary[], expected: readonly string[], what: string): void {
  const got = idsOf(listed);
  const want = [...expected].sort();
  check(got.length === new Set(got).size, `${what}: a snapshot was listed twice (${got.join(', ')})`);
  check(
    JSON.stringify(got) === JSON.stringify(want),
    `${what}: listed [${got.join(', ')}], the cloud holds [${want.join(', ')}]`,
  );
}

/** The caller's account, as the fixtures name it or as the cloud records an owned fixture. */
async function callerAccount(h: ConformanceHarness, owned: SourceFixture): Promise<string> {
  if (h.fixtures.callerAccountId !== undefined) return h.fixtures.callerAccountId;
  const s = await h.truth.snapshot(owned.ref.region, owned.ref.snapshotId);
  return s?.account ?? fail('the cloud has no record of a snapshot the fixture made');
}

async function truthIn(h: ConformanceHarness, region: string): Promise<readonly TruthSnapshot[]> {
  const read = h.truth.snapshotsIn;
  if (read === undefined) return fail('listing cases need truth.snapshotsIn(region) in the harness');
  return read.call(h.truth, region);
}

/** Checks each listed summary against the cloud's record of that snapshot. */
async function summariesAgreeWithTruth(
  h: ConformanceHarness,
  listed: readonly SnapshotSummary[],
  caller: string,
): Promise<void> {
  for (const s of listed) {
    const t = await h.truth.snapshot(s.region, s.snapshotId);
    check(t !== undefined, `listed ${s.snapshotId} does not exist in ${s.region}`);
    check(
      s.encrypted === t.encrypted,
      `${s.snapshotId}: listed encrypted=${s.encrypted}, the cloud says ${t.encrypted}`,
    );
    check(s.state === t.state, `${s.snapshotId}: listed ${s.state}, the cloud says ${t.state}`);
    check(
      s.ownership === (t.account === caller ? 'owned' : 'shared'),
      `${s.snapshotId}: listed as ${s.ownership}, the cloud's owner is ${t.account}`,
    );
    if (s.ownerAccount !== undefined)
      check(
        s.ownerAccount === t.account,
        `${s.snapshotId}: listed owner ${s.ownerAccount}, the cloud's ${t.account}`,
      );
    check(
      (s.description ?? '') === (t.description ?? ''),
      `${s.snapshotId}: listed description "${s.description ?? ''}", the cloud's "${t.description ?? ''}"`,
    );
    for (const [k, v] of Object.entries(t.tags))
      check(s.tags[k] === v, `${s.snapshotId}: tag ${k} is "${v}" in the cloud, "${s.tags[k]}" listed`);
  }
}

/** A listing the manifest says is never supported fails with UNSUPPORTED before any request. */
async function expectListRefused(
  h: ConformanceHarness,
  ctx: ConformanceContext,
  query: SnapshotListQuery,
  code: 'UNSUPPORTED' | 'INVALID_REQUEST',
  what: string,
): Promise<void> {
  const mark = await requestMark(h);
  const list = h.copier.list;
  if (list !== undefined) {
    await expectCode(
      ctx,
      async () => {
        for await (const _ of list.call(h.copier, query)) break;
      },
      code,
      what,
    );
  }
  await expectNoRequestsSince(h, mark, what);
}

/** What a listing case needs: the flag it is about and, when the flag is false, the refused query. */
interface ListingCaseSpec {
  flag(caps: ConformanceHarness['copier']['capabilities']): boolean;
  /** The listing asked for with the flag false, which must be UNSUPPORTED before any request. */
  refused(h: ConformanceHarness, region: string): SnapshotListQuery;
  /** What the refusal is called in messages. */
  readonly refusal: string;
  /** The case itself once the flag is true, in the first fixture region. */
  run(h: ConformanceHarness, ctx: ConformanceContext, region: string): Promise<void>;
}

/** A listing case: unless its flag, the refused listing is UNSUPPORTED with zero requests. */
function listingCase(id: string, name: string, spec: ListingCaseSpec): GroupedCase<ConformanceHarness> {
  return {
    id,
    name,
    async run(h, ctx) {
      const region = h.fixtures.regions[0];
      if (!spec.flag(h.copier.capabilities))
        return expectListRefused(h, ctx, spec.refused(h, region), 'UNSUPPORTED', spec.refusal);
      await spec.run(h, ctx, region);
    },
  };
}

/**
 * An optional method (`share`, `keyAccess`) when `flag` is true and the copier has it. Otherwise
 * the manifest says it is never supported: `refusedCall` is UNSUPPORTED when the copier has it
 * anyway, the cloud sees zero requests either way, and the answer is undefined.
 */
async function optionalUnless<M>(
  flag: boolean,
  method: M | undefined,
  h: ConformanceHarness,
  ctx: ConformanceContext,
  refusedCall: (method: M) => Promise<unknown>,
  what: string,
): Promise<M | undefined> {
  if (flag && method !== undefined) return method;
  const mark = await requestMark(h);
  if (method !== undefined) await expectCode(ctx, () => refusedCall(method), 'UNSUPPORTED', what);
  await expectNoRequestsSince(h, mark, what);
  return undefined;
}

/**
 * The read side: `list(query)` pages through what the caller can see. Results are
 * compared with the cloud's own records of its snapshots, not with what the copier says.
 * False `list*` flags are asserted: `UNSUPPORTED` with zero requests.
 */
export const listingCases: readonly ConformanceCase[] = caseGroup('listing', [
  listingCase(
    'listing.own-in-region',
    "lists exactly the caller's own snapshots in one region, with the cloud's state, encryption, owner, description and tags",
    {
      flag: (caps) => caps.listSnapshots,
      refused: (_h, region) => ({ region }),
      refusal: 'list with listSnapshots false',
      async run(h, ctx, first) {
        const second = h.fixtures.regions[1];
        const made = [
          await h.fixtures.createSource({
            region: first,
            description: 'nightly web root',
            tags: { team: 'web' },
          }),
          await h.fixtures.createSource({ region: first, key: 'customer' }),
          await h.fixtures.createSource({ region: first, description: 'db data' }),
        ];
        await h.fixtures.createSource({ region: second, description: 'elsewhere' });
        if (h.copier.capabilities.crossAccountCopy)
          await h.fixtures.createSource({ region: first, ownership: 'shared' });
        const caller = await callerAccount(h, made[0]!);
        const pages = await listPages(h, ctx, { region: first });
        const listed = pages.flatMap((p) => p.snapshots);
        const expected = (await truthIn(h, first)).filter((t) => t.account === caller).map((t) => t.id);
        for (const m of made)
          check(
            expected.includes(m.ref.snapshotId),
            `the cloud does not show fixture ${m.ref.snapshotId} as the caller's`,
          );
        sameIds(listed, expected, 'own snapshots in one region');
        check(
          listed.every((s) => s.region === first),
          'a listed snapshot is in another region',
        );
        await summariesAgreeWithTruth(h, listed, caller);
      },
    },
  ),
  listingCase(
    'listing.shared-by-account',
    'lists exactly the snapshots an account shared with the caller when listSharedWithCaller is true; UNSUPPORTED with zero requests when false',
    {
      flag: (caps) => caps.listSharedWithCaller,
      refused: (h, region) => ({ region, owner: { sharedBy: [h.fixtures.otherAccountId] } }),
      refusal: 'a shared-by listing with listSharedWithCaller false',
      async run(h, ctx, region) {
        const other = h.fixtures.otherAccountId;
        const own = await h.fixtures.createSource({ region });
        await h.fixtures.createSource({ region, ownership: 'shared', description: 'shared one' });
        await h.fixtures.createSource({ region, ownership: 'shared', key: 'customer' });
        const caller = await callerAccount(h, own);
        const listed = await listAll(h, ctx, { region, owner: { sharedBy: [other] } });
        const expected = (await truthIn(h, region))
          .filter((t) => t.account === other && (t.sharedWith ?? []).includes(caller))
          .map((t) => t.id);
        check(expected.length >= 2, 'the cloud does not show the two fixtures as shared with the caller');
        sameIds(listed, expected, `snapshots shared by ${other}`);
        check(
          listed.every(
            (s) => s.ownership === 'shared' && (s.ownerAccount === undefined || s.ownerAccount === other),
          ),
          'a snapshot shared by another account is not listed as shared by it',
        );
        await summariesAgreeWithTruth(h, listed, caller);
      },
    },
  ),
  listingCase(
    'listing.description-regex',
    'a description regex matches the whole description (DLM DescriptionRegex); a bad regex is INVALID_REQUEST with zero requests',
    {
      flag: (caps) => caps.listSnapshots && caps.listDescriptionRegex !== 'none',
      refused: (_h, region) => ({ region, descriptionRegex: '.*' }),
      refusal: 'a description filter',
      async run(h, ctx, region) {
        const prod = await h.fixtures.createSource({ region, description: 'nightly prod database' });
        await h.fixtures.createSource({ region, description: 'nightly test database' });
        await h.fixtures.createSource({ region });
        const matched = await listAll(h, ctx, { region, descriptionRegex: 'nightly prod.*' });
        sameIds(matched, [prod.ref.snapshotId], 'descriptionRegex "nightly prod.*"');
        const part = await listAll(h, ctx, { region, descriptionRegex: 'prod' });
        sameIds(part, [], 'descriptionRegex "prod" (must match the whole description)');
        await expectListRefused(
          h,
          ctx,
          { region, descriptionRegex: '(unclosed' },
          'INVALID_REQUEST',
          'a bad regex',
        );
      },
    },
  ),
  listingCase('listing.tags', 'a tag filter lists only snapshots carrying every given tag with its value', {
    flag: (caps) => caps.listSnapshots,
    refused: (_h, region) => ({ region, tags: { team: 'a' } }),
    refusal: 'a tag listing',
    async run(h, ctx, region) {
      const a = await h.fixtures.createSource({ region, tags: { team: 'a', tier: 'gold' } });
      await h.fixtures.createSource({ region, tags: { team: 'b', tier: 'gold' } });
      await h.fixtures.createSource({ region });
      sameIds(await listAll(h, ctx, { region, tags: { team: 'a' } }), [a.ref.snapshotId], 'tags {team: a}');
      const gold = (await truthIn(h, region)).filter((t) => t.tags.tier === 'gold').map((t) => t.id);
      check(gold.length === 2, 'the cloud does not show two snapshots tagged tier=gold');
      sameIds(await listAll(h, ctx, { region, tags: { tier: 'gold' } }), gold, 'tags {tier: gold}');
    },
  }),
  listingCase(
    'listing.pages',
    'pages hold at most pageSize snapshots, one provider call each, and together list every snapshot once',
    {
      flag: (caps) => caps.listSnapshots,
      refused: (_h, region) => ({ region, pageSize: 5 }),
      refusal: 'a paged listing',
      async run(h, ctx, region) {
        const tooLarge = { region, pageSize: h.copier.capabilities.listMaxPageSize + 1 };
        await expectListRefused(h, ctx, tooLarge, 'INVALID_REQUEST', 'a page larger than listMaxPageSize');
        const made: SourceFixture[] = [];
        for (let i = 0; i < 12; i++)
          made.push(await h.fixtures.createSource({ region, tags: { batch: 'paged' } }));
        const mark = await requestMark(h);
        const pages = await listPages(h, ctx, { region, tags: { batch: 'paged' }, pageSize: 5 });
        const calls = (await requestsSince(h, mark)).length;
        check(pages.length >= 3, `12 snapshots in pages of 5 came in ${pages.length} page(s)`);
        check(
          pages.every((p) => p.scanned <= 5 && p.snapshots.length <= p.scanned),
          `a page held more than 5 snapshots (${pages.map((p) => p.scanned).join(', ')})`,
        );
        check(calls === pages.length, `${pages.length} pages took ${calls} provider calls`);
        sameIds(
          pages.flatMap((p) => p.snapshots),
          made.map((m) => m.ref.snapshotId),
          'the pages together',
        );
      },
    },
  ),
  listingCase(
    'listing.group',
    "lists exactly a multi-volume group's members by its id when listByGroup is true; UNSUPPORTED with zero requests when false",
    {
      flag: (caps) => caps.listByGroup,
      refused: (_h, region) => ({ region, groupId: 'group-1' }),
      refusal: 'a group listing',
      async run(h, ctx, region) {
        const createGroup = h.fixtures.createGroup;
        if (createGroup === undefined)
          return fail('listByGroup is true: the harness needs fixtures.createGroup');
        const group = await createGroup.call(h.fixtures, { region, size: 3 });
        await h.fixtures.createSource({ region });
        const listed = await listAll(h, ctx, { region, groupId: group.groupId });
        sameIds(
          listed,
          group.members.map((m) => m.ref.snapshotId),
          `group ${group.groupId}`,
        );
        check(
          listed.every((s) => s.groupId === undefined || s.groupId === group.groupId),
          'a member is listed with another group id',
        );
      },
    },
  ),
  {
    id: 'listing.share',
    name: "share lets another account use the caller's snapshot (the cloud records it) when shareSnapshot is true; UNSUPPORTED with zero requests when false",
    async run(h, ctx) {
      const region = h.fixtures.regions[0];
      const other = h.fixtures.otherAccountId;
      const source = await h.fixtures.createSource({ region });
      const ref = { region, snapshotId: source.ref.snapshotId };
      const share = await optionalUnless(
        h.copier.capabilities.shareSnapshot,
        h.copier.share,
        h,
        ctx,
        (s) => s.call(h.copier, ref, [other]),
        'share with shareSnapshot false',
      );
      if (share === undefined) return;
      const result = await recorded(ctx, () => share.call(h.copier, ref, [other]));
      check(result.accounts.includes(other), 'the share result does not name the account');
      const t = await h.truth.snapshot(region, source.ref.snapshotId);
      check(
        (t?.sharedWith ?? []).includes(other),
        `the cloud does not show ${source.ref.snapshotId} shared with ${other}`,
      );
    },
  },
  {
    id: 'listing.key-access',
    name: 'keyAccess says a usable key is usable and a missing one is not when keyAccessCheck is true; UNSUPPORTED with zero requests when false',
    async run(h, ctx) {
      const region = h.fixtures.regions[0];
      const keyAccess = await optionalUnless(
        h.copier.capabilities.keyAccessCheck,
        h.copier.keyAccess,
        h,
        ctx,
        (k) => k.call(h.copier, region, h.fixtures.keys(region).customer),
        'keyAccess with keyAccessCheck false',
      );
      if (keyAccess === undefined) return;
      const usable = await recorded(ctx, () =>
        keyAccess.call(h.copier, region, h.fixtures.keys(region).customer),
      );
      check(usable.usable, `the customer key reads as not usable: ${usable.reason ?? ''}`);
      const missing = await recorded(ctx, () =>
        keyAccess.call(h.copier, region, 'alias/snapcopy-conformance-missing'),
      );
      check(!missing.usable, 'a key that does not exist reads as usable');
      check((missing.reason ?? '') !== '', 'a key that is not usable must say why');
    },
  },
]);
