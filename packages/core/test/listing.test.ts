import { describe, expect, it } from 'vitest';
import { checkRequestAgainstCapabilities } from '../src/capability-check.js';
import { defineCapabilities, parseCopyRequest, type SnapshotSummary } from '../src/index.js';
import { compileDescriptionRegex, listSnapshotPages, normalizeListQuery } from '../src/listing.js';

const lister = defineCapabilities({
  listSnapshots: true,
  listSharedWithCaller: true,
  listByGroup: true,
  listDescriptionRegex: 'client',
  listMaxPageSize: 100,
});
const ownOnly = defineCapabilities({
  listSnapshots: true,
  listDescriptionRegex: 'client',
  listMaxPageSize: 1000,
});
const none = defineCapabilities({});

describe('normalizeListQuery', () => {
  it.each([
    {
      rule: 'no listing at all: UNSUPPORTED listSnapshots',
      caps: none,
      q: { region: 'us-east-1' },
      flag: 'listSnapshots',
    },
    {
      rule: 'shared-by needs listSharedWithCaller',
      caps: ownOnly,
      q: { region: 'us-east-1', owner: { sharedBy: ['111111111111'] } },
      flag: 'listSharedWithCaller',
    },
    {
      rule: 'a group id needs listByGroup',
      caps: ownOnly,
      q: { region: 'us-east-1', groupId: 'ssg-1' },
      flag: 'listByGroup',
    },
  ])('$rule', ({ caps, q, flag }) => {
    expect(() => normalizeListQuery('p', caps, q)).toThrow(
      expect.objectContaining({
        code: 'UNSUPPORTED',
        details: expect.objectContaining({ capability: flag }),
      }),
    );
  });

  it.each([
    { rule: 'a region id is required', q: {}, path: 'region' },
    { rule: 'unknown fields are refused', q: { region: 'us-east-1', owners: 'self' }, path: '' },
    {
      rule: 'shared-by names at least one account',
      q: { region: 'us-east-1', owner: { sharedBy: [] } },
      path: 'owner',
    },
    {
      rule: 'a page larger than the provider returns',
      q: { region: 'us-east-1', pageSize: 101 },
      path: 'pageSize',
    },
    {
      rule: 'a regex that does not compile',
      q: { region: 'us-east-1', descriptionRegex: '(a' },
      path: 'descriptionRegex',
    },
    { rule: 'states from the closed set', q: { region: 'us-east-1', states: ['done'] }, path: 'states' },
  ])('INVALID_REQUEST: $rule', ({ q, path }) => {
    try {
      normalizeListQuery('p', lister, q);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVALID_REQUEST' });
      expect((err as { issues: { path: string }[] }).issues.map((i) => i.path).join(',')).toContain(path);
    }
  });

  it('fills the defaults: own snapshots, no tags, the largest page; dedupes accounts and states', () => {
    expect(normalizeListQuery('p', lister, { region: 'us-east-1' }).query).toStrictEqual({
      region: 'us-east-1',
      owner: 'self',
      tags: {},
      pageSize: 100,
    });
    const { query } = normalizeListQuery('p', lister, {
      region: 'us-east-1',
      owner: { sharedBy: ['1', '1', '2'] },
      states: ['completed', 'completed'],
      pageSize: 7,
    });
    expect(query).toMatchObject({ owner: { sharedBy: ['1', '2'] }, states: ['completed'], pageSize: 7 });
  });
});

describe('compileDescriptionRegex (DLM DescriptionRegex examples, whole-description match)', () => {
  it.each([
    { regex: '.*', description: '', matches: true },
    { regex: '.*', description: 'anything at all', matches: true },
    { regex: '.*production.*', description: 'nightly production db', matches: true },
    { regex: 'production', description: 'nightly production db', matches: false },
    {
      regex: 'Created for policy: policy-0123456789abcdef0.*',
      description: 'Created for policy: policy-0123456789abcdef0 schedule: daily',
      matches: true,
    },
    {
      regex: '^.*Created for policy: policy-1234567890abcdef0.*$',
      description: 'Created for policy: policy-1234567890abcdef0',
      matches: true,
    },
    { regex: 'a|b', description: 'b', matches: true },
    { regex: 'a|b', description: 'ab', matches: false },
  ])('$regex on "$description" → $matches', ({ regex, description, matches }) => {
    expect(compileDescriptionRegex(regex).test(description)).toBe(matches);
  });
});

describe('listSnapshotPages', () => {
  const snap = (id: string, description?: string): SnapshotSummary => ({
    region: 'rf-east-1',
    snapshotId: id,
    ownership: 'owned',
    state: 'completed',
    tags: {},
    encrypted: false,
    ...(description === undefined ? {} : { description }),
  });

  it('reads a page only when asked, filters each page, and follows cursors to the end', async () => {
    const asked: (string | undefined)[] = [];
    const pages = new Map<string | undefined, { snapshots: SnapshotSummary[]; next?: string }>([
      [undefined, { snapshots: [snap('a', 'keep'), snap('b', 'drop')], next: 'c2' }],
      ['c2', { snapshots: [snap('c', 'keep')] }],
    ]);
    const { query, regex } = normalizeListQuery('p', lister, {
      region: 'rf-east-1',
      descriptionRegex: 'keep',
    });
    const iterable = listSnapshotPages(
      {
        provider: 'p',
        page: async (cursor) => {
          asked.push(cursor);
          return pages.get(cursor)!;
        },
      },
      query,
      regex,
      undefined,
    );
    expect(asked).toEqual([]);
    const got: string[][] = [];
    for await (const page of iterable) got.push(page.snapshots.map((s) => s.snapshotId));
    expect(got).toEqual([['a'], ['c']]);
    expect(asked).toEqual([undefined, 'c2']);
  });

  it('stops with PROVIDER_ERROR when a cursor comes back (a listing that would never end)', async () => {
    const { query } = normalizeListQuery('p', lister, { region: 'rf-east-1' });
    const iterable = listSnapshotPages(
      { provider: 'p', page: async () => ({ snapshots: [snap('a')], next: 'same' }) },
      query,
      undefined,
      undefined,
    );
    await expect(async () => {
      for await (const _ of iterable);
    }).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
  });
});

describe('snapcopyTags', () => {
  const caps = defineCapabilities({ crossRegionCopy: true, tagsOnCopy: true, maxUserTags: 2 });
  const base = { source: { region: 'us-east-1', snapshotId: 's-1' }, destination: { region: 'us-west-2' } };

  it('must carry the snapcopy: prefix', () => {
    expect(() => parseCopyRequest({ ...base, snapcopyTags: { policy: 'x' } })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });

  it('may not be a lineage or state tag', () => {
    const err = checkRequestAgainstCapabilities(
      'p',
      caps,
      parseCopyRequest({ ...base, snapcopyTags: { 'snapcopy:client-token': 'x' } }),
    );
    expect(err?.code).toBe('INVALID_REQUEST');
  });

  it("count against the provider's tag slots with the caller's", () => {
    const ok = parseCopyRequest({ ...base, tags: { a: '1' }, snapcopyTags: { 'snapcopy:policy': 'p' } });
    expect(checkRequestAgainstCapabilities('p', caps, ok)).toBeUndefined();
    const over = parseCopyRequest({
      ...base,
      tags: { a: '1', b: '2' },
      snapcopyTags: { 'snapcopy:policy': 'p' },
    });
    expect(checkRequestAgainstCapabilities('p', caps, over)?.code).toBe('INVALID_REQUEST');
  });
});

describe('defineCapabilities listing consistency', () => {
  it('listSnapshots and listMaxPageSize go together; listing flags need listSnapshots', () => {
    expect(() => defineCapabilities({ listSnapshots: true })).toThrow(TypeError);
    expect(() => defineCapabilities({ listMaxPageSize: 10 })).toThrow(TypeError);
    expect(() => defineCapabilities({ listByGroup: true })).toThrow(TypeError);
  });
});
