// The built CLI's policy, share and set-copy commands against an in-process sandbox on
// 127.0.0.1, judged by the simulators' own state. The DLM user guide's example runs
// unchanged; a run killed with SIGKILL mid-pass and run again makes no duplicate.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { dlmToPolicy, POLICY_TAGS } from '@snapcopy/policy';
import { type Sandbox, type SandboxSeedInput, startSandbox } from '@snapcopy/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { EXIT_CODES } from '../src/exit-codes.js';
import { DLM, DLM_SEED } from './support/fixtures.js';
import { assertBuilt, runCli } from './support/run-cli.js';

const TARGET = '222222222222';
const SOURCE = '111111111111';
const DAY = 86_400_000;

let dir: string;
beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'snapcopy-policy-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(seed: SandboxSeedInput = DLM_SEED, timeScale = 60): Promise<Sandbox> {
  sandbox = await startSandbox({ seed, timeScale });
  return sandbox;
}

/** The environment a user gets from `snapcopy sandbox --env`, as `account`, plus AWS_REGION. */
function envOf(s: Sandbox, account = TARGET): Record<string, string> {
  const aws = s.aws.accounts.find((a) => a.accountId === account)!;
  const ali = s.alibaba.accounts[0]!;
  return {
    SNAPCOPY_AWS_ENDPOINT: s.aws.endpoint,
    SNAPCOPY_ALIBABA_ENDPOINT: s.alibaba.endpoint,
    SNAPCOPY_SANDBOX_CONTROL: s.control.url,
    AWS_ACCESS_KEY_ID: aws.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
    ALIBABA_CLOUD_ACCESS_KEY_ID: ali.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ali.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(dir, 'no-such-config'),
    SNAPCOPY_POLL_MS: '200',
  };
}

/** The copies the target account holds, from the EC2 simulator's own state. */
function awsCopies(s: Sandbox) {
  s.ec2.world.advance();
  return [...s.ec2.world.snapshots.values()].filter((x) => x.copy !== undefined && x.account === TARGET);
}

describe('snapcopy policy with the DLM user guide example, unchanged', { timeout: 120_000 }, () => {
  test('validate, convert and plan read it (region from AWS_REGION); without a region it is refused in one line', async () => {
    const s = await start();
    const env = envOf(s);
    const valid = await runCli(['policy', 'validate', DLM, '--json'], { env });
    expect(valid.code, valid.stderr).toBe(EXIT_CODES.success);
    expect(JSON.parse(valid.stdout)).toMatchObject({
      ok: true,
      format: 'dlm',
      region: { region: 'us-east-1', source: 'AWS_REGION' },
    });

    const noRegion = await runCli(['policy', 'validate', DLM], { env: { ...env, AWS_REGION: undefined } });
    expect(noRegion.code).toBe(EXIT_CODES.invalidRequest);
    expect(noRegion.stderr.trim().split('\n')).toHaveLength(1);
    expect(noRegion.stderr).toContain('names no region');

    const converted = await runCli(['policy', 'convert', DLM, '--region', 'us-east-1'], { env });
    expect(converted.code, converted.stderr).toBe(EXIT_CODES.success);
    expect(JSON.parse(converted.stdout)).toEqual(
      dlmToPolicy(JSON.parse(readFileSync(DLM, 'utf8')), { region: 'us-east-1' }),
    );

    const plan = await runCli(['policy', 'plan', DLM, '--json'], { env });
    expect(plan.code, plan.stderr).toBe(EXIT_CODES.success);
    const report = JSON.parse(plan.stdout).report;
    expect(report.copies.map((c: { destinationRegion: string }) => c.destinationRegion).sort()).toEqual([
      'eu-west-2',
      'eu-west-2',
      'sa-east-1',
      'sa-east-1',
    ]);
    expect(report.totals.transferGiB).toBe(84);
    expect(awsCopies(s)).toEqual([]);
  });

  test('run --once copies to both regions; a rerun copies nothing; after three virtual days the sa-east-1 copies are deleted', async () => {
    const s = await start();
    const env = envOf(s);
    const journal = join(dir, 'dlm-once.db');
    const first = await runCli(['policy', 'run', DLM, '--once', '--journal', journal], { env });
    expect(first.code, first.stderr + first.stdout).toBe(EXIT_CODES.success);
    const made = awsCopies(s);
    expect(made.map((c) => `${c.copy!.sourceSnapshotId}>${c.region}`).sort()).toEqual([
      'snap-0d1a0000000000a01>eu-west-2',
      'snap-0d1a0000000000a01>sa-east-1',
      'snap-0d1a0000000000a02>eu-west-2',
      'snap-0d1a0000000000a02>sa-east-1',
    ]);
    for (const c of made.filter((x) => x.region === 'eu-west-2'))
      expect(s.ec2.world.findKey(c.kmsKeyId!, 'eu-west-2')?.id).toBe('8af79514-350d-4c52-bac8-8985e84171c7');

    const again = await runCli(['policy', 'run', DLM, '--once', '--journal', journal, '--json'], { env });
    expect(again.code, again.stderr).toBe(EXIT_CODES.success);
    expect(JSON.parse(again.stdout).report.totals).toMatchObject({ copies: 0, alreadyCopied: 4 });
    expect(awsCopies(s)).toHaveLength(4);

    s.advance(3 * DAY);
    const later = await runCli(['policy', 'run', DLM, '--once', '--journal', journal, '--json'], { env });
    expect(later.code, later.stderr).toBe(EXIT_CODES.success);
    expect(JSON.parse(later.stdout).report.expired.map((e: { region: string }) => e.region)).toEqual([
      'sa-east-1',
      'sa-east-1',
    ]);
    expect(awsCopies(s).map((c) => c.region)).toEqual(['eu-west-2', 'eu-west-2']);
  });

  test('a run killed with SIGKILL after its first copy started, run again with the same journal, makes each copy once', async () => {
    const s = await start(DLM_SEED, 20);
    const env = envOf(s);
    const journal = join(dir, 'dlm-kill.db');
    const killed = await runCli(['policy', 'run', DLM, '--once', '--journal', journal], {
      env,
      // Progress is on stderr.
      onStderr: (chunk, child) => {
        if (chunk.includes('copy started')) child.kill('SIGKILL');
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(awsCopies(s).length).toBeGreaterThan(0);

    // The sandbox reads its own writes at once: no need to wait out the provider's window
    // before re-sending a copy the killed run may or may not have sent.
    const rerun = await runCli(
      ['policy', 'run', DLM, '--once', '--journal', journal, '--consistency-window', '0s'],
      { env },
    );
    expect(rerun.code, rerun.stderr + rerun.stdout).toBe(EXIT_CODES.success);
    expect(rerun.stderr).toContain('resuming unfinished batch policy:dlm-');
    const copies = awsCopies(s);
    expect(copies).toHaveLength(4);
    expect(new Set(copies.map((c) => c.tags.get(LINEAGE_TAGS.clientToken))).size).toBe(4);
    expect(copies.every((c) => c.state === 'completed')).toBe(true);
  });

  test('--watch runs passes until SIGTERM and exits 0 between passes', async () => {
    const s = await start();
    let passes = 0;
    const watch = await runCli(
      ['policy', 'run', DLM, '--watch', '--every', '1m', '--journal', join(dir, 'dlm-watch.db')],
      {
        env: envOf(s),
        // Notes between passes are on stderr.
        onStderr: (chunk, child) => {
          if (chunk.includes('next pass in')) {
            passes += 1;
            child.kill('SIGTERM');
          }
        },
      },
    );
    expect(passes).toBe(1);
    expect(watch.code, watch.stderr).toBe(EXIT_CODES.success);
    expect(awsCopies(s)).toHaveLength(4);
  });
});

describe('snapcopy share and sets', { timeout: 120_000 }, () => {
  test('share (as the source account) lets the target see the snapshot; the next pass copies it', async () => {
    const s = await start();
    const shared = await runCli(
      [
        'share',
        '-p',
        'aws',
        '--region',
        'us-east-1',
        '--snapshot',
        'snap-0d1a0000000000a04',
        '--with',
        TARGET,
        '--json',
      ],
      { env: envOf(s, SOURCE) },
    );
    expect(shared.code, shared.stderr).toBe(EXIT_CODES.success);
    expect([...s.ec2.world.snapshots.get('snap-0d1a0000000000a04')!.sharedWith]).toEqual([TARGET]);
    const run = await runCli(['policy', 'run', DLM, '--once', '--journal', join(dir, 'share.db')], {
      env: envOf(s),
    });
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(awsCopies(s).filter((c) => c.copy!.sourceSnapshotId === 'snap-0d1a0000000000a04')).toHaveLength(2);
  });

  test('share on Alibaba is refused with the capability that says why (no snapshot sharing on ECS)', async () => {
    const s = await start();
    const run = await runCli(
      ['share', '-p', 'alibaba', '--region', 'cn-hangzhou', '--snapshot', 's-1', '--with', '2'],
      {
        env: envOf(s),
      },
    );
    expect(run.code).toBe(EXIT_CODES.invalidRequest);
    expect(run.stderr).toContain('shareSnapshot');
  });

  test('copy --group-tag copies an EC2 set whole and --group-id an ECS snapshot-consistent group, each copy tagged with its set', async () => {
    // The default world's sets: two volumes in us-west-2 (320 GiB of data), two disks in cn-shanghai.
    const s = await startSandbox({ timeScale: 1200 });
    sandbox = s;
    const env = { ...envOf(s, '111111111111'), AWS_REGION: undefined };
    const aws = await runCli(
      [
        'copy',
        '-p',
        'aws',
        '--from',
        'us-west-2',
        '--to',
        'us-east-1',
        '--group-tag',
        'backup-set=db-nightly-1',
        '--json',
      ],
      { env },
    );
    expect(aws.code, aws.stderr).toBe(EXIT_CODES.success);
    s.ec2.world.advance();
    const awsSet = [...s.ec2.world.snapshots.values()].filter((x) => x.copy && x.region === 'us-east-1');
    expect(awsSet).toHaveLength(2);
    expect(
      awsSet.every((c) => c.tags.get(POLICY_TAGS.group) === 'db-nightly-1' && c.state === 'completed'),
    ).toBe(true);

    const ali = await runCli(
      [
        'copy',
        '-p',
        'alibaba',
        '--from',
        'cn-shanghai',
        '--to',
        'cn-hangzhou',
        '--group-id',
        'ssg-sandbox00000000000001',
        '--json',
      ],
      { env },
    );
    expect(ali.code, ali.stderr).toBe(EXIT_CODES.success);
    s.ecs.advance();
    const group = s.ecs.snapshotGroup('ssg-sandbox00000000000001')!;
    const aliSet = [...s.ecs.world.snapshots.values()].filter((x) => x.copy && x.region === 'cn-hangzhou');
    expect(aliSet.map((c) => c.copy!.sourceSnapshotId).sort()).toEqual([...group.snapshotIds].sort());
    expect(aliSet.every((c) => c.tags.get(POLICY_TAGS.group) === 'ssg-sandbox00000000000001')).toBe(true);

    const onAws = await runCli(
      ['copy', '-p', 'aws', '--from', 'us-east-1', '--to', 'us-west-2', '--group-id', 'ssg-1'],
      { env },
    );
    expect(onAws.code).toBe(EXIT_CODES.invalidRequest);
    expect(onAws.stderr).toContain('listByGroup');
  });
});
