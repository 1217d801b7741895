import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LISTING_TAGS } from '@snapcopy/core';
import { POLICY_TAGS } from '@snapcopy/policy';
import { type Sandbox, startSandbox } from '@snapcopy/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT_CODES } from '../src/exit-codes.js';
import { DLM, DLM_SEED, ESCAPE, PRICES } from './support/fixtures.js';
import { assertBuilt, type CliRun, runCli, sandboxEnv } from './support/run-cli.js';

// The conventions aws-cli and aliyun users expect (profiles, configured regions, --output,
// --quiet, --verbose, --prices, --force, list) on the commands for images, policies, shares
// and sets, as the snapshot commands apply them. The BUILT CLI against sandboxes; cloud
// effects judged by the simulators' own state.

const AMI = 'ami-0a000000000000001';
const ECS_IMAGE = 'm-sandbox000000000000001';
/** The DLM example's target (vault) account and the account sharing with it. */
const TARGET = '222222222222';
const SOURCE = '111111111111';
const CALL = /^snapcopy: call (aws|alibaba) (\w+) ([a-z0-9-]+) (\d{3}) request-id (\S+) \d+ ms$/gm;

let sandbox: Sandbox;
let dlm: Sandbox;
let env: Record<string, string | undefined>;
let dir: string;

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'snapcopy-conventions-everywhere-'));
  [sandbox, dlm] = await Promise.all([
    startSandbox({ timeScale: 600 }),
    startSandbox({ seed: DLM_SEED, timeScale: 60 }),
  ]);
  env = sandboxEnv(sandbox, dir);
});

afterAll(async () => {
  await Promise.all([sandbox?.close(), dlm?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: readonly string[], extra: Record<string, string | undefined> = {}) =>
  runCli(args, { env: { ...env, ...extra }, killAfterMs: 30_000 });
// biome-ignore lint/suspicious/noExplicitAny: parsed CLI output; the assertions check its shape
const json = (run: CliRun): Record<string, any> => JSON.parse(run.stdout);

/** `copy --image` of the sandbox's AMI or ECS image into `to`, with a client token. */
const copyImage = (provider: 'aws' | 'alibaba', to: string, token: string, ...more: string[]) =>
  cli([
    'copy',
    '-p',
    provider,
    '--from',
    provider === 'aws' ? 'us-east-1' : 'cn-hangzhou',
    '--to',
    to,
    '--image',
    provider === 'aws' ? AMI : ECS_IMAGE,
    '--client-token',
    token,
    ...more,
  ]);

/** The environment of the DLM sandbox as `account`, with nothing from the machine. */
function dlmEnv(account = TARGET): Record<string, string | undefined> {
  const aws = dlm.aws.accounts.find((a) => a.accountId === account)!;
  return {
    ...sandboxEnv(dlm, join(dir, `dlm-${account}`)),
    AWS_ACCESS_KEY_ID: aws.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
    SNAPCOPY_SANDBOX_CONTROL: dlm.control.url,
    SNAPCOPY_POLL_MS: '200',
  };
}

describe.concurrent('images: the conventions of the snapshot commands', { timeout: 60_000 }, () => {
  test('plan --image --prices: priced per backing snapshot, each price with its source; $metadata from the cloud', async () => {
    const args = [
      'plan',
      '-p',
      'aws',
      '--from',
      'us-east-1',
      '--to',
      'us-west-2',
      '--image',
      AMI,
      // Under a key no other test copies this AMI with: a full copy whatever runs beside it
      // (after a concurrent copy without one, the plan would be incremental, nothing to move).
      '--kms-key',
      'alias/backup',
      '--prices',
      PRICES,
    ];
    const run = await cli(args, { SNAPCOPY_TTY: '0' });
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(run.stdout).toMatch(/^Cost: [\d.]+ USD once \+ [\d.]+ USD\/month/m);
    expect(run.stdout).toMatch(/^Prices: https:\/\/aws\.amazon\.com\/.* as of 2026-12-01/m);
    const plan = json(await cli([...args, '--json']));
    expect(plan.cost).toMatchObject({ currency: 'USD' });
    expect(plan.cost.oneOff).toBeGreaterThan(0);
    // The plan's $metadata names the calls the simulated cloud answered.
    const served = new Set(sandbox.ec2.world.requests.entries().map((e) => e.requestId));
    expect(plan.$metadata.requestIds.length).toBeGreaterThan(0);
    for (const id of plan.$metadata.requestIds) expect(served.has(id), id).toBe(true);
  });

  test("copy --image: the result on stdout, progress on stderr, --verbose with the cloud's request ids; --quiet: nothing on stderr", async () => {
    const run = await copyImage(
      'aws',
      'us-west-2',
      'everywhere-image-1',
      '--wait',
      '--output',
      'text',
      '--verbose',
    );
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(run.stdout).toMatch(/^image copy started: us-east-1\/ami-0a000000000000001 -> us-west-2\/ami-/m);
    expect(run.stdout).not.toMatch(/^plan: /m);
    expect(run.stderr).toMatch(/^plan: 2 backing snapshot\(s\)/m);
    const calls = [...run.stderr.matchAll(CALL)];
    expect(calls.map((c) => c[2])).toEqual(expect.arrayContaining(['CopyImage', 'DescribeImages']));
    const served = new Set(sandbox.ec2.world.requests.entries().map((e) => e.requestId));
    for (const c of calls) expect(served.has(c[5]!), c[0]).toBe(true);
    expect(run.stdout + run.stderr).not.toMatch(ESCAPE);
    expect(run.stderr).not.toContain(sandbox.aws.accounts[0]!.secretAccessKey);

    const quiet = await copyImage('aws', 'us-west-2', 'everywhere-image-1', '--quiet');
    expect(quiet.code, quiet.stderr).toBe(EXIT_CODES.success);
    expect(quiet.stdout).toMatch(/found \(same client token\)/);
    expect(quiet.stderr).toBe('');
  });

  test('status, cancel --image without --to: the configured region; a completed image copy is kept without --force, removed with it', async () => {
    const copy = await copyImage('aws', 'us-west-2', 'everywhere-image-force', '--wait', '--json');
    expect(copy.code, copy.stderr).toBe(EXIT_CODES.success);
    const id: string = json(copy).handle.imageId;
    const ref = ['-p', 'aws', '--image', id];
    const region = { AWS_REGION: 'us-west-2' };
    const status = await cli(['status', ...ref, '--json'], region);
    expect(status.code, status.stderr).toBe(EXIT_CODES.success);
    expect(json(status).statuses[0]).toMatchObject({ region: 'us-west-2', imageId: id, state: 'completed' });

    const refused = await cli(['cancel', ...ref], region);
    expect(refused.code).toBe(EXIT_CODES.invalidRequest);
    expect(refused.stderr).toMatch(
      new RegExp(`^snapcopy: INVALID_REQUEST: ${id} has completed: .*--force`, 'm'),
    );
    expect(sandbox.ec2.image(id)?.state).toBe('available');

    const forced = await cli(['cancel', ...ref, '--force', '--json'], region);
    expect(forced.code, forced.stderr).toBe(EXIT_CODES.success);
    expect(json(forced).cancel).toMatchObject({ imageId: id, takesEffect: 'immediate' });
    expect(json(forced).cancel.$metadata.requestIds.length).toBeGreaterThan(0);
    expect(sandbox.ec2.image(id)?.state ?? 'gone').not.toBe('available');
  });

  test('list --image: image copies by client token and by source, on both clouds', async () => {
    const copy = await copyImage('alibaba', 'cn-shanghai', 'everywhere-image-list', '--json');
    expect(copy.code, copy.stderr).toBe(EXIT_CODES.success);
    const id: string = json(copy).handle.imageId;
    expect(sandbox.ecs.image(id)).toBeDefined();
    const byToken = await cli([
      'list',
      '-p',
      'alibaba',
      '--to',
      'cn-shanghai',
      '--image',
      '--client-token',
      'everywhere-image-list',
      '--json',
    ]);
    expect(byToken.code, byToken.stderr).toBe(EXIT_CODES.success);
    expect(json(byToken).copies).toEqual([
      expect.objectContaining({
        ref: { region: 'cn-shanghai', imageId: id },
        clientToken: 'everywhere-image-list',
        source: { region: 'cn-hangzhou', id: ECS_IMAGE },
      }),
    ]);

    const aws = await copyImage('aws', 'eu-west-1', 'everywhere-image-list-aws', '--json');
    const amiId: string = json(aws).handle.imageId;
    const bySource = await cli([
      'list',
      '-p',
      'aws',
      '--to',
      'eu-west-1',
      '--image',
      '--source',
      AMI,
      '--json',
    ]);
    expect(bySource.code, bySource.stderr).toBe(EXIT_CODES.success);
    const ids = json(bySource).copies.map((c: { ref: { imageId: string } }) => c.ref.imageId);
    expect(ids).toContain(amiId);
    // Every image the simulated cloud holds from that source with a client token is listed.
    const inCloud = sandbox.ec2
      .images()
      .filter((i) => i.region === 'eu-west-1' && i.copy?.sourceImageId === AMI && i.state !== 'deregistered')
      .map((i) => i.id);
    expect(ids.sort()).toEqual(inCloud.sort());
  });
});

describe('policies, shares and sets: the conventions of the snapshot commands', { timeout: 120_000 }, () => {
  test("policy plan --prices: each copy priced from its provider's table, with the sources; --quiet: the report alone; --verbose: the calls", async () => {
    const run = await runCli(['policy', 'plan', DLM, '--prices', PRICES, '--json'], {
      env: { ...dlmEnv(), AWS_REGION: 'us-east-1' },
    });
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    const report = json(run).report;
    expect(report.totals.cost).toMatchObject({ currency: 'USD' });
    expect(report.totals.cost.oneOff).toBeGreaterThan(0);
    for (const c of report.copies) expect(c.plan.cost.priceSource).toMatch(/https:\/\/aws\.amazon\.com\//);

    const quiet = await runCli(['policy', 'plan', DLM, '--prices', PRICES, '--output', 'text', '--quiet'], {
      env: { ...dlmEnv(), AWS_REGION: 'us-east-1' },
    });
    expect(quiet.code, quiet.stderr).toBe(EXIT_CODES.success);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toMatch(/^would copy 4 \(.*USD once/m);
    expect(quiet.stdout).toMatch(/^prices: https:\/\/aws\.amazon\.com\//m);
    expect(quiet.stdout).not.toMatch(ESCAPE);

    const verbose = await runCli(['policy', 'plan', DLM, '--verbose'], {
      env: { ...dlmEnv(), AWS_REGION: 'us-east-1' },
    });
    expect(verbose.code, verbose.stderr).toBe(EXIT_CODES.success);
    const calls = [...verbose.stderr.matchAll(CALL)];
    expect(calls.map((c) => c[2])).toContain('DescribeSnapshots');
    const served = new Set(dlm.ec2.world.requests.entries().map((e) => e.requestId));
    for (const c of calls) expect(served.has(c[5]!), c[0]).toBe(true);
    // The heading is a note: on stderr, not in the report.
    expect(verbose.stderr).toMatch(/^policy dlm-\S+: an AWS DLM event-based policy, region us-east-1/m);
    expect(verbose.stdout).not.toMatch(/^policy dlm-/m);
  });

  test('policy run --profile: the profile gives the credentials and the DLM region; list --policy finds its copies by the policy tag', async () => {
    const h = join(dir, 'vault-home');
    mkdirSync(join(h, '.aws'), { recursive: true });
    const vault = dlm.aws.accounts.find((a) => a.accountId === TARGET)!;
    writeFileSync(join(h, '.aws', 'config'), '[profile vault]\nregion = us-east-1\n');
    writeFileSync(
      join(h, '.aws', 'credentials'),
      `[vault]\naws_access_key_id = ${vault.accessKeyId}\naws_secret_access_key = ${vault.secretAccessKey}\n`,
    );
    const profileEnv = {
      ...dlmEnv(),
      HOME: h,
      AWS_CONFIG_FILE: join(h, '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(h, '.aws', 'credentials'),
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_REGION: undefined,
    };
    const run = await runCli(
      ['policy', 'run', DLM, '--once', '--profile', 'vault', '--journal', join(dir, 'vault.db'), '--json'],
      { env: profileEnv },
    );
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(json(run).format).toBe('dlm');
    dlm.ec2.world.advance();
    const made = [...dlm.ec2.world.snapshots.values()].filter(
      (x) => x.copy && x.account === TARGET && x.tags.has(POLICY_TAGS.policy),
    );
    expect(made).toHaveLength(4);
    const policyId = made[0]!.tags.get(POLICY_TAGS.policy)!;
    // The tag the policy writes is the one listCopies finds copies by.
    expect(POLICY_TAGS.policy).toBe(LISTING_TAGS.policy);
    const listed = await runCli(
      ['list', '-p', 'aws', '--profile', 'vault', '--to', 'eu-west-2', '--policy', policyId, '--json'],
      { env: profileEnv },
    );
    expect(listed.code, listed.stderr).toBe(EXIT_CODES.success);
    const ids = json(listed).copies.map((c: { ref: { snapshotId: string } }) => c.ref.snapshotId);
    expect(ids.sort()).toEqual(
      made
        .filter((x) => x.region === 'eu-west-2')
        .map((x) => x.id)
        .sort(),
    );
  });

  test('share without --region: the configured region; --output json', async () => {
    const run = await runCli(
      ['share', '-p', 'aws', '--snapshot', 'snap-0d1a0000000000a04', '--with', TARGET, '--output', 'json'],
      { env: { ...dlmEnv(SOURCE), AWS_REGION: 'us-east-1' } },
    );
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(json(run).share).toMatchObject({ region: 'us-east-1', snapshotId: 'snap-0d1a0000000000a04' });
    expect([...dlm.ec2.world.snapshots.get('snap-0d1a0000000000a04')!.sharedWith]).toContain(TARGET);
    const missing = await runCli(
      ['share', '-p', 'aws', '--snapshot', 'snap-0d1a0000000000a04', '--with', TARGET],
      { env: dlmEnv(SOURCE) },
    );
    expect(missing.code).toBe(EXIT_CODES.invalidRequest);
    expect(missing.stderr).toMatch(/^snapcopy: INVALID_REQUEST: missing --region/m);
  });

  test('copy --group-tag: the destination from the configured region, each member priced with --prices, the set noted on stderr', async () => {
    const own = await startSandbox({ timeScale: 1200 });
    const copySet = (...more: string[]) =>
      runCli(
        ['copy', '-p', 'aws', '--from', 'us-west-2', '--group-tag', 'backup-set=db-nightly-1', ...more],
        {
          env: { ...sandboxEnv(own, join(dir, 'group')), AWS_REGION: 'us-east-1', SNAPCOPY_POLL_MS: '100' },
        },
      );
    try {
      const run = await copySet('--prices', PRICES, '--json');
      expect(run.code, run.stderr).toBe(EXIT_CODES.success);
      const doc = json(run);
      expect(doc.members).toHaveLength(2);
      for (const m of doc.members) {
        expect(m.destination.region).toBe('us-east-1');
        expect(m.cost).toMatchObject({ currency: 'USD' });
      }
      own.ec2.world.advance();
      const set = [...own.ec2.world.snapshots.values()].filter((x) => x.copy && x.region === 'us-east-1');
      expect(set.map((x) => x.id).sort()).toEqual(
        doc.members.map((m: { destination: { snapshotId: string } }) => m.destination.snapshotId).sort(),
      );
      const text = await copySet('--output', 'text');
      expect(text.code, text.stderr).toBe(EXIT_CODES.success);
      expect(text.stderr).toMatch(
        /^set backup-set=db-nightly-1: 2 snapshot\(s\) in us-west-2 -> us-east-1$/m,
      );
      expect(text.stdout).toMatch(/^set backup-set=db-nightly-1: every member copied$/m);
    } finally {
      await own.close();
    }
  });
});
