// Every wait has a deadline: the BUILT CLI against a sandbox whose endpoints hang (the
// simulators' 'hang-after' fault applies a request and never answers). Each run must end
// by itself within its bound (`killAfterMs` is the test's bound: a run it has to kill
// fails the test), with the documented exit code, one line on stderr, and the journal
// consistent: a batch stopped mid-call resumes without making a second copy.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { type Sandbox, startSandbox } from '@snapcopy/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { DEMO_IDS, DEMO_SEED } from '../src/demo/demo-seed.js';
import { EXIT_CODES } from '../src/exit-codes.js';
import { assertBuilt, type CliRun, expectOneCleanLine, runCli, sandboxEnv } from './support/run-cli.js';

/** Far above the request timeouts used here, far below "ran until killed". */
const BOUND_MS = 20_000;

let dir: string;
let own: Sandbox;
let env: Record<string, string | undefined>;

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'snapcopy-stops-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
// A sandbox per test: its faults must not reach another test.
beforeEach(async () => {
  own = await startSandbox({ seed: DEMO_SEED, timeScale: 300 });
  env = sandboxEnv(own, dir);
});
afterEach(async () => {
  await own?.close();
});

const AWS_COPY = [
  '--provider',
  'aws',
  '--from',
  'us-east-1',
  '--to',
  'us-west-2',
  '--snapshot',
  DEMO_IDS.awsLogs,
];

const cli = (args: readonly string[]) => runCli(args, { env, killAfterMs: BOUND_MS });
// biome-ignore lint/suspicious/noExplicitAny: parsed CLI output; the assertions check its shape
const json = (run: CliRun): Record<string, any> => JSON.parse(run.stdout);
const hung = () => own.ec2.faults.injected['hang-after'] + own.ecs.faults.injected['hang-after'];

/** Runs the CLI and sends `signal` once a call of it hangs in the sandbox. */
async function signalWhileHung(args: readonly string[], signal: NodeJS.Signals): Promise<CliRun> {
  let child: ChildProcess | undefined;
  const running = runCli(args, {
    env,
    killAfterMs: BOUND_MS,
    onSpawn: (c) => {
      child = c;
    },
  });
  await expect.poll(hung, { timeout: BOUND_MS / 2, interval: 20 }).toBeGreaterThan(0);
  child?.kill(signal);
  return running;
}

/** Copies in the sandbox carrying `token`: the cloud's word, not the CLI's. */
const copiesWithToken = (token: string) =>
  [...own.ec2.world.snapshots.values(), ...own.ecs.world.snapshots.values()]
    .filter((s) => s.tags.get(LINEAGE_TAGS.clientToken) === token)
    .map((s) => s.id);

/** The run ended by itself (not killed at the bound) with `code`. */
function expectEndedWith(run: CliRun, code: number): void {
  expect(run.signal, `killed at the ${BOUND_MS} ms bound; stderr: ${run.stderr}`).toBeNull();
  expect(run.code, run.stderr).toBe(code);
}

describe('a hung endpoint: calls end within their request timeout', { timeout: 60_000 }, () => {
  test('plan: PROVIDER_ERROR after its request timeouts (exit 3, one line)', async () => {
    own.ec2.faults.add({ operation: '*', kind: 'hang-after', times: 1000 });
    const run = await cli(['plan', ...AWS_COPY, '--request-timeout', '500ms']);
    expectEndedWith(run, EXIT_CODES.providerError);
    expectOneCleanLine(run, /PROVIDER_ERROR: aws: DescribeSnapshots in us-east-1 got no reply in time/);
  });

  test('status on Alibaba, the request timeout from SNAPCOPY_REQUEST_TIMEOUT (exit 3, one line)', async () => {
    own.ecs.faults.add({ operation: '*', kind: 'hang-after', times: 1000 });
    env.SNAPCOPY_REQUEST_TIMEOUT = '500ms';
    const run = await cli([
      'status',
      '--provider',
      'alibaba',
      '--to',
      'cn-shanghai',
      '--snapshot',
      's-abc123',
    ]);
    expectEndedWith(run, EXIT_CODES.providerError);
    expectOneCleanLine(run, /PROVIDER_ERROR: alibaba ECS DescribeSnapshots: no reply in time/);
  });

  test.each([
    ['aws', 'us-west-2', 'snap-0123456789abcdef0'],
    ['alibaba', 'cn-shanghai', 's-abc123'],
  ])(
    'wait --timeout 1s on %s stops at its deadline with a status call hung (exit 5), though a request may take 30 s',
    async (provider, region, id) => {
      own.ec2.faults.add({ operation: '*', kind: 'hang-after', times: 1000 });
      own.ecs.faults.add({ operation: '*', kind: 'hang-after', times: 1000 });
      const run = await runCli(
        // --quiet: progress stays off stderr, which then holds the error line alone.
        ['wait', '--provider', provider, '--to', region, '--snapshot', id, '--timeout', '1s', '--quiet'],
        // Below the 30 s default request timeout: only the wait's own deadline can end it.
        { env, killAfterMs: 15_000 },
      );
      expectEndedWith(run, EXIT_CODES.timeout);
      expectOneCleanLine(run, new RegExp(`TIMEOUT: gave up waiting for ${id} after 1000 ms`));
    },
  );
});

describe('SIGINT and SIGTERM with a call in flight', { timeout: 60_000 }, () => {
  test.each([
    ['SIGINT', 'status'],
    ['SIGTERM', 'status'],
    ['SIGINT', 'wait'],
    ['SIGTERM', 'wait'],
  ] as const)('%s during a hung %s: exit 130 at once, one line', async (signal, command) => {
    own.ec2.faults.add({ operation: '*', kind: 'hang-after', times: 1000 });
    const run = await signalWhileHung(
      [command, '--provider', 'aws', '--to', 'us-west-2', '--snapshot', 'snap-0123456789abcdef0', '--quiet'],
      signal,
    );
    expectEndedWith(run, EXIT_CODES.interrupted);
    expectOneCleanLine(run, /^snapcopy: CANCELLED: /);
  });

  test('copy interrupted in its hung copy call names the client token; a rerun with it makes no second copy', async () => {
    own.ec2.faults.add({ operation: 'CopySnapshot', kind: 'hang-after' });
    const run = await signalWhileHung(['copy', ...AWS_COPY, '--quiet'], 'SIGINT');
    expectEndedWith(run, EXIT_CODES.interrupted);
    expectOneCleanLine(
      run,
      /CANCELLED: .*CopySnapshot .*may have been applied.*rerun with --client-token [0-9a-f-]{36}/,
    );
    const token = /--client-token ([0-9a-f-]{36})/.exec(run.stderr)?.[1] ?? '';
    // The hung call was applied: the copy exists although its reply never came.
    const [made, ...more] = copiesWithToken(token);
    expect(more).toEqual([]);

    const again = await cli(['copy', ...AWS_COPY, '--client-token', token, '--json']);
    expectEndedWith(again, EXIT_CODES.success);
    expect(json(again).handle).toMatchObject({ snapshotId: made, reused: true, clientToken: token });
    expect(copiesWithToken(token)).toEqual([made]);
  });
});

describe('batch: stopped with a copy call in flight, then resumed', { timeout: 90_000 }, () => {
  const writeBatch = (name: string) => {
    const file = join(dir, `${name}.ndjson`);
    writeFileSync(
      file,
      [
        {
          provider: 'aws',
          source: { region: 'us-east-1', snapshotId: DEMO_IDS.awsLogs },
          destination: { region: 'us-west-2' },
        },
        {
          provider: 'aws',
          source: { region: 'us-east-1', snapshotId: DEMO_IDS.awsWeb },
          destination: { region: 'us-west-2' },
        },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    return { file, journal: join(dir, `${name}.db`) };
  };

  /** The rerun completes every request, and the cloud holds exactly one copy per client token. */
  async function expectResumedOnce(file: string, journal: string): Promise<void> {
    own.ec2.faults.clear();
    const again = await cli(['batch', file, '--journal', journal, '--json']);
    expectEndedWith(again, EXIT_CODES.success);
    const doc = json(again);
    expect(doc).toMatchObject({ resumed: true, counts: { total: 2, completed: 2 } });
    for (const r of doc.results as { clientToken: string; destination: { snapshotId: string } }[]) {
      expect(copiesWithToken(r.clientToken)).toEqual([r.destination.snapshotId]);
    }
  }

  test.each(['SIGINT', 'SIGTERM'] as const)(
    '%s: stops within one request timeout (exit 130); the rerun resumes without a duplicate',
    async (signal) => {
      const { file, journal } = writeBatch(`signal-${signal}`);
      own.ec2.faults.add({ operation: 'CopySnapshot', kind: 'hang-after' });
      const run = await signalWhileHung(
        ['batch', file, '--journal', journal, '--request-timeout', '2s'],
        signal,
      );
      expectEndedWith(run, EXIT_CODES.interrupted);
      expect(run.stderr).toMatch(/batch stopped \(interrupt\); rerun the same command to resume it/);
      expect(run.stderr).not.toMatch(/Warning/);
      await expectResumedOnce(file, journal);
    },
  );

  test('--timeout: stops within one request timeout (exit 5); the rerun resumes without a duplicate', async () => {
    const { file, journal } = writeBatch('timeout');
    own.ec2.faults.add({ operation: 'CopySnapshot', kind: 'hang-after' });
    const run = await cli([
      'batch',
      file,
      '--journal',
      journal,
      '--timeout',
      '1s',
      '--request-timeout',
      '3s',
    ]);
    expectEndedWith(run, EXIT_CODES.timeout);
    expect(run.stderr).toMatch(/batch stopped \(timeout\)/);
    await expectResumedOnce(file, journal);
  });

  test('a batch of many copies prints nothing but its results: no Node warning on stderr', async () => {
    const file = join(dir, 'many.ndjson');
    const line = (i: number) =>
      JSON.stringify({
        provider: 'aws',
        source: { region: 'us-east-1', snapshotId: DEMO_IDS.awsLogs },
        destination: { region: 'us-west-2' },
        // Distinct lines: identical lines without a client token are refused.
        description: `copy ${i}`,
      });
    // More concurrent calls than an AbortSignal's 10 listeners before Node warns.
    writeFileSync(file, Array.from({ length: 16 }, (_, i) => line(i)).join('\n'));
    const run = await cli(['batch', file, '--journal', join(dir, 'many.db'), '--json']);
    expectEndedWith(run, EXIT_CODES.success);
    expect(json(run).counts).toMatchObject({ total: 16, completed: 16 });
    expect(run.stderr).toBe('');
  });
});
