import type { SnapcopyError } from '@snapcopy/core';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsEbsCopier } from '../src/index.js';
import {
  fakeEc2,
  filterValues,
  listParam,
  OTHER_ACCOUNT,
  OWN_ACCOUNT,
  tagSpecPairs,
  TEST_CREDENTIALS,
} from './support/ec2-nock.js';
import { copyCalls, fakeAccount, lineageFixtureTags } from './support/fake-account.js';
import { fakeKms } from './support/kms-ebs-nock.js';

const SRC = 'snap-0123456789abcdef0';
const VOL = 'vol-0aaaaaaaaaaaaaaaa';
const NO_RETRY = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

let done: (() => void) | undefined;
afterEach(() => {
  done?.();
  done = undefined;
});

function setup(account: Parameters<typeof fakeAccount>[0]) {
  const fake = fakeEc2(fakeAccount(account));
  done = fake.done;
  const copier = createAwsEbsCopier({ credentials: TEST_CREDENTIALS, retry: NO_RETRY });
  return { fake, copier };
}

const source = (over: Record<string, unknown> = {}) => ({
  snapshots: { 'us-east-1': [{ id: SRC, volumeId: VOL, volumeSize: 100, ...over }] },
});

describe('CopySnapshot parameters', () => {
  it('TagSpecification: caller tags in order (empty value kept), Name from name, then lineage tags', async () => {
    const { fake, copier } = setup(source());
    await copier.copy({
      source: { region: 'us-east-1', snapshotId: SRC },
      destination: { region: 'us-west-2' },
      name: 'nightly',
      tags: { team: 'storage', empty: '' },
      clientToken: 'tok-1',
    });
    const [copy] = copyCalls(fake.calls);
    const p = copy!.params;
    expect(p['TagSpecification.1.ResourceType']).toBe('snapshot');
    expect(p['TagSpecification.2.ResourceType']).toBeUndefined();
    expect(tagSpecPairs(p)).toStrictEqual([
      ['team', 'storage'],
      ['empty', ''],
      ['Name', 'nightly'],
      [LINEAGE_TAGS.clientToken, 'tok-1'],
      [LINEAGE_TAGS.sourceSnapshot, SRC],
      [LINEAGE_TAGS.sourceRegion, 'us-east-1'],
      [LINEAGE_TAGS.sourceVolume, VOL],
      [LINEAGE_TAGS.key, 'none'],
    ]);
    expect(p.Description).toBe(`Copy of ${SRC} from us-east-1 (snapcopy)`);
    expect(p.CompletionDurationMinutes).toBeUndefined();
    expect(p.Encrypted).toBeUndefined();
    expect(p.KmsKeyId).toBeUndefined();
  });

  it('description and completion duration are sent as given', async () => {
    const { fake, copier } = setup(source());
    await copier.copy({
      source: { region: 'us-east-1', snapshotId: SRC },
      destination: { region: 'us-west-2' },
      description: 'DR copy: 100 GiB & more',
      completionDurationMinutes: 60,
    });
    const p = copyCalls(fake.calls)[0]!.params;
    expect(p.Description).toBe('DR copy: 100 GiB & more');
    expect(p.CompletionDurationMinutes).toBe('60');
  });

  it('a copy of a snapcopy copy keeps the original volume as its lineage', async () => {
    const { fake, copier } = setup(
      source({ volumeId: 'vol-ffffffff', tags: { [LINEAGE_TAGS.sourceVolume]: 'vol-0originalorigina1' } }),
    );
    await copier.copy({
      source: { region: 'us-east-1', snapshotId: SRC },
      destination: { region: 'us-west-2' },
    });
    const pairs = new Map(tagSpecPairs(copyCalls(fake.calls)[0]!.params));
    expect(pairs.get(LINEAGE_TAGS.sourceVolume)).toBe('vol-0originalorigina1');
  });
});

describe('plan reads', () => {
  it('owned source: one DescribeSnapshots with Owner=self and a snapshot-id filter; lineage by tag in the destination', async () => {
    const { fake, copier } = setup(source());
    const plan = await copier.plan({
      source: { region: 'us-east-1', snapshotId: SRC },
      destination: { region: 'us-west-2' },
    });
    const [own, ebd, lineage, ...rest] = fake.calls;
    expect(own).toMatchObject({ action: 'DescribeSnapshots', region: 'us-east-1' });
    expect(listParam(own!.params, 'Owner')).toStrictEqual(['self']);
    // A filter, not SnapshotId.N: one unknown id in SnapshotId.N fails the whole call.
    expect(filterValues(own!.params, 'snapshot-id')).toStrictEqual([SRC]);
    expect(listParam(own!.params, 'SnapshotId')).toStrictEqual([]);
    expect(ebd).toMatchObject({ action: 'GetEbsEncryptionByDefault', region: 'us-west-2' });
    expect(lineage).toMatchObject({ action: 'DescribeSnapshots', region: 'us-west-2' });
    expect(listParam(lineage!.params, 'Owner')).toStrictEqual(['self']);
    expect(filterValues(lineage!.params, `tag:${LINEAGE_TAGS.sourceVolume}`)).toStrictEqual([VOL]);
    expect(rest).toHaveLength(0);
    expect(plan.source).toMatchObject({
      ownership: 'owned',
      ownerAccount: OWN_ACCOUNT,
      volumeId: VOL,
      sizeGiB: 100,
    });
    expect(plan.destination).toStrictEqual({ region: 'us-west-2', account: OWN_ACCOUNT });
    expect(plan.transfer).toBe('full');
    expect(plan.billableGiB).toStrictEqual({ transfer: 100, storage: 100, timeBased: 0 });
  });

  it('shared source: not among your own, found without the owner filter → crossAccountCopy', async () => {
    const { fake, copier } = setup(source({ ownerId: OTHER_ACCOUNT }));
    const plan = await copier.plan({
      source: { region: 'us-east-1', snapshotId: SRC },
      destination: { region: 'us-east-1' },
    });
    const describes = fake.calls.filter((c) => c.action === 'DescribeSnapshots' && c.region === 'us-east-1');
    expect(listParam(describes[0]!.params, 'Owner')).toStrictEqual(['self']);
    expect(listParam(describes[1]!.params, 'Owner')).toStrictEqual([]);
    expect(filterValues(describes[1]!.params, 'snapshot-id')).toStrictEqual([SRC]);
    expect(plan.source).toMatchObject({ ownership: 'shared', ownerAccount: OTHER_ACCOUNT });
    expect(plan.reasons[0]).toMatch(/shared with you by account 444455556666/);
    expect(plan.transfer).toBe('full');
  });

  it('source.account given: taken as shared, no Owner=self lookup', async () => {
    const { fake, copier } = setup(source({ ownerId: OTHER_ACCOUNT }));
    const plan = await copier.plan({
      source: { region: 'us-east-1', snapshotId: SRC, account: OTHER_ACCOUNT },
      destination: { region: 'us-west-2' },
    });
    const first = fake.calls[0]!;
    expect(listParam(first.params, 'Owner')).toStrictEqual([]);
    expect(plan.source.ownership).toBe('shared');
  });

  it('source.account naming another owner → NOT_FOUND', async () => {
    const { copier } = setup(source({ ownerId: OTHER_ACCOUNT }));
    await expect(
      copier.plan({
        source: { region: 'us-east-1', snapshotId: SRC, account: '999999999999' },
        destination: { region: 'us-west-2' },
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an earlier copy of the volume with the same key in the destination → incremental', async () => {
    const { copier } = setup({
      snapshots: {
        'us-east-1': [{ id: SRC, volumeId: VOL, volumeSize: 100 }],
        'us-west-2': [
          { id: 'snap-0eeeeeeeeeeeeeeee', volumeId: 'vol-ffffffff', tags: lineageFixtureTags(VOL, 'none') },
        ],
      },
    });
    const plan = await copier.plan({
      source: { region: 'us-east-1', snapshotId: SRC },
      destination: { region: 'us-west-2' },
    });
    // The earlier copy does not say what it was made from: the delta cannot be measured.
    expect(plan.transfer).toBe('incremental');
    expect(plan.sizeBasis).toBe('delta');
    expect(plan.delta).toMatchObject({ measured: 'upper-bound', gib: 100 });
    expect(plan.billableGiB).toStrictEqual({ transfer: 100, storage: 100, timeBased: 0 });
  });

  it('same account and region, nothing changes: no destination reads beyond the source → free', async () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/k';
    const { fake, copier } = setup(source({ encrypted: true, kmsKeyId: key }));
    const kms = fakeKms([{ arn: key }]);
    const plan = await copier.plan({
      source: { region: 'us-east-1', snapshotId: SRC },
      destination: { region: 'us-east-1' },
    });
    expect(fake.calls.map((c) => c.action)).toStrictEqual(['DescribeSnapshots']);
    // The source's key, kept by the copy, is checked once.
    expect(kms.calls.map((c) => [c.operation, c.region, c.params.KeyId])).toStrictEqual([
      ['DescribeKey', 'us-east-1', key],
    ]);
    expect(plan.transfer).toBe('none');
    expect(plan.billableGiB).toStrictEqual({ transfer: 0, storage: 0, timeBased: 0 });
  });

  it('time-based copy too short for the size → INVALID_REQUEST naming the minimum, no CopySnapshot', async () => {
    const { fake, copier } = setup(source({ volumeSize: 1000 }));
    const err = await copier
      .copy({
        source: { region: 'us-east-1', snapshotId: SRC },
        destination: { region: 'us-west-2' },
        completionDurationMinutes: 15,
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', issues: [{ path: 'completionDurationMinutes' }] });
    expect((err as Error).message).toMatch(/minimum is 45/);
    expect(copyCalls(fake.calls)).toHaveLength(0);
  });

  it.each([
    [
      'a malformed snapshot id',
      { source: { region: 'us-east-1', snapshotId: 'snap-XYZ' } },
      'source.snapshotId',
    ],
    ['a reserved aws: tag key', { tags: { 'aws:owner': 'x' } }, 'tags.aws:owner'],
    [
      '46 caller tags (50 minus 5 lineage tags, minus none)',
      { tags: Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`t${i}`, 'v'])) },
      'tags',
    ],
    [
      '45 caller tags plus a name (the Name tag counts)',
      { name: 'n', tags: Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`t${i}`, 'v'])) },
      'tags',
    ],
    ['a Name tag that differs from name', { name: 'a', tags: { Name: 'b' } }, 'tags.Name'],
  ])('%s → INVALID_REQUEST before any request', async (_name, over, path) => {
    const { fake, copier } = setup(source());
    const err = await copier
      .plan({
        source: { region: 'us-east-1', snapshotId: SRC },
        destination: { region: 'us-west-2' },
        ...over,
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((err as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain(path);
    expect(fake.calls).toHaveLength(0);
  });

  it('a pending source → INVALID_REQUEST; an archived one → UNSUPPORTED (scope request)', async () => {
    const pending = setup(source({ state: 'pending' }));
    await expect(
      pending.copier.plan({
        source: { region: 'us-east-1', snapshotId: SRC },
        destination: { region: 'us-west-2' },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    done?.();
    const archived = setup(source({ storageTier: 'archive' }));
    await expect(
      archived.copier.plan({
        source: { region: 'us-east-1', snapshotId: SRC },
        destination: { region: 'us-west-2' },
      }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED', details: { scope: 'request' } });
  });
});

describe('copy idempotency by the client-token tag', () => {
  it('looks the token up in the destination first and reuses the copy it finds', async () => {
    const { fake, copier } = setup({
      snapshots: {
        ...source().snapshots,
        'us-west-2': [
          { id: 'snap-0bbbbbbbbbbbbbbbb', state: 'pending', tags: { [LINEAGE_TAGS.clientToken]: 'tok-9' } },
        ],
      },
    });
    const handle = await copier.copy({
      source: { region: 'us-east-1', snapshotId: SRC },
      destination: { region: 'us-west-2' },
      clientToken: 'tok-9',
    });
    expect(handle).toMatchObject({
      snapshotId: 'snap-0bbbbbbbbbbbbbbbb',
      reused: true,
      clientToken: 'tok-9',
    });
    expect(copyCalls(fake.calls)).toHaveLength(0);
    const lookup = fake.calls.find(
      (c) => c.region === 'us-west-2' && filterValues(c.params, `tag:${LINEAGE_TAGS.clientToken}`),
    );
    expect(filterValues(lookup!.params, `tag:${LINEAGE_TAGS.clientToken}`)).toStrictEqual(['tok-9']);
    expect(listParam(lookup!.params, 'Owner')).toStrictEqual(['self']);
  });

  it('a reply lost after CopySnapshot acted: looks again and returns that copy, never a second one', async () => {
    let copies = 0;
    const account = source() as Parameters<typeof fakeAccount>[0];
    const inner = fakeAccount(account);
    const fake = fakeEc2((call) => {
      const answer = inner(call);
      if (call.action === 'CopySnapshot' && ++copies === 1) return { network: 'ECONNRESET' };
      return answer;
    });
    done = fake.done;
    const copier = createAwsEbsCopier({ credentials: TEST_CREDENTIALS });
    const handle = await copier.copy({
      source: { region: 'us-east-1', snapshotId: SRC },
      destination: { region: 'us-west-2' },
      clientToken: 'tok-lost',
    });
    expect(copies).toBe(1);
    expect(handle.reused).toBe(true);
    expect(account.snapshots['us-west-2']!.map((s) => s.id)).toStrictEqual([handle.snapshotId]);
  });

  it('a 5xx with nothing made: not sent again before the consistency window; then looked up and copied once', async () => {
    let copies = 0;
    const account = source() as Parameters<typeof fakeAccount>[0];
    const inner = fakeAccount(account);
    const fake = fakeEc2((call) => {
      if (call.action === 'CopySnapshot' && ++copies === 1) return { status: 500, code: 'InternalError' };
      return inner(call);
    });
    done = fake.done;
    let now = 1_000_000;
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    };
    const copier = createAwsEbsCopier({
      credentials: TEST_CREDENTIALS,
      clock,
      retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
    });
    const request = {
      source: { region: 'us-east-1', snapshotId: SRC },
      destination: { region: 'us-west-2' },
      clientToken: 'tok-5xx',
    };
    const err = (await copier.copy(request).catch((e: unknown) => e)) as SnapcopyError;
    expect(err).toMatchObject({ ambiguous: true, details: { clientToken: 'tok-5xx' } });
    expect(copies).toBe(1);
    now += copier.capabilities.consistencyWindowMs;
    const handle = await copier.copy(request);
    expect(copies).toBe(2);
    expect(handle.reused).toBe(false);
    const tokenLookups = fake.calls.filter((c) => filterValues(c.params, `tag:${LINEAGE_TAGS.clientToken}`));
    // Before the first copy, after the 5xx, on the refused retry; then before the second
    // copy and after it (two runners racing on one token converge there).
    expect(tokenLookups).toHaveLength(5);
    expect(account.snapshots['us-west-2']).toHaveLength(1);
  });
});

describe('status', () => {
  const ids = (n: number, prefix = 'a') =>
    Array.from({ length: n }, (_, i) => `snap-0${prefix}${i.toString(16).padStart(15, '0')}`);

  it('200 ids in one region: one DescribeSnapshots with a snapshot-id filter and Owner=self, no SnapshotId.N', async () => {
    const wanted = ids(200);
    const { fake, copier } = setup({
      snapshots: { 'us-west-2': wanted.slice(0, 3).map((id) => ({ id, state: 'pending', progress: '42%' })) },
    });
    const statuses = await copier.status(wanted.map((snapshotId) => ({ region: 'us-west-2', snapshotId })));
    expect(fake.calls).toHaveLength(1);
    const p = fake.calls[0]!.params;
    expect(filterValues(p, 'snapshot-id')).toStrictEqual(wanted);
    expect(listParam(p, 'Owner')).toStrictEqual(['self']);
    expect(listParam(p, 'SnapshotId')).toStrictEqual([]);
    expect(statuses).toHaveLength(200);
    expect(statuses[0]).toMatchObject({ state: 'pending', progress: 42, rawState: 'pending' });
    expect(statuses[199]).toMatchObject({ state: 'failed', rawState: 'absent' });
  });

  it('201 ids → two calls; two regions → one call each', async () => {
    const { fake, copier } = setup({ snapshots: {} });
    await copier.status([
      ...ids(201).map((snapshotId) => ({ region: 'us-west-2', snapshotId })),
      ...ids(3, 'b').map((snapshotId) => ({ region: 'eu-west-1', snapshotId })),
    ]);
    const perRegion = fake.calls
      .map((c) => `${c.region}:${filterValues(c.params, 'snapshot-id')!.length}`)
      .sort();
    expect(perRegion).toStrictEqual(['eu-west-1:3', 'us-west-2:1', 'us-west-2:200']);
  });
});

describe('cancel', () => {
  const COPY = 'snap-0cccccccccccccccc';
  const copyFixture = (state: string) => ({
    snapshots: {
      'us-west-2': [{ id: COPY, state, progress: '10%', tags: { [LINEAGE_TAGS.clientToken]: 't' } }],
    },
  });

  it('pending copy: CreateTags snapcopy:cancelled=true, then DeleteSnapshot → on-completion', async () => {
    const { fake, copier } = setup(copyFixture('pending'));
    const result = await copier.cancel({ region: 'us-west-2', snapshotId: COPY });
    expect(result).toMatchObject({ takesEffect: 'on-completion', snapshotId: COPY, region: 'us-west-2' });
    const [, tag, del] = fake.calls;
    expect(tag!.action).toBe('CreateTags');
    expect(listParam(tag!.params, 'ResourceId')).toStrictEqual([COPY]);
    expect(tag!.params['Tag.1.Key']).toBe('snapcopy:cancelled');
    expect(tag!.params['Tag.1.Value']).toBe('true');
    expect(del).toMatchObject({ action: 'DeleteSnapshot', params: { SnapshotId: COPY } });
  });

  it('completed copy → refused without force, immediate with it; missing → already-gone with no mutation', async () => {
    const refused = setup(copyFixture('completed'));
    await expect(refused.copier.cancel({ region: 'us-west-2', snapshotId: COPY })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    expect(refused.fake.calls.map((c) => c.action)).toStrictEqual(['DescribeSnapshots']);
    done?.();
    const completed = setup(copyFixture('completed'));
    expect(
      (await completed.copier.cancel({ region: 'us-west-2', snapshotId: COPY }, { force: true })).takesEffect,
    ).toBe('immediate');
    done?.();
    const missing = setup({ snapshots: {} });
    expect((await missing.copier.cancel({ region: 'us-west-2', snapshotId: COPY })).takesEffect).toBe(
      'already-gone',
    );
    expect(missing.fake.calls.map((c) => c.action)).toStrictEqual(['DescribeSnapshots']);
  });

  it('refuses to delete a snapshot snapcopy did not make', async () => {
    const { fake, copier } = setup({ snapshots: { 'us-west-2': [{ id: COPY }] } });
    await expect(copier.cancel({ region: 'us-west-2', snapshotId: COPY })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    expect(fake.calls.map((c) => c.action)).toStrictEqual(['DescribeSnapshots']);
  });
});
