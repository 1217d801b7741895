import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { ec2Client } from './support.js';
import { controlRequest } from './support.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'snapcopy-sandbox.js');
const dir = mkdtempSync(join(tmpdir(), 'sandbox-bin-'));
/** Every pid these tests start, stopped in afterAll if a test did not. */
const pids = new Set<number>();

afterAll(() => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the bin to completion (bounded), capturing its output. */
function run(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    if (child.pid) pids.add(child.pid);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`snapcopy-sandbox ${args.join(' ')} did not finish: ${stderr}`));
    }, 30_000);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (child.pid) pids.delete(child.pid);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Parses `export NAME='value'` lines. */
function parseExports(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.trim().split('\n')) {
    const m = /^export ([A-Z0-9_]+)='((?:[^']|'\\'')*)'$/.exec(line);
    if (!m) throw new Error(`not an export line: ${line}`);
    out[m[1]!] = m[2]!.replaceAll(`'\\''`, "'");
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits (bounded) until a process that is not our child is gone. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

describe('snapcopy-sandbox (the built bin) as a child process', () => {
  it('--env starts it in the background, prints export lines once it listens, and it stops by pid', async () => {
    const r = await run(['--env', '--time-scale', '600', '--fault', 'aws:DescribeSnapshots:throttle']);
    expect(r.code, r.stderr).toBe(0);
    const env = parseExports(r.stdout);
    const pid = Number(env.SNAPCOPY_SANDBOX_PID);
    pids.add(pid);
    expect(Object.keys(env)).toEqual([
      'SNAPCOPY_AWS_ENDPOINT',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'SNAPCOPY_ALIBABA_ENDPOINT',
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      'SNAPCOPY_SANDBOX_CONTROL',
      'SNAPCOPY_SANDBOX_PID',
    ]);
    for (const k of ['SNAPCOPY_AWS_ENDPOINT', 'SNAPCOPY_ALIBABA_ENDPOINT', 'SNAPCOPY_SANDBOX_CONTROL']) {
      expect(env[k]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    }
    expect(alive(pid)).toBe(true);

    // The exported credentials work; the --fault from the flags is in force.
    const ec2 = ec2Client(
      {
        endpoint: env.SNAPCOPY_AWS_ENDPOINT!,
        regions: [],
        accounts: [
          { accountId: '', accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
        ],
      },
      'us-east-1',
    );
    await expect(ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });
    const out = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    expect(out.Snapshots?.length).toBeGreaterThan(0);
    ec2.destroy();

    // --advance through the exported control URL.
    const before = (await controlRequest(env.SNAPCOPY_SANDBOX_CONTROL!, '/clock')).json() as { now: string };
    const advanced = await run(['--advance', '2d'], {
      ...process.env,
      SNAPCOPY_SANDBOX_CONTROL: env.SNAPCOPY_SANDBOX_CONTROL,
    });
    expect(advanced.code, advanced.stderr).toBe(0);
    const after = JSON.parse(advanced.stdout) as { now: string; advancedMs: number };
    expect(after.advancedMs).toBe(2 * 86_400_000);
    expect(Date.parse(after.now) - Date.parse(before.now)).toBeGreaterThanOrEqual(2 * 86_400_000);

    process.kill(pid, 'SIGTERM');
    expect(await gone(pid)).toBe(true);
    pids.delete(pid);
  });

  it('--write-env writes the export lines atomically once listening (mode 0600) and removes them on exit', async () => {
    const file = join(dir, 'sandbox.env');
    const child: ChildProcess = spawn(process.execPath, [bin, '--write-env', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pids.add(child.pid!);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const info = JSON.parse(line) as { control: { url: string }; pid: number; env: Record<string, string> };
    expect(info.pid).toBe(child.pid);
    // The line is printed before the file is written; the file is complete when it exists.
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
    const env = parseExports(readFileSync(file, 'utf8'));
    expect(env).toEqual(info.env);
    expect(env.SNAPCOPY_SANDBOX_CONTROL).toBe(info.control.url);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    pids.delete(child.pid!);
    expect(existsSync(file)).toBe(false);
  });

  it.each([
    [
      'a bad --fault',
      ['--fault', 'aws:CopySnapshot:explode'],
      /--fault "aws:CopySnapshot:explode": unknown kind/,
    ],
    ['--advance without a control URL', ['--advance', '1d'], /--advance needs --control/],
    [
      '--advance to a non-loopback host',
      ['--advance', '1d', '--control', 'http://10.0.0.1:1234'],
      /loopback/,
    ],
    [
      '--advance with a bad duration',
      ['--advance', 'soon', '--control', 'http://127.0.0.1:9'],
      /not a duration/,
    ],
    ['--env with a bad seed', ['--env', '--seed', '/nonexistent/seed.json'], /cannot read seed/],
  ])('%s is one line on stderr and exit code 2', async (_name, args, message) => {
    const { SNAPCOPY_SANDBOX_CONTROL: _unset, ...env } = process.env;
    const r = await run(args, env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^snapcopy-sandbox: /);
    expect(r.stderr).toMatch(message);
  });

  it('--help documents faults, --env, --write-env and --advance', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const word of [
      '--fault SPEC',
      'CLOUD:OPERATION:KIND[:WHEN]',
      'hang',
      '--fault-seed',
      '--env ',
      '--write-env',
      '--advance',
      'SNAPCOPY_SANDBOX_PID',
      'control',
    ]) {
      expect(r.stdout).toContain(word);
    }
  });
});
