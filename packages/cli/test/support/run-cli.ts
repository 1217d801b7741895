import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sandbox } from '@snapcopy/testkit';
import { expect } from 'vitest';

/** The built CLI: tests run it as a user does, never the TypeScript sources. */
export const BUILT_CLI = fileURLToPath(new URL('../../dist/bin/snapcopy.js', import.meta.url));
/** The preload that records every module a process loads. */
export const TRACE_PRELOAD = fileURLToPath(new URL('../fixtures/trace-modules.mjs', import.meta.url));

/** Fails with a clear message when the CLI has not been built. */
export function assertBuilt(): void {
  if (!existsSync(BUILT_CLI)) {
    throw new Error(`${BUILT_CLI} is missing: run "npx tsc -b packages/cli" before these tests`);
  }
}

/** What a finished CLI process left behind. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly nodeArgs?: readonly string[];
  /** Kill the process after this many ms (a test bound, not a sleep). Default 20 s. */
  readonly killAfterMs?: number;
  /** Called with the child as soon as it is spawned (to signal it). */
  readonly onSpawn?: (child: ChildProcess) => void;
  /** Called with each stdout chunk. */
  readonly onStdout?: (chunk: string, child: ChildProcess) => void;
  /** Called with each stderr chunk (progress and notes). */
  readonly onStderr?: (chunk: string, child: ChildProcess) => void;
}

/** Runs `node dist/bin/snapcopy.js …args` and collects its exit code and output. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BUILT_CLI, ...args], {
      env: Object.fromEntries(
        Object.entries({ ...process.env, ...options.env }).filter(([, v]) => v !== undefined),
      ) as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      options.onStdout?.(c, child);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      options.onStderr?.(c, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}

/**
 * The environment a CLI run gets against `sandbox`: its credentials and endpoints, and
 * nothing from the machine running the tests (no profile, no instance metadata).
 * `dir` holds the (absent) config files the SDKs would otherwise read.
 */
export function sandboxEnv(sandbox: Sandbox, dir: string): Record<string, string | undefined> {
  const aws = sandbox.aws.accounts[0]!;
  const ali = sandbox.alibaba.accounts[0]!;
  return {
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
    ALIBABA_CLOUD_ECS_METADATA: undefined,
    ALIBABA_CLOUD_CREDENTIALS_URI: undefined,
    ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true',
    ALIBABA_CLOUD_CREDENTIALS_FILE: join(dir, 'no-alibaba-credentials'),
    SNAPCOPY_PROVIDER: undefined,
    SNAPCOPY_TTY: undefined,
    SNAPCOPY_REQUEST_TIMEOUT: undefined,
    // No state, region or profile from the machine running the tests.
    SNAPCOPY_STATE_DIR: join(dir, 'state'),
    XDG_STATE_HOME: undefined,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    ALIBABA_CLOUD_REGION_ID: undefined,
    ALIBABA_CLOUD_PROFILE: undefined,
    NO_COLOR: undefined,
    HOME: dir,
  };
}

/**
 * A failure reported as users and scripts expect: exactly one line on stderr, starting
 * `snapcopy: `, naming the problem, with no stack trace and no raw control character.
 */
export function expectOneCleanLine(run: CliRun, mentions: RegExp): void {
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^snapcopy: /);
  expect(lines[0]).toMatch(mentions);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr.trimEnd()).not.toMatch(/\p{Cc}/u);
}

/**
 * A home directory `h` with AWS config/credentials and an aliyun config, each holding the
 * profile `dr` with the sandbox's first account of each cloud (AWS region `us-west-2`,
 * Alibaba `region_id` `cn-hangzhou`; the AWS default profile's region is `eu-west-1`), and
 * the environment that points the SDKs at it, with no keys of its own.
 */
export function profileHome(
  sandbox: Sandbox,
  h: string,
): { home: string; env: Record<string, string | undefined> } {
  mkdirSync(join(h, '.aws'), { recursive: true });
  mkdirSync(join(h, '.aliyun'), { recursive: true });
  const aws = sandbox.aws.accounts[0]!;
  const ali = sandbox.alibaba.accounts[0]!;
  writeFileSync(
    join(h, '.aws', 'config'),
    '[default]\nregion = eu-west-1\n\n[profile dr]\nregion = us-west-2\n',
  );
  writeFileSync(
    join(h, '.aws', 'credentials'),
    `[dr]\naws_access_key_id = ${aws.accessKeyId}\naws_secret_access_key = ${aws.secretAccessKey}\n`,
  );
  writeFileSync(
    join(h, '.aliyun', 'config.json'),
    JSON.stringify({
      current: 'default',
      profiles: [
        {
          name: 'dr',
          mode: 'AK',
          access_key_id: ali.accessKeyId,
          access_key_secret: ali.secretAccessKey,
          region_id: 'cn-hangzhou',
        },
      ],
    }),
  );
  return {
    home: h,
    env: {
      HOME: h,
      AWS_CONFIG_FILE: join(h, '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(h, '.aws', 'credentials'),
      ALIBABA_CLOUD_CLI_PROFILE_DISABLED: undefined,
      // Credentials come from the files only.
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      ALIBABA_CLOUD_ACCESS_KEY_ID: undefined,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined,
    },
  };
}
