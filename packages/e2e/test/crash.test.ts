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
import { assertOneCopyPerToken, imageCopies, mixedClouds, type ResultFacts } from './mixed-clouds.js';
import { copiesByToken, type TwoClouds, twoClouds } from './two-clouds.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'crash-child.mjs');
const PER_CLOUD = 30;
/** Virtual seconds per real second: copies of 10 s to 4 min take 50 ms to 1.3 s. */
const SCALE = 200;
const KILL_AFTER_STARTED = 25;
/** Twice the chaos test's rates: throttling 20 %, 5xx 6 %, replies dropped after the action 4 %, resets 2 %. */
const TWICE_CHAOS = { throttle: 0.2, 'server-error': 0.06, 'drop-after': 0.04, reset: 0.02 } as const;
const MAX_RERUNS = 4;

/** Real time sped up; the child builds the same clock from `settings`. */
function scaledClock(
  scale: number,
): Clock & { settings: { realStart: number; virtualStart: number; scale: number } } {
  const realStart = Date.now();
  const virtualStart = Date.UTC(2026, 0, 1);
  return {
    settings: { realStart, virtualStart, scale },
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

interface ChildResult {
  readonly index: number;
  readonly kind: 'snapshot' | 'image';
  readonly attempts: number;
  readonly outcome: string;
  readonly clientToken: string;
  readonly resumed: boolean;
  readonly destination?: { region: string; snapshotId?: string; imageId?: string };
  readonly error?: string;
  readonly duplicatesRemoved: number;
}

/** Both simulators served on 127.0.0.1 on a sped-up clock, with a journal and the child's config. */
async function crashWorld(options: { faultSeed?: number; copierRetry?: unknown; images?: number } = {}) {
  const built = ['orchestrator/dist/index.js', 'aws/dist/index.js', 'alibaba/dist/index.js'].map((p) =>
    join(here, '..', '..', p),
  );
  for (const file of built) expect(existsSync(file), `${file} (run "tsc -b" first)`).toBe(true);

  const clock = scaledClock(SCALE);
  const seed = options.faultSeed === undefined ? {} : { faultSeed: options.faultSeed };
  // With images: PER_CLOUD snapshot requests and `images` image requests per cloud, interleaved.
  const mixed =
    options.images === undefined
      ? undefined
      : mixedClouds(clock, { snapshots: PER_CLOUD, images: options.images, ...seed });
  const clouds = mixed ?? twoClouds(clock, PER_CLOUD, seed);
  const servers: SimServer[] = [await clouds.ec2.listen(), await clouds.ecs.listen()];
  cleanups.push(() => Promise.all(servers.map((s) => s.close())).then(() => undefined));
  const dir = mkdtempSync(join(tmpdir(), 'snapcopy-crash-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const journalFile = join(dir, 'journal.db');
  const awsAccount = [...clouds.ec2.world.accounts.values()][0]!;
  const aliAccount = [...clouds.ecs.world.accounts.values()][0]!;
  const config = {
    clock: clock.settings,
    journal: journalFile,
    batchId: 'crash',
    items: mixed ? mixed.mixedItems() : clouds.items(),
    ...(mixed ? { images: true } : {}),
    aws: {
      endpoint: servers[0]!.url,
      credentials: { accessKeyId: awsAccount.accessKeyId, secretAccessKey: awsAccount.secretAccessKey },
    },
    alibaba: {
      endpoint: servers[1]!.url,
      credentials: { accessKeyId: aliAccount.accessKeyId, accessKeySecret: aliAccount.secretAccessKey },
    },
    ...(options.copierRetry === undefined ? {} : { copierRetry: options.copierRetry }),
  };
  return { clock, clouds, mixed, config, journalFile };
}

/**
 * Runs the child until `killWhen` says so of the kinds of the copies started so far (by
 * default: once `KILL_AFTER_STARTED` have started), then kills it with SIGKILL; returns
 * those kinds.
 */
async function runAndKill(
  config: unknown,
  killWhen: (kinds: readonly string[]) => boolean = (kinds) => kinds.length === KILL_AFTER_STARTED,
): Promise<string[]> {
  const kinds: string[] = [];
  let killed = false;
  const first = startChild(config, (l) => {
    if (l.event !== 'copy-started' || killed) return;
    kinds.push(String(l.kind));
    if (killWhen(kinds)) {
      killed = true;
      first.child.kill('SIGKILL');
    }
  });
  cleanups.push(() => void first.child.kill('SIGKILL'));
  const firstExit = await first.exited;
  expect(firstExit, 'the first run must die by SIGKILL, not finish').toBeNull();
  expect(first.child.signalCode).toBe('SIGKILL');
  expect(killed).toBe(true);
  return kinds;
}

/** Runs the child to its end; returns its last line. */
async function runToEnd(config: unknown): Promise<ChildLine> {
  let done: ChildLine | undefined;
  const run = startChild(config, (l) => {
    if (l.event === 'done') done = l;
  });
  cleanups.push(() => void run.child.kill('SIGKILL'));
  expect(await run.exited).toBe(0);
  expect(done).toBeDefined();
  return done!;
}

/** The simulators' word: one completed copy per token, the one the results name, none lost. */
function assertExactlyOnce(clouds: TwoClouds, results: readonly ChildResult[]) {
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
  return byToken;
}

describe('orchestrator crash test', () => {
  it('SIGKILL mid-run, restart with the same journal: every copy done exactly once', async () => {
    const { clouds, config, journalFile } = await crashWorld();
    await runAndKill(config);

    // The clouds now hold some copies, and the journal has unfinished work.
    const before = copiesByToken(clouds.ec2.world).size + copiesByToken(clouds.ecs.world).size;
    expect(before).toBeGreaterThanOrEqual(KILL_AFTER_STARTED);
    expect(before).toBeLessThan(2 * PER_CLOUD);

    // Second run: same arguments, same journal.
    const done = await runToEnd(config);
    expect(done.resumed).toBe(true);
    const results = done.results as ChildResult[];
    expect(results.filter((r) => r.outcome !== 'completed')).toEqual([]);
    expect(results.some((r) => r.resumed)).toBe(true);

    assertExactlyOnce(clouds, results);
    expect(clouds.ec2.world.deleted.size + clouds.ecs.world.deleted.size).toBe(0);

    // And the journal agrees that nothing is left.
    const journal = await openSqliteJournal(journalFile);
    expect(await journal.listUnfinished('crash')).toEqual([]);
    await journal.close();
  }, 120_000);

  it('SIGKILL mid-run of a batch mixing snapshots and images: the rerun finds the image copies the journal holds; none made twice', async () => {
    const IMAGES = 8;
    const { clouds, mixed, config, journalFile } = await crashWorld({ images: IMAGES });
    // Killed once a few image copies have started (images plan after their snapshots' reads).
    await runAndKill(config, (kinds) => kinds.filter((k) => k === 'image').length === 4);

    // The journal holds image copies started and not finished, each with its image id.
    const before = await openSqliteJournal(journalFile);
    const openImages = (await before.listUnfinished('crash')).filter(
      (e) => e.kind === 'image' && e.destination !== undefined,
    );
    await before.close();
    expect(openImages.length).toBeGreaterThan(0);
    for (const e of openImages)
      expect(e.destination).toMatchObject({ imageId: expect.stringMatching(/^(ami|m)-/) });
    const imagesInClouds = imageCopies(clouds.ec2).length + imageCopies(clouds.ecs).length;
    expect(imagesInClouds).toBeGreaterThanOrEqual(openImages.length);

    const done = await runToEnd(config);
    expect(done.resumed).toBe(true);
    const results = done.results as (ChildResult & ResultFacts)[];
    expect(results.filter((r) => r.outcome !== 'completed')).toEqual([]);
    // Every image copy the journal held is tracked, not sent again.
    const resumedImages = results.filter((r) => r.kind === 'image' && r.resumed);
    expect(resumedImages.length).toBeGreaterThanOrEqual(openImages.length);
    for (const e of openImages) {
      const r = results.find((x) => x.clientToken === e.clientToken)!;
      expect(r).toMatchObject({ kind: 'image', resumed: true, attempts: 0, destination: e.destination });
    }
    const items = mixed!.mixedItems();
    assertOneCopyPerToken(clouds.ec2, items, results);
    assertOneCopyPerToken(clouds.ecs, items, results);
    expect(
      clouds.ec2.world.requests.count('CopyImage') + clouds.ecs.world.requests.count('CopyImage'),
    ).toBeLessThan(2 * IMAGES + 2);
  }, 120_000);

  it('SIGKILL mid-run with faults at twice the chaos rates: reruns finish every copy, none doubled, none lost', async () => {
    const { clock, clouds, config, journalFile } = await crashWorld({
      faultSeed: 2027,
      // One attempt per copier call, as `snapcopy batch` runs: the orchestrator owns the retries.
      copierRetry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    clouds.ec2.faults.chaos(TWICE_CHAOS);
    clouds.ecs.faults.chaos(TWICE_CHAOS);
    const startedAt = Date.now();
    const virtualStart = clock.now();
    await runAndKill(config);

    // Rerun until nothing is left open: a rerun may end with copies `resumable` when the
    // faults outlast its retries. Bounded.
    const runs: { counts: unknown; calls: unknown; resumable: number }[] = [];
    let results: ChildResult[] = [];
    for (let run = 0; run < MAX_RERUNS; run++) {
      const done = await runToEnd(config);
      expect(done.resumed).toBe(true);
      results = done.results as ChildResult[];
      const resumable = results.filter((r) => r.outcome === 'resumable').length;
      runs.push({ counts: done.counts, calls: done.calls, resumable });
      // Faults make copies wait or end open; they never make one fail.
      expect(results.filter((r) => r.outcome !== 'completed' && r.outcome !== 'resumable')).toEqual([]);
      if (resumable === 0) break;
    }
    expect(results.filter((r) => r.outcome !== 'completed')).toEqual([]);
    const byToken = assertExactlyOnce(clouds, results);
    const journal = await openSqliteJournal(journalFile);
    expect(await journal.listUnfinished('crash')).toEqual([]);
    await journal.close();

    // The faults really happened, of every kind (a few hundred requests per cloud: counted
    // over both clouds, as a 2 % rate may miss one of them).
    for (const kind of Object.keys(TWICE_CHAOS) as (keyof typeof TWICE_CHAOS)[]) {
      expect(clouds.ec2.faults.injected[kind] + clouds.ecs.faults.injected[kind], kind).toBeGreaterThan(0);
    }
    const figures = {
      crashAndFaultRun: {
        rates: TWICE_CHAOS,
        copies: 2 * PER_CLOUD,
        killedAfterStarted: KILL_AFTER_STARTED,
        reruns: runs.length,
        runs,
        faultsInjected: { aws: clouds.ec2.faults.injected, alibaba: clouds.ecs.faults.injected },
        providerRequests: { aws: clouds.ec2.world.requests.size, alibaba: clouds.ecs.world.requests.size },
        copySnapshotCalls: {
          aws: clouds.ec2.world.requests.count('CopySnapshot'),
          alibaba: clouds.ecs.world.requests.count('CopySnapshot'),
        },
        copiesInClouds: byToken.size,
        duplicatesSurviving: [...byToken.values()].filter((c) => c.length > 1).length,
        duplicatesMadeAndRemoved: clouds.ec2.world.deleted.size + clouds.ecs.world.deleted.size,
        lost: 2 * PER_CLOUD - byToken.size,
        realSeconds: +((Date.now() - startedAt) / 1000).toFixed(1),
        virtualMinutes: +((clock.now() - virtualStart) / 60_000).toFixed(1),
      },
    };
    console.log(JSON.stringify(figures));
  }, 180_000);
});
