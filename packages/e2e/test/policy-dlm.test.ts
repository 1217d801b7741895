// The AWS DLM user guide's cross-account copy event policy, read unchanged from
// packages/policy/examples/dlm-cross-account-copy.json, run by the policy pass through the
// AWS adapter against a sandbox whose world is packages/policy/examples/dlm-sandbox-seed.json.
// Every assertion reads the EC2 simulator's own state.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAwsEbsCopier } from '@snapcopy/aws';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { MemoryCopyJournal } from '@snapcopy/orchestrator';
import { addCalendarMonths, parsePolicyText, POLICY_TAGS, runPolicyPass } from '@snapcopy/policy';
import { type Sandbox, startSandbox, VirtualClock } from '@snapcopy/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const examples = join(here, '..', '..', 'policy', 'examples');
const DAY = 86_400_000;
const TARGET = '222222222222';
const LONDON_KEY = '8af79514-350d-4c52-bac8-8985e84171c7';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start() {
  const clock = new VirtualClock({ start: Date.UTC(2026, 4, 31, 9) });
  sandbox = await startSandbox({
    seed: JSON.parse(readFileSync(join(examples, 'dlm-sandbox-seed.json'), 'utf8')),
    clock,
  });
  const target = sandbox.aws.accounts.find((a) => a.accountId === TARGET)!;
  const copier = createAwsEbsCopier({
    endpoint: sandbox.aws.endpoint,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    clock,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  const { policy, format } = parsePolicyText(
    readFileSync(join(examples, 'dlm-cross-account-copy.json'), 'utf8'),
    {
      region: 'us-east-1',
    },
  );
  expect(format).toBe('dlm');
  const ec2 = sandbox.ec2;
  const copies = () => {
    ec2.world.advance();
    return [...ec2.world.snapshots.values()]
      .filter((s) => s.copy !== undefined && s.account === TARGET)
      .map((s) => ({
        id: s.id,
        region: s.region,
        source: s.copy!.sourceSnapshotId,
        state: s.state,
        encrypted: s.encrypted,
        kmsKeyId: s.kmsKeyId,
        tags: Object.fromEntries(s.tags),
      }));
  };
  return { clock, copier, policy, copies, ec2 };
}

describe("the DLM user guide's cross-account copy policy, unchanged, against the sandbox", () => {
  it('copies what 111111111111 shares to sa-east-1 (unencrypted unless the source is, 3 days) and eu-west-2 (its key, 1 month); reruns make no duplicate; expired copies go', async () => {
    const { clock, copier, policy, copies, ec2 } = await start();
    // Beside the seed: a snapshot shared with the target whose key is not (DLM step 2 not done).
    const privateKey = ec2.addKey({
      account: '111111111111',
      region: 'us-east-1',
      aliases: ['alias/source-private'],
    });
    ec2.addSnapshot({
      id: 'snap-0d1a0000000000a03',
      account: '111111111111',
      region: 'us-east-1',
      sizeGiB: 4,
      volumeSizeGiB: 8,
      encrypted: true,
      kmsKeyId: privateKey.id,
      description: 'shared, but its key is not',
      sharedWith: [TARGET],
    });
    const journal = new MemoryCopyJournal();
    const startedAt = clock.now();
    const first = await runPolicyPass({ policy, copiers: { aws: copier }, journal, clock });

    // The two snapshots whose keys the target may use, to both regions.
    expect(first.totals).toMatchObject({ copies: 4, completed: 4, failed: 0 });
    const made = copies();
    expect(made.map((c) => `${c.source}>${c.region}`).sort()).toEqual([
      'snap-0d1a0000000000a01>eu-west-2',
      'snap-0d1a0000000000a01>sa-east-1',
      'snap-0d1a0000000000a02>eu-west-2',
      'snap-0d1a0000000000a02>sa-east-1',
    ]);
    expect(made.every((c) => c.state === 'completed')).toBe(true);
    // Keys: eu-west-2 under the CmkArn's key; sa-east-1 unencrypted for the unencrypted
    // source and, for the encrypted one, the target's default EBS key (as EC2 does for a
    // shared encrypted snapshot copied without a key).
    for (const c of made.filter((x) => x.region === 'eu-west-2')) {
      expect(c.encrypted).toBe(true);
      expect(ec2.world.findKey(c.kmsKeyId!, 'eu-west-2')?.id).toBe(LONDON_KEY);
    }
    const saPlain = made.find((c) => c.region === 'sa-east-1' && c.source === 'snap-0d1a0000000000a01')!;
    expect(saPlain.encrypted).toBe(false);
    const saEncrypted = made.find((c) => c.region === 'sa-east-1' && c.source === 'snap-0d1a0000000000a02')!;
    expect(saEncrypted.encrypted).toBe(true);
    expect(ec2.world.findKey(saEncrypted.kmsKeyId!, 'sa-east-1')).toMatchObject({
      account: TARGET,
      serviceKey: true,
    });
    // Retention: EBS keeps none, so each copy carries its expiry: 3 days, 1 calendar month.
    for (const c of made) {
      expect(c.tags[POLICY_TAGS.policy]).toBe(policy.id);
      expect(c.tags[LINEAGE_TAGS.sourceRegion]).toBe('us-east-1');
      const expires = Date.parse(c.tags[POLICY_TAGS.expiresAt]!);
      expect(expires).toBe(c.region === 'sa-east-1' ? startedAt + 3 * DAY : addCalendarMonths(startedAt, 1));
    }
    // The third shared snapshot's key is not shared: not copied, and the report says which steps are missing.
    expect(first.blocked.map((b) => b.sourceSnapshotId)).toEqual([
      'snap-0d1a0000000000a03',
      'snap-0d1a0000000000a03',
    ]);
    expect(first.blocked[0]!.reason).toMatch(/step 2 .* or step 4 /);
    // 31 May + 1 calendar month is 30 June.
    expect(new Date(addCalendarMonths(startedAt, 1)).toISOString()).toBe('2026-06-30T09:00:00.000Z');

    // A rerun, and a run that knows nothing (a lost journal): no new copy.
    expect((await runPolicyPass({ policy, copiers: { aws: copier }, journal, clock })).totals.copies).toBe(0);
    expect(
      (await runPolicyPass({ policy, copiers: { aws: copier }, journal: new MemoryCopyJournal(), clock }))
        .totals.copies,
    ).toBe(0);
    expect(copies()).toHaveLength(4);

    // Three virtual days on: the sa-east-1 copies are deleted, and not made again.
    clock.advance(3 * DAY + 60_000);
    const later = await runPolicyPass({ policy, copiers: { aws: copier }, journal, clock });
    expect(later.expired.map((e) => [e.region, e.removed])).toEqual([
      ['sa-east-1', 'immediate'],
      ['sa-east-1', 'immediate'],
    ]);
    expect(copies().map((c) => c.region)).toEqual(['eu-west-2', 'eu-west-2']);
    expect((await runPolicyPass({ policy, copiers: { aws: copier }, journal, clock })).totals.copies).toBe(0);

    // A month on: the eu-west-2 copies go too.
    clock.advance(28 * DAY);
    const month = await runPolicyPass({ policy, copiers: { aws: copier }, journal, clock });
    expect(month.expired.map((e) => e.region)).toEqual(['eu-west-2', 'eu-west-2']);
    expect(copies()).toEqual([]);
    copier.destroy();
  });
});
