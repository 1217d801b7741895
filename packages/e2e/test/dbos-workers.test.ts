// Several engine-dbos worker processes on one PostgreSQL (started here, on 127.0.0.1),
// against both simulators with faults on. One worker is killed with SIGKILL mid-run and
// another started later; in the second test PostgreSQL itself restarts mid-run. The
// verdicts are the simulators' own: every copy exactly once and completed, none lost, and
// never more copies in progress per account and region than the provider's limit.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connectEngine,
  type EngineConnection,
  followBatch,
  migrateDatabase,
  submitBatch,
} from '@snapcopy/engine-dbos';
import { startTestPostgres, type TestPostgres } from '@snapcopy/engine-dbos/testing';
import { type BatchResult, copyIdOf } from '@snapcopy/orchestrator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  copiesByToken,
  type FleetWorker,
  type FleetWorld,
  limitRefusals,
  peakInProgress,
  spawnWorker,
  startFleetWorld,
} from './dbos-fleet.mjs';
import { twoClouds } from './two-clouds.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Virtual seconds per real second: copies of 32 s to 4 min take 0.3 to 2.6 s. */
const SCALE = 100;
/** The chaos test's rates: throttling 10 %, 5xx 3 %, replies dropped after the action 2 %, resets 1 %. */
const CHAOS = { throttle: 0.1, 'server-error': 0.03, 'drop-after': 0.02, reset: 0.01 } as const;
/** The providers' limits per account and destination region: EC2's 20, and 10 for ECS (snapcopy's default). */
const LIMITS = { aws: 20, alibaba: 10 } as const;
/** Wall-clock settings of the workers (their engine durations are virtual, on the sped-up clock). */
const TUNING = {
  poll: { minIntervalMs: 4_000, maxIntervalMs: 100_000 },
  retry: { maxAttempts: 10, baseDelayMs: 4_000, maxDelayMs: 40_000 },
  throttleBackoff: { baseDelayMs: 4_000, maxDelayMs: 100_000 },
  queuePollMs: 100,
  trackerTickMs: 100,
  trackerLeaseMs: 2_000,
  heartbeatMs: 500,
  // Short, so the test is: a worker silent this long on a loaded 2-core machine is dead.
  deadAfterMs: 5_000,
};

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
}, 60_000);

function assertBuilt(): void {
  for (const p of [
    'engine-dbos/dist/index.js',
    'aws/dist/index.js',
    'alibaba/dist/index.js',
    'testkit/dist/index.js',
  ]) {
    const file = join(here, '..', '..', p);
    expect(existsSync(file), `${file} (run "tsc -b" first)`).toBe(true);
  }
}

/** PostgreSQL, its database migrated once (before any worker: concurrent first migrations race), the clouds. */
async function fleet(perCloud: number, faultSeed: number) {
  assertBuilt();
  const server: TestPostgres = await startTestPostgres();
  cleanups.push(() => server.stop());
  const url = server.url('fleet');
  await migrateDatabase(url);
  const world: FleetWorld = await startFleetWorld({ perCloud, scale: SCALE, faultSeed });
  cleanups.push(() => world.close());
  world.ec2.faults.chaos(CHAOS);
  world.ecs.faults.chaos(CHAOS);
  const conn: EngineConnection = await connectEngine(url);
  cleanups.push(() => conn.close());
  const workers: FleetWorker[] = [];
  const start = async (executorId: string, tuning: Record<string, unknown> = TUNING) => {
    const w = spawnWorker({
      executorId,
      databaseUrl: url,
      clock: world.clockSettings,
      ...world.endpoints,
      limits: LIMITS,
      tuning,
    });
    workers.push(w);
    await w.ready;
    return w;
  };
  cleanups.push(async () => {
    // A clean stop for the live ones; nothing is left running.
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(
      workers.map((w) =>
        Promise.race([w.exited, new Promise((r) => setTimeout(r, 20_000))]).then(() => {
          if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
        }),
      ),
    );
  });
  // Submitting needs copiers only to validate the requests; they make no call.
  const validators = twoClouds(world.clock, 0).copiers();
  const submit = (batchId: string) =>
    submitBatch({
      pool: conn.pool,
      client: conn.client,
      copiers: validators,
      items: world.items,
      batchId,
      clock: world.clock,
    });
  return { server, url, world, conn, workers, start, submit };
}

/** How many copies of the batch have ended, per the journal. */
async function ended(conn: EngineConnection, batchId: string): Promise<number> {
  const { rows } = await conn.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM snapcopy.copies WHERE batch_id = $1 AND result IS NOT NULL`,
    [batchId],
  );
  return rows[0]!.n;
}

/** Waits (bounded) until `n` copies have ended. */
async function untilEnded(
  conn: EngineConnection,
  batchId: string,
  n: number,
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await ended(conn, batchId)) < n) {
    if (Date.now() > until) throw new Error(`fewer than ${n} copies ended within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The simulators' word on a finished batch: one completed copy per token, none lost, the limits kept. */
function assertExactlyOnce(world: FleetWorld, result: BatchResult, perCloud: number) {
  world.ec2.world.advance();
  world.ecs.advance();
  const byToken = new Map([...copiesByToken(world.ec2.world), ...copiesByToken(world.ecs.world)]);
  const duplicates = [...byToken].filter(([, c]) => c.length > 1).map(([t]) => t);
  expect(duplicates).toEqual([]);
  expect(byToken.size).toBe(2 * perCloud);
  expect(world.ec2.world.deleted.size + world.ecs.world.deleted.size).toBe(0);
  for (const r of result.results) {
    const copies = byToken.get(r.clientToken) ?? [];
    expect(
      copies.map((c) => c.id),
      r.clientToken,
    ).toEqual([r.destination && copyIdOf(r.destination)]);
    expect(copies[0]!.state).toBe('completed');
  }
  const now = world.clock.now();
  const peaks = { ...peakInProgress(world.ec2.world, now), ...peakInProgress(world.ecs.world, now) };
  for (const [key, peak] of Object.entries(peaks)) {
    const limit = key.startsWith('111111111111/') ? LIMITS.aws : LIMITS.alibaba;
    expect(peak, `copies in progress at once in ${key}`).toBeLessThanOrEqual(limit);
  }
  expect(limitRefusals(world.ec2.world) + limitRefusals(world.ecs.world)).toBe(0);
  return { byToken, peaks };
}

describe('engine-dbos: workers that take over from each other', () => {
  it('3 workers, 300 copies on both clouds with faults on, one killed with SIGKILL and another started later: every copy once, none lost, limits kept', async () => {
    const PER_CLOUD = 150;
    const f = await fleet(PER_CLOUD, 2026);
    const startedAt = Date.now();
    const virtualStart = f.world.clock.now();
    await Promise.all(['w1', 'w2', 'w3'].map((id) => f.start(id)));
    const submitted = await f.submit('fleet');
    expect(submitted).toMatchObject({ size: 2 * PER_CLOUD, enqueued: 2 * PER_CLOUD, refused: 0 });

    // At 30 % done, kill the worker running the most copies.
    await untilEnded(f.conn, 'fleet', Math.round(0.3 * 2 * PER_CLOUD), 120_000);
    const pending = await f.conn.client.listWorkflows({
      status: 'PENDING',
      loadInput: false,
      loadOutput: false,
    });
    const byExecutor = new Map<string, number>();
    for (const w of pending)
      byExecutor.set(w.executorId ?? '', (byExecutor.get(w.executorId ?? '') ?? 0) + 1);
    const victim = [...f.workers].sort(
      (a, b) => (byExecutor.get(b.executorId) ?? 0) - (byExecutor.get(a.executorId) ?? 0),
    )[0]!;
    const victimPending = byExecutor.get(victim.executorId) ?? 0;
    expect(victimPending).toBeGreaterThan(0);
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBeNull();
    // A fourth worker joins a few seconds later.
    await new Promise((r) => setTimeout(r, 2_000));
    await f.start('w4');

    const result = await followBatch({
      pool: f.conn.pool,
      batchId: 'fleet',
      pollMs: 200,
      signal: AbortSignal.timeout(150_000),
    });
    expect(result.aborted).toBe(false);
    expect(
      result.results
        .filter((r) => r.outcome !== 'completed')
        .map((r) => `${r.index}:${r.outcome}:${r.error?.message}`),
    ).toEqual([]);
    const { byToken, peaks } = assertExactlyOnce(f.world, result, PER_CLOUD);

    // The killed worker's copies were taken over by a live one, and none of its workflows is left.
    const takeover = f.workers
      .filter((w) => w !== victim)
      .flatMap((w) => w.lines)
      .find((l) => l.event === 'takeover' && l.executorId === victim.executorId) as
      | { worker: string; rule: string; recovered: number; at: number }
      | undefined;
    expect(takeover, 'a live worker took the killed one over').toBeDefined();
    const left = await f.conn.client.listWorkflows({
      executorId: victim.executorId,
      status: 'PENDING',
      loadInput: false,
      loadOutput: false,
    });
    expect(left).toEqual([]);
    // Each workflow's last step journals its result; DBOS records SUCCESS just after it.
    await vi.waitFor(
      async () => {
        const statuses = await f.conn.client.listWorkflows({
          workflowIDs: result.results.map((r) => r.clientToken),
          loadInput: false,
          loadOutput: false,
        });
        expect(
          statuses.filter((s) => s.status !== 'SUCCESS').map((s) => `${s.workflowID}:${s.status}`),
        ).toEqual([]);
      },
      { timeout: 10_000, interval: 200 },
    );

    const figures = {
      multiWorker: {
        copies: 2 * PER_CLOUD,
        workers: ['w1', 'w2', 'w3', '+w4 later'],
        killed: victim.executorId,
        killedWithPending: victimPending,
        takeover: { ...takeover, afterKillMs: takeover!.at - killedAt },
        copySnapshotCalls: {
          aws: f.world.ec2.world.requests.count('CopySnapshot'),
          alibaba: f.world.ecs.world.requests.count('CopySnapshot'),
        },
        statusCalls: result.calls.status,
        faultsInjected: { aws: f.world.ec2.faults.injected, alibaba: f.world.ecs.faults.injected },
        copiesInClouds: byToken.size,
        duplicates: [...byToken.values()].filter((c) => c.length > 1).length,
        lost: 2 * PER_CLOUD - byToken.size,
        peakInProgress: peaks,
        limits: LIMITS,
        realSeconds: +((Date.now() - startedAt) / 1000).toFixed(1),
        virtualMinutes: +((f.world.clock.now() - virtualStart) / 60_000).toFixed(1),
      },
    };
    console.log(JSON.stringify(figures));
  }, 240_000);

  it('2 workers, 120 copies with faults on, PostgreSQL restarted mid-run: the workers wait it out; every copy once, none lost, no takeover', async () => {
    const PER_CLOUD = 60;
    const f = await fleet(PER_CLOUD, 2027);
    const startedAt = Date.now();
    // No worker may look dead for the outage alone: a longer bound than the kill test's, so
    // that only a worker that is really stalled (not one slowed by a loaded machine) would be.
    await Promise.all(['p1', 'p2'].map((id) => f.start(id, { ...TUNING, deadAfterMs: 15_000 })));
    // Each phase's end, in seconds from the start: a failure says where the time went.
    const phases: string[] = [];
    const mark = (phase: string) => phases.push(`${phase} ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
    await f.submit('restart');
    mark('submitted');
    await untilEnded(f.conn, 'restart', Math.round(0.4 * 2 * PER_CLOUD), 100_000);
    mark('40% ended');
    const downAt = Date.now();
    await f.server.stopServer();
    mark('PostgreSQL stopped');
    await new Promise((r) => setTimeout(r, 3_000));
    await f.server.startServer();
    mark('PostgreSQL started');
    const downMs = Date.now() - downAt;

    const result = await followBatch({
      pool: f.conn.pool,
      batchId: 'restart',
      pollMs: 200,
      // What is left of the test's time, less 15 s to report a stall instead of timing out.
      signal: AbortSignal.timeout(Math.max(10_000, 225_000 - (Date.now() - startedAt))),
    });
    mark('followed');
    const workersSaid = () =>
      f.workers.map((w) => `${w.executorId}: ${w.stderr().split('\n').slice(-15).join('\n')}`).join('\n');
    expect(result.aborted, `${phases.join(', ')}\n${workersSaid()}`).toBe(false);
    expect(
      result.results.filter((r) => r.outcome !== 'completed').map((r) => `${r.index}:${r.outcome}`),
    ).toEqual([]);
    const { byToken, peaks } = assertExactlyOnce(f.world, result, PER_CLOUD);
    // Both workers lived through it: neither took the other over, both still run.
    const stderr = f.workers.map((w) => `${w.executorId}: ${w.stderr()}`).join('\n');
    expect(
      f.workers.flatMap((w) => w.lines).filter((l) => l.event === 'takeover'),
      stderr,
    ).toEqual([]);
    for (const w of f.workers) expect(w.child.exitCode).toBeNull();
    console.log(
      JSON.stringify({
        postgresRestart: {
          copies: 2 * PER_CLOUD,
          workers: 2,
          postgresDownMs: downMs,
          copySnapshotCalls: {
            aws: f.world.ec2.world.requests.count('CopySnapshot'),
            alibaba: f.world.ecs.world.requests.count('CopySnapshot'),
          },
          copiesInClouds: byToken.size,
          duplicates: [...byToken.values()].filter((c) => c.length > 1).length,
          peakInProgress: peaks,
          realSeconds: +((Date.now() - startedAt) / 1000).toFixed(1),
        },
      }),
    );
  }, 240_000);
});
