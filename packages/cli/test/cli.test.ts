import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alibabaEcsCopierProvider, alibabaImageCopierProvider } from '@snapcopy/alibaba';
import { awsEbsCopierProvider, awsImageCopierProvider } from '@snapcopy/aws';
import { CAPABILITY_KEYS, IMAGE_CAPABILITY_KEYS } from '@snapcopy/core';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { type Sandbox, type SandboxSeedInput, startSandbox } from '@snapcopy/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_IDS, DEMO_SEED } from '../src/demo/demo-seed.js';
import { EXIT_CODES } from '../src/exit-codes.js';
import {
  assertBuilt,
  type CliRun,
  expectOneCleanLine,
  runCli,
  sandboxEnv,
  TRACE_PRELOAD,
} from './support/run-cli.js';

/** The demo's world plus large snapshots whose copies stay pending for many seconds. */
const BIG_AWS_SNAPSHOT = 'snap-0de0000000000b001';
const BIG_ALIBABA_SNAPSHOT = 's-test0huge0disk01';
const TEST_SEED: SandboxSeedInput = {
  ...DEMO_SEED,
  aws: {
    ...DEMO_SEED.aws,
    snapshots: [
      ...DEMO_SEED.aws.snapshots,
      {
        id: BIG_AWS_SNAPSHOT,
        account: DEMO_SEED.aws.accounts[0].id,
        region: 'us-east-1',
        volumeSizeGiB: 4000,
        sizeGiB: 4000,
      },
    ],
  },
  alibaba: {
    ...DEMO_SEED.alibaba,
    snapshots: [
      ...DEMO_SEED.alibaba.snapshots,
      {
        id: BIG_ALIBABA_SNAPSHOT,
        account: DEMO_SEED.alibaba.accounts[0].id,
        region: 'cn-hangzhou',
        volumeSizeGiB: 4000,
        sizeGiB: 4000,
      },
    ],
  },
};

// Every test runs the BUILT CLI as a child process against a sandbox started here.
let sandbox: Sandbox;
let env: Record<string, string | undefined>;
let dir: string;

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'snapcopy-cli-'));
  // 300 virtual seconds per real second: a 24 GiB copy takes ~0.3 s, a 160 GiB one ~2 s.
  sandbox = await startSandbox({ seed: TEST_SEED, timeScale: 300 });
  env = sandboxEnv(sandbox, dir);
});

afterAll(async () => {
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: readonly string[], extraEnv: Record<string, string | undefined> = {}) =>
  runCli(args, { env: { ...env, ...extraEnv } });

// biome-ignore lint/suspicious/noExplicitAny: parsed CLI output; the assertions check its shape
const json = (run: CliRun): Record<string, any> => JSON.parse(run.stdout);

/**
 * The records of a printed table: one per row whose first cell is filled, each cell joined
 * with its continuation lines (a table in a pipe wraps long cells at 80 columns).
 */
function tableRecords(text: string): string[][] {
  const records: string[][] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('│')) continue;
    const cells = line
      .split('│')
      .slice(1, -1)
      .map((c) => c.trim());
    const last = records.at(-1);
    if (cells[0] !== '' || !last) records.push(cells);
    else for (const [i, c] of cells.entries()) last[i] += c;
  }
  return records.slice(1); // the header
}

/** A batch file of one AWS request, for flag checks that never reach it. */
const BATCH_OF_ONE = fileURLToPath(new URL('./fixtures/one-request.ndjson', import.meta.url));

const AWS_CROSS_REGION = [
  '--provider',
  'aws',
  '--from',
  'us-east-1',
  '--to',
  'us-west-2',
  '--snapshot',
  DEMO_IDS.awsWeb,
];

describe.concurrent('help and version', { timeout: 60_000 }, () => {
  test('--help lists every command and the exit codes', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(EXIT_CODES.success);
    for (const command of [
      'plan',
      'copy',
      'status',
      'wait',
      'cancel',
      'batch',
      'capabilities',
      'sandbox',
      'demo',
      'policy',
      'share',
    ]) {
      expect(run.stdout).toContain(`  ${command} `);
    }
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*\b2\b[\s\S]*\b3\b[\s\S]*\b4\b[\s\S]*\b5\b/);
  });

  test.each([
    'plan',
    'copy',
    'status',
    'wait',
    'cancel',
    'batch',
    'capabilities',
    'sandbox',
    'demo',
    'share',
    'policy validate',
    'policy plan',
    'policy run',
    'policy convert',
  ])('%s --help has an example and the exit codes', async (command) => {
    const run = await cli([...command.split(' '), '--help']);
    expect(run.code).toBe(EXIT_CODES.success);
    expect(run.stdout).toMatch(/Examples:\n {2}\$ /);
    expect(run.stdout).toContain('Exit codes:');
  });

  test('--version prints the package version', async () => {
    const run = await cli(['--version']);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  test("the entry turns on Node's compile cache (in the temporary directory by default)", async () => {
    const tmp = mkdtempSync(join(dir, 'tmpdir-'));
    const cache = join(tmp, 'node-compile-cache');
    const on = await cli(['--version'], { TMPDIR: tmp, NODE_COMPILE_CACHE: undefined });
    expect(on.code, on.stderr).toBe(0);
    expect(readdirSync(cache, { recursive: true }).length).toBeGreaterThan(0);
    rmSync(cache, { recursive: true });
    const off = await cli(['--version'], {
      TMPDIR: tmp,
      NODE_COMPILE_CACHE: undefined,
      NODE_DISABLE_COMPILE_CACHE: '1',
    });
    expect(off.code, off.stderr).toBe(0);
    expect(existsSync(cache)).toBe(false);
  });
});

async function traced(args: readonly string[]): Promise<{ run: CliRun; modules: string }> {
  const file = join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, '');
  const run = await runCli(args, {
    env: { ...env, SNAPCOPY_TRACE_FILE: file },
    nodeArgs: ['--import', TRACE_PRELOAD],
  });
  return { run, modules: readFileSync(file, 'utf8') };
}

describe.concurrent('what a command loads (traced with a loader hook)', { timeout: 60_000 }, () => {
  test.each([['--help'], ['--version']])(
    '%s loads no provider SDK, no inversify, no simulator',
    async (flag) => {
      const { run, modules } = await traced([flag]);
      expect(run.code).toBe(0);
      expect(modules).toContain('commander'); // the trace works
      expect(modules).not.toMatch(/@aws-sdk|@alicloud|inversify|@snapcopy\/testkit|testkit\/dist|nock/);
    },
  );
});

describe.concurrent('capabilities', { timeout: 60_000 }, () => {
  test("--json is one document: each provider's snapshot manifest, and its image manifest under images; no SDK loaded", async () => {
    const { run, modules } = await traced(['capabilities', '--json']);
    expect(run.code).toBe(0);
    expect(modules).not.toMatch(/@aws-sdk|@alicloud/);
    const doc = json(run);
    // The snapshot manifests where they always were; the image manifests under "images".
    expect(Object.keys(doc)).toEqual(['aws', 'alibaba', 'images']);
    expect(Object.keys(doc.images)).toEqual(['aws', 'alibaba']);
    for (const name of ['aws', 'alibaba']) {
      expect(Object.keys(doc[name]).sort()).toEqual([...CAPABILITY_KEYS].sort());
      expect(Object.keys(doc.images[name]).sort()).toEqual([...IMAGE_CAPABILITY_KEYS].sort());
    }
    // The packages' own manifests, unchanged.
    expect(doc.aws).toEqual(awsEbsCopierProvider.capabilities);
    expect(doc.images.aws).toEqual(awsImageCopierProvider.capabilities);
    expect(doc.alibaba).toEqual(alibabaEcsCopierProvider.capabilities);
    expect(doc.images.alibaba).toEqual(alibabaImageCopierProvider.capabilities);
    expect(doc.aws.sameRegionStandardCopy).toBe(true);
    expect(doc.alibaba.sameRegionStandardCopy).toBe(false);
    expect([
      doc.images.aws.maxConcurrentCopiesPerRegion,
      doc.images.alibaba.maxConcurrentCopiesPerRegion,
    ]).toEqual([300, 5]);
  });

  test('without a terminal: the snapshot table, then the image table, side by side, no colour codes', async () => {
    const run = await cli(['capabilities']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/capability\s+│ aws\s+│ alibaba/);
    expect(run.stdout).toMatch(/retentionPeriod\s+│ no\s+│ yes/);
    const image = run.stdout.indexOf('image capability');
    expect(image).toBeGreaterThan(run.stdout.indexOf('retentionPeriod'));
    const images = run.stdout.slice(image);
    expect(images).toMatch(/image capability\s+│ aws\s+│ alibaba/);
    expect(images).toMatch(/cancelMethod\s+│ deregister\s+│ cancel-copy/);
    expect(images).toMatch(/maxConcurrentCopiesPerRegion\s+│ 300\s+│ 5 /);
    // A count of 0 is a count: Alibaba takes no tags for the snapshot copies of an image.
    expect(images).toMatch(/maxSnapshotTags\s+│ 45\s+│ 0 /);
    expect(run.stdout).not.toContain('\u001b[');
  });

  test('--help names both manifests and the JSON shape', async () => {
    const run = await cli(['capabilities', '--help']);
    expect(run.code).toBe(0);
    const help = run.stdout.replace(/\s+/g, ' ');
    expect(help).toContain(
      'its snapshot manifest, then its image manifest. JSON: { <provider>: <snapshot manifest>, images: { <provider>: <image manifest> } }',
    );
    expect(help).toContain('jq .aws.timeBasedCopy');
    expect(help).toContain('jq .images.alibaba.maxConcurrentCopiesPerRegion');
  });
});

describe.concurrent('plan', { timeout: 60_000 }, () => {
  test('AWS --json has the fields scripts rely on, sends no copy, and loads nothing of Alibaba', async () => {
    const marker = `probe-${Math.random().toString(36).slice(2)}`;
    const { run, modules } = await traced([
      'plan',
      ...AWS_CROSS_REGION,
      '--kms-key',
      DEMO_IDS.awsBackupKey,
      '--tag',
      `probe=${marker}`,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(modules).toContain('@aws-sdk/client-ec2');
    expect(modules).not.toMatch(/@alicloud|packages\/alibaba|testkit\/dist|nock/);
    const plan = json(run);
    expect(plan).toMatchObject({
      provider: 'aws',
      source: { region: 'us-east-1', snapshotId: DEMO_IDS.awsWeb, encrypted: false },
      destination: { region: 'us-west-2' },
      encryption: { encrypted: true },
      transfer: 'full',
      sizeBasis: 'snapshot',
      billableGiB: { transfer: 24, storage: 24 },
    });
    expect(plan.encryption.kmsKeyId).toBeTruthy();
    expect(plan.reasons.length).toBeGreaterThan(0);
    const sentWithMarker = sandbox.ec2.world.requests
      .entries()
      .filter((e) => e.operation === 'CopySnapshot' && Object.values(e.params).includes(marker));
    expect(sentWithMarker).toEqual([]);
  });

  test('stderr stays empty on both providers: no warning from Node or an SDK', async () => {
    const runs = await Promise.all([
      cli(['plan', ...AWS_CROSS_REGION, '--json']),
      cli([
        'plan',
        '--provider',
        'alibaba',
        '--from',
        'cn-hangzhou',
        '--to',
        'cn-shanghai',
        '--snapshot',
        DEMO_IDS.aliDb,
        '--json',
      ]),
    ]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(EXIT_CODES.success);
      expect(run.stderr).toBe('');
    }
  });

  test('Alibaba without --json: a table and the reasons, and nothing of AWS loaded', async () => {
    const { run, modules } = await traced([
      'plan',
      '--provider',
      'alibaba',
      '--from',
      'cn-hangzhou',
      '--to',
      'cn-hangzhou',
      '--snapshot',
      DEMO_IDS.aliDb,
      '--encrypt',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(modules).toContain('@alicloud/ecs20140526');
    expect(modules).not.toMatch(/@aws-sdk|packages\/aws\/|testkit\/dist|nock/);
    expect(run.stdout).toMatch(/transfer\s+│ full \(billed on: disk\)/);
    expect(run.stdout).toContain('Why:');
  });
});

describe.concurrent('bad input: exit 2 and one line naming the problem', { timeout: 60_000 }, () => {
  const rows: readonly { rule: string; args: string[]; mentions: RegExp }[] = [
    {
      rule: 'a cloud command needs --provider',
      args: ['plan', '--from', 'us-east-1', '--to', 'us-west-2', '--snapshot', DEMO_IDS.awsWeb],
      mentions: /--provider/,
    },
    { rule: 'the provider must be aws or alibaba', args: ['plan', '--provider', 'gcp'], mentions: /gcp/ },
    {
      rule: 'a request needs --to and --snapshot',
      args: ['plan', '--provider', 'aws', '--from', 'us-east-1'],
      mentions: /--to <region>, --snapshot <id>/,
    },
    {
      rule: '--tag takes key=value',
      args: ['plan', ...AWS_CROSS_REGION, '--tag', 'team'],
      mentions: /--tag.*key=value/,
    },
    {
      rule: '--retention-days takes a whole number',
      args: ['plan', ...AWS_CROSS_REGION, '--retention-days', '7.5'],
      mentions: /retention-days.*whole number/,
    },
    {
      rule: "the snapshot id must have the provider's format",
      args: [
        'plan',
        '--provider',
        'aws',
        '--from',
        'us-east-1',
        '--to',
        'us-west-2',
        '--snapshot',
        'snap-xyz',
      ],
      mentions: /INVALID_REQUEST: .*source\.snapshotId/,
    },
    {
      rule: 'a time-based copy takes steps of 15 minutes',
      args: ['plan', ...AWS_CROSS_REGION, '--completion-minutes', '20'],
      mentions: /INVALID_REQUEST: .*completionDurationMinutes/,
    },
    {
      rule: 'a key and --no-encrypt contradict',
      args: ['plan', ...AWS_CROSS_REGION, '--kms-key', 'k', '--no-encrypt'],
      mentions: /--kms-key and --no-encrypt/,
    },
    {
      rule: 'a rule the request breaks is refused (retention on AWS)',
      args: ['plan', ...AWS_CROSS_REGION, '--retention-days', '7'],
      mentions: /UNSUPPORTED|INVALID_REQUEST/,
    },
    { rule: 'unknown commands are named', args: ['plann'], mentions: /unknown command 'plann'.*plan/ },
    { rule: 'unknown options are named', args: ['plan', '--frm', 'x'], mentions: /unknown option '--frm'/ },
    { rule: 'status needs a copy to look at', args: ['status', '--provider', 'aws'], mentions: /--snapshot/ },
    {
      rule: 'wait takes one copy',
      args: [
        'wait',
        '--provider',
        'aws',
        '--to',
        'us-west-2',
        '--snapshot',
        'snap-00000001',
        '--snapshot',
        'snap-00000002',
      ],
      mentions: /expected one --snapshot/,
    },
    {
      rule: '--handle must be a readable file',
      args: ['cancel', '--handle', '/nonexistent/copy.json'],
      mentions: /--handle .*no such file/,
    },
    {
      rule: 'the batch file must exist',
      args: ['batch', '/nonexistent/requests.ndjson'],
      mentions: /no such file/,
    },
    {
      rule: '--timeout takes a duration',
      args: [
        'wait',
        '--provider',
        'aws',
        '--to',
        'us-west-2',
        '--snapshot',
        'snap-00000001',
        '--timeout',
        'soon',
      ],
      mentions: /duration/,
    },
    {
      rule: '--encrypt and --no-encrypt contradict (neither silently wins)',
      args: ['plan', ...AWS_CROSS_REGION, '--encrypt', '--no-encrypt'],
      mentions: /--encrypt and --no-encrypt contradict/,
    },
    {
      rule: '--no-encrypt and --encrypt contradict, in either order',
      args: ['copy', ...AWS_CROSS_REGION, '--no-encrypt', '--encrypt'],
      mentions: /--encrypt and --no-encrypt contradict/,
    },
    {
      rule: 'an endpoint carrying user:password@ is refused, and the password never echoed',
      args: ['plan', ...AWS_CROSS_REGION, '--endpoint', 'http://admin:hunter2@127.0.0.1:4566'],
      mentions: /--endpoint: "http:\/\/\[redacted\]@127\.0\.0\.1:4566" carries credentials/,
    },
    {
      rule: 'a malformed endpoint is named',
      args: ['plan', ...AWS_CROSS_REGION, '--endpoint', 'http://[::1'],
      mentions: /--endpoint: .*not a valid URL/,
    },
    {
      rule: 'an AWS endpoint needs a scheme',
      args: ['plan', ...AWS_CROSS_REGION, '--endpoint', '127.0.0.1:4566'],
      mentions: /--endpoint: .*not an http\(s\) URL/,
    },
    {
      rule: 'a batch endpoint flag with credentials is refused by its own name',
      args: ['batch', BATCH_OF_ONE, '--aws-endpoint', 'https://key:s3cret@ec2.example.com'],
      mentions: /--aws-endpoint: .*\[redacted\]@ec2\.example\.com" carries credentials/,
    },
    {
      rule: 'status checks snapshot ids like every other command',
      args: ['status', '--provider', 'aws', '--to', 'us-west-2', '--snapshot', 'snap-xyz'],
      mentions: /refs\.0\.snapshotId: must be an EBS snapshot id/,
    },
    {
      rule: 'cancel checks snapshot ids like every other command',
      args: ['cancel', '--provider', 'alibaba', '--to', 'cn-shanghai', '--snapshot', 'snap-0123abcd'],
      mentions: /refs\.0\.snapshotId: must be an ECS snapshot id/,
    },
    {
      rule: 'status checks the region',
      args: ['status', '--provider', 'aws', '--to', 'us west 2', '--snapshot', 'snap-00000001'],
      mentions: /refs\.0\.region: must be a region id/,
    },
    ...(['__proto__', 'constructor', 'prototype'] as const).map((key) => ({
      rule: `tag key ${key} is refused, not silently dropped`,
      args: ['plan', ...AWS_CROSS_REGION, '--tag', `${key}=x`],
      mentions: new RegExp(`tag key "${key}" is not allowed`),
    })),
    {
      rule: 'control characters in echoed input are escaped (commander echo)',
      args: ['plan', '--provider', 'aws\u001b[2J\u001b[31mred'],
      mentions: /argument 'aws\\x1b\[2J\\x1b\[31mred' is invalid/,
    },
    {
      rule: 'control characters in echoed input are escaped (snapcopy message)',
      args: ['plan', ...AWS_CROSS_REGION, '--endpoint', 'http://host\u202e:1'],
      mentions: /"http:\/\/host\\u202e:1" contains spaces or control characters/,
    },
    {
      rule: '--poll-ms below 100 ms is refused (a busy loop of status calls)',
      args: [
        'wait',
        '--provider',
        'aws',
        '--to',
        'us-west-2',
        '--snapshot',
        'snap-00000001',
        '--poll-ms',
        '5',
      ],
      mentions: /--poll-ms.*at least 100 ms/,
    },
    {
      rule: '--request-timeout takes a positive duration',
      args: [
        'status',
        '--provider',
        'aws',
        '--to',
        'us-west-2',
        '--snapshot',
        'snap-00000001',
        '--request-timeout',
        '0',
      ],
      mentions: /--request-timeout.*positive duration/,
    },
    {
      rule: 'a duration beyond one timer is refused (it would fire at once)',
      args: [
        'wait',
        '--provider',
        'aws',
        '--to',
        'us-west-2',
        '--snapshot',
        'snap-00000001',
        '--timeout',
        '1000h',
      ],
      mentions: /--timeout.*at most 596h/,
    },
  ];
  test.each(rows)('$rule', async ({ args, mentions }) => {
    const run = await cli(args);
    expect(run.code, run.stderr).toBe(EXIT_CODES.invalidRequest);
    expectOneCleanLine(run, mentions);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(/hunter2|s3cret/);
  });

  test('a malformed endpoint in the environment is named by its variable', async () => {
    const run = await cli(['plan', ...AWS_CROSS_REGION], {
      SNAPCOPY_AWS_ENDPOINT: 'http://user:pw@127.0.0.1:1',
    });
    expect(run.code, run.stderr).toBe(EXIT_CODES.invalidRequest);
    expectOneCleanLine(
      run,
      /\$SNAPCOPY_AWS_ENDPOINT: "http:\/\/\[redacted\]@127\.0\.0\.1:1" carries credentials/,
    );
    expect(run.stderr).not.toContain('user:pw');
  });

  test('--poll-ms from SNAPCOPY_POLL_MS is held to the same floor', async () => {
    const run = await cli(['wait', '--provider', 'aws', '--to', 'us-west-2', '--snapshot', 'snap-00000001'], {
      SNAPCOPY_POLL_MS: '1',
    });
    expect(run.code, run.stderr).toBe(EXIT_CODES.invalidRequest);
    expectOneCleanLine(run, /at least 100 ms/);
  });

  test('missing Alibaba credentials: one clear ACCESS_DENIED line, and no request reaches ECS', async () => {
    // Its own sandbox: the tests running concurrently send requests to the shared one.
    const own = await startSandbox({ seed: TEST_SEED, timeScale: 300 });
    try {
      const run = await cli(
        [
          'plan',
          '--provider',
          'alibaba',
          '--from',
          'cn-hangzhou',
          '--to',
          'cn-shanghai',
          '--snapshot',
          DEMO_IDS.aliDb,
        ],
        {
          SNAPCOPY_ALIBABA_ENDPOINT: own.alibaba.endpoint,
          ALIBABA_CLOUD_ACCESS_KEY_ID: undefined,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined,
        },
      );
      expect(run.code, run.stderr).toBe(EXIT_CODES.providerError);
      expectOneCleanLine(
        run,
        /ACCESS_DENIED: alibaba: no credentials found: set ALIBABA_CLOUD_ACCESS_KEY_ID/,
      );
      expect(own.ecs.world.requests.entries()).toEqual([]);
    } finally {
      await own.close();
    }
  });

  test('a capability the provider lacks is refused (UNSUPPORTED), with --json also as one JSON document', async () => {
    const run = await cli([
      'plan',
      '--provider',
      'alibaba',
      '--from',
      'cn-hangzhou',
      '--to',
      'cn-hangzhou',
      '--snapshot',
      DEMO_IDS.aliDb,
      '--json',
    ]);
    expect(run.code).toBe(EXIT_CODES.invalidRequest);
    expect(json(run)).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED', provider: 'alibaba' } });
    expectOneCleanLine(run, /UNSUPPORTED/);
  });
});

describe.concurrent('provider errors: exit 3', { timeout: 60_000 }, () => {
  test('a snapshot that does not exist is NOT_FOUND', async () => {
    const run = await cli([
      'plan',
      '--provider',
      'aws',
      '--from',
      'us-east-1',
      '--to',
      'us-west-2',
      '--snapshot',
      'snap-0000000000000dead',
    ]);
    expect(run.code, run.stderr).toBe(EXIT_CODES.providerError);
    expectOneCleanLine(run, /NOT_FOUND/);
  });

  test('a wrong secret is refused by the cloud, and the secret is never printed', async () => {
    const run = await cli(['plan', ...AWS_CROSS_REGION], {
      AWS_SECRET_ACCESS_KEY: 'wrong-secret-0123456789',
    });
    expect(run.code, run.stderr).toBe(EXIT_CODES.providerError);
    expectOneCleanLine(run, /ACCESS_DENIED|PROVIDER_ERROR/);
    expect(run.stderr).not.toContain('wrong-secret-0123456789');
  });
});

describe.concurrent('copy, status, wait, cancel', { timeout: 60_000 }, () => {
  test('copy --json starts a copy; status and wait read it from the handle file', async () => {
    const copy = await cli([
      'copy',
      ...AWS_CROSS_REGION,
      '--encrypt',
      '--tag',
      'team=dr',
      '--name',
      'web-dr',
      '--json',
    ]);
    expect(copy.code, copy.stderr).toBe(0);
    const doc = json(copy);
    expect(doc).toMatchObject({
      ok: true,
      handle: { provider: 'aws', region: 'us-west-2' },
      plan: { transfer: 'full' },
    });
    const made = sandbox.ec2.world.snapshots.get(doc.handle.snapshotId);
    expect(made?.tags.get('team')).toBe('dr');
    const handleFile = join(dir, 'copy.json');
    writeFileSync(handleFile, copy.stdout);

    const status = await cli(['status', '--handle', handleFile, '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(json(status).statuses[0]).toMatchObject({ snapshotId: doc.handle.snapshotId });

    const wait = await cli(['wait', '--handle', handleFile, '--json']);
    expect(wait.code, wait.stderr).toBe(EXIT_CODES.success);
    expect(json(wait)).toMatchObject({ ok: true, status: { state: 'completed', progress: 100 } });

    const plain = await cli([
      'status',
      '--provider',
      'aws',
      '--to',
      'us-west-2',
      '--snapshot',
      doc.handle.snapshotId,
    ]);
    expect(plain.stdout).toContain(`us-west-2/${doc.handle.snapshotId}  completed  100%`);
  });

  test('copy --wait without a terminal logs plain lines and ends with a summary', async () => {
    const run = await cli([
      'copy',
      '--provider',
      'alibaba',
      '--from',
      'cn-hangzhou',
      '--to',
      'cn-shanghai',
      '--snapshot',
      DEMO_IDS.aliDb,
      '--retention-days',
      '7',
      '--wait',
    ]);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    // Progress and notes on stderr, the result on stdout; no escape code anywhere.
    expect(run.stderr).toMatch(/^plan: full transfer/m);
    expect(run.stderr).toMatch(/: started$/m);
    expect(run.stderr).toMatch(/: completed$/m);
    expect(run.stdout).toMatch(/│ completed/);
    expect(run.stdout).not.toMatch(/: started$/m);
    expect(run.stdout + run.stderr).not.toContain('\u001b[');
  });

  test('on a terminal (SNAPCOPY_TTY=1): a bar per copy, an overall bar and a summary table', async () => {
    const run = await cli(
      ['copy', ...AWS_CROSS_REGION.map((a) => (a === 'us-west-2' ? 'us-east-1' : a)), '--wait'],
      { SNAPCOPY_TTY: '1' },
    );
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    // Bars on stderr; the summary table on stdout.
    expect(run.stderr).toMatch(/overall\s*\|/);
    expect(run.stderr).toMatch(/snap-[0-9a-f]+\s*\|[█░]+\|\s+100%/);
    expect(run.stdout).toMatch(/outcome.*\n.*completed/);
  });

  test('a copy that fails later exits 4 and says why', async () => {
    const run = await cli([
      'copy',
      ...AWS_CROSS_REGION,
      '--kms-key',
      DEMO_IDS.awsRevokedKey,
      '--wait',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(EXIT_CODES.copyFailed);
    expect(json(run)).toMatchObject({ ok: false, status: { state: 'failed' } });
    expect(json(run).status.message).toMatch(/not accessible/);
    // Scripts read stderr for why: one line, even with --json.
    expectOneCleanLine(run, /the copy us-east-1\/snap-\w+ -> us-west-2\/snap-\w+ failed: .*not accessible/);
  });

  test('a wait that times out exits 5 and leaves the copy running', async () => {
    const copy = await cli([
      'copy',
      '--provider',
      'alibaba',
      '--from',
      'cn-hangzhou',
      '--to',
      'cn-shanghai',
      '--snapshot',
      BIG_ALIBABA_SNAPSHOT,
      '--json',
    ]);
    expect(copy.code, copy.stderr).toBe(0);
    const { snapshotId } = json(copy).handle;
    const wait = await cli([
      'wait',
      '--provider',
      'alibaba',
      '--to',
      'cn-shanghai',
      '--snapshot',
      snapshotId,
      '--timeout',
      '150ms',
      '--quiet',
    ]);
    expect(wait.code, wait.stderr).toBe(EXIT_CODES.timeout);
    expect(wait.stderr).toMatch(/^snapcopy: TIMEOUT: /);
    expect(sandbox.ecs.world.snapshots.get(snapshotId)?.state).toBe('pending');

    // cancel: on ECS it takes effect at once; a later status reads it as gone.
    const cancel = await cli([
      'cancel',
      '--provider',
      'alibaba',
      '--to',
      'cn-shanghai',
      '--snapshot',
      snapshotId,
      '--json',
    ]);
    expect(cancel.code, cancel.stderr).toBe(EXIT_CODES.success);
    expect(json(cancel)).toMatchObject({ ok: true, cancel: { takesEffect: 'immediate', snapshotId } });
    expect(sandbox.ecs.world.snapshots.has(snapshotId)).toBe(false);
  });

  test('SIGINT during a wait exits 130 and leaves the copy running', async () => {
    let signalled = false;
    const run = await runCli(
      [
        'copy',
        '--provider',
        'aws',
        '--from',
        'us-east-1',
        '--to',
        'us-west-2',
        '--snapshot',
        BIG_AWS_SNAPSHOT,
        '--wait',
      ],
      {
        env,
        // The copy's result line ("copy started: …") is on stdout, progress on stderr.
        onStdout: (chunk, child) => {
          if (!signalled && /copy started: /.test(chunk)) {
            signalled = true;
            child.kill('SIGINT');
          }
        },
      },
    );
    expect(signalled).toBe(true);
    expect(run.code, run.stderr).toBe(EXIT_CODES.interrupted);
    expect(run.stderr).toMatch(
      /^snapcopy: CANCELLED: interrupted; the copy .* keeps running \(follow it with: snapcopy wait /m,
    );
    const id = /-> us-west-2\/(snap-[0-9a-f]+) /.exec(run.stdout)?.[1];
    expect(sandbox.ec2.world.snapshots.get(id ?? '')?.state).toBe('pending');
  });

  test('copy without --client-token prints the token it generated when the copy call fails, and a rerun can reuse it', async () => {
    // Its own sandbox: the faults must not reach the tests running concurrently.
    const own = await startSandbox({ seed: TEST_SEED, timeScale: 300 });
    try {
      const ownEnv = { SNAPCOPY_AWS_ENDPOINT: own.aws.endpoint };
      // Every copy call fails with a 5xx until the faults are cleared.
      own.ec2.faults.add({ operation: 'CopySnapshot', kind: 'server-error', times: 100 });
      const failed = await cli(['copy', ...AWS_CROSS_REGION, '--json'], ownEnv);
      expect(failed.code, failed.stderr).toBe(EXIT_CODES.providerError);
      const token = json(failed).error?.details?.clientToken as string;
      expect(token).toMatch(/^[0-9a-f-]{36}$/);
      expectOneCleanLine(failed, new RegExp(`--client-token ${token}`));

      own.ec2.faults.clear();
      const again = await cli(['copy', ...AWS_CROSS_REGION, '--client-token', token, '--json'], ownEnv);
      expect(again.code, again.stderr).toBe(EXIT_CODES.success);
      expect(json(again).handle.clientToken).toBe(token);
    } finally {
      await own.close();
    }
  });

  test('cancel of a completed copy on Alibaba is refused without --force, naming what it would delete; with --force it is deleted', async () => {
    const copy = await cli([
      'copy',
      '--provider',
      'alibaba',
      '--from',
      'cn-hangzhou',
      '--to',
      'cn-shanghai',
      '--snapshot',
      DEMO_IDS.aliDb,
      '--wait',
      '--json',
    ]);
    expect(copy.code, copy.stderr).toBe(EXIT_CODES.success);
    const { snapshotId } = json(copy).handle;
    const ref = ['--provider', 'alibaba', '--to', 'cn-shanghai', '--snapshot', snapshotId];
    const refused = await cli(['cancel', ...ref]);
    expect(refused.code, refused.stderr).toBe(EXIT_CODES.invalidRequest);
    expectOneCleanLine(
      refused,
      new RegExp(
        `${snapshotId} has completed: .*${snapshotId} in cn-shanghai, \\d+ GiB, completed .*--force`,
      ),
    );
    expect(sandbox.ecs.world.snapshots.get(snapshotId)?.state).toBe('completed');
    const run = await cli(['cancel', ...ref, '--force']);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(sandbox.ecs.world.snapshots.get(snapshotId)).toBeUndefined();
    expect(run.stdout).toMatch(/: deleted now; the copy is gone/);
    expect(run.stdout).not.toMatch(/the partial copy is gone/);
  });

  test('cancel on AWS says the delete takes effect when the copy completes', async () => {
    const copy = await cli([
      'copy',
      '--provider',
      'aws',
      '--from',
      'us-east-1',
      '--to',
      'us-west-2',
      '--snapshot',
      BIG_AWS_SNAPSHOT,
      '--json',
    ]);
    const { snapshotId } = json(copy).handle;
    const run = await cli(['cancel', '--provider', 'aws', '--to', 'us-west-2', '--snapshot', snapshotId]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/when it completes/);
    expect(sandbox.ec2.world.snapshots.get(snapshotId)?.state).toBe('pending');
  });
});

describe.concurrent('batch', { timeout: 60_000 }, () => {
  test('runs a file through the orchestrator; a rerun with the same journal resumes and copies nothing twice', async () => {
    const file = join(dir, 'requests.ndjson');
    const journal = join(dir, 'journal.db');
    writeFileSync(
      file,
      [
        '# two clouds, one file',
        JSON.stringify({
          provider: 'aws',
          source: { region: 'us-east-1', snapshotId: DEMO_IDS.awsLogs },
          destination: { region: 'us-west-2' },
        }),
        JSON.stringify({
          provider: 'alibaba',
          request: {
            source: { region: 'cn-hangzhou', snapshotId: DEMO_IDS.aliDb },
            destination: { region: 'cn-hangzhou' },
            encryption: { encrypted: true },
          },
        }),
      ].join('\n'),
    );
    const first = await cli(['batch', file, '--journal', journal, '--json']);
    expect(first.code, first.stderr).toBe(EXIT_CODES.success);
    // Opening the journal adds nothing to stderr (no warning from Node's SQLite module).
    expect(first.stderr).toBe('');
    const doc = json(first);
    expect(doc).toMatchObject({ ok: true, resumed: false, counts: { total: 2, completed: 2 } });

    const again = await cli(['batch', file, '--journal', journal, '--quiet']);
    expect(again.code, again.stderr).toBe(EXIT_CODES.success);
    expect(again.stderr).toBe('');
    expect(again.stdout).toMatch(/\(resumed\): 2 completed/);
    // The clouds hold exactly one copy per client token, after both runs.
    for (const r of doc.results as { clientToken: string; destination: { snapshotId: string } }[]) {
      const copies = [
        ...sandbox.ec2.world.snapshots.values(),
        ...sandbox.ecs.world.snapshots.values(),
      ].filter((snap) => snap.tags.get(LINEAGE_TAGS.clientToken) === r.clientToken);
      expect(copies.map((c) => c.id)).toEqual([r.destination.snapshotId]);
    }
  });

  test('a file mixing snapshot and image lines: each copied by its kind, the image ids printed, one copy each in the clouds', async () => {
    const file = join(dir, 'kinds.ndjson');
    const journal = join(dir, 'kinds.db');
    writeFileSync(
      file,
      [
        JSON.stringify({
          provider: 'aws',
          source: { region: 'us-east-1', snapshotId: DEMO_IDS.awsLogs },
          destination: { region: 'eu-west-1' },
        }),
        JSON.stringify({
          provider: 'aws',
          source: { region: 'us-east-1', imageId: DEMO_IDS.awsAmi },
          destination: { region: 'eu-west-1' },
        }),
        JSON.stringify({
          provider: 'alibaba',
          request: {
            source: { region: 'cn-hangzhou', imageId: DEMO_IDS.aliImage },
            destination: { region: 'cn-shanghai' },
          },
        }),
      ].join('\n'),
    );
    const run = await cli(['batch', file, '--journal', journal, '--json']);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    const doc = json(run);
    expect(doc.counts).toMatchObject({ total: 3, completed: 3 });
    expect(doc.results.map((r: { kind: string }) => r.kind)).toEqual(['snapshot', 'image', 'image']);
    const [snapshot, ami, image] = doc.results as {
      clientToken: string;
      destination: { region: string; snapshotId?: string; imageId?: string };
    }[];
    expect(snapshot!.destination.snapshotId).toMatch(/^snap-/);
    expect(ami!.destination).toEqual({ region: 'eu-west-1', imageId: expect.stringMatching(/^ami-/) });
    expect(image!.destination).toEqual({ region: 'cn-shanghai', imageId: expect.stringMatching(/^m-/) });

    // The clouds' word: one image copy per token, the one printed, and one snapshot copy.
    const amiCopies = sandbox.ec2.images().filter((i) => i.copy?.clientToken === ami!.clientToken);
    expect(amiCopies.map((i) => [i.id, i.region, i.copy?.sourceImageId])).toEqual([
      [ami!.destination.imageId, 'eu-west-1', DEMO_IDS.awsAmi],
    ]);
    expect(sandbox.ecs.image(image!.destination.imageId!)?.copy?.clientToken).toBe(image!.clientToken);
    const ecsCopies = [...sandbox.ecs.state.images.images.values()].filter(
      (i) => i.copy?.clientToken === image!.clientToken,
    );
    expect(ecsCopies.map((i) => [i.id, i.region, i.copy?.sourceImageId])).toEqual([
      [image!.destination.imageId, 'cn-shanghai', DEMO_IDS.aliImage],
    ]);
    const snapshotCopies = [...sandbox.ec2.world.snapshots.values()].filter(
      (s) => s.tags.get(LINEAGE_TAGS.clientToken) === snapshot!.clientToken,
    );
    expect(snapshotCopies.map((s) => s.id)).toEqual([snapshot!.destination.snapshotId]);

    // In text, a rerun finds all three in the journal and prints each copy by its id.
    const again = await cli(['batch', file, '--journal', journal, '-o', 'text']);
    expect(again.code, again.stderr).toBe(EXIT_CODES.success);
    expect(again.stdout).toMatch(/\(resumed\): 3 completed/);
    const rows = tableRecords(again.stdout);
    expect(rows.map((r) => [r[1], r[2], r[3]])).toEqual(
      [snapshot!, ami!, image!].map((r, i) => [
        i === 0 || i === 1 ? 'aws' : 'alibaba',
        `${r.destination.region}/${r.destination.imageId ?? r.destination.snapshotId}`,
        'completed',
      ]),
    );
    expect(sandbox.ec2.images().filter((i) => i.copy?.sourceImageId === DEMO_IDS.awsAmi)).toHaveLength(1);
  });

  test('a request that is refused fails alone, and the batch exits 4', async () => {
    const file = join(dir, 'mixed.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          provider: 'alibaba',
          source: { region: 'cn-hangzhou', snapshotId: DEMO_IDS.aliDb },
          destination: { region: 'cn-hangzhou' },
        },
        {
          provider: 'aws',
          source: { region: 'us-east-1', snapshotId: DEMO_IDS.awsLogs },
          destination: { region: 'us-east-1' },
        },
      ]),
    );
    const run = await cli(['batch', file, '--journal', join(dir, 'mixed.db'), '--json']);
    expect(run.code, run.stderr).toBe(EXIT_CODES.copyFailed);
    const doc = json(run);
    expect(doc.results[0]).toMatchObject({ outcome: 'failed', error: { code: 'UNSUPPORTED' }, exitCode: 2 });
    expect(doc.results[1]).toMatchObject({ outcome: 'completed' });
  });

  test('the orchestrator owns the retries: a throttled copy call reaches its shared per-region backoff', async () => {
    // Its own sandbox: the fault must not reach the tests running concurrently.
    const own = await startSandbox({ seed: TEST_SEED, timeScale: 300 });
    try {
      own.ec2.faults.throttleNext('CopySnapshot', 1);
      const file = join(dir, 'throttled.ndjson');
      writeFileSync(
        file,
        JSON.stringify({
          provider: 'aws',
          source: { region: 'us-east-1', snapshotId: DEMO_IDS.awsLogs },
          destination: { region: 'us-west-2' },
        }),
      );
      const run = await cli(['batch', file, '--journal', join(dir, 'throttled.db'), '--json'], {
        SNAPCOPY_AWS_ENDPOINT: own.aws.endpoint,
      });
      expect(run.code, run.stderr).toBe(EXIT_CODES.success);
      expect(own.ec2.faults.injected.throttle).toBe(1);
      // With the copier's own retries the throttle would be absorbed before the queue saw it.
      expect(json(run).calls).toMatchObject({ copy: 2, throttled: 1 });
    } finally {
      await own.close();
    }
  });

  test('a file that is not JSON is named with its line', async () => {
    const file = join(dir, 'broken.ndjson');
    writeFileSync(file, '{"provider":"aws"}\nnot json\n');
    const run = await cli(['batch', file, '--journal', join(dir, 'broken.db')]);
    expect(run.code).toBe(EXIT_CODES.invalidRequest);
    expectOneCleanLine(run, /broken\.ndjson:2: not a JSON object/);
  });
});

describe.concurrent('sandbox and demo', { timeout: 60_000 }, () => {
  test('sandbox prints one JSON line with endpoints and credentials, serves requests, and exits 0 on SIGTERM', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the sandbox's JSON line; the assertions check its shape
    let info: Record<string, any> | undefined;
    let planRun: CliRun | undefined;
    const run = await runCli(['sandbox', '--time-scale', '600'], {
      env,
      onStdout: (chunk, child) => {
        if (info) return;
        info = JSON.parse(chunk.split('\n')[0]!);
        const aws = info!.aws.accounts[0];
        void cli(
          [
            'plan',
            '--provider',
            'aws',
            '--from',
            'us-east-1',
            '--to',
            'us-west-2',
            '--snapshot',
            'snap-0000000000000dead',
            '--endpoint',
            info!.aws.endpoint,
          ],
          {
            AWS_ACCESS_KEY_ID: aws.accessKeyId,
            AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
          },
        )
          .then((r) => {
            planRun = r;
          })
          .finally(() => child.kill('SIGTERM'));
      },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(info?.aws.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info?.alibaba.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info?.aws.accounts[0]).toHaveProperty('secretAccessKey');
    // The sandbox answered with its own world: the snapshot does not exist there.
    expect(planRun?.code, planRun?.stderr).toBe(EXIT_CODES.providerError);
    expect(planRun?.stderr).toMatch(/NOT_FOUND/);
  });

  test('demo --json: every scenario ends as promised', async () => {
    const run = await cli(['demo', '--json', '--time-scale', '120']);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    const doc = json(run);
    expect(doc.ok).toBe(true);
    // The CLI runs on the Node that runs the tests: the pinned one (see core's node-runtime test).
    expect(doc.node).toBe(process.version);
    expect(doc.scenarios.map((s: { label: string; asExpected: boolean }) => [s.label, s.asExpected])).toEqual(
      [
        ['aws-dr-key', true],
        ['aws-same', true],
        ['ali-encrypt', true],
        ['ali-retain', true],
        ['ali-refused', true],
        ['aws-bad-key', true],
        ['aws-retiring-key', true],
        ['aws-incremental', true],
        ['ali-cancel', true],
        ['aws-ami-key', true],
        ['ali-img-cancel', true],
      ],
    );
    expect(doc.scenarios.find((s: { label: string }) => s.label === 'aws-ami-key')).toMatchObject({
      kind: 'image',
      billMatchesPlan: true,
      status: { state: 'completed' },
    });
    expect(doc.scenarios.find((s: { label: string }) => s.label === 'ali-img-cancel')).toMatchObject({
      kind: 'image',
      status: { state: 'cancelled' },
      cancel: { takesEffect: 'immediate', snapshots: 'removed' },
    });
    expect(doc.scenarios.find((s: { label: string }) => s.label === 'ali-refused')).toMatchObject({
      error: { code: 'UNSUPPORTED' },
      copyCalls: 0,
    });
    expect(doc.scenarios.find((s: { label: string }) => s.label === 'aws-retiring-key')).toMatchObject({
      error: { code: 'ENCRYPTION_RULE' },
      copyCalls: 0,
    });
    expect(doc.scenarios.find((s: { label: string }) => s.label === 'aws-incremental')).toMatchObject({
      plan: { transfer: 'incremental', sizeBasis: 'delta', delta: { measured: 'changed-blocks', gib: 3 } },
      billableGiB: { plan: { transfer: 3, storage: 3 }, ledger: { transfer: 3, storage: 3 } },
      billMatchesPlan: true,
    });
    expect(doc.wallTimeMs).toBeLessThan(60_000);
    // The policy part, judged by the simulated cloud: two copies per region, then the
    // one-day copies gone a virtual day later.
    expect(doc.policy.asExpected, doc.policy.why.join('; ')).toBe(true);
    expect(doc.policy.copiesAfter).toEqual([
      {},
      { 'us-west-2': 2, 'eu-west-1': 2 },
      { 'us-west-2': 2, 'eu-west-1': 2 },
      { 'us-west-2': 2 },
    ]);
  });
});
