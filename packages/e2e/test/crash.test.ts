// A batch process killed with SIGKILL mid-run and started again with the same journal
// ends with every copy made exactly once, per the simulators' own state. The child runs
// the built packages (dist) against both simulators served on 127.0.0.1.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '@snapcopy/core';
import { openSqliteJournal } from '@snapcopy/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimServer } from '@snapcopy/testkit';
import { copiesByToken, twoClouds } from './two-clouds.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'crash-child.mjs');
const PER_CLOUD = 30;
/** Virtual seconds per real second: copies of 10 s to 4 min take 50 ms to 1.3 s. */
const SCALE = 200;
const KILL_AFTER_STARTED = 25;

/** Real time sped up, so copies progress while the child runs on the system clock. */
function scaledClock(scale: number): Clock {
  const realStart = Date.now();
  const virtualStart = Date.UTC(2026, 0, 1);
  return {
    now: () => virtualStart + (Date.now() - realStart) * scale,
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms / scale);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      }),
  };
}

interface ChildLine {
  readonly event: string;
  readonly [k: string]: unknown;
}

function startChild(
  config: unknown,
  onLine: (l: ChildLine) => void,
): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(config)], {
    cwd: here,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (text.trim()) onLine(JSON.parse(text) as ChildLine);
      nl = buffer.indexOf('\n');
    }
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(stderr);
      resolve(code);
    }),
  );
  return { child, exited };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('orchestrator crash test', () => {
  it('SIGKILL mid-run, restart with the same journal: every copy done exactly once', async () => {
    const built = ['orchestrator/dist/index.js', 'aws/dist/index.js', 'alibaba/dist/index.js'].map((p) =>
      join(here, '..', '..', p),
    );
    for (const file of built) expect(existsSync(file), `${file} (run "tsc -b" first)`).toBe(true);

    const clock = scaledClock(SCALE);
    const clouds = twoClouds(clock, PER_CLOUD);
    const servers: SimServer[] = [await clouds.ec2.listen(), await clouds.ecs.listen()];
    cleanups.push(() => Promise.all(servers.map((s) => s.close())).then(() => undefined));
    const dir = mkdtempSync(join(tmpdir(), 'snapcopy-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const journalFile = join(dir, 'journal.db');
    const awsAccount = [...clouds.ec2.world.accounts.values()][0]!;
    const aliAccount = [...clouds.ecs.world.accounts.values()][0]!;
    const config = {
      journal: journalFile,
      batchId: 'crash',
      items: clouds.items(),
      aws: {
        endpoint: servers[0]!.url,
        credentials: { accessKeyId: awsAccount.accessKeyId, secretAccessKey: awsAccount.secretAccessKey },
      },
      alibaba: {
        endpoint: servers[1]!.url,
        credentials: { accessKeyId: aliAccount.accessKeyId, accessKeySecret: aliAccount.secretAccessKey },
      },
    };

    // First run: killed once enough copies have started.
    let started = 0;
    let killedAt = -1;
    const first = startChild(config, (l) => {
      if (l.event !== 'copy-started') return;
      started += 1;
      if (started === KILL_AFTER_STARTED) {
        killedAt = started;
        first.child.kill('SIGKILL');
      }
    });
    cleanups.push(() => void first.child.kill('SIGKILL'));
    const firstExit = await first.exited;
    expect(firstExit, 'the first run must die by SIGKILL, not finish').toBeNull();
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(killedAt).toBe(KILL_AFTER_STARTED);

    // The clouds now hold some copies, and the journal has unfinished work.
    const before = copiesByToken(clouds.ec2.world).size + copiesByToken(clouds.ecs.world).size;
    expect(before).toBeGreaterThanOrEqual(KILL_AFTER_STARTED);
    expect(before).toBeLessThan(2 * PER_CLOUD);

    // Second run: same arguments, same journal.
    let done: ChildLine | undefined;
    const second = startChild(config, (l) => {
      if (l.event === 'done') done = l;
    });
    cleanups.push(() => void second.child.kill('SIGKILL'));
    expect(await second.exited).toBe(0);
    expect(done?.resumed).toBe(true);
    const results = done!.results as {
      outcome: string;
      clientToken: string;
      resumed: boolean;
      destination?: { snapshotId: string };
    }[];
    expect(results.filter((r) => r.outcome !== 'completed')).toEqual([]);
    expect(results.some((r) => r.resumed)).toBe(true);

    // The simulators' word: one completed copy per token, the one the results name.
    clouds.ec2.world.advance();
    clouds.ecs.advance();
    const byToken = new Map([...copiesByToken(clouds.ec2.world), ...copiesByToken(clouds.ecs.world)]);
    expect([...byToken].filter(([, c]) => c.length > 1).map(([t]) => t)).toEqual([]);
    expect(byToken.size).toBe(2 * PER_CLOUD);
    for (const r of results) {
      const copies = byToken.get(r.clientToken) ?? [];
      expect(
        copies.map((c) => c.id),
        r.clientToken,
      ).toEqual([r.destination?.snapshotId]);
      expect(copies[0]!.state).toBe('completed');
    }
    expect(clouds.ec2.world.deleted.size + clouds.ecs.world.deleted.size).toBe(0);

    // And the journal agrees that nothing is left.
    const journal = await openSqliteJournal(journalFile);
    expect(await journal.listUnfinished('crash')).toEqual([]);
    await journal.close();
  }, 120_000);
});
