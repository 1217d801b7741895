import type { CopyRequestInput } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import {
  describeReply,
  EcsWireStub,
  ecsError,
  kmsKeyReply,
  stubKeyId,
  wireSnapshot,
} from './support/ecs-wire-stub.js';
import { STUB_ORIGIN, stubCopier } from './support/nock-copier.js';
import { localNetworkOnly } from './support/nock-lifecycle.js';

const SRC = 'cn-hangzhou';
const DST = 'cn-shanghai';
const request: CopyRequestInput = {
  source: { region: SRC, snapshotId: 's-source0001' },
  destination: { region: DST },
  clientToken: 'tok-plan',
};

let stub: EcsWireStub;
localNetworkOnly(() => stub?.stop());

/** An earlier copy of d-disk0001 in the destination, as snapcopy tagged it. */
function earlierCopy(id: string, keyTag: string, created: string, fields: Record<string, unknown> = {}) {
  return wireSnapshot({
    SnapshotId: id,
    CreationTime: created,
    Encrypted: keyTag !== 'none',
    KMSKeyId: keyTag === 'none' ? '' : stubKeyId(keyTag),
    Tags: {
      Tag: [
        { TagKey: 'snapcopy:source-volume', TagValue: 'd-disk0001' },
        { TagKey: 'snapcopy:key', TagValue: keyTag },
      ],
    },
    ...fields,
  });
}

describe('plan reads the source and the lineage with exact parameters', () => {
  it('DescribeSnapshots of the source in its region, then of the lineage in the destination', async () => {
    stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', (p) =>
      p.SnapshotIds ? { body: describeReply([wireSnapshot({})]) } : { body: describeReply([]) },
    );
    await stubCopier().plan(request);
    const [source, lineage, ...rest] = stub.of('DescribeSnapshots');
    expect(rest).toHaveLength(0);
    expect(source!.params).toEqual({ RegionId: SRC, MaxResults: '100', SnapshotIds: '["s-source0001"]' });
    expect(lineage!.params).toEqual({
      RegionId: DST,
      MaxResults: '100',
      Status: 'accomplished',
      'Tag.1.Key': 'snapcopy:source-volume',
      'Tag.1.Value': 'd-disk0001',
    });
    expect(stub.of('CopySnapshot')).toHaveLength(0);
  });

  it('follows NextToken through the lineage pages', async () => {
    stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', (p) => {
      if (p.SnapshotIds) return { body: describeReply([wireSnapshot({})]) };
      if (!p.NextToken)
        return { body: describeReply([earlierCopy('s-e1', 'none', '2025-12-01T00:00:00Z')], 'page-2') };
      return { body: describeReply([earlierCopy('s-e2', 'none', '2025-12-02T00:00:00Z')]) };
    });
    const plan = await stubCopier().plan(request);
    const lineage = stub.of('DescribeSnapshots').slice(1);
    expect(lineage.map((c) => c.params.NextToken)).toEqual([undefined, 'page-2']);
    expect(plan.transfer).toBe('incremental');
  });

  it('stops after lineageLookupMaxPages pages', async () => {
    stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', (p) =>
      p.SnapshotIds
        ? { body: describeReply([wireSnapshot({})]) }
        : { body: describeReply([earlierCopy('s-e1', 'none', '2025-12-01T00:00:00Z')], 'again') },
    );
    await stubCopier({ lineageLookupMaxPages: 3 }).plan(request);
    expect(stub.of('DescribeSnapshots')).toHaveLength(1 + 3);
  });
});

describe('plan reads KMS DescribeKey with exact parameters (KMS API reference, DescribeKey)', () => {
  it('the copy key is described in the destination region, RegionId sent explicitly; the plan names it by key id', async () => {
    stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', (p) =>
      p.SnapshotIds ? { body: describeReply([wireSnapshot({})]) } : { body: describeReply([]) },
    );
    const plan = await stubCopier().plan({
      ...request,
      encryption: { encrypted: true, kmsKeyId: 'alias/backup' },
    });
    const [describe, ...more] = stub.of('DescribeKey');
    expect(more).toHaveLength(0);
    expect(describe!.headers['x-acs-version']).toBe('2016-01-20');
    expect(describe!.params).toMatchObject({
      Action: 'DescribeKey',
      Version: '2016-01-20',
      KeyId: 'alias/backup',
      RegionId: DST,
      Format: 'json',
      SignatureMethod: 'HMAC-SHA1',
      AccessKeyId: 'LTAI5tTESTKEYID',
    });
    expect(plan.encryption).toMatchObject({
      kmsKeyId: 'id-of-alias/backup',
      key: { reference: 'alias/backup', checkedBy: 'kms', keyId: 'id-of-alias/backup', state: 'Enabled' },
    });
  });

  it.each([
    ['Disabled', 'key-enabled'],
    ['PendingDeletion', 'key-enabled'],
  ])('a %s key: ENCRYPTION_RULE in plan, no CopySnapshot on copy', async (state, rule) => {
    stub = new EcsWireStub(STUB_ORIGIN)
      .on('DescribeSnapshots', (p) =>
        p.SnapshotIds ? { body: describeReply([wireSnapshot({})]) } : { body: describeReply([]) },
      )
      .on('DescribeKey', (p) => kmsKeyReply(p.KeyId ?? '', p.RegionId ?? '', state));
    const req = { ...request, encryption: { encrypted: true, kmsKeyId: 'alias/off' } };
    await expect(stubCopier().plan(req)).rejects.toMatchObject({
      code: 'ENCRYPTION_RULE',
      details: { rule },
    });
    await expect(stubCopier().copy(req)).rejects.toMatchObject({ code: 'ENCRYPTION_RULE' });
    expect(stub.of('CopySnapshot')).toHaveLength(0);
  });

  it('KMS refuses every DescribeKey (RAM): the plan says it could not read KMS and goes on', async () => {
    stub = new EcsWireStub(STUB_ORIGIN)
      .on('DescribeSnapshots', (p) =>
        p.SnapshotIds ? { body: describeReply([wireSnapshot({})]) } : { body: describeReply([]) },
      )
      .on('DescribeKey', () =>
        ecsError(403, 'Forbidden.NoPermission', 'This operation is forbidden by permission system.'),
      );
    const plan = await stubCopier().plan({
      ...request,
      encryption: { encrypted: true, kmsKeyId: 'alias/backup' },
    });
    expect(plan.encryption).toMatchObject({ kmsKeyId: 'alias/backup', key: { checkedBy: 'unread' } });
    expect(plan.reasons.join('\n')).toMatch(/KMS could not be read/);
    // The refusal was checked against the service key: both refused, so KMS is not readable.
    expect(stub.of('DescribeKey').map((c) => c.params.KeyId)).toEqual(['alias/backup', 'alias/acs/ecs']);
  });

  it("KMS answers the service key but refuses another account's key: not usable by this account", async () => {
    const foreign = 'acs:kms:cn-shanghai:6543210987654321:key/key-theirs';
    stub = new EcsWireStub(STUB_ORIGIN)
      .on('DescribeSnapshots', (p) =>
        p.SnapshotIds ? { body: describeReply([wireSnapshot({})]) } : { body: describeReply([]) },
      )
      .on('DescribeKey', (p) =>
        p.KeyId === foreign
          ? ecsError(403, 'Forbidden.NoPermission', 'This operation is forbidden by permission system.')
          : kmsKeyReply(p.KeyId ?? '', p.RegionId ?? ''),
      );
    await expect(
      stubCopier().plan({ ...request, encryption: { encrypted: true, kmsKeyId: foreign } }),
    ).rejects.toMatchObject({ code: 'ENCRYPTION_RULE', details: { rule: 'key-usable-by-account' } });
  });
});

describe('plan outcome per transfer / size-basis rule', () => {
  const rows: {
    rule: string;
    source?: Record<string, unknown>;
    request?: Partial<CopyRequestInput>;
    earlier?: Record<string, unknown>[];
    expect: {
      transfer: string;
      sizeBasis: string;
      transferGiB: number;
      storageGiB: number;
      keySource: string;
    };
  }[] = [
    {
      rule: 'first standard copy of an unencrypted snapshot: full, on the snapshot size',
      expect: { transfer: 'full', sizeBasis: 'snapshot', transferGiB: 20, storageGiB: 20, keySource: 'none' },
    },
    {
      rule: 'first encrypted copy of an unencrypted snapshot: full, on the source disk size',
      request: { encryption: { encrypted: true } },
      expect: {
        transfer: 'full',
        sizeBasis: 'disk',
        transferGiB: 40,
        storageGiB: 40,
        keySource: 'default-key',
      },
    },
    {
      rule: 'encrypted copy of an encrypted snapshot: full, on the snapshot size',
      source: { Encrypted: true, KMSKeyId: 'key-src' },
      expect: {
        transfer: 'full',
        sizeBasis: 'snapshot',
        transferGiB: 20,
        storageGiB: 20,
        keySource: 'default-key',
      },
    },
    {
      rule: 'later standard copy with an unencrypted earlier copy in the destination: incremental',
      earlier: [earlierCopy('s-e1', 'none', '2025-12-01T00:00:00Z')],
      expect: {
        transfer: 'incremental',
        sizeBasis: 'delta',
        transferGiB: 20,
        storageGiB: 20,
        keySource: 'none',
      },
    },
    {
      rule: 'later copy under the same customer key (from the lineage tag): incremental',
      request: { encryption: { encrypted: true, kmsKeyId: 'key-cmk-1' } },
      earlier: [earlierCopy('s-e1', 'key-cmk-1', '2025-12-01T00:00:00Z')],
      expect: {
        transfer: 'incremental',
        sizeBasis: 'delta',
        transferGiB: 20,
        storageGiB: 20,
        keySource: 'given-key',
      },
    },
    {
      rule: 'later copy under the service key, earlier copy tagged with the service alias: incremental',
      request: { encryption: { encrypted: true } },
      earlier: [earlierCopy('s-e1', 'alias/acs/ecs', '2025-12-01T00:00:00Z')],
      expect: {
        transfer: 'incremental',
        sizeBasis: 'delta',
        transferGiB: 20,
        storageGiB: 20,
        keySource: 'default-key',
      },
    },
    {
      rule: 'key change (latest earlier copy under another key): a new full copy',
      request: { encryption: { encrypted: true, kmsKeyId: 'key-new' } },
      earlier: [
        earlierCopy('s-e1', 'key-new', '2025-11-01T00:00:00Z'),
        earlierCopy('s-e2', 'key-old', '2025-12-01T00:00:00Z'),
      ],
      expect: {
        transfer: 'full',
        sizeBasis: 'disk',
        transferGiB: 40,
        storageGiB: 40,
        keySource: 'given-key',
      },
    },
    {
      rule: 'encrypted copy after an unencrypted one: a key change, full',
      request: { encryption: { encrypted: true } },
      earlier: [earlierCopy('s-e1', 'none', '2025-12-01T00:00:00Z')],
      expect: {
        transfer: 'full',
        sizeBasis: 'disk',
        transferGiB: 40,
        storageGiB: 40,
        keySource: 'default-key',
      },
    },
    {
      rule: 'same-region encrypted copy: no transfer charged, storage on the disk size',
      request: { destination: { region: SRC }, encryption: { encrypted: true } },
      expect: {
        transfer: 'full',
        sizeBasis: 'disk',
        transferGiB: 0,
        storageGiB: 40,
        keySource: 'default-key',
      },
    },
    {
      rule: 'no FullSnapshotSizeInBytes: the snapshot size falls back on the disk size',
      source: { FullSnapshotSizeInBytes: 0 },
      expect: { transfer: 'full', sizeBasis: 'snapshot', transferGiB: 40, storageGiB: 40, keySource: 'none' },
    },
  ];

  for (const row of rows) {
    it(row.rule, async () => {
      stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', (p) =>
        p.SnapshotIds
          ? { body: describeReply([wireSnapshot(row.source ?? {})]) }
          : { body: describeReply(row.earlier ?? []) },
      );
      const plan = await stubCopier().plan({ ...request, ...row.request });
      expect({
        transfer: plan.transfer,
        sizeBasis: plan.sizeBasis,
        transferGiB: plan.billableGiB.transfer,
        storageGiB: plan.billableGiB.storage,
        keySource: plan.encryption.keySource,
      }).toEqual(row.expect);
      expect(plan.provider).toBe('alibaba');
      expect(plan.source).toMatchObject({ volumeId: 'd-disk0001', diskSizeGiB: 40 });
      expect(plan.reasons.length).toBeGreaterThan(1);
      expect(stub.of('CopySnapshot')).toHaveLength(0);
    });
  }

  it('with a price table the plan carries the cost', async () => {
    stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', (p) =>
      p.SnapshotIds ? { body: describeReply([wireSnapshot({})]) } : { body: describeReply([]) },
    );
    const plan = await stubCopier().plan(request, {
      prices: {
        currency: 'USD',
        source: 'test table',
        asOf: '2026-01-01',
        transferPerGiB: { 'cn-hangzhou>cn-shanghai': 0.1 },
        storagePerGiBMonth: 0.02,
      },
    });
    expect(plan.cost?.oneOff).toBeCloseTo(2); // 20 GiB × 0.1
    expect(plan.cost?.monthly).toBeCloseTo(0.4);
  });
});

describe('batches: planMany and findMany share their reads', () => {
  const ids = ['s-source0001', 's-source0002', 's-source0003'];
  const requests = ids.map((id, i) => ({
    source: { region: SRC, snapshotId: id },
    destination: { region: i === 2 ? 'cn-beijing' : DST },
    clientToken: `tok-${i}`,
  }));
  const serveBatch = () =>
    new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', (p) =>
      p.SnapshotIds
        ? {
            body: describeReply(
              (JSON.parse(p.SnapshotIds) as string[]).map((id, i) =>
                wireSnapshot({ SnapshotId: id, SourceDiskId: `d-disk000${ids.indexOf(id) + 1 || i}` }),
              ),
            ),
          }
        : { body: describeReply([]) },
    );

  it('planMany: the sources in one SnapshotIds call; several disks of a region by the tag key alone', async () => {
    stub = serveBatch();
    const copier = stubCopier();
    const results = await copier.planMany(requests);
    expect(results.every((r) => r.ok)).toBe(true);
    const describes = stub.of('DescribeSnapshots');
    expect(describes.filter((c) => c.params.SnapshotIds).map((c) => c.params.SnapshotIds)).toEqual([
      JSON.stringify(ids),
    ]);
    const lineage = describes.filter((c) => !c.params.SnapshotIds).map((c) => c.params);
    expect(lineage).toEqual([
      { RegionId: DST, MaxResults: '100', Status: 'accomplished', 'Tag.1.Key': 'snapcopy:source-volume' },
      {
        RegionId: 'cn-beijing',
        MaxResults: '100',
        Status: 'accomplished',
        'Tag.1.Key': 'snapcopy:source-volume',
        'Tag.1.Value': 'd-disk0003',
      },
    ]);
    for (const [i, r] of results.entries()) {
      if (!r.ok) throw r.error;
      // Equal but for $metadata: each names the provider calls that made it.
      const { $metadata: _batch, ...batched } = r.value;
      const { $metadata: _alone, ...alone } = await copier.plan(requests[i]!);
      expect(JSON.stringify(batched)).toBe(JSON.stringify(alone));
    }
  });

  it('findMany: several tokens of a region by the tag key alone, one token by key and value', async () => {
    stub = serveBatch();
    const found = await stubCopier().findMany(requests);
    expect(found.map((r) => r.ok && r.value)).toEqual([undefined, undefined, undefined]);
    expect(stub.of('DescribeSnapshots').map((c) => c.params)).toEqual([
      { RegionId: DST, MaxResults: '100', 'Tag.1.Key': 'snapcopy:client-token' },
      {
        RegionId: 'cn-beijing',
        MaxResults: '100',
        'Tag.1.Key': 'snapcopy:client-token',
        'Tag.1.Value': 'tok-2',
      },
    ]);
  });
});
