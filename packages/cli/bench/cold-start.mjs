#!/usr/bin/env node
// Cold-start times of the built CLI: `snapcopy --help`, and a one-provider `plan` against
// a sandbox started in a separate process. Five spawns each (COLD_START_RUNS to change);
// prints the first spawn and the median/min/max of all of them.
// Run after `npx tsc -b packages/cli`:  node packages/cli/bench/cold-start.mjs
// The CLI turns on Node's compile cache, in the temporary directory: the spawns get a
// TMPDIR made for this run, so the first spawn fills an empty cache and the others read
// it, as a user's second and later runs do. NODE_DISABLE_COMPILE_CACHE=1 measures
// without it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/bin/snapcopy.js', import.meta.url));
const RUNS = Number(process.env.COLD_START_RUNS ?? 5);
const runTmp = mkdtempSync(join(tmpdir(), 'snapcopy-cold-start-'));
process.env.TMPDIR = runTmp;

function run(args, env = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
    );
  });
}

async function time(label, args, env) {
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await run(args, env);
    if (r.code !== 0) throw new Error(`${label}: exit ${r.code}: ${r.stderr}`);
    ms.push(r.ms);
  }
  const first = ms[0];
  ms.sort((a, b) => a - b);
  return { label, first, median: ms[Math.floor(RUNS / 2)], min: ms[0], max: ms[RUNS - 1] };
}

// The sandbox runs in its own process, so this one only measures.
const sandbox = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'inherit'] });
const info = await new Promise((resolve, reject) => {
  sandbox.stdout.once('data', (c) => resolve(JSON.parse(String(c).split('\n')[0])));
  sandbox.once('error', reject);
});
try {
  const aws = info.aws.accounts[0];
  const ali = info.alibaba.accounts[0];
  const awsEnv = {
    AWS_ACCESS_KEY_ID: aws.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const aliEnv = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: ali.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ali.secretAccessKey,
  };
  // Snapshots of the sandbox's default world (packages/testkit/examples/sandbox-seed.json).
  const rows = [
    await time('snapcopy --help', ['--help']),
    await time('snapcopy --version', ['--version']),
    await time('snapcopy capabilities', ['capabilities']),
    await time(
      'snapcopy plan (aws)',
      [
        'plan',
        '--provider',
        'aws',
        '--endpoint',
        info.aws.endpoint,
        '--from',
        'us-east-1',
        '--to',
        'us-west-2',
        '--snapshot',
        'snap-0a000000000000001',
        '--json',
      ],
      awsEnv,
    ),
    await time(
      'snapcopy plan (alibaba)',
      [
        'plan',
        '--provider',
        'alibaba',
        '--endpoint',
        info.alibaba.endpoint,
        '--from',
        'cn-hangzhou',
        '--to',
        'cn-shanghai',
        '--snapshot',
        's-sandbox000000000000001',
        '--json',
      ],
      aliEnv,
    ),
  ];
  const cache = process.env.NODE_DISABLE_COMPILE_CACHE ? 'off' : 'on';
  console.log(`Node ${process.version}, compile cache ${cache}, ${RUNS} spawns each`);
  console.log('| command | first ms | median ms | min | max |\n|---|---|---|---|---|');
  for (const r of rows) {
    const cells = [r.first, r.median, r.min, r.max].map((x) => x.toFixed(0)).join(' | ');
    console.log(`| ${r.label} | ${cells} |`);
  }
} finally {
  sandbox.kill('SIGTERM');
  rmSync(runTmp, { recursive: true, force: true });
}
