import { type CopyRequestInput, is, isSnapcopyError } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { describeReply, EcsWireStub, ecsError, stubKeyId, wireSnapshot } from './support/ecs-wire-stub.js';
import { STUB_ORIGIN, stubCopier } from './support/nock-copier.js';
import { localNetworkOnly } from './support/nock-lifecycle.js';

const SRC = 'cn-hangzhou';
const DST = 'cn-shanghai';
const TOKEN = 'tok-0001';

const baseRequest: CopyRequestInput = {
  source: { region: SRC, snapshotId: 's-source0001' },
  destination: { region: DST },
  clientToken: TOKEN,
};

/** The CopySnapshot query of a copy of s-source0001 from cn-hangzhou, with the lineage tags from `tagIndex`. */
function expectedCopyQuery(opts: {
  destination?: string;
  keyTag: string;
  extra?: Record<string, string>;
  firstLineageTag?: number;
  name?: string;
  description?: string;
}): Record<string, string> {
  const n = opts.firstLineageTag ?? 1;
  return {
    RegionId: SRC,
    SnapshotId: 's-source0001',
    DestinationRegionId: opts.destination ?? DST,
    DestinationSnapshotName: opts.name ?? 'snapcopy-s-source0001',
    DestinationSnapshotDescription:
      opts.description ?? 'Copy of s-source0001 from cn-hangzhou, made by snapcopy',
    ClientToken: TOKEN,
    [`Tag.${n}.Key`]: 'snapcopy:client-token',
    [`Tag.${n}.Value`]: TOKEN,
    [`Tag.${n + 1}.Key`]: 'snapcopy:source-snapshot',
    [`Tag.${n + 1}.Value`]: 's-source0001',
    [`Tag.${n + 2}.Key`]: 'snapcopy:source-region',
    [`Tag.${n + 2}.Value`]: SRC,
    [`Tag.${n + 3}.Key`]: 'snapcopy:source-volume',
    [`Tag.${n + 3}.Value`]: 'd-disk0001',
    [`Tag.${n + 4}.Key`]: 'snapcopy:key',
    [`Tag.${n + 4}.Value`]: opts.keyTag,
    ...(opts.extra ?? {}),
  };
}

let stub: EcsWireStub;

/** The lineage tags of a copy of `snapshotId` from cn-hangzhou made with TOKEN, on the wire. */
const lineageOf = (snapshotId: string) => ({
  Tag: [
    { TagKey: 'snapcopy:client-token', TagValue: TOKEN },
    { TagKey: 'snapcopy:source-snapshot', TagValue: snapshotId },
    { TagKey: 'snapcopy:source-region', TagValue: SRC },
  ],
});

localNetworkOnly(() => stub?.stop());

function serve(source: Record<string, unknown>, earlier: Record<string, unknown>[] = []): EcsWireStub {
  stub = new EcsWireStub(STUB_ORIGIN);
  stub.on('DescribeSnapshots', (p) =>
    p.SnapshotIds
      ? { body: describeReply([wireSnapshot(source)]) }
      : { body: describeReply(p['Tag.1.Key'] === 'snapcopy:source-volume' ? earlier : []) },
  );
  stub.on('CopySnapshot', () => ({ body: { RequestId: 'REQ-COPY', SnapshotId: 's-copy0001' } }));
  return stub;
}

describe('CopySnapshot parameters, one row per encryption/field rule', () => {
  const rows: {
    rule: string;
    source?: Record<string, unknown>;
    request?: Partial<CopyRequestInput>;
    query: Record<string, string>;
  }[] = [
    {
      rule: 'standard cross-region copy of an unencrypted snapshot: no Encrypted, no KMSKeyId',
      query: expectedCopyQuery({ keyTag: 'none' }),
    },
    {
      rule: 'encrypt on copy without a key: Encrypted=true, the service key (no KMSKeyId)',
      request: { encryption: { encrypted: true } },
      query: expectedCopyQuery({ keyTag: stubKeyId('alias/acs/ecs'), extra: { Encrypted: 'true' } }),
    },
    {
      rule: 'encrypt on copy with a customer key in the destination: Encrypted=true and KMSKeyId',
      request: { encryption: { encrypted: true, kmsKeyId: 'key-cmk-sh-0001' } },
      query: expectedCopyQuery({
        keyTag: stubKeyId('key-cmk-sh-0001'),
        extra: { Encrypted: 'true', KMSKeyId: 'key-cmk-sh-0001' },
      }),
    },
    {
      rule: 'the service key named explicitly is sent as given',
      request: { encryption: { encrypted: true, kmsKeyId: 'alias/acs/ecs' } },
      query: expectedCopyQuery({
        keyTag: stubKeyId('alias/acs/ecs'),
        extra: { Encrypted: 'true', KMSKeyId: 'alias/acs/ecs' },
      }),
    },
    {
      rule: 'a key by ARN in the destination region is accepted',
      request: { encryption: { encrypted: true, kmsKeyId: 'acs:kms:cn-shanghai:123:key/key-arn-1' } },
      query: expectedCopyQuery({
        keyTag: stubKeyId('acs:kms:cn-shanghai:123:key/key-arn-1'),
        extra: { Encrypted: 'true', KMSKeyId: 'acs:kms:cn-shanghai:123:key/key-arn-1' },
      }),
    },
    {
      rule: 'snapshot of an encrypted disk, no flag: the copy is encrypted (Encrypted=true sent)',
      source: { Encrypted: true, KMSKeyId: 'key-src-hz' },
      query: expectedCopyQuery({ keyTag: stubKeyId('alias/acs/ecs'), extra: { Encrypted: 'true' } }),
    },
    {
      rule: 'encrypted source re-encrypted under a customer key',
      source: { Encrypted: true, KMSKeyId: 'key-src-hz' },
      request: { encryption: { encrypted: true, kmsKeyId: 'key-cmk-sh-0002' } },
      query: expectedCopyQuery({
        keyTag: stubKeyId('key-cmk-sh-0002'),
        extra: { Encrypted: 'true', KMSKeyId: 'key-cmk-sh-0002' },
      }),
    },
    {
      rule: 'an encrypted copy may stay in the source region (RegionId = DestinationRegionId)',
      request: { destination: { region: SRC }, encryption: { encrypted: true } },
      query: expectedCopyQuery({
        destination: SRC,
        keyTag: stubKeyId('alias/acs/ecs'),
        extra: { Encrypted: 'true' },
      }),
    },
    {
      rule: 'an encrypted source copied within its region, no flag: encrypted copy',
      source: { Encrypted: true, KMSKeyId: 'key-src-hz' },
      request: { destination: { region: SRC } },
      query: expectedCopyQuery({
        destination: SRC,
        keyTag: stubKeyId('alias/acs/ecs'),
        extra: { Encrypted: 'true' },
      }),
    },
    {
      rule: 'retention days, name, description and caller tags (caller tags first, then lineage)',
      request: {
        retentionDays: 7,
        name: 'nightly-copy',
        description: 'nightly DR copy',
        tags: { team: 'storage', env: '' },
      },
      query: expectedCopyQuery({
        keyTag: 'none',
        firstLineageTag: 3,
        name: 'nightly-copy',
        description: 'nightly DR copy',
        extra: {
          RetentionDays: '7',
          'Tag.1.Key': 'team',
          'Tag.1.Value': 'storage',
          'Tag.2.Key': 'env',
          'Tag.2.Value': '',
        },
      }),
    },
  ];

  for (const row of rows) {
    it(row.rule, async () => {
      serve(row.source ?? {});
      const copier = stubCopier();
      const handle = await copier.copy({ ...baseRequest, ...row.request });
      expect(handle).toMatchObject({
        snapshotId: 's-copy0001',
        region: row.request?.destination?.region ?? DST,
      });
      const copies = stub.of('CopySnapshot');
      expect(copies).toHaveLength(1);
      expect(copies[0]!.params).toEqual(row.query);
      expect(copies[0]!.body).toBe('');
      expect(copies[0]!.headers['x-acs-version']).toBe('2014-05-26');
    });
  }
});

describe('requests refused before any mutating call, one row per rule', () => {
  const rows: {
    rule: string;
    source?: Record<string, unknown>;
    request?: Partial<CopyRequestInput>;
    code: string;
    scope?: string;
    describeCalls: number;
  }[] = [
    {
      rule: 'standard copy in the same region → UNSUPPORTED, scope request (encrypted would work)',
      request: { destination: { region: SRC } },
      code: 'UNSUPPORTED',
      scope: 'request',
      describeCalls: 1,
    },
    {
      rule: 'encrypted:false in the same region → UNSUPPORTED from the manifest, no call at all',
      request: { destination: { region: SRC }, encryption: { encrypted: false } },
      code: 'UNSUPPORTED',
      scope: 'capability',
      describeCalls: 0,
    },
    {
      rule: 'unencrypted copy of an encrypted snapshot → ENCRYPTION_RULE',
      source: { Encrypted: true, KMSKeyId: 'key-src-hz' },
      request: { encryption: { encrypted: false } },
      code: 'ENCRYPTION_RULE',
      scope: 'request',
      describeCalls: 1,
    },
    {
      rule: 'a key ARN in another region than the destination → ENCRYPTION_RULE',
      request: { encryption: { encrypted: true, kmsKeyId: 'acs:kms:cn-beijing:123:key/key-arn-1' } },
      code: 'ENCRYPTION_RULE',
      describeCalls: 1,
    },
    {
      rule: 'archived source → UNSUPPORTED',
      source: { Category: 'archive' },
      code: 'UNSUPPORTED',
      scope: 'request',
      describeCalls: 1,
    },
    {
      rule: 'local (flash) source → UNSUPPORTED',
      source: { Category: 'flash' },
      code: 'UNSUPPORTED',
      scope: 'request',
      describeCalls: 1,
    },
    {
      rule: 'source still progressing → INVALID_REQUEST',
      source: { Status: 'progressing', Progress: '40%' },
      code: 'INVALID_REQUEST',
      describeCalls: 1,
    },
    {
      rule: 'a name ECS rejects (must start with a letter) → INVALID_REQUEST, no call',
      request: { name: '1-bad name' },
      code: 'INVALID_REQUEST',
      describeCalls: 0,
    },
    {
      rule: 'a source id that is not an ECS snapshot id → INVALID_REQUEST, no call',
      request: { source: { region: SRC, snapshotId: 'snap-0123' } },
      code: 'INVALID_REQUEST',
      describeCalls: 0,
    },
    {
      rule: 'a reserved tag prefix (acs:) → INVALID_REQUEST, no call',
      request: { tags: { 'acs:owner': 'x' } },
      code: 'INVALID_REQUEST',
      describeCalls: 0,
    },
    {
      rule: 'more caller tags than 20 minus the lineage tags → INVALID_REQUEST, no call',
      request: { tags: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v'])) },
      code: 'INVALID_REQUEST',
      describeCalls: 0,
    },
    {
      rule: 'a description ECS rejects (starts with http://) → INVALID_REQUEST, no call',
      request: { description: 'http://example.com/x' },
      code: 'INVALID_REQUEST',
      describeCalls: 0,
    },
  ];

  for (const row of rows) {
    it(row.rule, async () => {
      serve(row.source ?? {});
      const copier = stubCopier();
      const err = await copier.copy({ ...baseRequest, ...row.request }).catch((e: unknown) => e);
      expect(isSnapcopyError(err)).toBe(true);
      expect(err).toMatchObject({ code: row.code, provider: 'alibaba' });
      if (row.scope) expect((err as { details?: { scope?: string } }).details?.scope).toBe(row.scope);
      expect(stub.of('CopySnapshot')).toHaveLength(0);
      expect(stub.of('DescribeSnapshots')).toHaveLength(row.describeCalls);
    });
  }

  it('source snapshot not returned → NOT_FOUND, nothing copied', async () => {
    stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', () => ({ body: describeReply([]) }));
    const err = await stubCopier()
      .copy(baseRequest)
      .catch((e: unknown) => e);
    expect(is(err, 'NOT_FOUND')).toBe(true);
    expect(stub.of('CopySnapshot')).toHaveLength(0);
  });
});

describe('idempotency and retries of CopySnapshot', () => {
  it('a throttled copy is retried with the same ClientToken and yields one copy', async () => {
    serve({});
    stub.on(
      'CopySnapshot',
      () => ecsError(400, 'Throttling.User', 'Request was denied due to user flow control.'),
      () => ({ body: { RequestId: 'REQ-COPY', SnapshotId: 's-copy0001' } }),
    );
    const handle = await stubCopier().copy(baseRequest);
    const copies = stub.of('CopySnapshot');
    expect(copies.map((c) => c.params.ClientToken)).toEqual([TOKEN, TOKEN]);
    expect(handle).toMatchObject({ snapshotId: 's-copy0001', reused: false, clientToken: TOKEN });
  });

  it('a reply lost after the copy was made: the retry finds the copy by its token tag, no second CopySnapshot', async () => {
    serve({});
    stub.on('CopySnapshot', () => ({ error: { code: 'ECONNRESET', message: 'socket hang up' } }));
    let tokenLookups = 0;
    stub.on('DescribeSnapshots', (p) => {
      if (p.SnapshotIds) return { body: describeReply([wireSnapshot({})]) };
      // The first lookup (before CopySnapshot) finds nothing; the one after the lost reply finds the copy.
      if (p['Tag.1.Key'] === 'snapcopy:client-token' && ++tokenLookups > 1) {
        return {
          body: describeReply([
            wireSnapshot({
              SnapshotId: 's-made0001',
              Status: 'progressing',
              Tags: lineageOf('s-source0001'),
            }),
          ]),
        };
      }
      return { body: describeReply([]) };
    });
    const handle = await stubCopier().copy(baseRequest);
    expect(handle).toMatchObject({ snapshotId: 's-made0001', reused: true });
    expect(stub.of('CopySnapshot')).toHaveLength(1);
    const lookup = stub
      .of('DescribeSnapshots')
      .find((c) => c.params['Tag.1.Key'] === 'snapcopy:client-token');
    expect(lookup?.params).toEqual({
      RegionId: DST,
      MaxResults: '100',
      'Tag.1.Key': 'snapcopy:client-token',
      'Tag.1.Value': TOKEN,
    });
  });

  it('a lost reply the lookup cannot see yet: CopySnapshot again with the same ClientToken', async () => {
    serve({});
    stub.on(
      'CopySnapshot',
      () => ({ error: { code: 'ECONNRESET', message: 'socket hang up' } }),
      () => ({ body: { RequestId: 'REQ-COPY-2', SnapshotId: 's-copy0001' } }),
    );
    const handle = await stubCopier().copy(baseRequest);
    expect(handle.snapshotId).toBe('s-copy0001');
    expect(stub.of('CopySnapshot').map((c) => c.params.ClientToken)).toEqual([TOKEN, TOKEN]);
  });

  it('5xx on every attempt: PROVIDER_ERROR, retryable, ambiguous, with the request id', async () => {
    serve({});
    stub.on('CopySnapshot', () => ecsError(500, 'InternalError', 'boom', 'REQ-500'));
    const err = await stubCopier()
      .copy(baseRequest)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'PROVIDER_ERROR',
      retryable: true,
      ambiguous: true,
      providerCode: 'InternalError',
      requestId: 'REQ-500',
      httpStatus: 500,
    });
    expect(stub.of('CopySnapshot')).toHaveLength(3);
  });

  it('an unknown key fails at once with ENCRYPTION_RULE, is not retried, and keeps the SDK error', async () => {
    serve({});
    stub.on('CopySnapshot', () =>
      ecsError(
        403,
        'InvalidParameter.KMSKeyId.NotFound',
        'The specified KMSKeyId does not exist.',
        'REQ-KMS',
      ),
    );
    const err = await stubCopier()
      .copy({ ...baseRequest, encryption: { encrypted: true, kmsKeyId: 'key-missing' } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'ENCRYPTION_RULE',
      retryable: false,
      providerCode: 'InvalidParameter.KMSKeyId.NotFound',
      requestId: 'REQ-KMS',
      httpStatus: 403,
    });
    expect((err as Error).cause).toMatchObject({
      name: 'ClientError',
      code: 'InvalidParameter.KMSKeyId.NotFound',
    });
    expect(stub.of('CopySnapshot')).toHaveLength(1);
  });

  it('the same token twice on one copier: one CopySnapshot, the second call finds it by its tag and reports reused', async () => {
    serve({});
    stub.on('DescribeSnapshots', (p) => {
      if (p.SnapshotIds) return { body: describeReply([wireSnapshot({})]) };
      if (p['Tag.1.Key'] === 'snapcopy:client-token' && stub.of('CopySnapshot').length > 0) {
        return {
          body: describeReply([wireSnapshot({ SnapshotId: 's-copy0001', Tags: lineageOf('s-source0001') })]),
        };
      }
      return { body: describeReply([]) };
    });
    const copier = stubCopier();
    const first = await copier.copy(baseRequest);
    const second = await copier.copy(baseRequest);
    expect(second).toMatchObject({ snapshotId: first.snapshotId, reused: true });
    expect(stub.of('CopySnapshot')).toHaveLength(1);
  });

  it('the token already made a copy (another process): found by its tag, reused, no CopySnapshot', async () => {
    serve({});
    stub.on('DescribeSnapshots', (p) => {
      if (p.SnapshotIds) return { body: describeReply([wireSnapshot({})]) };
      if (p['Tag.1.Key'] === 'snapcopy:client-token') {
        return {
          body: describeReply([wireSnapshot({ SnapshotId: 's-made0001', Tags: lineageOf('s-source0001') })]),
        };
      }
      return { body: describeReply([]) };
    });
    const handle = await stubCopier().copy(baseRequest);
    expect(handle).toMatchObject({ snapshotId: 's-made0001', reused: true });
    expect(stub.of('CopySnapshot')).toHaveLength(0);
  });

  it('the token already made a copy of another source: INVALID_REQUEST, no CopySnapshot (a cloud may answer with the old copy)', async () => {
    serve({});
    stub.on('DescribeSnapshots', (p) => {
      if (p.SnapshotIds) return { body: describeReply([wireSnapshot({})]) };
      if (p['Tag.1.Key'] === 'snapcopy:client-token') {
        return {
          body: describeReply([wireSnapshot({ SnapshotId: 's-other0001', Tags: lineageOf('s-elsewhere1') })]),
        };
      }
      return { body: describeReply([]) };
    });
    stub.on('CopySnapshot', () => ({ body: { RequestId: 'REQ-COPY', SnapshotId: 's-other0001' } }));
    const err = await stubCopier()
      .copy(baseRequest)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', retryable: false });
    expect((err as Error).message).toContain('client token already used for a copy of s-elsewhere1');
    expect(stub.of('CopySnapshot')).toHaveLength(0);
  });

  it('a plan passed to copy is used as is: no second read of the source', async () => {
    serve({});
    const copier = stubCopier();
    const plan = await copier.plan(baseRequest);
    const sourceReads = () => stub.of('DescribeSnapshots').filter((c) => c.params.SnapshotIds).length;
    const before = sourceReads();
    await copier.copy(baseRequest, { plan });
    expect(sourceReads()).toBe(before);
    expect(stub.of('CopySnapshot')).toHaveLength(1);
  });

  it('an aborted signal sends nothing', async () => {
    serve({});
    const controller = new AbortController();
    controller.abort();
    const err = await stubCopier()
      .copy(baseRequest, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(is(err, 'CANCELLED')).toBe(true);
    expect(stub.calls).toHaveLength(0);
  });
});
