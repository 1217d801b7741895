import type { Clock, SnapshotCopier } from '@snapcopy/core';
import type { PolicyDocument, PolicyPassReport } from '@snapcopy/policy';
import { createCliRegistry, createCopier } from '../composition-root.js';
import type { Output } from '../output/output-mode.js';
import { printPassReport } from '../output/policy-report.js';
import type { RunningSandbox } from '../sandbox-loader.js';
import { DEMO_AWS_ACCOUNT, DEMO_IDS, DEMO_PARTNER_ACCOUNT } from './demo-seed.js';

const DAY = 86_400_000;

/** The demo's policy: what the partner shares as nightly backups, kept in two regions. */
export const DEMO_POLICY = {
  version: 1,
  id: 'demo-vault',
  description: "The partner's nightly backups, copied to two regions under the vault's keys",
  sources: [
    {
      provider: 'aws',
      regions: ['us-east-1'],
      owner: { sharedBy: [DEMO_PARTNER_ACCOUNT] },
      descriptionRegex: 'nightly .*',
    },
  ],
  destinations: [
    {
      provider: 'aws',
      region: 'us-west-2',
      encryption: { encrypted: true, kmsKeyId: DEMO_IDS.awsBackupKey },
      retention: { interval: 7, unit: 'days' },
    },
    {
      provider: 'aws',
      region: 'eu-west-1',
      encryption: { encrypted: true, kmsKeyId: DEMO_IDS.awsVaultEuKey },
      retention: { interval: 1, unit: 'days' },
    },
  ],
} as const;

/** What the policy part of the demo showed, judged by the simulated cloud's own state. */
export interface PolicyDemoOutcome {
  readonly passes: readonly { readonly title: string; readonly report: PolicyPassReport }[];
  /** Copies of the policy in the cloud after each pass, by region. */
  readonly copiesAfter: readonly Readonly<Record<string, number>>[];
  readonly asExpected: boolean;
  readonly why: readonly string[];
}

function header(output: Output, title: string): void {
  output.line();
  output.line(output.mode === 'tty' ? `\u001b[1m${title}\u001b[0m` : `== ${title}`);
}

/**
 * The policy part of the demo: the partner shares three snapshots with the demo account,
 * a policy copies the two nightly ones to two regions under different keys and
 * retentions, a second pass copies nothing, and a virtual day later the copies kept one
 * day are deleted.
 */
export async function runPolicyDemo(options: {
  readonly sandbox: RunningSandbox;
  readonly output: Output;
}): Promise<PolicyDemoOutcome> {
  const { sandbox, output } = options;
  const { parsePolicyDocument, runPolicyPass, POLICY_TAGS } = await import('@snapcopy/policy');
  const registry = await createCliRegistry(['aws']);
  const account = (id: string) => {
    const a = sandbox.aws.accounts.find((x) => x.accountId === id);
    if (!a) throw new Error(`the demo sandbox has no AWS account ${id}`);
    return { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
  };
  const copierOf = (id: string): SnapshotCopier =>
    createCopier(registry, 'aws', {
      endpoint: sandbox.aws.endpoint,
      credentials: account(id),
      clock: sandbox.clock,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
  const partner = copierOf(DEMO_PARTNER_ACCOUNT);
  const vault = copierOf(DEMO_AWS_ACCOUNT);
  // The sandbox's virtual time: expiry follows its clock, and waits pass as fast as it runs.
  const clock: Clock = sandbox.clock;
  const policy: PolicyDocument = parsePolicyDocument(DEMO_POLICY);

  header(output, 'A copy policy: what a partner account shares, copied on and kept for a while');
  for (const snapshotId of [DEMO_IDS.partnerNightlyDb, DEMO_IDS.partnerNightlyWeb, DEMO_IDS.partnerScratch]) {
    await partner.share!({ region: 'us-east-1', snapshotId }, [DEMO_AWS_ACCOUNT]);
    output.line(`partner ${DEMO_PARTNER_ACCOUNT} shares us-east-1/${snapshotId} with ${DEMO_AWS_ACCOUNT}`);
  }
  output.line(
    `policy ${policy.id}: snapshots shared by ${DEMO_PARTNER_ACCOUNT} whose description matches "nightly .*" go to us-west-2 (key ${DEMO_IDS.awsBackupKey}, 7 days) and eu-west-1 (key ${DEMO_IDS.awsVaultEuKey}, 1 day)`,
  );

  const copiesByRegion = (): Record<string, number> => {
    sandbox.ec2.world.advance();
    const out: Record<string, number> = {};
    for (const s of sandbox.ec2.world.snapshots.values()) {
      if (s.copy && s.tags.get(POLICY_TAGS.policy) === policy.id) out[s.region] = (out[s.region] ?? 0) + 1;
    }
    return out;
  };
  const passes: { title: string; report: PolicyPassReport }[] = [];
  const copiesAfter: Record<string, number>[] = [];
  const pass = async (title: string, mode: 'plan' | 'run') => {
    output.line();
    output.line(title);
    const report = await runPolicyPass({ policy, copiers: { aws: vault }, clock, mode });
    printPassReport(output, report);
    passes.push({ title, report });
    copiesAfter.push(copiesByRegion());
    return report;
  };

  const plan = await pass('plan: what a pass would do (nothing changes)', 'plan');
  const first = await pass('first pass', 'run');
  const second = await pass('second pass: everything is copied already', 'run');
  sandbox.advance(DAY + 3600_000);
  output.line();
  output.line('... one virtual day later');
  const third = await pass('third pass: the eu-west-1 copies have expired', 'run');
  for (const c of [vault, partner]) (c as { destroy?: () => void }).destroy?.();

  const why: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) why.push(what);
  };
  expect(
    plan.totals.copies === 4 && (copiesAfter[0]?.['us-west-2'] ?? 0) === 0,
    'the plan should show 4 copies and make none',
  );
  expect(first.totals.completed === 4, 'the first pass should complete 4 copies');
  expect(
    copiesAfter[1]?.['us-west-2'] === 2 && copiesAfter[1]?.['eu-west-1'] === 2,
    'the cloud should hold 2 copies per region',
  );
  expect(second.totals.copies === 0, 'the second pass should copy nothing');
  expect(
    third.expired.filter((e) => e.removed === 'immediate').length === 2,
    'the third pass should delete 2 expired copies',
  );
  expect(
    copiesAfter[3]?.['us-west-2'] === 2 && copiesAfter[3]?.['eu-west-1'] === undefined,
    'only the us-west-2 copies should remain',
  );
  output.line();
  output.line(
    why.length === 0
      ? 'policy: copied the two nightly snapshots to two regions under their keys; the scratch one was left out by its description; a second pass copied nothing; a day later the eu-west-1 copies were deleted.'
      : `policy: NOT as promised: ${why.join('; ')}`,
  );
  return { passes, copiesAfter, asExpected: why.length === 0, why };
}
