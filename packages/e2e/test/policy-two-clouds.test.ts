// One policy file, both clouds: AWS snapshots shared by a partner account and ECS
// snapshot-consistent groups, copied through both adapters to the simulators; native
// retention on ECS (RetentionDays), an expiry tag on EBS. Assertions read the simulators.
import { createAlibabaEcsCopier } from '@snapcopy/alibaba';
import { createAwsEbsCopier } from '@snapcopy/aws';
import { isSnapcopyError } from '@snapcopy/core';
import { checkPolicy, parsePolicyDocument, POLICY_TAGS, runPolicyPass } from '@snapcopy/policy';
import { Ec2Simulator, EcsSimulator, VirtualClock } from '@snapcopy/testkit';
import { describe, expect, it } from 'vitest';

const DAY = 86_400_000;
const VAULT_AWS = '222222222222';
const PARTNER = '111111111111';
const ALI = '1234567890123456';
const NO_RETRY = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

function world() {
  const clock = new VirtualClock({ start: Date.UTC(2026, 0, 1) });
  const ec2 = new Ec2Simulator({ clock, throttling: false });
  ec2.addRegions('us-east-1', 'us-west-2');
  ec2.addAccount({ id: VAULT_AWS });
  ec2.addAccount({ id: PARTNER });
  ec2.addKey({ account: VAULT_AWS, region: 'us-west-2', aliases: ['alias/vault'] });
  const shared = [
    ec2.addSnapshot({
      account: PARTNER,
      region: 'us-east-1',
      sizeGiB: 8,
      volumeSizeGiB: 16,
      description: 'nightly web',
      sharedWith: [VAULT_AWS],
      tags: { team: 'web', 'aws:backup': 'x' },
    }),
    ec2.addSnapshot({
      account: PARTNER,
      region: 'us-east-1',
      sizeGiB: 8,
      volumeSizeGiB: 16,
      description: 'weekly web',
      sharedWith: [VAULT_AWS],
    }),
  ];
  const ecs = new EcsSimulator({ clock });
  ecs.addRegions('cn-hangzhou', 'cn-shanghai');
  ecs.addAccount({ id: ALI });
  const instance = ecs.addInstance({
    account: ALI,
    region: 'cn-hangzhou',
    disks: [
      { sizeGiB: 40, usedGiB: 10 },
      { sizeGiB: 100, usedGiB: 30 },
    ],
  });
  const group = ecs.addSnapshotGroup({
    instanceId: instance.id,
    tags: { 'backup-set': 'app-1' },
    snapshotTags: { 'backup-set': 'app-1' },
  });
  ecs.addSnapshot({ account: ALI, region: 'cn-hangzhou', sizeGiB: 5, description: 'not in a set' });
  const aliCreds = ecs.credentials(ALI);
  return {
    clock,
    ec2,
    ecs,
    shared,
    group,
    async copiers() {
      const [awsServer, aliServer] = await Promise.all([ec2.listen(), ecs.listen()]);
      return {
        copiers: {
          aws: createAwsEbsCopier({
            endpoint: awsServer.url,
            credentials: ec2.credentials(VAULT_AWS),
            clock,
            retry: NO_RETRY,
          }),
          alibaba: createAlibabaEcsCopier({
            endpoint: aliServer.url,
            credentials: { accessKeyId: aliCreds.accessKeyId, accessKeySecret: aliCreds.accessKeySecret },
            clock,
            retry: NO_RETRY,
          }),
        },
        close: () => Promise.all([awsServer.close(), aliServer.close()]),
      };
    },
  };
}

const policy = parsePolicyDocument({
  version: 1,
  id: 'vault-dr',
  sources: [
    {
      provider: 'aws',
      regions: ['us-east-1'],
      owner: { sharedBy: [PARTNER] },
      descriptionRegex: 'nightly.*',
    },
    {
      provider: 'alibaba',
      regions: ['cn-hangzhou'],
      tags: { 'backup-set': 'app-1' },
      groupTag: 'backup-set',
    },
  ],
  destinations: [
    {
      provider: 'aws',
      region: 'us-west-2',
      encryption: { encrypted: true, kmsKeyId: 'alias/vault' },
      retention: { interval: 2, unit: 'weeks' },
      tags: { 'copied-by': 'vault-dr' },
      copySourceTags: true,
    },
    {
      provider: 'alibaba',
      region: 'cn-shanghai',
      encryption: { encrypted: true },
      retention: { interval: 7, unit: 'days' },
    },
  ],
});

describe('one policy, both clouds', () => {
  it('copies the partner’s nightly snapshot on AWS and the whole ECS group, each with its cloud’s retention', async () => {
    const w = world();
    const { copiers, close } = await w.copiers();
    try {
      const report = await runPolicyPass({ policy, copiers, clock: w.clock });
      expect(report.totals).toMatchObject({ copies: 3, completed: 3, failed: 0 });
      expect(report.destinations.map((d) => [d.provider, d.retention])).toEqual([
        ['aws', 'swept'],
        ['alibaba', 'native'],
      ]);

      w.ec2.world.advance();
      const awsCopies = [...w.ec2.world.snapshots.values()].filter((s) => s.copy);
      expect(awsCopies.map((s) => s.copy!.sourceSnapshotId)).toEqual([w.shared[0]!.id]);
      const awsCopy = awsCopies[0]!;
      expect(awsCopy.encrypted).toBe(true);
      expect(w.ec2.world.findKey(awsCopy.kmsKeyId!, 'us-west-2')?.aliases).toContain('alias/vault');
      // The source's user tags came along; AWS's reserved aws: prefix did not.
      expect(Object.fromEntries(awsCopy.tags)).toMatchObject({ team: 'web', 'copied-by': 'vault-dr' });
      expect(awsCopy.tags.has('aws:backup')).toBe(false);
      expect(awsCopy.tags.get(POLICY_TAGS.expiresAt)).toBe(new Date(Date.UTC(2026, 0, 15)).toISOString());

      w.ecs.advance();
      const aliCopies = [...w.ecs.world.snapshots.values()].filter((s) => s.copy);
      expect(aliCopies.map((s) => s.copy!.sourceSnapshotId).sort()).toEqual([...w.group.snapshotIds].sort());
      for (const c of aliCopies) {
        expect(c.region).toBe('cn-shanghai');
        expect(c.retentionDays).toBe(7);
        expect(c.tags.get(POLICY_TAGS.group)).toBe('app-1');
        expect(c.tags.has(POLICY_TAGS.expiresAt)).toBe(false);
      }
      expect(report.groups).toEqual([
        expect.objectContaining({ provider: 'alibaba', group: 'app-1', state: 'copy', complete: true }),
      ]);

      // A week on, ECS has released its copies itself; nothing is copied again.
      w.clock.advance(7 * DAY + 3600_000);
      const later = await runPolicyPass({ policy, copiers, clock: w.clock });
      expect(later.totals.copies).toBe(0);
      w.ecs.advance();
      expect([...w.ecs.world.snapshots.values()].filter((s) => s.copy)).toEqual([]);
      expect(later.destinations.find((d) => d.provider === 'alibaba')!.tooOld).toBe(2);
    } finally {
      await close();
    }
  });

  it('refuses, before any call, a policy that asks ECS for snapshots shared by another account', async () => {
    const w = world();
    const { copiers, close } = await w.copiers();
    try {
      const shared = parsePolicyDocument({
        version: 1,
        id: 'ali-shared',
        sources: [
          { provider: 'alibaba', regions: ['cn-hangzhou'], owner: { sharedBy: ['2234567890123456'] } },
        ],
        destinations: [{ provider: 'alibaba', region: 'cn-shanghai' }],
      });
      const check = checkPolicy(shared, copiers);
      expect(check.refusals).toEqual([
        expect.objectContaining({
          code: 'UNSUPPORTED',
          capability: 'listSharedWithCaller',
          path: 'sources.0.owner',
        }),
      ]);
      const before = w.ecs.world.requests.entries().length;
      const err = await runPolicyPass({ policy: shared, copiers, clock: w.clock }).catch((e: unknown) => e);
      expect(isSnapcopyError(err) && err.code).toBe('UNSUPPORTED');
      expect(w.ecs.world.requests.entries().length).toBe(before);
    } finally {
      await close();
    }
  });
});
