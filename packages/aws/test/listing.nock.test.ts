import { LINEAGE_TAGS, type NormalizedListQuery } from '@snapcopy/core/driver';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsEbsCopier } from '../src/index.js';
import { describeSnapshotsListInput } from '../src/list-params.js';
import { snapshotSummary } from '../src/snapshot-view.js';
import { fakeEc2, snapshotXml, tagSpecPairs, TEST_CREDENTIALS } from './support/ec2-nock.js';
import { copyCalls, fakeAccount } from './support/fake-account.js';

const NO_RETRY = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
const base: NormalizedListQuery = { region: 'us-east-1', owner: 'self', tags: {}, pageSize: 1000 };

// DescribeSnapshots for each kind of listing (EC2 API reference, DescribeSnapshots).
const ROWS: { rule: string; query: NormalizedListQuery; cursor?: string; input: Record<string, unknown> }[] =
  [
    {
      rule: "own snapshots: Owner=self, EC2's largest page",
      query: base,
      input: { OwnerIds: ['self'], MaxResults: 1000 },
    },
    {
      rule: 'shared by accounts: Owner=<accounts> and RestorableBy=self (public ones left out)',
      query: { ...base, owner: { sharedBy: ['111111111111', '333333333333'] } },
      input: { OwnerIds: ['111111111111', '333333333333'], RestorableByUserIds: ['self'], MaxResults: 1000 },
    },
    {
      rule: 'tags become tag:<key> filters, states the status filter (failed = error)',
      query: { ...base, tags: { team: 'db' }, states: ['completed', 'failed'], pageSize: 50 },
      input: {
        OwnerIds: ['self'],
        Filters: [
          { Name: 'tag:team', Values: ['db'] },
          { Name: 'status', Values: ['completed', 'error'] },
        ],
        MaxResults: 50,
      },
    },
    {
      rule: 'the next page sends the token EC2 returned; the regex is never sent',
      query: { ...base, descriptionRegex: '.*prod.*' },
      cursor: 'tok-2',
      input: { OwnerIds: ['self'], MaxResults: 1000, NextToken: 'tok-2' },
    },
  ];

describe('describeSnapshotsListInput', () => {
  it.each(ROWS.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    expect(describeSnapshotsListInput(row.query, row.cursor)).toStrictEqual(row.input);
  });
});

describe('snapshotSummary', () => {
  it("maps EC2's states and fields, and leaves the copy placeholder volume out", () => {
    const common = {
      SnapshotId: 'snap-0123456789abcdef0',
      OwnerId: '111111111111',
      Tags: [{ Key: 'a', Value: '1' }],
    };
    expect(
      snapshotSummary('us-east-1', { ...common, State: 'completed', VolumeId: 'vol-ffffffff' }, 'shared'),
    ).toStrictEqual({
      region: 'us-east-1',
      snapshotId: 'snap-0123456789abcdef0',
      ownership: 'shared',
      ownerAccount: '111111111111',
      state: 'completed',
      tags: { a: '1' },
      encrypted: false,
    });
    expect(snapshotSummary('us-east-1', { ...common, State: 'error' }, 'owned').state).toBe('failed');
    expect(snapshotSummary('us-east-1', { ...common, State: 'pending' }, 'owned').state).toBe('pending');
    const enc = snapshotSummary(
      'us-east-1',
      {
        ...common,
        State: 'completed',
        Encrypted: true,
        KmsKeyId: 'arn:k',
        Description: 'd',
        VolumeSize: 8,
        StartTime: new Date(5),
      },
      'owned',
    );
    expect(enc).toMatchObject({
      encrypted: true,
      kmsKeyId: 'arn:k',
      description: 'd',
      volumeSizeGiB: 8,
      createdAt: 5,
    });
  });
});

let done: (() => void) | undefined;
afterEach(() => {
  done?.();
  done = undefined;
});

describe('list, share and snapcopy tags on the wire', () => {
  it('a shared-by listing pages with NextToken and applies the regex to each page', async () => {
    const pages = [
      {
        items: [
          { id: 'snap-0000000000000000a', desc: 'prod one' },
          { id: 'snap-0000000000000000b', desc: 'test' },
        ],
        next: 'p2',
      },
      { items: [{ id: 'snap-0000000000000000c', desc: 'prod two' }] },
    ];
    const fake = fakeEc2((call) => {
      const page = call.params.NextToken === 'p2' ? pages[1]! : pages[0]!;
      const items = page.items
        .map((i) =>
          snapshotXml({ id: i.id, ownerId: '111111111111' }).replace(
            '<item>',
            `<item><description>${i.desc}</description>`,
          ),
        )
        .join('');
      return {
        xml: `<DescribeSnapshotsResponse><snapshotSet>${items}</snapshotSet>${page.next ? `<nextToken>${page.next}</nextToken>` : ''}</DescribeSnapshotsResponse>`,
      };
    });
    done = fake.done;
    const copier = createAwsEbsCopier({ credentials: TEST_CREDENTIALS, retry: NO_RETRY });
    const got: string[][] = [];
    for await (const page of copier.list({
      region: 'us-east-1',
      owner: { sharedBy: ['111111111111'] },
      descriptionRegex: 'prod.*',
    }))
      got.push(page.snapshots.map((s) => s.snapshotId));
    expect(got).toEqual([['snap-0000000000000000a'], ['snap-0000000000000000c']]);
    expect(
      fake.calls.map((c) => [
        c.params['Owner.1'],
        c.params['RestorableBy.1'],
        c.params.MaxResults,
        c.params.NextToken,
      ]),
    ).toEqual([
      ['111111111111', 'self', '1000', undefined],
      ['111111111111', 'self', '1000', 'p2'],
    ]);
  });

  it('share sends ModifySnapshotAttribute with createVolumePermission Add UserId', async () => {
    const fake = fakeEc2(() => ({
      xml: '<ModifySnapshotAttributeResponse><return>true</return></ModifySnapshotAttributeResponse>',
    }));
    done = fake.done;
    const copier = createAwsEbsCopier({ credentials: TEST_CREDENTIALS, retry: NO_RETRY });
    await copier.share({ region: 'us-east-1', snapshotId: 'snap-0123456789abcdef0' }, ['222222222222']);
    const p = fake.calls[0]!.params;
    expect(p.Action).toBe('ModifySnapshotAttribute');
    expect(p.Attribute).toBe('createVolumePermission');
    expect(p['CreateVolumePermission.Add.1.UserId']).toBe('222222222222');
  });

  it("snapcopy's own tags go on the copy between the caller's and the lineage tags, and take slots of the 50", async () => {
    const fake = fakeEc2(fakeAccount({ snapshots: { 'us-east-1': [{ id: 'snap-0123456789abcdef0' }] } }));
    done = fake.done;
    const copier = createAwsEbsCopier({ credentials: TEST_CREDENTIALS, retry: NO_RETRY });
    await copier.copy({
      source: { region: 'us-east-1', snapshotId: 'snap-0123456789abcdef0' },
      destination: { region: 'us-west-2' },
      tags: { team: 'dr' },
      snapcopyTags: { 'snapcopy:policy': 'vault' },
      clientToken: 'tok-own-tags',
    });
    const pairs = tagSpecPairs(copyCalls(fake.calls)[0]!.params);
    expect(pairs.slice(0, 3)).toStrictEqual([
      ['team', 'dr'],
      ['snapcopy:policy', 'vault'],
      [LINEAGE_TAGS.clientToken, 'tok-own-tags'],
    ]);
    const tooMany = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`k${i}`, 'v']));
    await expect(
      copier.plan({
        source: { region: 'us-east-1', snapshotId: 'snap-0123456789abcdef0' },
        destination: { region: 'us-west-2' },
        tags: tooMany,
        snapcopyTags: { 'snapcopy:policy': 'vault' },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
