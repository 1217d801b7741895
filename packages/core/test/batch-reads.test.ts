import { describe, expect, it } from 'vitest';
import { is, SnapcopyError } from '../src/index.js';
import { chunk, findOwnedOrShared, readByRegion, readPerGroup } from '../src/driver.js';

describe('chunk', () => {
  it.each([
    ['no items, no runs', [], 2, []],
    ['fewer items than the size: one run', [1], 2, [[1]]],
    [
      'an exact multiple: full runs',
      [1, 2, 3, 4],
      2,
      [
        [1, 2],
        [3, 4],
      ],
    ],
    ['the last run holds the rest', [1, 2, 3], 2, [[1, 2], [3]]],
  ] as const)('%s', (_rule, items, size, expected) => {
    expect(chunk(items, size)).toEqual(expected);
  });
});

describe('readPerGroup', () => {
  it('reads once per group, with the group in first-seen order, keyed by the group', async () => {
    const reads: [string, string[]][] = [];
    const items = ['a1', 'b1', 'a2', 'c1', 'b2'];
    const out = await readPerGroup(
      items,
      (i) => i[0]!,
      async (key, group) => {
        reads.push([key, group]);
        return group.length;
      },
    );
    expect(reads).toEqual([
      ['a', ['a1', 'a2']],
      ['b', ['b1', 'b2']],
      ['c', ['c1']],
    ]);
    expect([...out]).toEqual([
      ['a', 2],
      ['b', 2],
      ['c', 1],
    ]);
  });

  it('no items: no read', async () => {
    let calls = 0;
    const out = await readPerGroup([], String, async () => ++calls);
    expect(calls).toBe(0);
    expect(out.size).toBe(0);
  });
});

describe('readByRegion', () => {
  it('one call per region per `perCall` distinct ids; what a call leaves out is not found', async () => {
    const calls: [string, string[]][] = [];
    const refs = [
      { region: 'r1', id: 'x' },
      { region: 'r2', id: 'y' },
      { region: 'r1', id: 'z' },
      { region: 'r1', id: 'x' },
      { region: 'r1', id: 'w' },
    ];
    const found = await readByRegion(refs, 2, async (region, ids) => {
      calls.push([region, ids]);
      return ids.filter((id) => id !== 'w').map((id) => [id, `${region}/${id}`] as const);
    });
    expect(calls).toEqual([
      ['r1', ['x', 'z']],
      ['r1', ['w']],
      ['r2', ['y']],
    ]);
    expect(found.get('r1')?.get('x')).toBe('r1/x');
    expect(found.get('r1')?.get('z')).toBe('r1/z');
    expect(found.get('r1')?.has('w')).toBe(false);
    expect(found.get('r2')?.get('y')).toBe('r2/y');
  });

  it('a failed call fails the read', async () => {
    await expect(
      readByRegion([{ region: 'r1', id: 'x' }], 1, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});

describe('findOwnedOrShared', () => {
  interface Seen {
    readonly id: string;
    readonly owner?: string;
  }
  const provider = (own: readonly Seen[], any: readonly Seen[], asked: boolean[]) => ({
    read: async (ownOnly: boolean) => {
      asked.push(ownOnly);
      return ownOnly ? own : any;
    },
    idOf: (s: Seen) => s.id,
    ownerOf: (s: Seen) => s.owner,
    notFound: (why: string) => new SnapcopyError('NOT_FOUND', `source ${why}`),
  });

  it.each([
    ["the caller's own: owned, one read", undefined, [{ id: 'a' }], [{ id: 'a' }], 'owned', [true]],
    [
      'not among its own: shared, a second read',
      undefined,
      [],
      [{ id: 'a', owner: '2' }],
      'shared',
      [true, false],
    ],
    [
      'an owner named: taken as shared, its own not read',
      '2',
      [{ id: 'a' }],
      [{ id: 'a', owner: '2' }],
      'shared',
      [false],
    ],
    ['an owner named the provider does not name: shared', '2', [], [{ id: 'a' }], 'shared', [false]],
    [
      'another id in the reply is not the source',
      undefined,
      [{ id: 'b' }],
      [{ id: 'a' }],
      'shared',
      [true, false],
    ],
  ] as const)('%s', async (_rule, account, own, any, ownership, reads) => {
    const asked: boolean[] = [];
    const found = await findOwnedOrShared({ id: 'a', account }, provider(own, any, asked));
    expect(found.ownership).toBe(ownership);
    expect(found.found.id).toBe('a');
    expect(asked).toEqual(reads);
  });

  it.each([
    ['nowhere: NOT_FOUND, not shared', undefined, [], [], 'source does not exist or is not shared with you'],
    [
      'owned by another account than named: NOT_FOUND',
      '2',
      [],
      [{ id: 'a', owner: '3' }],
      'source is not owned by account 2',
    ],
  ] as const)('%s', async (_rule, account, own, any, message) => {
    const err = await findOwnedOrShared({ id: 'a', account }, provider(own, any, [])).catch(
      (e: unknown) => e,
    );
    expect(is(err, 'NOT_FOUND')).toBe(true);
    expect((err as Error).message).toBe(message);
  });
});
