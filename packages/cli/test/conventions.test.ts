import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PriceTableSchema, type RegionalPriceTable } from '@snapcopy/core';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { type Sandbox, startSandbox } from '@snapcopy/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT_CODES } from '../src/exit-codes.js';
import {
  assertBuilt,
  type CliRun,
  expectOneCleanLine,
  profileHome,
  runCli,
  sandboxEnv,
} from './support/run-cli.js';
import { ESCAPE, PRICES } from './support/fixtures.js';

// What aws-cli, aliyun and AWS SDK users expect, checked on the BUILT CLI against a sandbox:
// profiles, output conventions, --verbose, --force, cancels seen from another process,
// batch status and retry-failed, list and --prices. Cloud effects are judged by the
// simulators' own state.

const AWS_SRC = 'snap-0a000000000000001';
const AWS_SMALL = 'snap-0d000000000000001';
const ALI_SRC = 's-sandbox000000000000001';
const AMI = 'ami-0a000000000000001';
const ECS_IMAGE = 'm-sandbox000000000000001';
const LOOPBACK_ONLY = fileURLToPath(new URL('./fixtures/loopback-only.mjs', import.meta.url));

let sandbox: Sandbox;
let env: Record<string, string | undefined>;
let dir: string;

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'snapcopy-conventions-'));
  sandbox = await startSandbox({ timeScale: 600 });
  env = sandboxEnv(sandbox, dir);
});

afterAll(async () => {
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: readonly string[], extra: Record<string, string | undefined> = {}) =>
  runCli(args, { env: { ...env, ...extra }, killAfterMs: 30_000 });
// biome-ignore lint/suspicious/noExplicitAny: parsed CLI output; the assertions check its shape
const json = (run: CliRun): Record<string, any> => JSON.parse(run.stdout);
const awsCopies = (token: string) =>
  [...sandbox.ec2.world.snapshots.values()].filter((s) => s.tags.get(LINEAGE_TAGS.clientToken) === token);

describe.concurrent("profiles: the SDKs read the users' own config files", { timeout: 60_000 }, () => {
  const home = (name: string) => profileHome(sandbox, join(dir, name));

  // The same for a snapshot and for an image: each cloud's CLI sends CopyImage where it
  // sends CopySnapshot.
  const kinds = [
    { kind: 'snapshot', flag: '--snapshot', aws: AWS_SRC, alibaba: ALI_SRC },
    { kind: 'image', flag: '--image', aws: AMI, alibaba: ECS_IMAGE },
  ];

  test.each(kinds)(
    '--profile: AWS credentials and the destination region from the shared files ($kind)',
    async ({ kind, flag, aws }) => {
      const h = home(`aws-profile-${kind}`);
      const run = await cli(
        ['plan', '-p', 'aws', '--profile', 'dr', '--from', 'us-east-1', flag, aws, '--json'],
        h.env,
      );
      expect(run.code, run.stderr).toBe(EXIT_CODES.success);
      // aws ec2 copy-snapshot (copy-image) is sent to the configured region: the copy's destination.
      expect(json(run).destination.region).toBe('us-west-2');
      expect(json(run).source.region).toBe('us-east-1');
    },
  );

  test('AWS_PROFILE still works; --to given wins over the profile', async () => {
    const h = home('aws-env-profile');
    const run = await cli(
      ['plan', '-p', 'aws', '--from', 'us-east-1', '--to', 'eu-west-1', '--snapshot', AWS_SRC, '--json'],
      { ...h.env, AWS_PROFILE: 'dr' },
    );
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(json(run).destination.region).toBe('eu-west-1');
  });

  test.each(kinds)(
    '--profile: Alibaba credentials and the source region (region_id) from ~/.aliyun/config.json ($kind)',
    async ({ kind, flag, alibaba }) => {
      const h = home(`ali-profile-${kind}`);
      const run = await cli(
        ['plan', '-p', 'alibaba', '--profile', 'dr', '--to', 'cn-shanghai', flag, alibaba, '--json'],
        h.env,
      );
      expect(run.code, run.stderr).toBe(EXIT_CODES.success);
      // aliyun ecs CopySnapshot (CopyImage) --RegionId names the source region.
      expect(json(run).source.region).toBe('cn-hangzhou');
    },
  );

  test('ALIBABA_CLOUD_PROFILE still works', async () => {
    const h = home('ali-env-profile');
    const run = await cli(
      [
        'plan',
        '-p',
        'alibaba',
        '--from',
        'cn-hangzhou',
        '--to',
        'cn-shanghai',
        '--snapshot',
        ALI_SRC,
        '--json',
      ],
      { ...h.env, ALIBABA_CLOUD_PROFILE: 'dr' },
    );
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
  });

  test('an unknown profile is ACCESS_DENIED on both clouds, in one line', async () => {
    const h = home('no-profile');
    const aws = await cli(
      [
        'plan',
        '-p',
        'aws',
        '--profile',
        'nope',
        '--from',
        'us-east-1',
        '--to',
        'us-west-2',
        '--snapshot',
        AWS_SRC,
      ],
      h.env,
    );
    const ali = await cli(
      [
        'plan',
        '-p',
        'alibaba',
        '--profile',
        'nope',
        '--from',
        'cn-hangzhou',
        '--to',
        'cn-shanghai',
        '--snapshot',
        ALI_SRC,
      ],
      h.env,
    );
    expect(aws.code, aws.stderr).toBe(EXIT_CODES.providerError);
    expectOneCleanLine(aws, /ACCESS_DENIED/);
    expect(ali.code, ali.stderr).toBe(EXIT_CODES.providerError);
    expectOneCleanLine(ali, /ACCESS_DENIED: .*profile "nope"/);
  });

  test('a batch line\'s "profile" picks its credentials', async () => {
    const h = home('batch-profile');
    const file = join(h.home, 'profiled.ndjson');
    writeFileSync(
      file,
      `${JSON.stringify({ provider: 'aws', profile: 'dr', source: { region: 'us-east-1', snapshotId: AWS_SMALL }, destination: { region: 'eu-west-1' } })}\n`,
    );
    const run = await cli(['batch', file, '--journal', join(h.home, 'j.db'), '--json'], h.env);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(json(run).results[0]).toMatchObject({ copier: 'aws@dr', outcome: 'completed' });
    expect(awsCopies(json(run).results[0].clientToken)).toHaveLength(1);
  });

  test('--help says where the region defaults come from', async () => {
    const run = await cli(['plan', '--help']);
    const help = run.stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--profile <name>/);
    expect(help).toMatch(/aws: default \$AWS_REGION, \$AWS_DEFAULT_REGION or the profile's region/);
    expect(help).toMatch(/alibaba: default the profile's region_id or \$ALIBABA_CLOUD_REGION_ID/);
  });
});

describe.concurrent('never the real cloud by accident', { timeout: 60_000 }, () => {
  test('an endpoint variable set but empty is refused, naming it', async () => {
    const run = await cli(
      ['plan', '-p', 'aws', '--from', 'us-east-1', '--to', 'us-west-2', '--snapshot', AWS_SRC],
      {
        SNAPCOPY_AWS_ENDPOINT: '',
      },
    );
    expect(run.code).toBe(EXIT_CODES.invalidRequest);
    expectOneCleanLine(run, /\$SNAPCOPY_AWS_ENDPOINT is set but empty/);
  });

  test.each([
    [
      'aws',
      'SNAPCOPY_AWS_ENDPOINT',
      ['--from', 'us-east-1', '--to', 'us-west-2', '--snapshot', AWS_SRC],
      /AKIASANDBOX/,
    ],
    [
      'alibaba',
      'SNAPCOPY_ALIBABA_ENDPOINT',
      ['--from', 'cn-hangzhou', '--to', 'cn-shanghai', '--snapshot', ALI_SRC],
      /LTAI5tSANDBOX/,
    ],
  ])(
    '%s: sandbox keys without the sandbox endpoint are refused before anything is sent',
    async (provider, variable, args, key) => {
      // The preload blocks any connection off loopback: were the refusal missing, the run
      // would fail on the guard, never reach a cloud.
      const run = await runCli(['plan', '-p', provider, ...args], {
        env: { ...env, [variable]: undefined },
        nodeArgs: ['--import', LOOPBACK_ONLY],
      });
      expect(run.code, run.stderr).toBe(EXIT_CODES.invalidRequest);
      expectOneCleanLine(run, new RegExp(`refusing to send the sandbox's access key ${key.source}`));
      expect(run.stderr).not.toMatch(/test guard/);
    },
  );

  test('sandbox --env prints export lines for both clouds', async () => {
    // The sandbox command's own tests run the background sandbox; here its help says so.
    const run = await cli(['sandbox', '--help']);
    expect(run.stdout).toMatch(/--env/);
    expect(run.stdout).toMatch(/export lines/);
  });
});

describe.concurrent('output: results on stdout, progress on stderr, no escape codes unless wanted', {
  timeout: 60_000,
}, () => {
  const copyArgs = (token: string) => [
    'copy',
    '-p',
    'aws',
    '--from',
    'us-east-1',
    '--to',
    'us-west-2',
    '--snapshot',
    AWS_SMALL,
    '--client-token',
    token,
    '--wait',
  ];

  test('in a pipe: progress lines on stderr, the result on stdout, no escape code', async () => {
    const run = await cli(copyArgs('out-pipe'));
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(run.stderr).toMatch(/: started$/m);
    expect(run.stderr).toMatch(/^plan: /m);
    expect(run.stdout).toMatch(/^copy started: /m);
    expect(run.stdout).not.toMatch(/: started$/m);
    expect(run.stdout + run.stderr).not.toMatch(ESCAPE);
  });

  test('NO_COLOR wins over a forced terminal: lines, no bars, no colour', async () => {
    const run = await cli(copyArgs('out-nocolor'), { SNAPCOPY_TTY: '1', NO_COLOR: '1' });
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(run.stdout + run.stderr).not.toMatch(ESCAPE);
    expect(run.stderr).not.toMatch(/[█░]/);
  });

  test('on a terminal: bars on stderr within 80 columns, with an ETA', async () => {
    const run = await cli(copyArgs('out-bars'), { SNAPCOPY_TTY: '1' });
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping escape sequences
    const lines = run.stderr.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '\n').split(/[\r\n]/);
    const bars = lines.filter((l) => /\|[█░]+\|/.test(l));
    expect(bars.length).toBeGreaterThan(0);
    for (const bar of bars) expect(bar.length, bar).toBeLessThanOrEqual(80);
    expect(bars.some((b) => /eta (\d+[smh]|--)/.test(b) || /\| 100% /.test(b))).toBe(true);
  });

  test('--quiet: the result only; nothing on stderr', async () => {
    const run = await cli([...copyArgs('out-quiet'), '--quiet']);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/copy started: .*\(client token out-quiet\)/);
  });

  test('--output json|table|text; --json is its short form; both disagreeing is refused', async () => {
    const plan = ['plan', '-p', 'aws', '--from', 'us-east-1', '--to', 'us-west-2', '--snapshot', AWS_SRC];
    const asJson = await cli([...plan, '--output', 'json']);
    const short = await cli([...plan, '--json']);
    expect(json(asJson).transfer).toBe('full');
    expect(Object.keys(json(short))).toEqual(Object.keys(json(asJson)));
    const table = await cli(['capabilities', '-o', 'table']);
    expect(table.stdout).toMatch(/│ aws/);
    expect(table.stdout).not.toMatch(ESCAPE); // a table in a pipe has no colour
    const status = await cli([
      'status',
      '-p',
      'aws',
      '--to',
      'us-east-1',
      '--snapshot',
      AWS_SRC,
      '--output',
      'text',
    ]);
    expect(status.stdout.trim()).toBe(`us-east-1/${AWS_SRC}  completed  100%  unencrypted`);
    const both = await cli([...plan, '--json', '--output', 'text']);
    expect(both.code).toBe(EXIT_CODES.invalidRequest);
    expectOneCleanLine(both, /--json and --output text contradict each other/);
  });

  test('a long error wraps inside its table column: every line of the table fits 80 columns', async () => {
    const file = join(dir, 'long-error.ndjson');
    writeFileSync(
      file,
      `${JSON.stringify({ provider: 'aws', source: { region: 'us-east-1', snapshotId: 'snap-0ffffffffffffffff' }, destination: { region: 'us-west-2' } })}\n`,
    );
    const run = await cli(['batch', file, '--journal', join(dir, 'long-error.db'), '-o', 'table']);
    expect(run.code).toBe(EXIT_CODES.copyFailed);
    const table = run.stdout.split('\n').filter((l) => /^[┌│└]/.test(l));
    expect(table.length).toBeGreaterThan(3);
    for (const line of table) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(run.stdout.replace(/[│\s]+/g, ' ')).toMatch(/NOT_FOUND/);
  });
});

describe.concurrent('--verbose: every provider call, never a secret', { timeout: 60_000 }, () => {
  test("each call with its operation, region, HTTP status, request id and duration; the ids are the cloud's", async () => {
    const run = await cli([
      'plan',
      '-p',
      'aws',
      '--from',
      'us-east-1',
      '--to',
      'us-west-2',
      '--snapshot',
      AWS_SRC,
      '--kms-key',
      'alias/backup',
      '--verbose',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    const calls = [
      ...run.stderr.matchAll(/^snapcopy: call aws (\w+) ([a-z0-9-]+) (\d{3}) request-id (\S+) (\d+) ms$/gm),
    ];
    expect(calls.map((c) => c[1])).toEqual(expect.arrayContaining(['DescribeSnapshots', 'DescribeKey']));
    // The request ids are the ones the simulated cloud answered with.
    const served = new Set(sandbox.ec2.world.requests.entries().map((e) => e.requestId));
    for (const c of calls) expect(served.has(c[4]!), c[0]).toBe(true);
    // The plan's $metadata names the same calls.
    expect(json(run).$metadata.requestIds).toEqual(calls.map((c) => c[4]));
    const aws = sandbox.aws.accounts[0]!;
    expect(run.stderr).not.toContain(aws.secretAccessKey);
    expect(run.stderr).not.toMatch(/Signature|Authorization|X-Amz-|Credential=/i);
  });

  test('Alibaba too; without --verbose nothing is printed', async () => {
    const args = [
      'plan',
      '-p',
      'alibaba',
      '--from',
      'cn-hangzhou',
      '--to',
      'cn-shanghai',
      '--snapshot',
      ALI_SRC,
    ];
    const verbose = await cli([...args, '--verbose']);
    expect(verbose.stderr).toMatch(
      /^snapcopy: call alibaba DescribeSnapshots cn-hangzhou 200 request-id \S+ \d+ ms$/m,
    );
    expect(verbose.stderr).not.toContain(sandbox.alibaba.accounts[0]!.secretAccessKey);
    expect(verbose.stderr).not.toMatch(/Signature|Authorization/i);
    const quiet = await cli(args);
    expect(quiet.stderr).toBe('');
  });
});

describe.concurrent('cancel: --force for a finished copy; cancelled from any process', {
  timeout: 60_000,
}, () => {
  test('a completed copy is refused without --force (naming id, region, size, completion), deleted with it', async () => {
    const copy = await cli([
      'copy',
      '-p',
      'aws',
      '--from',
      'us-east-1',
      '--to',
      'eu-west-1',
      '--snapshot',
      AWS_SMALL,
      '--client-token',
      'force-1',
      '--wait',
      '--json',
    ]);
    expect(copy.code, copy.stderr).toBe(EXIT_CODES.success);
    const id: string = json(copy).handle.snapshotId;
    const ref = ['-p', 'aws', '--to', 'eu-west-1', '--snapshot', id];
    const refused = await cli(['cancel', ...ref]);
    expect(refused.code).toBe(EXIT_CODES.invalidRequest);
    expectOneCleanLine(
      refused,
      new RegExp(`${id} in eu-west-1, \\d+(\\.\\d+)? GiB, completed \\d{4}-\\d\\d-\\d\\dT.*--force`),
    );
    expect(sandbox.ec2.world.snapshots.get(id)?.state).toBe('completed');
    const forced = await cli(['cancel', ...ref, '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(EXIT_CODES.success);
    expect(json(forced).cancel.takesEffect).toBe('immediate');
    expect(sandbox.ec2.world.snapshots.get(id)).toBeUndefined();
  });

  // A concurrent test polls with its own context's expect.
  test('another process reads a copy snapcopy cancelled as cancelled, after AWS removed it', async ({
    expect,
  }) => {
    // Big enough to stay pending until the clock is moved on (2 TiB: hours of virtual time).
    const big = 'snap-0b160000000000001';
    sandbox.ec2.addSnapshot({
      id: big,
      account: sandbox.aws.accounts[0]!.accountId,
      region: 'us-east-1',
      volumeSizeGiB: 2048,
      sizeGiB: 2048,
      encrypted: false,
    });
    const copy = await cli([
      'copy',
      '-p',
      'aws',
      '--from',
      'us-east-1',
      '--to',
      'us-west-2',
      '--snapshot',
      big,
      '--client-token',
      'ledger-1',
      '--json',
    ]);
    expect(copy.code, copy.stderr).toBe(EXIT_CODES.success);
    const id: string = json(copy).handle.snapshotId;
    const ref = ['-p', 'aws', '--to', 'us-west-2', '--snapshot', id];
    const cancel = await cli(['cancel', ...ref, '--json']);
    expect(json(cancel).cancel.takesEffect).toBe('on-completion');
    // AWS deletes it once it completes; then nothing in the cloud says who deleted it.
    // A day later the copy has completed, and AWS deletes it.
    sandbox.advance(24 * 3600_000);
    await expect
      .poll(
        () => {
          // The simulated world applies the passing of time when asked.
          sandbox.ec2.world.advance();
          return sandbox.ec2.world.snapshots.get(id);
        },
        { timeout: 20_000, interval: 100 },
      )
      .toBeUndefined();
    const shared = await cli(['status', ...ref, '--json']);
    expect(json(shared).statuses[0].state).toBe('cancelled');
    const elsewhere = await cli(['status', ...ref, '--json'], {
      SNAPCOPY_STATE_DIR: join(dir, 'another-state'),
    });
    expect(json(elsewhere).statuses[0].state).toBe('failed');
  });
});

describe('batch status, retry-failed, a resumed batch, list', { timeout: 120_000 }, () => {
  test('a failed copy is retried alone with a new token; status lists every copy; a rerun names the replayed failure; list finds the copies', async () => {
    const missing = 'snap-0c0ffee0000000001';
    const file = join(dir, 'retry.ndjson');
    const journal = join(dir, 'retry.db');
    writeFileSync(
      file,
      [
        {
          provider: 'aws',
          source: { region: 'us-east-1', snapshotId: 'snap-0d000000000000002' },
          destination: { region: 'us-west-2' },
          tags: { run: 'retry' },
        },
        {
          provider: 'aws',
          source: { region: 'us-east-1', snapshotId: missing },
          destination: { region: 'us-west-2' },
        },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const first = await cli(['batch', file, '--journal', journal, '--json', '--prices', PRICES]);
    expect(first.code).toBe(EXIT_CODES.copyFailed);
    const doc = json(first);
    const batchId: string = doc.batchId;
    expect(doc.results.map((r: { outcome: string }) => r.outcome)).toEqual(['completed', 'failed']);
    // Money with --prices: the completed copy's plan priced with the AWS table.
    expect(doc.results[0].cost).toMatchObject({ currency: 'USD' });
    expect(doc.totals[0]).toMatchObject({ currency: 'USD' });
    expect(doc.totals[0].oneOff).toBeGreaterThan(0);

    // The source appears; only the failed copy runs again, with a token of the retry batch.
    const account = sandbox.aws.accounts[0]!.accountId;
    sandbox.ec2.addSnapshot({
      id: missing,
      account,
      region: 'us-east-1',
      volumeSizeGiB: 8,
      sizeGiB: 4,
      encrypted: false,
    });
    const retry = await cli(['batch', 'retry-failed', file, '--journal', journal, '--json']);
    expect(retry.code, retry.stderr).toBe(EXIT_CODES.success);
    const retried = json(retry);
    expect(retried.batchId).toBe(`${batchId}.retry-1`);
    expect(retried.results).toHaveLength(1);
    expect(retried.results[0].clientToken).toBe(`${batchId}.retry-1.0`);
    const retriedCopy = awsCopies(`${batchId}.retry-1.0`);
    expect(retriedCopy.map((s) => s.tags.get(LINEAGE_TAGS.sourceSnapshot))).toEqual([missing]);
    // The copy that had completed was not made again.
    expect(awsCopies(`${batchId}.0`)).toHaveLength(1);
    expect(awsCopies(`${batchId}.1`)).toHaveLength(0);

    // Nothing left to retry.
    const none = await cli(['batch', 'retry-failed', file, '--journal', journal]);
    expect(none.code).toBe(EXIT_CODES.success);
    expect(none.stdout).toMatch(/no failed copy to run again/);

    // batch status: every copy of the batch and of its retry, from the journal alone.
    const requestsBefore = sandbox.ec2.world.requests.size;
    const status = await cli(['batch', 'status', '--journal', journal, '--json']);
    expect(status.code, status.stderr).toBe(EXIT_CODES.success);
    const batches = json(status).batches as { batchId: string; entries: { state: string }[] }[];
    expect(batches.map((b) => [b.batchId, b.entries.map((e) => e.state)])).toEqual([
      [batchId, ['completed', 'failed']],
      [`${batchId}.retry-1`, ['completed']],
    ]);
    const text = await cli(['batch', 'status', file, '--journal', journal, '-o', 'text']);
    expect(text.stdout).toMatch(new RegExp(`batch ${batchId}: 1 completed, 1 failed`));
    expect(sandbox.ec2.world.requests.size).toBe(requestsBefore);

    // Rerunning the batch resumes it: its failure is replayed, and said so.
    const again = await cli(['batch', file, '--journal', journal]);
    expect(again.code).toBe(EXIT_CODES.copyFailed);
    expect(again.stderr).toMatch(
      /resumed batch .*1 failure\(s\) replayed from the journal, not run again: #1 \(NOT_FOUND\); to run them again: snapcopy batch retry-failed/,
    );

    // list: the batch's copies, and all copies of a source, as the cloud holds them.
    const byBatch = await cli(['list', '-p', 'aws', '--to', 'us-west-2', '--batch', batchId, '--json']);
    expect(byBatch.code, byBatch.stderr).toBe(EXIT_CODES.success);
    expect(json(byBatch).copies.map((c: { clientToken: string }) => c.clientToken)).toEqual([`${batchId}.0`]);
    const bySource = await cli(['list', '-p', 'aws', '--to', 'us-west-2', '--source', missing, '--json']);
    const inCloud = [...sandbox.ec2.world.snapshots.values()]
      .filter((s) => s.region === 'us-west-2' && s.tags.get(LINEAGE_TAGS.sourceSnapshot) === missing)
      .map((s) => s.id);
    expect(json(bySource).copies.map((c: { ref: { snapshotId: string } }) => c.ref.snapshotId)).toEqual(
      inCloud,
    );
    expect(json(bySource).copies[0]).toMatchObject({
      state: 'completed',
      batchId: `${batchId}.retry-1`,
      source: { region: 'us-east-1', id: missing },
    });
    const byToken = await cli([
      'list',
      '-p',
      'aws',
      '--to',
      'us-west-2',
      '--client-token',
      `${batchId}.0`,
      '-o',
      'text',
    ]);
    expect(byToken.stdout.trim().split('\n')).toHaveLength(1);
    expect(byToken.stdout).toMatch(new RegExp(`completed .* ${batchId.replace('.', '\\.')}\\.0`));
  });
});

describe.concurrent('--prices: money with sources', { timeout: 60_000 }, () => {
  test('the shipped list-price file: every price with a price, an https source and a date, for both clouds', () => {
    const file = JSON.parse(readFileSync(PRICES, 'utf8')) as Record<string, unknown>;
    for (const provider of ['aws', 'alibaba']) {
      const table = PriceTableSchema.parse(file[provider]) as RegionalPriceTable;
      const prices = Object.values(table.regions).flatMap((r) => Object.values(r));
      expect(prices.length).toBeGreaterThan(0);
      for (const p of prices) {
        expect(p?.source).toMatch(/^https:\/\//);
        expect(p?.asOf).toMatch(/^\d{4}-\d\d-\d\d$/);
      }
    }
  });

  test('plan --prices: money, each line with its source; a price file without the provider is refused', async () => {
    const run = await cli([
      'plan',
      '-p',
      'aws',
      '--from',
      'us-east-1',
      '--to',
      'us-west-2',
      '--snapshot',
      AWS_SRC,
      '--prices',
      PRICES,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    const cost = json(run).cost;
    // 64 GiB full copy: transfer out of us-east-1 and a month of storage in us-west-2.
    expect(cost.oneOff).toBeCloseTo(64 * 0.02, 6);
    expect(cost.monthly).toBeCloseTo(64 * 0.05, 6);
    expect(cost.lines.every((l: { source?: string }) => l.source?.startsWith('https://'))).toBe(true);
    const table = await cli([
      'plan',
      '-p',
      'aws',
      '--from',
      'us-east-1',
      '--to',
      'us-west-2',
      '--snapshot',
      AWS_SRC,
      '--prices',
      PRICES,
    ]);
    expect(table.stdout).toMatch(/cost\s+│ 1\.28 USD once \+ 3\.2 USD\/month/);
    const awsOnly = join(dir, 'aws-only.json');
    writeFileSync(awsOnly, JSON.stringify({ aws: JSON.parse(readFileSync(PRICES, 'utf8')).aws }));
    const refused = await cli([
      'plan',
      '-p',
      'alibaba',
      '--from',
      'cn-hangzhou',
      '--to',
      'cn-shanghai',
      '--snapshot',
      ALI_SRC,
      '--prices',
      awsOnly,
    ]);
    expect(refused.code).toBe(EXIT_CODES.invalidRequest);
    expectOneCleanLine(refused, /--prices .*no prices for alibaba/);
    const bad = join(dir, 'bad-prices.json');
    writeFileSync(
      bad,
      JSON.stringify({ currency: 'USD', regions: { '*': { storagePerGiBMonth: { price: 1 } } } }),
    );
    const invalid = await cli([
      'plan',
      '-p',
      'aws',
      '--from',
      'us-east-1',
      '--to',
      'us-west-2',
      '--snapshot',
      AWS_SRC,
      '--prices',
      bad,
    ]);
    expect(invalid.code).toBe(EXIT_CODES.invalidRequest);
    expectOneCleanLine(invalid, /--prices /);
  });
});
