import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDuration } from '../sim/duration.js';
import { type SandboxEnvInfo, sandboxEnvironment, shellExports, writeFileAtomically } from './env-exports.js';
import { FaultSpecError, parseFaultSpec, type SandboxFault } from './fault-spec.js';
import { startSandbox } from './start.js';

/** What `snapcopy-sandbox` and `snapcopy sandbox` are asked to do, after flag parsing. */
export interface SandboxCommandOptions {
  readonly seedFile?: string;
  readonly timeScale?: number;
  readonly awsPort?: number;
  readonly alibabaPort?: number;
  readonly controlPort?: number;
  /** `--fault` values (`CLOUD:OPERATION:KIND[:WHEN]`). */
  readonly faults?: readonly string[];
  readonly faultSeed?: number;
  /** Start in the background; print `export` lines once it listens; return. */
  readonly env?: boolean;
  /** Write the `export` lines to this file (atomically) once listening; keep running. */
  readonly writeEnv?: string;
  /** Client mode: advance a running sandbox's clock by this duration (`3d`) and return. */
  readonly advance?: string;
  /** The control endpoint `--advance` talks to (default `$SNAPCOPY_SANDBOX_CONTROL`). */
  readonly control?: string;
}

/** How the command talks to the world; the bin and the CLI each provide one. */
export interface SandboxCommandIo {
  /** Writes to stdout. */
  write(text: string): void;
  /** Resolves when the sandbox should stop (SIGINT/SIGTERM). */
  untilStopped(): Promise<void>;
  /** In a child started by `--env`: tells the parent that the sandbox listens. */
  ready?(line: SandboxLine): void;
}

/** Bad flags or input: one line for the user, exit code 2. */
export class SandboxUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxUsageError';
  }
}

/** The JSON line a running sandbox prints. */
export type SandboxLine = SandboxEnvInfo & {
  readonly aws: SandboxEnvInfo['aws'] & { readonly regions: readonly string[] };
  readonly alibaba: SandboxEnvInfo['alibaba'] & { readonly regions: readonly string[] };
};

/** The environment variable a child started by `--env` finds its parent through. */
export const READY_IPC_ENV = 'SNAPCOPY_SANDBOX_READY_IPC';

/** The testkit's `snapcopy-sandbox` bin (what `--env` starts in the background). */
export const SANDBOX_BIN = fileURLToPath(new URL('../../bin/snapcopy-sandbox.js', import.meta.url));

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The bin's arguments for the same sandbox, minus `--env` (what the background child runs). */
export function sandboxBinArgs(o: SandboxCommandOptions): string[] {
  const args: string[] = [];
  const add = (flag: string, value: string | number | undefined) => {
    if (value !== undefined) args.push(flag, String(value));
  };
  add('--seed', o.seedFile === undefined ? undefined : resolvePath(o.seedFile));
  add('--time-scale', o.timeScale);
  add('--aws-port', o.awsPort);
  add('--alibaba-port', o.alibabaPort);
  add('--control-port', o.controlPort);
  for (const f of o.faults ?? []) add('--fault', f);
  add('--fault-seed', o.faultSeed);
  add('--write-env', o.writeEnv === undefined ? undefined : resolvePath(o.writeEnv));
  return args;
}

function checkNumbers(o: SandboxCommandOptions): void {
  if (o.timeScale !== undefined && !(o.timeScale > 0 && Number.isFinite(o.timeScale))) {
    throw new SandboxUsageError(`--time-scale must be a positive number, got ${o.timeScale}`);
  }
  for (const [flag, port] of [
    ['--aws-port', o.awsPort],
    ['--alibaba-port', o.alibabaPort],
    ['--control-port', o.controlPort],
  ] as const) {
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      throw new SandboxUsageError(`${flag} must be a port number (1-65535), got ${port}`);
    }
  }
  if (o.faultSeed !== undefined && !Number.isInteger(o.faultSeed)) {
    throw new SandboxUsageError(`--fault-seed must be an integer, got ${o.faultSeed}`);
  }
}

function parseFaults(specs: readonly string[]): SandboxFault[] {
  return specs.map((spec) => {
    try {
      return parseFaultSpec(spec);
    } catch (err) {
      if (err instanceof FaultSpecError) throw new SandboxUsageError(err.message);
      throw err;
    }
  });
}

/** `--advance`: POSTs to a running sandbox's control endpoint (loopback only) and prints its answer. */
async function advanceRemote(o: SandboxCommandOptions, io: SandboxCommandIo): Promise<number> {
  const starting = [
    o.seedFile,
    o.timeScale,
    o.awsPort,
    o.alibabaPort,
    o.controlPort,
    o.faultSeed,
    o.writeEnv,
  ];
  if (o.env || (o.faults?.length ?? 0) > 0 || starting.some((v) => v !== undefined)) {
    throw new SandboxUsageError('--advance talks to a running sandbox: it takes only --control');
  }
  const ms = (() => {
    try {
      return parseDuration(o.advance ?? '');
    } catch (err) {
      throw new SandboxUsageError(`--advance: ${(err as Error).message}`);
    }
  })();
  const base = o.control ?? process.env.SNAPCOPY_SANDBOX_CONTROL;
  if (base === undefined || base === '') {
    throw new SandboxUsageError('--advance needs --control URL or $SNAPCOPY_SANDBOX_CONTROL');
  }
  let url: URL;
  try {
    url = new URL('/clock', base);
  } catch {
    throw new SandboxUsageError(`--control "${base}" is not a URL`);
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new SandboxUsageError(`--control must be a loopback http URL (http://127.0.0.1:PORT), got ${base}`);
  }
  let reply: Response;
  try {
    reply = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advance: `${ms}ms` }),
    });
  } catch (err) {
    throw new SandboxUsageError(`cannot reach the sandbox at ${base}: ${(err as Error).message}`);
  }
  const text = await reply.text();
  if (!reply.ok) throw new SandboxUsageError(`the sandbox refused: ${text.trim()}`);
  io.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}

/** `--env`: starts the bin in the background and prints the `export` lines once it listens. */
async function startInBackground(o: SandboxCommandOptions, io: SandboxCommandIo): Promise<number> {
  const child = spawn(process.execPath, [SANDBOX_BIN, ...sandboxBinArgs(o)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, [READY_IPC_ENV]: '1' },
  });
  const line = await new Promise<SandboxLine>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new SandboxUsageError('the sandbox did not start within 30 s'));
    }, 30_000);
    const done = () => clearTimeout(timer);
    child.on('message', (m: { type?: string; line?: SandboxLine; message?: string }) => {
      done();
      if (m.type === 'ready' && m.line) resolve(m.line);
      else reject(new SandboxUsageError(m.message ?? 'the sandbox failed to start'));
    });
    child.on('exit', (code) => {
      done();
      reject(new SandboxUsageError(`the sandbox exited (code ${code}) before it listened`));
    });
    child.on('error', (err) => {
      done();
      reject(new SandboxUsageError(`cannot start the sandbox: ${err.message}`));
    });
  });
  child.removeAllListeners('exit');
  child.disconnect();
  child.unref();
  io.write(shellExports(sandboxEnvironment(line)));
  return 0;
}

/**
 * Runs the sandbox command: `--advance` (client of a running sandbox), `--env`
 * (background, prints `export` lines), or the foreground sandbox that prints one JSON
 * line, optionally writes `--write-env`, and serves until stopped. Returns the exit code;
 * throws {@link SandboxUsageError} for bad flags or input.
 */
export async function runSandboxCommand(o: SandboxCommandOptions, io: SandboxCommandIo): Promise<number> {
  if (o.advance !== undefined) return advanceRemote(o, io);
  if (o.control !== undefined) throw new SandboxUsageError('--control goes with --advance');
  checkNumbers(o);
  const faults = parseFaults(o.faults ?? []);
  let seed: unknown;
  if (o.seedFile !== undefined) {
    try {
      seed = JSON.parse(readFileSync(o.seedFile, 'utf8'));
    } catch (err) {
      throw new SandboxUsageError(`cannot read seed ${o.seedFile}: ${(err as Error).message}`);
    }
  }
  if (o.env) return startInBackground(o, io);
  const sandbox = await startSandbox({
    ...(seed === undefined ? {} : { seed: seed as never }),
    ...(o.timeScale === undefined ? {} : { timeScale: o.timeScale }),
    ...(o.awsPort === undefined ? {} : { awsPort: o.awsPort }),
    ...(o.alibabaPort === undefined ? {} : { alibabaPort: o.alibabaPort }),
    ...(o.controlPort === undefined ? {} : { controlPort: o.controlPort }),
    ...(o.faultSeed === undefined ? {} : { faultSeed: o.faultSeed }),
    faults,
  }).catch((err: unknown) => {
    throw new SandboxUsageError((err as Error).message.split('\n')[0] ?? String(err));
  });
  const line: SandboxLine = {
    aws: sandbox.aws,
    alibaba: sandbox.alibaba,
    control: sandbox.control,
    pid: process.pid,
  };
  try {
    io.write(`${JSON.stringify({ ...line, env: sandboxEnvironment(line) })}\n`);
    if (o.writeEnv !== undefined) writeFileAtomically(o.writeEnv, shellExports(sandboxEnvironment(line)));
    io.ready?.(line);
    await io.untilStopped();
  } finally {
    await sandbox.close();
    if (o.writeEnv !== undefined) rmSync(o.writeEnv, { force: true });
  }
  return 0;
}

/** Stdout and the process's SIGINT/SIGTERM, plus the `--env` parent channel when there is one. */
export function processSandboxIo(): SandboxCommandIo {
  const viaIpc = process.env[READY_IPC_ENV] === '1' && typeof process.send === 'function';
  return {
    write: (text) => {
      process.stdout.write(text);
    },
    untilStopped: () =>
      new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }),
    ...(viaIpc
      ? {
          ready: (line: SandboxLine) => {
            process.send?.({ type: 'ready', line }, () => process.disconnect?.());
          },
        }
      : {}),
  };
}

/** In a child started by `--env`: tells the parent why the sandbox did not start. */
export function reportStartFailure(message: string): Promise<void> {
  if (process.env[READY_IPC_ENV] !== '1' || typeof process.send !== 'function') return Promise.resolve();
  return new Promise((resolve) => {
    process.send?.({ type: 'error', message }, () => resolve());
  });
}
