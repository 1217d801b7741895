import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT_CODES } from '../src/exit-codes.js';
import { assertBuilt, runCli } from './support/run-cli.js';

// The built CLI wraps the testkit's sandbox command: these check the wrapping (flags,
// --env background start, --advance, errors), the testkit's own tests check the rest.

const started = new Set<number>();

beforeAll(assertBuilt);
afterAll(() => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already stopped
    }
  }
});

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(JSON.parse(text)));
    })
      .on('error', reject)
      .end();
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('snapcopy sandbox', { timeout: 60_000 }, () => {
  test('--env prints export lines of a background sandbox; --advance moves its clock; it stops by pid', async () => {
    const run = await runCli(['sandbox', '--env', '--fault', 'alibaba:CopySnapshot:5xx']);
    expect(run.code, run.stderr).toBe(EXIT_CODES.success);
    const env = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => {
          const m = /^export ([A-Z_]+)='([^']*)'$/.exec(line);
          if (!m) throw new Error(`not an export line: ${line}`);
          return [m[1]!, m[2]!];
        }),
    );
    const pid = Number(env.SNAPCOPY_SANDBOX_PID);
    started.add(pid);
    expect(env.SNAPCOPY_AWS_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.ALIBABA_CLOUD_ACCESS_KEY_SECRET).toBeTruthy();
    const before = (await getJson(`${env.SNAPCOPY_SANDBOX_CONTROL}/clock`)) as { now: string };

    const advanced = await runCli(['sandbox', '--advance', '1d12h'], {
      env: { SNAPCOPY_SANDBOX_CONTROL: env.SNAPCOPY_SANDBOX_CONTROL },
    });
    expect(advanced.code, advanced.stderr).toBe(EXIT_CODES.success);
    const after = JSON.parse(advanced.stdout) as { now: string; advancedMs: number };
    expect(after.advancedMs).toBe(36 * 3_600_000);
    expect(Date.parse(after.now) - Date.parse(before.now)).toBeGreaterThanOrEqual(36 * 3_600_000);

    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
    started.delete(pid);
  });

  test.each([
    ['a bad --fault', ['sandbox', '--fault', 'gcp:CopySnapshot:throttle'], /unknown cloud "gcp"/],
    ['--advance without a control endpoint', ['sandbox', '--advance', '3d'], /--advance needs --control/],
    [
      '--advance with start flags',
      ['sandbox', '--advance', '3d', '--seed', 'x.json'],
      /takes only --control/,
    ],
  ])('%s is INVALID_REQUEST, exit 2, one line', async (_name, args, message) => {
    const run = await runCli(args, { env: { SNAPCOPY_SANDBOX_CONTROL: undefined } });
    expect(run.code).toBe(EXIT_CODES.invalidRequest);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^snapcopy: INVALID_REQUEST: /);
    expect(lines[0]).toMatch(message);
  });

  test('--help documents the fault syntax, --env, --write-env and --advance', async () => {
    const run = await runCli(['sandbox', '--help']);
    expect(run.code).toBe(EXIT_CODES.success);
    for (const word of [
      '--fault <spec>',
      'CLOUD:OPERATION:KIND[:WHEN]',
      'hang',
      '--env',
      '--write-env',
      '--advance',
      '--control',
    ]) {
      expect(run.stdout).toContain(word);
    }
  });
});
