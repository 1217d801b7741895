import {
  CopySnapshotCommand,
  DescribeSnapshotsCommand,
  paginateDescribeSnapshots,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { A, B, failure, freshFixture, MOUNTINGS, START } from './harness.js';

describe.each(MOUNTINGS)('DescribeSnapshots (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);

  it('explicit ids: an unknown id fails the call, a malformed one too, an invisible one is left out', async () => {
    const { snaps } = f.w;
    const ec2 = f.m.client(A, 'us-east-1');
    const e1 = await failure(
      ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snaps.plain.id, 'snap-0000000000000dead'] })),
    );
    expect(e1.name).toBe('InvalidSnapshot.NotFound');
    expect(e1.message).toContain('snap-0000000000000dead');
    const e2 = await failure(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snapshot-1'] })));
    expect(e2.name).toBe('InvalidSnapshotID.Malformed');
    const ok = await ec2.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [snaps.plain.id, snaps.notShared.id] }),
    );
    expect(ok.Snapshots!.map((s) => s.SnapshotId)).toEqual([snaps.plain.id]);
    // An id that exists in another region does not exist here.
    const e3 = await failure(
      f.m.client(A, 'us-west-2').send(new DescribeSnapshotsCommand({ SnapshotIds: [snaps.plain.id] })),
    );
    expect(e3.name).toBe('InvalidSnapshot.NotFound');
  });

  it('pages with MaxResults/NextToken: every snapshot exactly once, the last page has no token', async () => {
    const { sim } = f.w;
    for (let i = 0; i < 21; i++) sim.addSnapshot({ account: A, region: 'us-east-1', sizeGiB: 1 });
    const ec2 = f.m.client(A, 'us-east-1');
    const seen: string[] = [];
    const pages: number[] = [];
    for await (const page of paginateDescribeSnapshots(
      { client: ec2, pageSize: 5 },
      { OwnerIds: ['self'] },
    )) {
      pages.push(page.Snapshots!.length);
      seen.push(...page.Snapshots!.map((s) => s.SnapshotId!));
    }
    expect(pages).toEqual([5, 5, 5, 5, 3]);
    expect(new Set(seen).size).toBe(23);
    expect(seen.length).toBe(23);
  });

  it('MaxResults above 1000 is capped at 1000', async () => {
    const { sim } = f.w;
    for (let i = 0; i < 1001; i++) sim.addSnapshot({ account: A, region: 'us-east-1', sizeGiB: 1 });
    const ec2 = f.m.client(A, 'us-east-1');
    const first = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 5000 }));
    expect(first.Snapshots).toHaveLength(1000);
    const rest = await ec2.send(
      new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 5000, NextToken: first.NextToken! }),
    );
    expect(rest.Snapshots).toHaveLength(3);
    expect(rest.NextToken).toBeUndefined();
  });

  it.each([
    [
      'MaxResults below 5 → InvalidParameterValue',
      { OwnerIds: ['self'], MaxResults: 4 },
      'InvalidParameterValue',
    ],
    [
      'MaxResults with SnapshotIds → InvalidParameterCombination',
      { SnapshotIds: ['plain'], MaxResults: 5 },
      'InvalidParameterCombination',
    ],
    [
      'an unknown NextToken → InvalidNextToken',
      { OwnerIds: ['self'], MaxResults: 5, NextToken: 'bm90LWEtdG9rZW4' },
      'InvalidNextToken',
    ],
    [
      'an unknown filter name → InvalidParameterValue',
      { Filters: [{ Name: 'colour', Values: ['red'] }] },
      'InvalidParameterValue',
    ],
  ] as const)('%s', async (_rule, input, code) => {
    const params = JSON.parse(JSON.stringify(input).replace('"plain"', `"${f.w.snaps.plain.id}"`));
    const err = await failure(f.m.client(A, 'us-east-1').send(new DescribeSnapshotsCommand(params)));
    expect(err.name).toBe(code);
  });

  it('a NextToken only continues the listing it came from (same caller, same query)', async () => {
    const { sim } = f.w;
    for (let i = 0; i < 10; i++) sim.addSnapshot({ account: A, region: 'us-east-1', sizeGiB: 1 });
    const ec2 = f.m.client(A, 'us-east-1');
    const first = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 5 }));
    expect(first.NextToken).toBeTruthy();
    const otherQuery = await failure(
      ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          MaxResults: 5,
          NextToken: first.NextToken!,
          Filters: [{ Name: 'status', Values: ['completed'] }],
        }),
      ),
    );
    expect(otherQuery.name).toBe('InvalidNextToken');
    const otherCaller = await failure(
      f.m
        .client(B, 'us-east-1')
        .send(
          new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 5, NextToken: first.NextToken! }),
        ),
    );
    expect(otherCaller.name).toBe('InvalidNextToken');
  });

  it('RestorableBy selects snapshots an account can create volumes from', async () => {
    const { snaps } = f.w;
    const ec2 = f.m.client(B, 'us-east-1');
    const out = await ec2.send(
      new DescribeSnapshotsCommand({ OwnerIds: ['self'], RestorableByUserIds: [A] }),
    );
    expect(new Set(out.Snapshots!.map((s) => s.SnapshotId))).toEqual(
      new Set([snaps.sharedEncrypted.id, snaps.sharedPrivateKey.id, snaps.sharedPlain.id]),
    );
  });

  describe('filters (one row per filter name; values OR, filters AND)', () => {
    // Each row builds its expectation from a world with: plain (A, 100 GiB volume), encrypted
    // (A, 200 GiB, key backup), a pending time-based copy of plain in us-east-1 tagged
    // team=dr, and B's snapshots shared with A.
    const rows: [string, { Name: string; Values: string[] }[], (ids: Record<string, string>) => string[]][] =
      [
        [
          'snapshot-id',
          [{ Name: 'snapshot-id', Values: ['$plain', '$encrypted'] }],
          (i) => [i.plain!, i.encrypted!],
        ],
        ['snapshot-id with a wildcard', [{ Name: 'snapshot-id', Values: ['$plain*'] }], (i) => [i.plain!]],
        ['status', [{ Name: 'status', Values: ['pending'] }], (i) => [i.copy!]],
        [
          'encrypted',
          [
            { Name: 'encrypted', Values: ['true'] },
            { Name: 'owner-id', Values: [A] },
          ],
          (i) => [i.encrypted!, i.copy!],
        ],
        [
          'owner-id',
          [{ Name: 'owner-id', Values: [B] }],
          (i) => [i.sharedEncrypted!, i.sharedPrivateKey!, i.sharedPlain!],
        ],
        ['volume-id', [{ Name: 'volume-id', Values: ['$plainVolume'] }], (i) => [i.plain!]],
        [
          'volume-id of copies is vol-ffffffff',
          [{ Name: 'volume-id', Values: ['vol-ffffffff'] }],
          (i) => [i.copy!],
        ],
        ['volume-size', [{ Name: 'volume-size', Values: ['200'] }], (i) => [i.encrypted!]],
        ['tag:<key>', [{ Name: 'tag:team', Values: ['dr', 'other'] }], (i) => [i.copy!]],
        ['tag-key', [{ Name: 'tag-key', Values: ['te*'] }], (i) => [i.copy!]],
        ['description (wildcard)', [{ Name: 'description', Values: ['[Copied *'] }], (i) => [i.copy!]],
        [
          'progress',
          [
            { Name: 'progress', Values: ['100%'] },
            { Name: 'owner-id', Values: [A] },
          ],
          (i) => [i.plain!, i.encrypted!],
        ],
        [
          'start-time',
          [
            { Name: 'start-time', Values: [`${new Date(START).toISOString().slice(0, 10)}*`] },
            { Name: 'owner-id', Values: [A] },
          ],
          (i) => [i.plain!, i.encrypted!],
        ],
        ['storage-tier', [{ Name: 'storage-tier', Values: ['archive'] }], () => []],
        ['transfer-type', [{ Name: 'transfer-type', Values: ['time-based'] }], (i) => [i.copy!]],
        [
          'two filters AND',
          [
            { Name: 'owner-id', Values: [A] },
            { Name: 'encrypted', Values: ['false'] },
            { Name: 'status', Values: ['completed'] },
          ],
          (i) => [i.plain!],
        ],
      ];

    it.each(rows)('%s', async (_name, filters, expected) => {
      const { sim, clock, snaps } = f.w;
      clock.advance(2 * 86_400_000); // the copy starts on another day than the sources
      const ec2 = f.m.client(A, 'us-east-1');
      const copy = await ec2.send(
        new CopySnapshotCommand({
          SourceRegion: 'us-east-1',
          SourceSnapshotId: snaps.plain.id,
          Encrypted: true,
          CompletionDurationMinutes: 15,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'team', Value: 'dr' }] }],
        }),
      );
      const ids: Record<string, string> = {
        plain: snaps.plain.id,
        encrypted: snaps.encrypted.id,
        plainVolume: snaps.plain.volumeId,
        copy: copy.SnapshotId!,
        sharedEncrypted: snaps.sharedEncrypted.id,
        sharedPrivateKey: snaps.sharedPrivateKey.id,
        sharedPlain: snaps.sharedPlain.id,
      };
      const resolved = filters.map((fl) => ({
        Name: fl.Name,
        Values: fl.Values.map((v) => v.replace(/^\$(\w+)/, (_m, k: string) => ids[k]!)),
      }));
      expect(sim.snapshot(copy.SnapshotId!)!.state).toBe('pending');
      const out = await ec2.send(new DescribeSnapshotsCommand({ Filters: resolved }));
      expect(new Set(out.Snapshots!.map((s) => s.SnapshotId))).toEqual(new Set(expected(ids)));
    });
  });
});
