// engine-dbos against the in-process runner: the same 1,000 copies (500 per cloud) on both
// simulators (served on 127.0.0.1, on one sped-up clock), once through CopyOrchestrator in
// this process and once through 3 engine-dbos worker processes on a PostgreSQL started
// here. Prints, for both: provider calls by kind (from the simulators' request logs),
// status calls, makespan in simulator time; for the workers: database statements per copy
// (pg_stat_statements); then the takeover time after a worker is killed with SIGKILL (a
// smaller run). Runs the built packages (dist). Writes bench-results/engine-dbos.json.
//   SNAPCOPY_BENCH_COPIES=1000 (both clouds together), SNAPCOPY_BENCH_SCALE=50 (virtual s per real s)
//
// The simulators run on real time sped up: every millisecond a worker spends between a
// copy's end and the next copy's start (a queue poll, a dequeue, the steps' database
// writes) counts SCALE milliseconds of simulator time. At the default scale a 100-180 GiB
// copy (400-720 s) takes 8-14 real seconds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAlibabaEcsCopier } from '@snapcopy/alibaba';
import { createAwsEbsCopier } from '@snapcopy/aws';
import { connectEngine, followBatch, migrateDatabase, submitBatch } from '@snapcopy/engine-dbos';
import { startTestPostgres } from '@snapcopy/engine-dbos/testing';
import { CopyOrchestrator } from '@snapcopy/orchestrator';
import { spawnWorker, startFleetWorld } from '../test/dbos-fleet.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const COPIES = Number(process.env.SNAPCOPY_BENCH_COPIES ?? 1000);
const SCALE = Number(process.env.SNAPCOPY_BENCH_SCALE ?? 50);
const SIZES = [100, 140, 180, 120, 160];
const LIMIT = 20;
const POLL = { minIntervalMs: 20_000, maxIntervalMs: 300_000 };
const RETRY = { maxAttempts: 10, baseDelayMs: 4_000, maxDelayMs: 40_000 };
const ONCE = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
/** The workers' wall-clock settings for the comparison run. */
const TUNING = {
  poll: POLL,
  retry: RETRY,
  queuePollMs: 50,
  trackerTickMs: 50,
  heartbeatMs: 1_000,
  deadAfterMs: 5_000,
};

const line = (s = '') => process.stdout.write(`${s}\n`);

/** Provider requests of a simulator, by operation (status reads and token lookups are both DescribeSnapshots). */
function callsOf(sim) {
  const out = { CopySnapshot: 0, DescribeSnapshots: 0, other: 0, refusedAtLimit: 0 };
  for (const e of sim.world.requests.entries()) {
    if (e.errorCode === 'ResourceLimitExceeded') out.refusedAtLimit += 1;
    if (e.operation === 'CopySnapshot' || e.operation === 'DescribeSnapshots') out[e.operation] += 1;
    else out.other += 1;
  }
  return out;
}

/** Both adapters, one attempt per call (the runner retries), pointed at the simulators. */
function copiersFor(world) {
  return {
    aws: createAwsEbsCopier({ ...world.endpoints.aws, clock: world.clock, retry: ONCE }),
    alibaba: createAlibabaEcsCopier({
      ...world.endpoints.alibaba,
      protocol: 'http',
      clock: world.clock,
      retry: ONCE,
    }),
  };
}

/** Submits the world's requests to the workers as batch `batchId`. */
async function submit(world, conn, batchId) {
  const copiers = copiersFor(world);
  await submitBatch({
    pool: conn.pool,
    client: conn.client,
    copiers,
    items: world.items,
    batchId,
    clock: world.clock,
  });
}

const sum = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] + b[k]]));

async function inProcess() {
  const world = await startFleetWorld({
    perCloud: COPIES / 2,
    scale: SCALE,
    sizeOf: (i) => SIZES[i % SIZES.length],
  });
  try {
    const { aws, alibaba } = copiersFor(world);
    const copiers = {
      aws: { copier: aws, maxConcurrentCopiesPerRegion: LIMIT },
      alibaba: { copier: alibaba, maxConcurrentCopiesPerRegion: LIMIT },
    };
    const started = world.clock.now();
    const result = await new CopyOrchestrator({ copiers, clock: world.clock, poll: POLL, retry: RETRY }).run(
      world.items,
      { batchId: 'bench' },
    );
    return {
      completed: result.counts.completed,
      statusCalls: result.calls.status,
      makespanS: (Math.max(...result.results.map((r) => r.timings.finishedAt ?? 0)) - started) / 1000,
      provider: sum(callsOf(world.ec2), callsOf(world.ecs)),
    };
  } finally {
    await world.close();
  }
}

async function withFleet(perCloud, workers, tuning, run) {
  const server = await startTestPostgres({
    extraFlags: ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track=all'],
  });
  const world = await startFleetWorld({ perCloud, scale: SCALE, sizeOf: (i) => SIZES[i % SIZES.length] });
  const url = server.url('bench');
  const spawned = [];
  try {
    await migrateDatabase(url);
    const conn = await connectEngine(url);
    try {
      await conn.pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      const start = async (executorId) => {
        const w = spawnWorker({
          executorId,
          databaseUrl: url,
          clock: world.clockSettings,
          ...world.endpoints,
          limits: { aws: LIMIT, alibaba: LIMIT },
          tuning,
        });
        spawned.push(w);
        await w.ready;
        return w;
      };
      for (let i = 1; i <= workers; i++) await start(`bench-${i}`);
      return await run({ world, conn, workers: spawned });
    } finally {
      await conn.close();
    }
  } finally {
    for (const w of spawned)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(
      spawned.map((w) => Promise.race([w.exited, new Promise((r) => setTimeout(r, 20_000))])),
    );
    for (const w of spawned)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await world.close();
    await server.stop();
  }
}

/** Statements the database ran (pg_stat_statements), this database only. */
async function statements(conn) {
  const { rows } = await conn.pool.query(
    `SELECT COALESCE(sum(calls), 0)::bigint AS n FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return Number(rows[0].n);
}

async function dbos() {
  return withFleet(COPIES / 2, 3, TUNING, async ({ world, conn }) => {
    // The workers' idle cost (polls, beats), to tell it from the copies'.
    await conn.pool.query('SELECT pg_stat_statements_reset()');
    const idleMs = 5_000;
    await new Promise((r) => setTimeout(r, idleMs));
    const idle = await statements(conn);
    await conn.pool.query('SELECT pg_stat_statements_reset()');
    const wallStart = Date.now();
    const started = world.clock.now();
    await submit(world, conn, 'bench');
    const result = await followBatch({ pool: conn.pool, batchId: 'bench', pollMs: 500 });
    const wallMs = Date.now() - wallStart;
    const total = await statements(conn);
    const idleDuring = (idle / idleMs) * wallMs;
    return {
      completed: result.counts.completed,
      statusCalls: result.calls.status,
      makespanS: (Math.max(...result.results.map((r) => r.timings.finishedAt ?? 0)) - started) / 1000,
      provider: sum(callsOf(world.ec2), callsOf(world.ecs)),
      dbStatementsPerCopy: +(total / COPIES).toFixed(1),
      dbStatementsPerCopyNetOfIdle: +((total - idleDuring) / COPIES).toFixed(1),
      idleStatementsPerWorkerSecond: +(idle / 3 / (idleMs / 1000)).toFixed(1),
    };
  });
}

/** Takeover: 300 copies, 3 workers, the busiest killed with SIGKILL at 30 %. */
async function takeover() {
  const tuning = { ...TUNING, heartbeatMs: 1_000, deadAfterMs: 5_000 };
  return withFleet(150, 3, tuning, async ({ world, conn, workers }) => {
    await submit(world, conn, 'kill');
    for (;;) {
      const { rows } = await conn.pool.query(
        `SELECT count(*)::int AS n FROM snapcopy.copies WHERE batch_id = 'kill' AND result IS NOT NULL`,
      );
      if (rows[0].n >= 90) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const pending = await conn.client.listWorkflows({
      status: 'PENDING',
      loadInput: false,
      loadOutput: false,
    });
    const count = (id) => pending.filter((w) => w.executorId === id).length;
    const victim = [...workers].sort((a, b) => count(b.executorId) - count(a.executorId))[0];
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    let taken;
    while (!taken && Date.now() - killedAt < 60_000) {
      taken = workers
        .flatMap((w) => w.lines)
        .find((l) => l.event === 'takeover' && l.executorId === victim.executorId);
      if (!taken) await new Promise((r) => setTimeout(r, 20));
    }
    // Back in progress: every workflow it was running dequeued again by a live worker.
    const ids = pending.filter((w) => w.executorId === victim.executorId).map((w) => w.workflowID);
    let resumedAt;
    while (Date.now() - killedAt < 90_000) {
      const now = await conn.client.listWorkflows({ workflowIDs: ids, loadInput: false, loadOutput: false });
      if (now.every((w) => w.executorId !== victim.executorId && w.status !== 'ENQUEUED')) {
        resumedAt = Date.now();
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const result = await followBatch({ pool: conn.pool, batchId: 'kill', pollMs: 500 });
    return {
      copies: 300,
      victimPending: count(victim.executorId),
      heartbeatMs: tuning.heartbeatMs,
      deadAfterMs: tuning.deadAfterMs,
      queuePollMs: tuning.queuePollMs,
      takeoverMs: taken ? taken.at - killedAt : undefined,
      backInQueuesAndDequeuedMs: resumedAt === undefined ? undefined : resumedAt - killedAt,
      boundMs: tuning.deadAfterMs + tuning.heartbeatMs + tuning.queuePollMs,
      completed: result.counts.completed,
    };
  });
}

line(
  `engine-dbos against the in-process runner: ${COPIES} copies on both simulators, limit ${LIMIT} per region, clock x${SCALE}`,
);
const a = await inProcess();
line(`in-process: ${a.completed} completed, makespan ${a.makespanS.toFixed(0)} s (simulator time)`);
const b = await dbos();
line(`3 workers:  ${b.completed} completed, makespan ${b.makespanS.toFixed(0)} s (simulator time)`);
const c = await takeover();

const pct = (x, y) => `${(((x - y) / y) * 100).toFixed(1)} %`;
line();
line('| | in-process | 3 DBOS workers | difference |');
line('|---|---|---|---|');
line(`| copies completed | ${a.completed} | ${b.completed} | |`);
line(
  `| status calls (one per partition per round) | ${a.statusCalls} | ${b.statusCalls} | ${pct(b.statusCalls, a.statusCalls)} |`,
);
for (const k of ['CopySnapshot', 'DescribeSnapshots', 'other']) {
  line(
    `| provider requests: ${k} | ${a.provider[k]} | ${b.provider[k]} | ${pct(b.provider[k] || 0, a.provider[k] || 1)} |`,
  );
}
line(`| refused at the concurrency limit | ${a.provider.refusedAtLimit} | ${b.provider.refusedAtLimit} | |`);
line(
  `| makespan (simulator s) | ${a.makespanS.toFixed(0)} | ${b.makespanS.toFixed(0)} | ${pct(b.makespanS, a.makespanS)} |`,
);
line(
  `| database statements per copy | 0 | ${b.dbStatementsPerCopy} (${b.dbStatementsPerCopyNetOfIdle} net of idle) | |`,
);
line(`| idle statements per worker-second | | ${b.idleStatementsPerWorkerSecond} | |`);
line();
line(
  `takeover (${c.copies} copies, 3 workers, SIGKILL of the busiest with ${c.victimPending} copies running; heartbeat ${c.heartbeatMs} ms, dead after ${c.deadAfterMs} ms, queue poll ${c.queuePollMs} ms):`,
);
line(
  `  its copies back in their queues ${c.takeoverMs} ms after the kill; all running again on live workers after ${c.backInQueuesAndDequeuedMs} ms (bound: dead-after + one heartbeat + one queue poll = ${c.boundMs} ms); ${c.completed} completed`,
);

const results = join(here, '..', '..', '..', 'bench-results');
mkdirSync(results, { recursive: true });
writeFileSync(
  join(results, 'engine-dbos.json'),
  `${JSON.stringify({ copies: COPIES, scale: SCALE, limit: LIMIT, inProcess: a, dbos: b, takeover: c }, null, 2)}\n`,
);
