import { CopySnapshotCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SANDBOX_SEED,
  isLoopbackAddress,
  isLoopbackHost,
  type Sandbox,
  startSandbox,
} from '../../src/sandbox/index.js';
import { VirtualClock } from '../../src/sim/index.js';
import { controlPost, controlRequest, ec2Client, ecsClient } from './support.js';

const DAY = 86_400_000;

describe('loopback checks (one row per case)', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.5', false],
    ['::ffff:192.168.1.2', false],
    ['fe80::1', false],
    [undefined, false],
  ])('remote address %s → %s', (address, ok) => {
    expect(isLoopbackAddress(address)).toBe(ok);
  });
  it.each([
    ['127.0.0.1:4000', true],
    ['localhost:4000', true],
    ['LOCALHOST:4000', true],
    ['[::1]:4000', true],
    ['127.0.0.1:4001', false],
    ['127.0.0.1', false],
    ['evil.example:4000', false],
    [undefined, false],
  ])('Host %s on port 4000 → %s', (host, ok) => {
    expect(isLoopbackHost(host, 4000)).toBe(ok);
  });
});

describe('the control endpoint', () => {
  let sandbox: Sandbox;
  let clock: VirtualClock;
  beforeEach(async () => {
    clock = new VirtualClock({ autoAdvance: false, start: Date.UTC(2026, 5, 1) });
    sandbox = await startSandbox({ clock });
  });
  afterEach(async () => {
    await sandbox.close();
  });
  const get = (path: string) => controlRequest(sandbox.control.url, path);

  it('listens on 127.0.0.1 and lists its routes', async () => {
    expect(sandbox.control.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await get('/');
    expect(r.status).toBe(200);
    expect((r.json() as { routes: string[] }).routes.join('\n')).toMatch(
      /GET {2}\/copies[\s\S]*POST \/clock/,
    );
  });

  it('shows every copy per cloud with its client token, region, state, source and key', async () => {
    const ec2 = ec2Client(sandbox.aws, 'us-west-2');
    const awsCopy = await ec2.send(
      new CopySnapshotCommand({
        SourceRegion: 'us-east-1',
        SourceSnapshotId: 'snap-0b000000000000001',
        TagSpecifications: [
          { ResourceType: 'snapshot', Tags: [{ Key: 'snapcopy:client-token', Value: 'tok-aws-1' }] },
        ],
      }),
    );
    ec2.destroy();
    const { client, mod } = await ecsClient(sandbox.alibaba, 'cn-hangzhou');
    const aliCopy = await client.copySnapshot(
      new mod.CopySnapshotRequest({
        regionId: 'cn-hangzhou',
        snapshotId: 's-sandbox000000000000001',
        destinationRegionId: 'cn-shanghai',
        destinationSnapshotName: 'dr-copy',
        destinationSnapshotDescription: 'dr copy',
        clientToken: 'tok-ali-1',
        retentionDays: 2,
      }),
    );
    const copies = (await get('/copies')).json() as Record<string, Record<string, unknown>[]>;
    const awsTruth = sandbox.ec2.snapshot(awsCopy.SnapshotId!)!;
    expect(copies.aws).toEqual([
      expect.objectContaining({
        id: awsCopy.SnapshotId,
        region: 'us-west-2',
        account: '111111111111',
        state: 'pending',
        clientToken: 'tok-aws-1',
        source: { region: 'us-east-1', snapshotId: 'snap-0b000000000000001' },
        encrypted: true,
        kmsKeyId: awsTruth.kmsKeyId,
      }),
    ]);
    expect(copies.alibaba).toEqual([
      expect.objectContaining({
        id: aliCopy.body?.snapshotId,
        region: 'cn-shanghai',
        clientToken: 'tok-ali-1',
        source: { region: 'cn-hangzhou', snapshotId: 's-sandbox000000000000001' },
        retentionDays: 2,
      }),
    ]);
    const onlyAws = (await get('/copies?cloud=aws')).json() as Record<string, unknown>;
    expect(Object.keys(onlyAws)).toEqual(['aws']);

    // Three virtual days later: the AWS copy is done, the Alibaba copy's two days are over.
    const advanced = await controlPost(sandbox.control.url, '/clock', { advance: '3d' });
    expect(advanced.status).toBe(200);
    expect(advanced.json()).toEqual({
      now: new Date(Date.UTC(2026, 5, 4)).toISOString(),
      advancedMs: 3 * DAY,
    });
    expect(clock.now()).toBe(Date.UTC(2026, 5, 4));
    const later = (await get('/copies')).json() as Record<string, Record<string, unknown>[]>;
    expect(later.aws?.[0]?.state).toBe('completed');
    expect(later.alibaba).toEqual([]);
    expect(sandbox.ecs.world.deleted.has(aliCopy.body!.snapshotId!)).toBe(true);
  });

  it('shows the request log — operation, region, account, status, request id, time — and never a secret or parameter', async () => {
    const ec2 = ec2Client(sandbox.aws, 'us-west-2');
    await ec2.send(
      new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: 'snap-0a000000000000001' }),
    );
    const described = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    ec2.destroy();
    const r = await get('/requests?cloud=aws');
    const log = r.json() as { aws: { next: number; entries: Record<string, unknown>[] } };
    expect(log.aws.entries.map((e) => e.operation)).toEqual(['CopySnapshot', 'DescribeSnapshots']);
    expect(log.aws.entries[1]).toEqual({
      seq: 1,
      cloud: 'aws',
      operation: 'DescribeSnapshots',
      region: 'us-west-2',
      account: '111111111111',
      httpStatus: 200,
      requestId: described.$metadata.requestId,
      at: new Date(clock.now()).toISOString(),
    });
    // The simulator saw the presigned URL and the signature; the endpoint shows neither,
    // nor any key.
    for (const secret of [
      ...DEFAULT_SANDBOX_SEED.aws.accounts.flatMap((a) => [a.secretAccessKey, a.accessKeyId]),
      'PresignedUrl',
      'X-Amz-Signature',
      'Signature',
      'Credential',
    ]) {
      expect(r.text).not.toContain(secret);
    }
    const since = (await get('/requests?cloud=aws&since=1')).json() as { aws: { entries: unknown[] } };
    expect(since.aws.entries).toHaveLength(1);
  });

  it.each([
    ['a foreign Host header (DNS rebinding)', { headers: { host: 'evil.example:80' } }, 403],
    ['a foreign web origin', { headers: { origin: 'https://evil.example' } }, 403],
    [
      'a POST that is not JSON',
      { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"advance":"1d"}' },
      403,
    ],
    ['another method', { method: 'PUT' }, 405],
  ] as const)('refuses %s with %d and changes nothing', async (_name, options, status) => {
    const before = clock.now();
    const r = await controlRequest(sandbox.control.url, '/clock', options);
    expect(r.status).toBe(status);
    expect(clock.now()).toBe(before);
  });

  it.each([
    ['not a duration', { advance: '3 days' }, 400],
    ['no advance', { jump: '3d' }, 400],
  ])('POST /clock with %s is %d', async (_name, body, status) => {
    const r = await controlPost(sandbox.control.url, '/clock', body);
    expect(r.status).toBe(status);
  });

  it('unknown routes and clouds are named', async () => {
    expect((await get('/nothing')).status).toBe(404);
    expect((await get('/copies?cloud=gcp')).status).toBe(400);
  });

  it('Sandbox.advance moves the same clock', () => {
    const before = clock.now();
    sandbox.advance(DAY);
    expect(clock.now()).toBe(before + DAY);
  });
});
