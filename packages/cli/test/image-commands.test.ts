import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, type SandboxSeedInput, startSandbox } from '@snapcopy/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_IDS, DEMO_SEED } from '../src/demo/demo-seed.js';
import { EXIT_CODES } from '../src/exit-codes.js';
import { assertBuilt, type CliRun, runCli } from './support/run-cli.js';

/** The demo's world plus a large custom image whose copy stays pending for many seconds. */
const BIG_SNAPSHOT = 's-test0image0huge01';
const BIG_IMAGE = 'm-test0image0huge001';
const SEED: SandboxSeedInput = {
  ...DEMO_SEED,
  alibaba: {
    ...DEMO_SEED.alibaba,
    snapshots: [
      ...DEMO_SEED.alibaba.snapshots,
      {
        id: BIG_SNAPSHOT,
        account: DEMO_SEED.alibaba.accounts[0].id,
        region: 'cn-hangzhou',
        volumeSizeGiB: 4000,
        sizeGiB: 4000,
      },
    ],
    images: [
      ...DEMO_SEED.alibaba.images,
      {
        id: BIG_IMAGE,
        account: DEMO_SEED.alibaba.accounts[0].id,
        region: 'cn-hangzhou',
        name: 'huge',
        snapshots: [BIG_SNAPSHOT],
      },
    ],
  },
};

// The built CLI as a child process against a sandbox started here: `--image` on plan, copy,
// status, wait and cancel, with the cloud's own state as the judge.
let sandbox: Sandbox;
let env: Record<string, string | undefined>;
let dir: string;

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'snapcopy-cli-images-'));
  sandbox = await startSandbox({ seed: SEED, timeScale: 300 });
  const aws = sandbox.aws.accounts[0]!;
  const ali = sandbox.alibaba.accounts[0]!;
  env = {
    AWS_ACCESS_KEY_ID: aws.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
    ALIBABA_CLOUD_ACCESS_KEY_ID: ali.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ali.secretAccessKey,
    SNAPCOPY_AWS_ENDPOINT: sandbox.aws.endpoint,
    SNAPCOPY_ALIBABA_ENDPOINT: sandbox.alibaba.endpoint,
    SNAPCOPY_POLL_MS: '100',
    AWS_PROFILE: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ALIBABA_CLOUD_SECURITY_TOKEN: undefined,
    SNAPCOPY_PROVIDER: undefined,
    SNAPCOPY_TTY: undefined,
  };
});

afterAll(async () => {
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: readonly string[]) => runCli(args, { env });
// biome-ignore lint/suspicious/noExplicitAny: parsed CLI output; the assertions check its shape
const json = (run: CliRun): Record<string, any> => JSON.parse(run.stdout);
const AWS_AMI = ['--provider', 'aws', '--from', 'us-east-1', '--to', 'us-west-2', '--image', DEMO_IDS.awsAmi];

describe('--image on plan, copy, status, wait and cancel', { timeout: 60_000 }, () => {
  test('plan --image: one plan entry per backing snapshot, and nothing sent that changes anything', async () => {
    const before = sandbox.ec2.world.requests.count('CopyImage');
    const run = await cli(['plan', ...AWS_AMI, '--kms-key', DEMO_IDS.awsBackupKey, '--json']);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    const plan = json(run);
    expect(plan.snapshots.map((s: { source: { snapshotId: string } }) => s.source.snapshotId)).toEqual([
      DEMO_IDS.awsAmiRoot,
      DEMO_IDS.awsAmiData,
    ]);
    expect(plan.billableGiB).toEqual({ transfer: 28, storage: 28, timeBased: 0 });
    expect(sandbox.ec2.world.requests.count('CopyImage')).toBe(before);
    const table = await cli(['plan', ...AWS_AMI]);
    expect(table.stdout).toMatch(/\/dev\/xvda/);
    expect(table.stdout).toMatch(/\/dev\/sdb/);
  });

  test('both --snapshot and --image, or --retention-days with --image: one clean line, exit 2, no call', async () => {
    const both = await cli(['plan', ...AWS_AMI, '--snapshot', DEMO_IDS.awsWeb]);
    expect(both.code).toBe(EXIT_CODES.invalidRequest);
    expect(both.stderr.trim()).toMatch(/^snapcopy: .*either --snapshot or --image/);
    const retention = await cli(['copy', ...AWS_AMI, '--retention-days', '3']);
    expect(retention.code).toBe(EXIT_CODES.invalidRequest);
    expect(retention.stderr).toMatch(/retention/);
  });

  test('image ids and regions in status, wait and cancel are checked as the provider writes them, before any call; --image with a group flag is refused', async () => {
    const ec2Before = sandbox.ec2.world.requests.size;
    const ecsBefore = sandbox.ecs.world.requests.size;
    const cases = [
      {
        args: ['status', '--provider', 'aws', '--to', 'us-west-2', '--image', 'ami-nothex'],
        path: /imageId/,
      },
      {
        args: ['wait', '--provider', 'aws', '--to', 'us-west-2', '--image', 'snap-0de0000000000a001'],
        path: /AMI id/,
      },
      {
        args: ['cancel', '--provider', 'alibaba', '--to', 'cn-shanghai', '--image', 's-notanimage'],
        path: /image id/,
      },
      { args: ['status', '--provider', 'alibaba', '--to', 'Shanghai!', '--image', 'm-abc'], path: /region/ },
      {
        args: ['copy', ...AWS_AMI, '--group-tag', 'set=nightly'],
        path: /--image and a group flag contradict each other/,
      },
    ];
    for (const c of cases) {
      const run = await cli(c.args);
      expect(run.code, `${c.args.join(' ')}: ${run.stderr}`).toBe(EXIT_CODES.invalidRequest);
      // One error line; `wait` also shows its progress board on stderr (progress lives there).
      const errors = run.stderr.split('\n').filter((l) => l.startsWith('snapcopy: '));
      expect(errors, run.stderr).toHaveLength(1);
      expect(errors[0]).toMatch(c.path);
    }
    expect(sandbox.ec2.world.requests.size).toBe(ec2Before);
    expect(sandbox.ecs.world.requests.size).toBe(ecsBefore);
  });

  test('copy --image --wait: the AMI is copied and completes; exit 0', async () => {
    const run = await cli(['copy', ...AWS_AMI, '--client-token', 'cli-ami-wait', '--wait', '--json']);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    const doc = json(run);
    expect(doc.status.state).toBe('completed');
    expect(sandbox.ec2.image(doc.handle.imageId)?.state).toBe('available');
  });

  test('copy --image --json, then status, wait --timeout and cancel through the handle file: CancelCopyImage, the copy gone', async () => {
    const copy = await cli([
      'copy',
      '--provider',
      'alibaba',
      '--from',
      'cn-hangzhou',
      '--to',
      'cn-shanghai',
      '--image',
      BIG_IMAGE,
      '--json',
    ]);
    expect(copy.code, copy.stderr).toBe(EXIT_CODES.success);
    const handle = json(copy).handle;
    const file = join(dir, 'image-handle.json');
    writeFileSync(file, copy.stdout);
    const status = await cli(['status', '--handle', file, '--json']);
    expect(status.code, status.stderr).toBe(EXIT_CODES.success);
    expect(json(status).statuses[0]).toMatchObject({ imageId: handle.imageId, state: 'pending' });
    const byFlags = await cli([
      'status',
      '--provider',
      'alibaba',
      '--to',
      'cn-shanghai',
      '--image',
      handle.imageId,
    ]);
    expect(byFlags.stdout).toMatch(new RegExp(`${handle.imageId}.*pending`));
    const wait = await cli(['wait', '--handle', file, '--timeout', '1s']);
    expect(wait.code).toBe(EXIT_CODES.timeout);
    const cancel = await cli(['cancel', '--handle', file, '--json']);
    expect(cancel.code, cancel.stderr).toBe(EXIT_CODES.success);
    expect(json(cancel).cancel).toMatchObject({ takesEffect: 'immediate', snapshots: 'removed' });
    expect(sandbox.ecs.world.requests.count('CancelCopyImage')).toBeGreaterThan(0);
    expect(sandbox.ecs.image(handle.imageId)).toBeUndefined();
  });
});
