import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
