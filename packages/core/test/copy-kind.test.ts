import { describe, expect, it } from 'vitest';
import { checkImageRef, checkSnapshotRef, imageLineage, snapshotLineage } from '../src/driver.js';

describe('refs of each kind are checked the same way, under their own id field', () => {
  it.each([
    [
      'a snapshot ref: region and id',
      checkSnapshotRef,
      { region: 'us-east-1', snapshotId: 'snap-1' },
      'snap-1',
    ],
    ['an image ref: region and id', checkImageRef, { region: 'cn-hangzhou', imageId: 'm-1' }, 'm-1'],
  ] as const)('%s', (_rule, check, ref, id) => {
    expect(check(ref, 0)).toEqual({ region: ref.region, id });
  });

  it.each([
    [
      'no snapshot id',
      checkSnapshotRef,
      { region: 'us-east-1' },
      'refs.2',
      'needs a region and a snapshotId',
    ],
    [
      'an empty image id',
      checkImageRef,
      { region: 'us-east-1', imageId: '' },
      'refs.2',
      'needs a region and an imageId',
    ],
    [
      "the other kind's id field",
      checkImageRef,
      { region: 'us-east-1', snapshotId: 'x' },
      'refs.2',
      'needs a region and an imageId',
    ],
    ['not an object', checkSnapshotRef, 'snap-1', 'refs.2', 'needs a region and a snapshotId'],
    ['null', checkImageRef, null, 'refs.2', 'needs a region and an imageId'],
    [
      'a malformed region',
      checkSnapshotRef,
      { region: 'US East', snapshotId: 'snap-1' },
      'refs.2.region',
      'must be a region id',
    ],
  ] as const)('refused: %s', (_rule, check, ref, path, message) => {
    let issues: { path: string; message: string }[] = [];
    try {
      check(ref, 2);
    } catch (err) {
      issues = (err as { issues: { path: string; message: string }[] }).issues;
    }
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe(path);
    expect(issues[0]!.message).toContain(message);
  });
});

describe('lineage: where each kind carries its token and source', () => {
  it('snapshots: the source snapshot tag and id', () => {
    const request = {
      source: { region: 'us-east-1', snapshotId: 'snap-1' },
      destination: { region: 'us-west-2' },
      clientToken: 't',
    };
    expect(snapshotLineage(request)).toEqual({
      tokenTag: 'snapcopy:client-token',
      sourceTag: 'snapcopy:source-snapshot',
      sourceId: 'snap-1',
      sourceRegionTag: 'snapcopy:source-region',
    });
  });

  it('images: the source image tag and id', () => {
    const request = {
      source: { region: 'us-east-1', imageId: 'ami-1' },
      destination: { region: 'us-west-2' },
      clientToken: 't',
    };
    expect(imageLineage(request)).toEqual({
      tokenTag: 'snapcopy:client-token',
      sourceTag: 'snapcopy:source-image',
      sourceId: 'ami-1',
      sourceRegionTag: 'snapcopy:source-region',
    });
  });
});
