import { CopySnapshotCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SANDBOX_SEED,
  type Sandbox,
  SandboxSeedSchema,
  type SandboxSeedInput,
  startSandbox,
} from '../../src/sandbox/index.js';
import { VirtualClock } from '../../src/sim/index.js';
import { ec2Client, ecsClient } from './support.js';

const KEY_ID = '0f7e2b1c-4d5a-4e6f-8a9b-123456789abc';

/** The default world plus `edit`'s changes. */
function seedWith(
  edit: (s: { aws: Record<string, unknown>; alibaba: Record<string, unknown> }) => void,
): SandboxSeedInput {
  const seed = structuredClone(DEFAULT_SANDBOX_SEED) as unknown as {
    aws: Record<string, unknown>;
    alibaba: Record<string, unknown>;
  };
  edit(seed);
  return seed as unknown as SandboxSeedInput;
}

describe('seed additions', () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  const start = async (seed: SandboxSeedInput) => {
    sandbox = await startSandbox({ seed, clock: new VirtualClock({ autoAdvance: false }) });
    return sandbox;
  };

  it('a seed without the new fields still parses (they are optional)', () => {
    const { instances: _i, snapshotSets: _s, ...aws } = DEFAULT_SANDBOX_SEED.aws;
    const { instances: _ai, snapshotSets: _as, ...alibaba } = DEFAULT_SANDBOX_SEED.alibaba;
    expect(SandboxSeedSchema.safeParse({ aws, alibaba }).success).toBe(true);
  });

  it('a fixed key id gives the key a fixed ARN that a request can name', async () => {
    const s = await start(
      seedWith((seed) => {
        (seed.aws.keys as unknown[]).push({
          id: KEY_ID,
          account: '111111111111',
          region: 'us-west-2',
          alias: 'policy',
        });
      }),
    );
    const arn = `arn:aws:kms:us-west-2:111111111111:key/${KEY_ID}`;
    expect(s.ec2.world.keys.get(KEY_ID)?.arn).toBe(arn);
    const ec2 = ec2Client(s.aws, 'us-west-2');
    const copy = await ec2.send(
      new CopySnapshotCommand({
        SourceRegion: 'us-east-1',
        SourceSnapshotId: 'snap-0a000000000000001',
        Encrypted: true,
        KmsKeyId: arn,
      }),
    );
    ec2.destroy();
    expect(s.ec2.snapshot(copy.SnapshotId!)?.kmsKeyId).toBe(arn);
  });

  it('the default world: a public snapshot any account sees, a pre-made AWS set, an Alibaba group', async () => {
    const s = await start(DEFAULT_SANDBOX_SEED);
    const ec2 = ec2Client(s.aws, 'us-east-1');
    const pub = await ec2.send(new DescribeSnapshotsCommand({ RestorableByUserIds: ['all'] }));
    expect(pub.Snapshots?.map((x) => x.SnapshotId)).toEqual(['snap-0a200000000000001']);
    ec2.destroy();
    const west = ec2Client(s.aws, 'us-west-2');
    const set = await west.send(
      new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:backup-set', Values: ['db-nightly-1'] }] }),
    );
    expect(set.Snapshots?.map((x) => [x.SnapshotId, x.VolumeId, x.State])).toEqual([
      ['snap-0a100000000000001', 'vol-0a000000000000001', 'completed'],
      ['snap-0a100000000000002', 'vol-0a000000000000002', 'completed'],
    ]);
    expect(new Set(set.Snapshots?.map((x) => x.StartTime?.getTime())).size).toBe(1);
    west.destroy();
    const { client, mod } = await ecsClient(s.alibaba, 'cn-shanghai');
    const groups = await client.describeSnapshotGroups(
      new mod.DescribeSnapshotGroupsRequest({ regionId: 'cn-shanghai' }),
    );
    const g = groups.body?.snapshotGroups?.snapshotGroup?.[0];
    expect(g).toMatchObject({
      snapshotGroupId: 'ssg-sandbox00000000000001',
      name: 'app-nightly-1',
      status: 'accomplished',
    });
    expect(g?.snapshots?.snapshot?.map((x) => x.snapshotId)).toEqual([
      's-sandbox000000000000011',
      's-sandbox000000000000012',
    ]);
    const tagged = await client.describeSnapshots(
      new mod.DescribeSnapshotsRequest({
        regionId: 'cn-shanghai',
        tag: [new mod.DescribeSnapshotsRequestTag({ key: 'backup-set', value: 'app-nightly-1' })],
      }),
    );
    expect(tagged.body?.snapshots?.snapshot).toHaveLength(2);
  });

  it('retentionDays on an Alibaba seed snapshot releases it in virtual days', async () => {
    const s = await start(
      seedWith((seed) => {
        (seed.alibaba.snapshots as unknown[]).push({
          id: 's-sandbox000000000000099',
          account: '1234567890123456',
          region: 'cn-hangzhou',
          volumeSizeGiB: 20,
          retentionDays: 3,
        });
      }),
    );
    s.advance(2 * 86_400_000);
    expect(s.ecs.snapshot('s-sandbox000000000000099')).toBeDefined();
    s.advance(86_400_000);
    expect(s.ecs.snapshot('s-sandbox000000000000099')).toBeUndefined();
  });

  it.each([
    [
      'retentionDays on AWS (no native retention)',
      (seed: { aws: Record<string, unknown> }) => {
        (seed.aws.snapshots as Record<string, unknown>[])[0]!.retentionDays = 7;
      },
      /retentionDays is Alibaba only/,
    ],
    [
      'public on Alibaba (ECS cannot share snapshots)',
      (seed: { alibaba: Record<string, unknown> }) => {
        (seed.alibaba.snapshots as Record<string, unknown>[])[0]!.public = true;
      },
      /public is AWS only/,
    ],
    [
      'a public encrypted snapshot',
      (seed: { aws: Record<string, unknown> }) => {
        (seed.aws.snapshots as Record<string, unknown>[])[1]!.public = true;
      },
      /encrypted and cannot be made public/,
    ],
    [
      'a set of an unknown instance',
      (seed: { aws: Record<string, unknown> }) => {
        seed.aws.snapshotSets = [{ instanceId: 'i-0f000000000000099' }];
      },
      /unknown instance/,
    ],
  ] as const)('refuses %s', async (_name, edit, message) => {
    await expect(startSandbox({ seed: seedWith(edit as never), clock: new VirtualClock() })).rejects.toThrow(
      message,
    );
  });
});
