// The exact requests plans send to KMS and the EBS direct APIs, and how batched plans,
// token lookups and the next-copy tag look on the wire (nock, real SDKs).
import { LINEAGE_TAGS, STATE_TAGS } from '@snapcopy/core/driver';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsEbsCopier } from '../src/index.js';
import {
  type FakeSnapshot,
  fakeEc2,
  filterValues,
  listParam,
  OWN_ACCOUNT,
  TEST_CREDENTIALS,
} from './support/ec2-nock.js';
import { copyCalls, type FakeAccount, fakeAccount } from './support/fake-account.js';
import { type FakeKey, fakeEbs, fakeKms } from './support/kms-ebs-nock.js';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const SRC = 'snap-0123456789abcdef0';
const BASE = 'snap-0babababababababa';
const VOL = 'vol-0aaaaaaaaaaaaaaaa';
const DR_KEY = `arn:aws:kms:${WEST}:${OWN_ACCOUNT}:key/0d0d0d0d-1111-2222-3333-444444444444`;
const NO_RETRY = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(
  account: FakeAccount,
  keys: FakeKey[] = [],
  options: {
    identityDenied?: boolean;
    changed?: (first: string | undefined, second: string) => number | undefined;
  } = {},
) {
  const ec2 = fakeEc2(fakeAccount(account));
  const kms = fakeKms(keys, options);
  const ebs = fakeEbs(options.changed ?? (() => undefined));
  cleanups.push(ec2.done, kms.done, ebs.done);
  const copier = createAwsEbsCopier({ credentials: TEST_CREDENTIALS, retry: NO_RETRY });
  cleanups.push(() => copier.destroy());
  return { ec2, kms, ebs, copier };
}

const sourceIn = (extra: FakeSnapshot[] = []): FakeAccount => ({
  snapshots: {
    [EAST]: [{ id: SRC, volumeId: VOL, volumeSize: 100, fullSizeBytes: 64 * 1024 ** 3 }, ...extra],
  },
});
const toWest = (over: Record<string, unknown> = {}) => ({
  source: { region: EAST, snapshotId: SRC },
  destination: { region: WEST },
  ...over,
});

/** An earlier copy of VOL in us-west-2 made by snapcopy from `from`. */
const earlierCopy = (from: string, over: Partial<FakeSnapshot> = {}): FakeSnapshot => ({
  id: 'snap-0eeeeeeeeeeeeeeee',
  volumeId: 'vol-ffffffff',
  tags: {
    [LINEAGE_TAGS.clientToken]: 'earlier-token',
    [LINEAGE_TAGS.sourceVolume]: VOL,
    [LINEAGE_TAGS.sourceSnapshot]: from,
    [LINEAGE_TAGS.sourceRegion]: EAST,
    [LINEAGE_TAGS.key]: 'none',
  },
  ...over,
});

describe('KMS DescribeKey (KMS API reference; "Key identifiers")', () => {
  it('the copy key named by alias is described in the destination region: X-Amz-Target, body, SigV4 scope', async () => {
    const { kms, copier } = setup(sourceIn(), [{ arn: DR_KEY, aliases: ['alias/dr'] }]);
    const plan = await copier.plan(toWest({ encryption: { encrypted: true, kmsKeyId: 'alias/dr' } }));
    expect(kms.calls).toHaveLength(1);
    const [call] = kms.calls;
    expect(call).toMatchObject({
      operation: 'DescribeKey',
      region: WEST,
      signingService: 'kms',
      host: `kms.${WEST}.amazonaws.com`,
    });
    expect(call!.params).toStrictEqual({ KeyId: 'alias/dr' });
    expect(plan.encryption).toMatchObject({
      kmsKeyId: DR_KEY,
      key: { reference: 'alias/dr', checkedBy: 'kms', keyArn: DR_KEY, state: 'Enabled', region: WEST },
    });
  });

  it.each([
    ['Disabled', 'key-enabled'],
    ['PendingDeletion', 'key-enabled'],
  ])(
    'a %s key: the plan refuses it (ENCRYPTION_RULE) and copy sends no CopySnapshot',
    async (state, rule) => {
      const { ec2, copier } = setup(sourceIn(), [{ arn: DR_KEY, aliases: ['alias/dr'], state }]);
      const request = toWest({ encryption: { encrypted: true, kmsKeyId: 'alias/dr' } });
      await expect(copier.plan(request)).rejects.toMatchObject({
        code: 'ENCRYPTION_RULE',
        details: { rule },
      });
      await expect(copier.copy(request)).rejects.toMatchObject({ code: 'ENCRYPTION_RULE' });
      expect(copyCalls(ec2.calls)).toHaveLength(0);
    },
  );

  it('a key ARN of another region is refused without asking KMS where it is not', async () => {
    const { ec2, copier } = setup(sourceIn(), []);
    const other = `arn:aws:kms:eu-west-1:${OWN_ACCOUNT}:key/0d0d0d0d-1111-2222-3333-444444444444`;
    await expect(
      copier.copy(toWest({ encryption: { encrypted: true, kmsKeyId: other } })),
    ).rejects.toMatchObject({
      code: 'ENCRYPTION_RULE',
      details: { rule: 'key-in-region' },
    });
    expect(copyCalls(ec2.calls)).toHaveLength(0);
  });

  it('KMS not readable (AccessDenied from the caller’s own policy): the plan says so and goes on as before', async () => {
    const { ec2, copier } = setup(sourceIn(), [], { identityDenied: true });
    const plan = await copier.plan(toWest({ encryption: { encrypted: true, kmsKeyId: 'alias/dr' } }));
    expect(plan.encryption).toMatchObject({ kmsKeyId: 'alias/dr', key: { checkedBy: 'unread' } });
    expect(plan.reasons.join('\n')).toMatch(/KMS could not be read .*no identity-based policy/);
    await copier.copy(plan.request, { plan });
    expect(copyCalls(ec2.calls)).toHaveLength(1);
  });

  it("another account's key whose policy keeps this account out → ENCRYPTION_RULE", async () => {
    const foreign = `arn:aws:kms:${WEST}:444455556666:key/0d0d0d0d-1111-2222-3333-444444444444`;
    const { copier } = setup(sourceIn(), [{ arn: foreign, keyPolicyDenies: true }]);
    await expect(
      copier.plan(toWest({ encryption: { encrypted: true, kmsKeyId: foreign } })),
    ).rejects.toMatchObject({ code: 'ENCRYPTION_RULE', details: { rule: 'key-usable-by-account' } });
  });
});

describe('EBS direct APIs ListChangedBlocks (EBS direct APIs reference)', () => {
  it('counts the blocks changed since the most recent copy’s source, page by page, in the source region', async () => {
    const { ebs, copier } = setup(
      { snapshots: { ...sourceIn().snapshots, [WEST]: [earlierCopy(BASE)] } },
      [],
      { changed: (first, second) => (first === BASE && second === SRC ? 25_000 : undefined) },
    );
    const plan = await copier.plan(toWest());
    expect(ebs.calls.map((c) => [c.path, c.params])).toStrictEqual([
      [`/snapshots/${SRC}/changedblocks`, { firstSnapshotId: BASE, maxResults: '10000' }],
      [`/snapshots/${SRC}/changedblocks`, { firstSnapshotId: BASE, maxResults: '10000', pageToken: '10000' }],
      [`/snapshots/${SRC}/changedblocks`, { firstSnapshotId: BASE, maxResults: '10000', pageToken: '20000' }],
    ]);
    expect(ebs.calls[0]).toMatchObject({
      region: EAST,
      signingService: 'ebs',
      host: `ebs.${EAST}.amazonaws.com`,
    });
    const gib = 25_000 / 2048;
    expect(plan).toMatchObject({
      transfer: 'incremental',
      sizeBasis: 'delta',
      delta: {
        measured: 'changed-blocks',
        gib,
        changedBlocks: 25_000,
        blockSizeBytes: 524_288,
        baseSnapshotId: BASE,
      },
      billableGiB: { transfer: gib, storage: gib, timeBased: 0 },
      lineage: { mostRecentCopyId: 'snap-0eeeeeeeeeeeeeeee', baseSnapshotId: BASE },
    });
  });

  it('the base snapshot is gone (ResourceNotFoundException): delta billed on the full size as an upper bound', async () => {
    const { copier } = setup({ snapshots: { ...sourceIn().snapshots, [WEST]: [earlierCopy(BASE)] } });
    const plan = await copier.plan(toWest());
    expect(plan).toMatchObject({
      transfer: 'incremental',
      sizeBasis: 'delta',
      delta: { measured: 'upper-bound', gib: 64, baseSnapshotId: BASE },
      billableGiB: { transfer: 64, storage: 64 },
    });
    expect(plan.delta?.why).toMatch(/ResourceNotFoundException SNAPSHOT_NOT_FOUND/);
  });
});

describe('the next-copy tag', () => {
  it('a copy made after an earlier one tags that one with its client token', async () => {
    const { ec2, copier } = setup(
      { snapshots: { ...sourceIn().snapshots, [WEST]: [earlierCopy(BASE)] } },
      [],
      {
        changed: () => 10,
      },
    );
    await copier.copy(toWest({ clientToken: 'tok-next' }));
    const tag = ec2.calls.find((c) => c.action === 'CreateTags');
    expect(tag).toMatchObject({ region: WEST });
    expect(listParam(tag!.params, 'ResourceId')).toStrictEqual(['snap-0eeeeeeeeeeeeeeee']);
    expect([tag!.params['Tag.1.Key'], tag!.params['Tag.1.Value']]).toStrictEqual([
      STATE_TAGS.nextCopy,
      'tok-next',
    ]);
  });
});

describe('batches: planMany and findMany', () => {
  const ids = ['snap-0000000000000000a', 'snap-0000000000000000b', 'snap-0000000000000000c'];
  const account = (): FakeAccount => ({
    snapshots: { [EAST]: ids.map((id, i) => ({ id, volumeId: `vol-000000000000000${i}`, volumeSize: 8 })) },
  });
  const requests = ids.map((id, i) => ({
    source: { region: EAST, snapshotId: id },
    destination: { region: i === 2 ? 'eu-west-1' : WEST },
    clientToken: `tok-${i}`,
  }));

  it('planMany: sources by one snapshot-id filter, settings once per region, lineages by one tag filter per region', async () => {
    const { ec2, copier } = setup(account());
    const results = await copier.planMany(requests);
    expect(results.every((r) => r.ok)).toBe(true);
    const describes = ec2.calls.filter((c) => c.action === 'DescribeSnapshots');
    expect(describes.map((c) => [c.region, filterValues(c.params, 'snapshot-id')])).toContainEqual([
      EAST,
      ids,
    ]);
    const lineage = describes.filter((c) => filterValues(c.params, `tag:${LINEAGE_TAGS.sourceVolume}`));
    expect(
      lineage.map((c) => [c.region, filterValues(c.params, `tag:${LINEAGE_TAGS.sourceVolume}`)]),
    ).toStrictEqual([
      [WEST, ['vol-0000000000000000', 'vol-0000000000000001']],
      ['eu-west-1', ['vol-0000000000000002']],
    ]);
    expect(
      ec2.calls.filter((c) => c.action === 'GetEbsEncryptionByDefault').map((c) => c.region),
    ).toStrictEqual([WEST, 'eu-west-1']);
    expect(ec2.calls).toHaveLength(5);
    // Each plan is the plan `plan` makes alone.
    for (const [i, r] of results.entries()) {
      if (!r.ok) throw r.error;
      // Equal but for $metadata: each names the provider calls that made it.
      const { $metadata: _batch, ...batched } = r.value;
      const { $metadata: _alone, ...alone } = await copier.plan(requests[i]!);
      expect(JSON.stringify(batched)).toBe(JSON.stringify(alone));
    }
  });

  it('findMany: the tokens of a region in one tag filter; copy with tokenChecked skips its own lookup', async () => {
    const { ec2, copier } = setup(account());
    const found = await copier.findMany(requests);
    expect(found).toStrictEqual([
      { ok: true, value: undefined },
      { ok: true, value: undefined },
      { ok: true, value: undefined },
    ]);
    const lookups = ec2.calls.filter((c) => filterValues(c.params, `tag:${LINEAGE_TAGS.clientToken}`));
    expect(
      lookups.map((c) => [c.region, filterValues(c.params, `tag:${LINEAGE_TAGS.clientToken}`)]),
    ).toStrictEqual([
      [WEST, ['tok-0', 'tok-1']],
      ['eu-west-1', ['tok-2']],
    ]);
    ec2.calls.length = 0;
    const [planned] = await copier.planMany([requests[0]!]);
    if (!planned?.ok) throw new Error('planned');
    ec2.calls.length = 0;
    await copier.copy(requests[0]!, { plan: planned.value, tokenChecked: true });
    // CopySnapshot, then the convergence lookup (EC2 has no native token); no lookup before.
    expect(ec2.calls.map((c) => c.action)).toStrictEqual(['CopySnapshot', 'DescribeSnapshots']);
  });
});
