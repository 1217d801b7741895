// The engine commands of the BUILT CLI: `worker`, `recover`, `batch --engine dbos` and
// `policy run --engine dbos`, against a sandbox and a PostgreSQL started here; and what
// the other commands load (never DBOS).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { connectEngine, migrateDatabase } from '@snapcopy/engine-dbos';
import { startTestPostgres, type TestPostgres } from '@snapcopy/engine-dbos/testing';
import { type Sandbox, startSandbox } from '@snapcopy/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_IDS, DEMO_SEED } from '../src/demo/demo-seed.js';
import { EXIT_CODES } from '../src/exit-codes.js';
import {
  assertBuilt,
  BUILT_CLI,
  type CliRun,
  expectOneCleanLine,
  runCli,
  sandboxEnv,
  TRACE_PRELOAD,
} from './support/run-cli.js';

let sandbox: Sandbox;
let server: TestPostgres;
let url: string;
let env: Record<string, string | undefined>;
let dir: string;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'snapcopy-cli-dbos-'));
  sandbox = await startSandbox({ seed: DEMO_SEED, timeScale: 300 });
  server = await startTestPostgres();
  url = server.url('cli');
  await migrateDatabase(url);
  env = {
    ...sandboxEnv(sandbox, dir),
    SNAPCOPY_DATABASE_URL: url,
    // The sandbox reads its own writes at once.
    SNAPCOPY_CONSISTENCY_WINDOW: '0s',
  };
}, 60_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await server?.stop();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

const cli = (args: readonly string[], extraEnv: Record<string, string | undefined> = {}) =>
  runCli(args, { env: { ...env, ...extraEnv }, killAfterMs: 60_000 });

// biome-ignore lint/suspicious/noExplicitAny: parsed CLI output; the assertions check its shape
const json = (run: CliRun): Record<string, any> => JSON.parse(run.stdout);

/** Starts `snapcopy worker` and resolves with it once it prints its `started` line. */
async function startWorker(
  executorId: string,
  more: { readonly args?: readonly string[]; readonly env?: Record<string, string | undefined> } = {},
): Promise<{ child: ChildProcess; lines: string[]; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    [
      BUILT_CLI,
      'worker',
      '--executor-id',
      executorId,
      '--json',
      '--heartbeat',
      '1s',
      '--dead-after',
      '5s',
      ...(more.args ?? []),
    ],
    {
      env: Object.fromEntries(
        Object.entries({ ...env, ...more.env }).filter(([, v]) => v !== undefined),
      ) as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  workers.push(child);
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      lines.push(...c.split('\n').filter((l) => l.trim()));
      if (lines.some((l) => l.includes('"started"'))) resolve();
    });
    child.on('exit', (code) => reject(new Error(`worker exited ${code}: ${stderr}`)));
  });
  return { child, lines, stderr: () => stderr };
}

/** A batch file of one request: `provider` copies `snapshotId` from `from` to `to`. */
function requestFile(name: string, provider: string, from: string, snapshotId: string, to: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({ provider, source: { region: from, snapshotId }, destination: { region: to } }),
  );
  return file;
}

async function traced(args: readonly string[]): Promise<{ run: CliRun; modules: string }> {
  const file = join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, '');
  const run = await runCli(args, {
    env: { ...env, SNAPCOPY_TRACE_FILE: file },
    nodeArgs: ['--import', TRACE_PRELOAD],
  });
  return { run, modules: readFileSync(file, 'utf8') };
}

// The engine's package, DBOS, and node-postgres (as pnpm lays them out: `.pnpm/pg@8…`).
const DBOS_MODULES = /@dbos-inc|\/packages\/engine-dbos\/|\/pg@\d|\/pg-pool@\d|\/node_modules\/pg\//;

describe.concurrent('what the commands load: DBOS only when the engine is used', { timeout: 60_000 }, () => {
  test.each([
    [['--help']],
    [['batch', '--help']],
    [['worker', '--help']],
    [['recover', '--help']],
    [['policy', 'run', '--help']],
    [['capabilities', '--json']],
  ])('%j loads neither DBOS nor the PostgreSQL client', async (args) => {
    const { run, modules } = await traced(args);
    expect(run.code, run.stderr).toBe(0);
    expect(modules).toContain('commander');
    expect(modules).not.toMatch(DBOS_MODULES);
  });

  test('an in-process batch loads neither', async () => {
    const file = requestFile('in-process.ndjson', 'aws', 'us-east-1', DEMO_IDS.awsWeb, 'eu-west-1');
    const { run, modules } = await traced(['batch', file, '--journal', join(dir, 'in-process.db'), '--json']);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(modules).toMatch(/orchestrator/);
    expect(modules).not.toMatch(DBOS_MODULES);
  });
});

describe('flags of the engine commands', { timeout: 60_000 }, () => {
  test.each([
    { args: ['worker'], mentions: /--database-url/ },
    { args: ['worker', '--database-url', 'mysql://x'], mentions: /postgresql:\/\// },
    { args: ['recover', '--executor', 'x'], mentions: /--database-url/ },
    { args: ['batch', 'x.ndjson', '--engine', 'dbos'], mentions: /--database-url/ },
    { args: ['worker', '--provider', 'gcp'], mentions: /unknown provider gcp/ },
  ])('$args: one clean line, exit 2', async ({ args }) => {
    const run = await cli(args, { SNAPCOPY_DATABASE_URL: args.includes('--provider') ? url : undefined });
    expect(run.code, run.stderr).toBe(EXIT_CODES.invalidRequest);
  });
});

describe('batch and policy run on workers', { timeout: 120_000 }, () => {
  test('a batch runs on two workers; a second submit makes no new copy; --detach returns at once; recover refuses a live worker', async () => {
    const w1 = await startWorker('cli-w1');
    const w2 = await startWorker('cli-w2');
    expect(JSON.parse(w1.lines[0]!)).toMatchObject({
      event: 'started',
      executorId: 'cli-w1',
      providers: ['aws', 'alibaba'],
    });
    const file = join(dir, 'requests.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify({
          provider: 'aws',
          source: { region: 'us-east-1', snapshotId: DEMO_IDS.awsLogs },
          destination: { region: 'us-west-2' },
        }),
        JSON.stringify({
          provider: 'alibaba',
          source: { region: 'cn-hangzhou', snapshotId: DEMO_IDS.aliDb },
          destination: { region: 'cn-hangzhou' },
          encryption: { encrypted: true },
        }),
      ].join('\n'),
    );
    const first = await cli(['batch', file, '--engine', 'dbos', '--json']);
    expect(first.code, first.stderr).toBe(EXIT_CODES.success);
    expect(first.stderr).toBe('');
    const doc = json(first);
    expect(doc).toMatchObject({ ok: true, resumed: false, counts: { total: 2, completed: 2 } });
    const copyCalls = () =>
      sandbox.ec2.world.requests.count('CopySnapshot') + sandbox.ecs.world.requests.count('CopySnapshot');
    const calls = copyCalls();
    for (const r of doc.results as { clientToken: string; destination: { snapshotId: string } }[]) {
      const copies = [
        ...sandbox.ec2.world.snapshots.values(),
        ...sandbox.ecs.world.snapshots.values(),
      ].filter((s) => (s.copy?.clientToken ?? s.tags.get(LINEAGE_TAGS.clientToken)) === r.clientToken);
      expect(copies.map((c) => c.id)).toEqual([r.destination.snapshotId]);
    }

    const again = await cli(['batch', file, '--engine', 'dbos']);
    expect(again.code, again.stderr).toBe(EXIT_CODES.success);
    // The heading is a note for a person: on stderr, as every command's progress is.
    expect(again.stderr).toMatch(/already submitted .*0 copy workflow\(s\) enqueued/);
    expect(again.stdout).toMatch(/\(resumed\): 2 completed/);
    expect(copyCalls()).toBe(calls);

    const other = requestFile('detached.ndjson', 'aws', 'us-east-1', DEMO_IDS.awsWeb, 'us-west-2');
    const detached = await cli(['batch', other, '--engine', 'dbos', '--detach', '--json']);
    expect(detached.code, detached.stderr).toBe(EXIT_CODES.success);
    expect(json(detached)).toMatchObject({ ok: true, detached: true, enqueued: 1, resumed: false });
    const followed = await cli(['batch', other, '--engine', 'dbos', '--json']);
    expect(json(followed)).toMatchObject({ ok: true, resumed: true, counts: { completed: 1 } });

    const refused = await cli(['recover', '--executor', 'cli-w1']);
    expect(refused.code).toBe(EXIT_CODES.invalidRequest);
    expectOneCleanLine(refused, /"cli-w1" beat .* ago: it is alive/);
    const ghost = await cli(['recover', '--executor', 'nobody']);
    expect(ghost.code).toBe(EXIT_CODES.providerError);
    expectOneCleanLine(ghost, /no worker "nobody"/);

    // A clean stop: exit 0, a line saying so, the worker marked gone.
    for (const w of [w1, w2]) {
      const exited = new Promise<number | null>((resolve) => w.child.on('exit', resolve));
      w.child.kill('SIGTERM');
      expect(await exited, w.stderr()).toBe(0);
      expect(w.lines.at(-1)).toMatch(/"stopped"/);
    }
    const conn = await connectEngine(url);
    try {
      const { rows } = await conn.pool.query(
        `SELECT executor_id FROM snapcopy.executors WHERE last_beat = '-infinity' ORDER BY executor_id`,
      );
      expect(rows.map((r) => r.executor_id)).toEqual(['cli-w1', 'cli-w2']);
    } finally {
      await conn.close();
    }
  });

  test('worker --profile: the worker copies with that profile of the shared config files, not the environment', async () => {
    const home = join(dir, 'worker-home');
    mkdirSync(join(home, '.aws'), { recursive: true });
    const account = DEMO_SEED.aws.accounts[0]!;
    writeFileSync(join(home, '.aws', 'config'), '[profile dr-copies]\nregion = us-east-1\n');
    writeFileSync(
      join(home, '.aws', 'credentials'),
      `[dr-copies]\naws_access_key_id = ${account.accessKeyId}\naws_secret_access_key = ${account.secretAccessKey}\n`,
    );
    // No keys in its environment and no default profile: only --profile can give it credentials.
    const w = await startWorker('cli-profile', {
      args: ['--provider', 'aws', '--profile', 'dr-copies'],
      env: {
        HOME: home,
        AWS_CONFIG_FILE: join(home, '.aws', 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    const file = requestFile('profile.ndjson', 'aws', 'us-east-1', DEMO_IDS.awsWeb, 'eu-west-1');
    const run = await cli(['batch', file, '--engine', 'dbos', '--json']);
    expect(run.code, `${run.stderr}\n${w.stderr()}`).toBe(EXIT_CODES.success);
    const [result] = json(run).results as { clientToken: string; destination: { snapshotId: string } }[];
    const copy = sandbox.ec2.world.snapshots.get(result!.destination.snapshotId);
    expect(copy?.copy?.clientToken ?? copy?.tags.get(LINEAGE_TAGS.clientToken)).toBe(result!.clientToken);
    expect(copy?.account).toBe(account.id);
    const exited = new Promise<number | null>((resolve) => w.child.on('exit', resolve));
    w.child.kill('SIGTERM');
    expect(await exited, w.stderr()).toBe(0);
  });

  test('batch --engine dbos --detach loads DBOS and the PostgreSQL client (the trace sees them)', async () => {
    const file = requestFile('traced.ndjson', 'alibaba', 'cn-hangzhou', DEMO_IDS.aliArchive, 'cn-shanghai');
    const { run, modules } = await traced(['batch', file, '--engine', 'dbos', '--detach', '--json']);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(modules).toMatch(/@dbos-inc/);
    expect(modules).toMatch(DBOS_MODULES);
  });

  test('policy run --engine dbos schedules the policy on the workers (cron from --every)', async () => {
    const policyFile = join(dir, 'policy.json');
    writeFileSync(
      policyFile,
      JSON.stringify({
        version: 1,
        id: 'cli-vault',
        sources: [
          { provider: 'aws', regions: ['us-east-1'], owner: 'self', descriptionRegex: '^never-matches$' },
        ],
        destinations: [{ provider: 'aws', region: 'eu-west-1' }],
      }),
    );
    const run = await cli([
      'policy',
      'run',
      policyFile,
      '--engine',
      'dbos',
      '--watch',
      '--every',
      '1h',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    expect(json(run)).toMatchObject({ ok: true, policyId: 'cli-vault', cron: '0 * * * *' });
    const conn = await connectEngine(url);
    try {
      const schedules = await conn.client.listSchedules();
      expect(schedules.map((s) => [s.scheduleName, s.schedule])).toContainEqual([
        'snapcopy.policy:cli-vault',
        '0 * * * *',
      ]);
    } finally {
      await conn.close();
    }
  });
});
