import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { is, type SnapcopyError } from '@snapcopy/core';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlibabaEcsCopier, parseAlibabaEndpoint } from '../src/index.js';
import { describeReply, EcsWireStub, ecsError, wireSnapshot } from './support/ecs-wire-stub.js';
import { instantClock, STUB_ORIGIN, stubCopier, TEST_CREDENTIALS } from './support/nock-copier.js';
import { localNetworkOnly } from './support/nock-lifecycle.js';

let stub: EcsWireStub | undefined;
localNetworkOnly(() => {
  stub?.stop();
  stub = undefined;
});

describe('parseAlibabaEndpoint', () => {
  const rows: [input: string, protocol: 'http' | 'https' | undefined, host: string, scheme: string][] = [
    ['http://127.0.0.1:8080', undefined, '127.0.0.1:8080', 'http'],
    ['http://127.0.0.1:8080/', undefined, '127.0.0.1:8080', 'http'],
    ['HTTPS://ecs.example.com', 'http', 'ecs.example.com', 'https'],
    ['127.0.0.1:9000', 'http', '127.0.0.1:9000', 'http'],
    ['ecs.cn-shanghai.aliyuncs.com', undefined, 'ecs.cn-shanghai.aliyuncs.com', 'https'],
  ];
  for (const [input, protocol, host, scheme] of rows) {
    it(`${input} (protocol ${protocol ?? 'unset'}) → ${scheme}://${host}`, () => {
      expect(parseAlibabaEndpoint(input, protocol)).toEqual({ host, protocol: scheme });
    });
  }
  for (const bad of [
    'http://127.0.0.1:8080/path',
    'ftp://x',
    'host with space',
    'http://h/?q=1',
    'http://user:pa55word@127.0.0.1:8080',
    'user:pa55word@127.0.0.1:8080',
  ]) {
    it(`rejects ${bad} with INVALID_REQUEST (path endpoint), never echoing credentials`, () => {
      let caught: unknown;
      try {
        parseAlibabaEndpoint(bad);
      } catch (err) {
        caught = err;
      }
      expect(is(caught, 'INVALID_REQUEST')).toBe(true);
      expect((caught as SnapcopyError).issues[0]?.path).toBe('endpoint');
      expect((caught as Error).message).not.toContain('pa55word');
    });
  }
  it('a bad endpoint fails when the copier is created, not on the first call', () => {
    expect(() => createAlibabaEcsCopier({ credentials: TEST_CREDENTIALS, endpoint: 'http://x/y' })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
  it.each([
    ['requestTimeoutMs', { requestTimeoutMs: 0 }],
    ['connectionTimeoutMs', { connectionTimeoutMs: 1.5 }],
    ['connectTimeoutMs', { connectTimeoutMs: -1 }],
  ])('a bad %s fails when the copier is created', (name, options) => {
    expect(() => createAlibabaEcsCopier({ credentials: TEST_CREDENTIALS, ...options })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST', issues: [expect.objectContaining({ path: name })] }),
    );
  });
});

describe('clients', () => {
  it('without an endpoint: CopySnapshot goes to the source region endpoint, DescribeSnapshots to each region', async () => {
    stub = new EcsWireStub(/https:\/\/ecs[a-z0-9.-]*\.aliyuncs\.com/)
      .on('DescribeSnapshots', (p) =>
        p.SnapshotIds === '["s-source0001"]'
          ? {
              body: describeReply([
                {
                  SnapshotId: 's-source0001',
                  Status: 'accomplished',
                  SourceDiskId: 'd-1',
                  SourceDiskSize: 40,
                },
              ]),
            }
          : { body: describeReply([]) },
      )
      .on('CopySnapshot', () => ({ body: { RequestId: 'R', SnapshotId: 's-copy0001' } }));
    const copier = createAlibabaEcsCopier({ credentials: TEST_CREDENTIALS, clock: instantClock() });
    await copier.copy({
      source: { region: 'cn-beijing', snapshotId: 's-source0001' },
      destination: { region: 'ap-southeast-1' },
    });
    expect(stub.calls.map((c) => `${c.action}@${c.host}`)).toEqual([
      'DescribeSnapshots@ecs.cn-beijing.aliyuncs.com',
      'DescribeSnapshots@ecs.ap-southeast-1.aliyuncs.com',
      // The client token's lookup, in the destination.
      'DescribeSnapshots@ecs.ap-southeast-1.aliyuncs.com',
      'CopySnapshot@ecs.cn-beijing.aliyuncs.com',
    ]);
  });

  it('the default credential chain reads ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET from the environment', async () => {
    const saved = { ...process.env };
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'LTAI5tFROMENV';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'env-secret-abcdefgh';
    process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true';
    try {
      stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', () => ({ body: describeReply([]) }));
      const copier = createAlibabaEcsCopier({ endpoint: STUB_ORIGIN, clock: instantClock() });
      await copier.status([{ region: 'cn-shanghai', snapshotId: 's-1' }]);
      const auth = stub.calls[0]!.headers.authorization ?? '';
      expect(auth).toMatch(/^ACS3-HMAC-SHA256 Credential=LTAI5tFROMENV,/);
      expect(stub.calls[0]!.headers['x-acs-credentials-provider']).toMatch(/^default\/env/);
    } finally {
      process.env = saved;
    }
  });

  /** Interceptors for the ECS instance metadata service; counts every request to it. */
  function watchInstanceMetadata(role: string) {
    const seen: string[] = [];
    const scope = nock('http://100.100.100.200')
      .persist()
      .put('/latest/api/token')
      .reply(200, 'imds-token')
      .get(`/latest/meta-data/ram/security-credentials/${role}`)
      .reply(200, {
        Code: 'Success',
        AccessKeyId: 'STS.FROMROLE',
        AccessKeySecret: 'role-secret-12345678',
        SecurityToken: 'role-token-12345678',
        Expiration: '2999-01-01T00:00:00Z',
      });
    // nock 15 hands the listener a fetch Request (a url, no path).
    scope.on('request', (req: { url: string }) => seen.push(new URL(req.url).pathname));
    return { seen, stop: () => nock.removeInterceptor({ hostname: '100.100.100.200' } as never) };
  }
  /** An environment with no Alibaba credentials anywhere (no keys, no profile, no role). */
  function withoutCredentials(extra: Record<string, string> = {}): () => void {
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) if (k.startsWith('ALIBABA_CLOUD_')) delete process.env[k];
    process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED = 'true';
    process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = '/nonexistent/snapcopy-test/credentials';
    Object.assign(process.env, extra);
    return () => {
      process.env = saved;
    };
  }

  it('no credentials anywhere: ACCESS_DENIED saying what to set, before any request, and no instance-metadata probe', async () => {
    const restore = withoutCredentials();
    const imds = watchInstanceMetadata('any');
    try {
      stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', () => ({ body: describeReply([]) }));
      const copier = createAlibabaEcsCopier({ endpoint: STUB_ORIGIN, clock: instantClock() });
      const err = (await copier
        .status([{ region: 'cn-shanghai', snapshotId: 's-1' }])
        .catch((e: unknown) => e)) as SnapcopyError;
      expect(err.code).toBe('ACCESS_DENIED');
      expect(err.message).toMatch(
        /no credentials found: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET/,
      );
      expect(err.message).not.toContain('\n');
      expect(stub.calls).toEqual([]);
      expect(imds.seen).toEqual([]);
    } finally {
      imds.stop();
      restore();
    }
  });

  it('an instance RAM role named in ALIBABA_CLOUD_ECS_METADATA is asked of the instance metadata', async () => {
    const restore = withoutCredentials({ ALIBABA_CLOUD_ECS_METADATA: 'snapcopy-role' });
    const imds = watchInstanceMetadata('snapcopy-role');
    try {
      stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', () => ({ body: describeReply([]) }));
      const copier = createAlibabaEcsCopier({ endpoint: STUB_ORIGIN, clock: instantClock() });
      await copier.status([{ region: 'cn-shanghai', snapshotId: 's-1' }]);
      expect(imds.seen).toContain('/latest/meta-data/ram/security-credentials/snapcopy-role');
      expect(stub.calls[0]!.headers.authorization).toMatch(/Credential=STS\.FROMROLE,/);
    } finally {
      imds.stop();
      restore();
    }
  });

  it.each([
    [
      'status',
      (c: ReturnType<typeof stubCopier>) =>
        c.status([{ region: 'cn-shanghai', snapshotId: 'snap-0123abcd' }]),
    ],
    ['wait', (c: ReturnType<typeof stubCopier>) => c.wait({ region: 'cn-shanghai', snapshotId: 'S-UPPER' })],
    [
      'cancel',
      (c: ReturnType<typeof stubCopier>) => c.cancel({ region: 'cn-shanghai', snapshotId: 's-1; drop' }),
    ],
  ])('%s refuses an id that is not an ECS snapshot id, with no request', async (_name, call) => {
    stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', () => ({ body: describeReply([]) }));
    const err = (await call(stubCopier()).catch((e: unknown) => e)) as SnapcopyError;
    expect(is(err, 'INVALID_REQUEST')).toBe(true);
    expect(err.issues[0]?.path).toBe('refs.0.snapshotId');
    expect(stub.calls).toEqual([]);
  });

  it('STS credentials send the security token; a credential source is asked for keys', async () => {
    stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', () => ({ body: describeReply([]) }));
    await stubCopier({
      credentials: {
        accessKeyId: 'STS.abc',
        accessKeySecret: 'sts-secret-12345678',
        securityToken: 'tok-xyz-123456',
      },
    }).status([{ region: 'cn-shanghai', snapshotId: 's-1' }]);
    expect(stub.calls[0]!.headers['x-acs-security-token']).toBe('tok-xyz-123456');

    let asked = 0;
    await stubCopier({
      credentials: {
        getCredential: async () => {
          asked++;
          return { accessKeyId: 'LTAI5tSOURCE', accessKeySecret: 'source-secret-1234', type: 'access_key' };
        },
      },
    }).status([{ region: 'cn-shanghai', snapshotId: 's-1' }]);
    expect(asked).toBeGreaterThan(0);
    expect(stub.calls[1]!.headers.authorization).toMatch(/Credential=LTAI5tSOURCE,/);
  });

  it('nativeClient: one client per region, cached, usable directly (escape hatch)', async () => {
    stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', () => ({ body: describeReply([]) }));
    const copier = stubCopier();
    const a = await copier.nativeClient('cn-shanghai');
    expect(await copier.nativeClient('cn-shanghai')).toBe(a);
    expect(await copier.nativeClient('cn-beijing')).not.toBe(a);
    const ecs = await import('@alicloud/ecs20140526');
    const Request = (ecs.DescribeSnapshotsRequest ??
      ecs.default.DescribeSnapshotsRequest) as typeof ecs.DescribeSnapshotsRequest;
    const res = await a.describeSnapshots(new Request({ regionId: 'cn-shanghai' }));
    expect(res.statusCode).toBe(200);
  });

  it('SDK retries are off: one HTTP request per core attempt', async () => {
    stub = new EcsWireStub(STUB_ORIGIN).on('DescribeSnapshots', () => ecsError(503, 'ServiceUnavailable'));
    const err = await stubCopier({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } })
      .status([{ region: 'cn-shanghai', snapshotId: 's-1' }])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    expect(stub.calls).toHaveLength(2);
  });
});

describe('request timeout', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    // Answers cancel's DescribeSnapshots (a copy snapcopy made) and never answers anything
    // else: only the request timeout can end the DeleteSnapshot.
    server = createServer((req, res) => {
      const action =
        req.headers['x-acs-action'] ?? new URL(req.url ?? '/', 'http://x').searchParams.get('Action');
      if (action !== 'DescribeSnapshots') return;
      res.setHeader('content-type', 'application/json;charset=utf-8');
      res.end(
        JSON.stringify(
          describeReply([
            wireSnapshot({
              SnapshotId: 's-1',
              Tags: { Tag: [{ TagKey: 'snapcopy:client-token', TagValue: 'tok-1' }] },
            }),
          ]),
        ),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('no reply within requestTimeoutMs → PROVIDER_ERROR, retryable; ambiguous for a delete', async () => {
    const copier = createAlibabaEcsCopier({
      credentials: TEST_CREDENTIALS,
      endpoint: `http://127.0.0.1:${port}`,
      requestTimeoutMs: 1_000, // roomy: the DescribeSnapshots before it must beat it on a loaded machine
      clock: instantClock(),
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    const err = await copier
      .cancel({ region: 'cn-shanghai', snapshotId: 's-1' }, { force: true })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true, ambiguous: true });
    expect((err as Error).message).toMatch(/no reply in time/);
  });
});
