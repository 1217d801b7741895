import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SANDBOX_SEED,
  SandboxSeedSchema,
  sandboxSeedJsonSchema,
  startSandbox,
} from '../../src/sandbox/index.js';
import { ScaledClock, simKeyState, VirtualClock } from '../../src/sim/index.js';
import { loadEcs } from '../ecs/harness.js';

const pkg = join(import.meta.dirname, '..', '..');
const bin = join(pkg, 'bin', 'snapcopy-sandbox.js');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function startBin(args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, line: out.slice(0, nl) });
    });
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

describe('sandbox seed', () => {
  it('the committed JSON Schema is the one generated from the zod schema', () => {
    const committed = JSON.parse(readFileSync(join(pkg, 'schema', 'sandbox-seed.schema.json'), 'utf8'));
    expect(committed).toEqual(sandboxSeedJsonSchema());
  });

  it('the committed example seed is valid and is the default world', () => {
    const example = JSON.parse(readFileSync(join(pkg, 'examples', 'sandbox-seed.json'), 'utf8'));
    const { $schema: _ignored, ...rest } = SandboxSeedSchema.parse(example);
    expect(rest).toEqual(SandboxSeedSchema.parse(DEFAULT_SANDBOX_SEED));
  });

  it.each([
    ['no accounts', { ...DEFAULT_SANDBOX_SEED, aws: { ...DEFAULT_SANDBOX_SEED.aws, accounts: [] } }],
    [
      'a bad region',
      { ...DEFAULT_SANDBOX_SEED, alibaba: { ...DEFAULT_SANDBOX_SEED.alibaba, regions: ['Hangzhou'] } },
    ],
    ['an unknown field', { ...DEFAULT_SANDBOX_SEED, gcp: {} }],
  ])('rejects a seed with %s', (_name, seed) => {
    expect(SandboxSeedSchema.safeParse(seed).success).toBe(false);
  });
});

describe('the default world has images on both clouds', () => {
  it('AWS: owned, shared, encrypted and instance-store AMIs; copies of them work or are refused as on EC2', async () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const sandbox = await startSandbox({ clock });
    try {
      const a = sandbox.aws.accounts[0]!;
      const ec2 = new EC2Client({
        region: 'us-west-2',
        endpoint: sandbox.aws.endpoint,
        maxAttempts: 1,
        credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
      });
      const east = new EC2Client({
        region: 'us-east-1',
        endpoint: sandbox.aws.endpoint,
        maxAttempts: 1,
        credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
      });
      const images = (await east.send(new DescribeImagesCommand({}))).Images!;
      expect(images.map((i) => [i.ImageId, i.OwnerId, i.RootDeviceType]).sort()).toEqual([
        ['ami-0a000000000000001', '111111111111', 'ebs'],
        ['ami-0b000000000000001', '111111111111', 'ebs'],
        ['ami-0c000000000000001', '111111111111', 'instance-store'],
        ['ami-0d000000000000001', '222222222222', 'ebs'],
        ['ami-0e000000000000001', '222222222222', 'ebs'],
      ]);
      for (const id of [
        'ami-0a000000000000001',
        'ami-0b000000000000001',
        'ami-0c000000000000001',
        'ami-0d000000000000001',
      ]) {
        await ec2.send(
          new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: id, Name: `copy-${id}` }),
        );
      }
      await expect(
        ec2.send(
          new CopyImageCommand({
            SourceRegion: 'us-east-1',
            SourceImageId: 'ami-0e000000000000001',
            Name: 'nope',
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidRequest' });
      clock.advance(3_600_000);
      const copies = (await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images!;
      expect(copies.map((i) => i.State)).toEqual(['available', 'available', 'available', 'available']);
      ec2.destroy();
      east.destroy();
    } finally {
      await sandbox.close();
    }
  });

  it('Alibaba: owned, encrypted and shared custom images the real SDK can list and copy', async () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const sandbox = await startSandbox({ clock });
    try {
      const { mod, Client } = await loadEcs();
      const a = sandbox.alibaba.accounts[0]!;
      const ecs = new Client(
        new $OpenApiUtil.Config({
          accessKeyId: a.accessKeyId,
          accessKeySecret: a.secretAccessKey,
          regionId: 'cn-hangzhou',
          endpoint: sandbox.alibaba.endpoint.replace(/^http:\/\//, ''),
          protocol: 'http',
        }),
      );
      const listed = await ecs.describeImages(new mod.DescribeImagesRequest({ regionId: 'cn-hangzhou' }));
      expect(listed.body!.images!.image!.map((i) => [i.imageId, i.imageOwnerAlias]).sort()).toEqual([
        ['m-sandbox000000000000001', 'self'],
        ['m-sandbox000000000000002', 'self'],
        ['m-sandbox000000000000003', 'others'],
      ]);
      const copy = (imageId: string, destinationRegionId: string) =>
        ecs.copyImage(new mod.CopyImageRequest({ regionId: 'cn-hangzhou', imageId, destinationRegionId }));
      await copy('m-sandbox000000000000001', 'cn-shanghai');
      await copy('m-sandbox000000000000002', 'cn-shanghai');
      await expect(copy('m-sandbox000000000000003', 'cn-shanghai')).rejects.toMatchObject({
        code: 'OperationDenied.SameRegionOnly',
      });
      await copy('m-sandbox000000000000003', 'cn-hangzhou');
      clock.advance(3_600_000);
      const copies = await ecs.describeImages(new mod.DescribeImagesRequest({ regionId: 'cn-shanghai' }));
      expect(copies.body!.images!.image!.map((i) => i.status)).toEqual(['Available', 'Available']);
    } finally {
      await sandbox.close();
    }
  });

  it('a seed without images still loads', () => {
    const { images: _aws, ...aws } = DEFAULT_SANDBOX_SEED.aws;
    const { images: _ali, ...alibaba } = DEFAULT_SANDBOX_SEED.alibaba;
    const parsed = SandboxSeedSchema.parse({ aws, alibaba });
    expect(parsed.aws.images).toEqual([]);
    expect(parsed.alibaba.images).toEqual([]);
  });
});

describe('ScaledClock', () => {
  it('runs virtual time faster than real time by the scale', async () => {
    const clock = new ScaledClock({ scale: 1000, start: 0 });
    await clock.sleep(20_000);
    const now = clock.now();
    expect(now).toBeGreaterThanOrEqual(20_000);
    expect(now).toBeLessThan(2_000_000);
  });
});

describe('snapcopy-sandbox (the built bin)', () => {
  it('prints endpoints and credentials on 127.0.0.1, serves the real SDK, and exits 0 on SIGTERM', async () => {
    const { child, line } = await startBin(['--time-scale', '600']);
    const info = JSON.parse(line) as {
      aws: { endpoint: string; accounts: { accessKeyId: string; secretAccessKey: string }[] };
      alibaba: { endpoint: string };
    };
    expect(info.aws.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.alibaba.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const account = info.aws.accounts[0]!;
    const ec2 = new EC2Client({
      region: 'us-east-1',
      endpoint: info.aws.endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
    });
    const out = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    expect(out.Snapshots?.map((s) => s.SnapshotId).sort()).toEqual([
      'snap-0a000000000000001',
      'snap-0b000000000000001',
      'snap-0d000000000000001',
      'snap-0d000000000000002',
      'snap-0e000000000000001',
    ]);
    ec2.destroy();
    const code = exitCode(child);
    child.kill('SIGTERM');
    expect(await code).toBe(0);
  });

  it('loads a seed file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-seed-'));
    const seed = structuredClone(DEFAULT_SANDBOX_SEED) as typeof DEFAULT_SANDBOX_SEED & {
      aws: { snapshots: unknown[]; images: unknown[]; snapshotSets?: unknown[] };
    };
    seed.aws.images = [];
    seed.aws.snapshots = [
      { id: 'snap-0f000000000000042', account: '111111111111', region: 'us-west-2', volumeSizeGiB: 8 },
    ];
    seed.aws.snapshotSets = [];
    writeFileSync(join(dir, 'seed.json'), JSON.stringify(seed));
    const { child, line } = await startBin(['--seed', join(dir, 'seed.json')]);
    const info = JSON.parse(line) as {
      aws: { endpoint: string; accounts: { accessKeyId: string; secretAccessKey: string }[] };
    };
    const a = info.aws.accounts[0]!;
    const ec2 = new EC2Client({
      region: 'us-west-2',
      endpoint: info.aws.endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    });
    const out = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    expect(out.Snapshots?.map((s) => s.SnapshotId)).toEqual(['snap-0f000000000000042']);
    ec2.destroy();
    const code = exitCode(child);
    child.kill('SIGINT');
    expect(await code).toBe(0);
  });

  it('a bad seed or flag is one line on stderr and exit code 2', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    for (const args of [['--seed', '/nonexistent/seed.json'], ['--time-scale', 'fast'], ['--bogus']]) {
      const { code, stderr } = await run(args);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^snapcopy-sandbox: /);
    }
  });
});

describe('seeded keys', () => {
  it('a key seeded with a fixed id and a state is what KMS describes, on the EC2 endpoint', async () => {
    const sandbox = await startSandbox({ clock: new VirtualClock({ autoAdvance: false }) });
    try {
      const a = sandbox.aws.accounts[0]!;
      const kms = new KMSClient({
        region: 'us-west-2',
        endpoint: sandbox.aws.endpoint,
        maxAttempts: 1,
        credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
      });
      const arn = 'arn:aws:kms:us-west-2:111111111111:key/0e7d0000-0000-4000-8000-00000000dead';
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: arn }));
      expect(KeyMetadata).toMatchObject({
        Arn: arn,
        KeyState: 'PendingDeletion',
        DeletionDate: new Date('2027-01-31T00:00:00Z'),
        Description: 'scheduled for deletion: copies under it fail',
      });
      kms.destroy();
      const retired = [...sandbox.ecs.world.keys.values()].find((k) => k.aliases.includes('alias/retired'));
      expect(retired && simKeyState(retired)).toBe('Disabled');
    } finally {
      await sandbox.close();
    }
  });

  it.each([
    ['a state contradicting enabled: false', { state: 'Enabled', enabled: false }],
    ['a deletion date without PendingDeletion', { state: 'Disabled', deletionDate: '2027-01-01T00:00:00Z' }],
    ['an unknown state', { state: 'Gone' }],
  ])('rejects a key with %s', (_name, extra) => {
    const seed = structuredClone(DEFAULT_SANDBOX_SEED) as { aws: { keys: Record<string, unknown>[] } };
    seed.aws.keys.push({ account: '111111111111', region: 'us-east-1', alias: 'x', ...extra });
    expect(SandboxSeedSchema.safeParse(seed).success).toBe(false);
  });
});
