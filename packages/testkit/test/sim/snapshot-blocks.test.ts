import { describe, expect, it } from 'vitest';
import {
  blockIndexesFrom,
  countBlocks,
  hasBlock,
  intersectBlocks,
  lastBlocks,
  normalizeBlockRanges,
  subtractBlocks,
  unionBlocks,
} from '../../src/sim/block-ranges.js';
import { SnapshotBlockModel, SnapshotBlocksError } from '../../src/sim/snapshot-blocks.js';

const GiB = 2048; // blocks of 512 KiB

describe('block ranges', () => {
  it.each([
    {
      rule: 'unsorted, overlapping and adjacent ranges merge',
      input: [
        [10, 20],
        [0, 5],
        [5, 8],
        [15, 30],
      ],
      out: [
        [0, 8],
        [10, 30],
      ],
    },
    { rule: 'an empty list stays empty', input: [], out: [] },
  ] as const)('$rule', ({ input, out }) => {
    expect(normalizeBlockRanges(input)).toEqual(out);
  });

  it.each([[[-1, 2]], [[3, 3]], [[1.5, 4]]] as const)('rejects the range %j', (range) => {
    expect(() => normalizeBlockRanges([range])).toThrow(RangeError);
  });

  it('set operations agree with a per-block reference', () => {
    const a = normalizeBlockRanges([
      [0, 10],
      [20, 30],
      [35, 36],
    ]);
    const b = normalizeBlockRanges([
      [5, 25],
      [29, 40],
    ]);
    const set = (r: ReturnType<typeof normalizeBlockRanges>) =>
      new Set(r.flatMap(([s, e]) => Array.from({ length: e - s }, (_, i) => s + i)));
    const sa = set(a);
    const sb = set(b);
    expect(set(unionBlocks(a, b))).toEqual(new Set([...sa, ...sb]));
    expect(set(intersectBlocks(a, b))).toEqual(new Set([...sa].filter((x) => sb.has(x))));
    expect(set(subtractBlocks(a, b))).toEqual(new Set([...sa].filter((x) => !sb.has(x))));
    expect(lastBlocks(a, 12)).toEqual([
      [9, 10],
      [20, 30],
      [35, 36],
    ]);
    expect(hasBlock(a, 35)).toBe(true);
    expect(hasBlock(a, 34)).toBe(false);
    expect(blockIndexesFrom(a, 8, 4)).toEqual({ indexes: [8, 9, 20, 21], next: 22 });
    expect(blockIndexesFrom(a, 30, 4)).toEqual({ indexes: [35] });
  });

  it('a 16 TiB volume full of data is one range', () => {
    const full = normalizeBlockRanges([[0, 16 * 1024 * GiB]]);
    expect(full).toHaveLength(1);
    expect(countBlocks(full)).toBe(33_554_432);
  });
});

describe('SnapshotBlockModel', () => {
  it('generated layout: sizes round-trip, the first snapshot keeps an unknown past, later ones overwrite and grow', () => {
    const m = new SnapshotBlockModel();
    expect(
      m.record({ snapshotId: 's1', volumeId: 'v', volumeSizeGiB: 100, sizeGiB: 64, changedGiB: 6 }),
    ).toEqual({
      sizeGiB: 64,
      changedGiB: 6,
    });
    expect(
      m.record({ snapshotId: 's2', volumeId: 'v', volumeSizeGiB: 100, sizeGiB: 70, changedGiB: 8 }),
    ).toEqual({
      sizeGiB: 70,
      changedGiB: 8,
    });
    expect(
      m.record({ snapshotId: 's3', volumeId: 'v', volumeSizeGiB: 100, sizeGiB: 60, changedGiB: 15 }),
    ).toEqual({
      sizeGiB: 60,
      changedGiB: 15,
    });
    // Consecutive snapshots differ by exactly their changed GiB.
    expect(m.changedGiBBetween('s1', 's2')).toBe(8);
    expect(m.changedGiBBetween('s2', 's3')).toBe(15);
    // Non-consecutive, either order: what happened in between (55..70 GiB), less what s2
    // added and s3 trimmed again (64..70 GiB, absent from both ends, so no difference).
    expect(m.changedGiBBetween('s1', 's3')).toBe(9);
    expect(m.changedGiBBetween('s3', 's1')).toBe(9);
    expect(countBlocks(m.dataOf('s3'))).toBe(60 * GiB);
  });

  it('a 16 TiB volume with many snapshots stays a few ranges each', () => {
    const m = new SnapshotBlockModel();
    for (let i = 0; i < 200; i++) {
      m.record({
        snapshotId: `s${i}`,
        volumeId: 'big',
        volumeSizeGiB: 16_384,
        sizeGiB: 10_000 + i,
        changedGiB: 50,
      });
    }
    expect(m.dataOf('s199').length).toBeLessThanOrEqual(2);
    expect(m.changedBetween('s0', 's199').length).toBeLessThanOrEqual(4);
    expect(m.changedGiBBetween('s198', 's199')).toBe(50);
  });

  it('explicit blocks decide the sizes; stated sizes must agree with them', () => {
    const m = new SnapshotBlockModel();
    expect(
      m.record({
        snapshotId: 'a',
        volumeId: 'v',
        volumeSizeGiB: 1,
        blocks: {
          written: [
            [0, 100],
            [500, 600],
          ],
        },
      }),
    ).toEqual({ sizeGiB: 200 / GiB, changedGiB: 200 / GiB });
    expect(
      m.record({
        snapshotId: 'b',
        volumeId: 'v',
        volumeSizeGiB: 1,
        blocks: {
          written: [
            [50, 60],
            [1000, 1001],
          ],
          trimmed: [
            [590, 600],
            [700, 710],
          ],
        },
      }),
    ).toEqual({ sizeGiB: 191 / GiB, changedGiB: 21 / GiB });
    // Trimmed blocks that held no data are no change.
    expect(m.changedBetween('a', 'b')).toEqual([
      [50, 60],
      [590, 600],
      [1000, 1001],
    ]);
    expect(() =>
      m.record({
        snapshotId: 'c',
        volumeId: 'v',
        volumeSizeGiB: 1,
        sizeGiB: 1,
        blocks: { written: [[0, 1]] },
      }),
    ).toThrow(/sizeGiB 1 does not match/);
    expect(() =>
      m.record({ snapshotId: 'd', volumeId: 'v', volumeSizeGiB: 1, blocks: { written: [[0, GiB + 1]] } }),
    ).toThrow(/past the end/);
  });

  it.each([
    { rule: 'first snapshot changing more than it holds', prev: undefined, size: 10, changed: 11 },
    { rule: 'growth larger than the change', prev: 10, size: 20, changed: 5 },
    { rule: 'change larger than old + new data', prev: 10, size: 20, changed: 21 },
    { rule: 'shrink larger than the change', prev: 20, size: 10, changed: 5 },
    { rule: 'more data than the volume', prev: undefined, size: 200, changed: 1 },
  ])('refuses impossible sizes: $rule', ({ prev, size, changed }) => {
    const m = new SnapshotBlockModel();
    if (prev !== undefined) m.record({ snapshotId: 'p', volumeId: 'v', volumeSizeGiB: 100, sizeGiB: prev });
    expect(() =>
      m.record({ snapshotId: 'x', volumeId: 'v', volumeSizeGiB: 100, sizeGiB: size, changedGiB: changed }),
    ).toThrow(SnapshotBlocksError);
  });

  it('a default change is moved into what the sizes allow', () => {
    const m = new SnapshotBlockModel();
    m.record({ snapshotId: 'p', volumeId: 'v', volumeSizeGiB: 100, sizeGiB: 10, defaultChangedGiB: 1 });
    expect(
      m.record({ snapshotId: 'q', volumeId: 'v', volumeSizeGiB: 100, sizeGiB: 70, defaultChangedGiB: 7 }),
    ).toEqual({ sizeGiB: 70, changedGiB: 60 });
  });

  it('a copy holds its source blocks; snapshots of other volumes are unrelated', () => {
    const m = new SnapshotBlockModel();
    m.record({ snapshotId: 's1', volumeId: 'v', volumeSizeGiB: 10, sizeGiB: 4 });
    m.record({ snapshotId: 's2', volumeId: 'v', volumeSizeGiB: 10, sizeGiB: 5, changedGiB: 2 });
    m.record({ snapshotId: 'o', volumeId: 'w', volumeSizeGiB: 10, sizeGiB: 5 });
    m.recordCopy('c1', 's1');
    m.recordCopy('c2', 's2');
    expect(m.changedGiBBetween('c1', 'c2')).toBe(2);
    expect(m.changedGiBBetween('c2', 's2')).toBe(0);
    expect(m.related('c1', 'o')).toBe(false);
    expect(() => m.changedBetween('c1', 'o')).toThrow(/not snapshots of the same volume/);
  });
});
