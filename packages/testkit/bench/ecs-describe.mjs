#!/usr/bin/env node
/**
 * DescribeSnapshots throughput of the ECS simulator over loopback with the real
 * @alicloud/ecs20140526 client, and the heap 100,000 snapshots take.
 *
 * Run after `npx tsc -b` (it imports ../dist): `node packages/testkit/bench/ecs-describe.mjs`.
 * The simulator runs in a child process (so its heap and CPU are its own); this process
 * drives it with the SDK. Prints a table and writes bench-results/ecs-describe.json
 * (relative to the working directory). Flow control is off: with the documented
 * 1000 calls / 60 s the figure would be 16.7 req/s by design.
 * Env: ECS_BENCH_SNAPSHOTS (100000), ECS_BENCH_SECONDS (6), ECS_BENCH_CONCURRENCY (4).
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SNAPSHOTS = Number(process.env.ECS_BENCH_SNAPSHOTS ?? 100_000);
const SECONDS = Number(process.env.ECS_BENCH_SECONDS ?? 6);
const CONCURRENCY = Number(process.env.ECS_BENCH_CONCURRENCY ?? 4);
const WALK_SECONDS_CAP = 25;
const REGION = 'cn-shanghai';
const mib = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** xorshift32: reproducible batches without Math.random. */
function randomInts(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

if (process.argv[2] === '--server') await serve();
else await drive();

/** Child: seeds the simulator, measures its heap and raw handler cost, serves on 127.0.0.1. */
async function serve() {
  const { EcsSimulator, VirtualClock, acs3Signature } = await import(join(here, '../dist/index.js'));
  const heap = () => {
    globalThis.gc?.();
    return process.memoryUsage().heapUsed;
  };
  const heapBefore = heap();
  const sim = new EcsSimulator({ clock: new VirtualClock({ autoAdvance: false }), rateLimit: false });
  sim.addRegions(REGION, 'cn-hangzhou');
  const account = sim.addAccount();
  const disks = Array.from(
    { length: 1000 },
    () => sim.addDisk({ account: account.id, region: REGION, sizeGiB: 100 }).id,
  );
  const t0 = performance.now();
  const ids = new Array(SNAPSHOTS);
  for (let i = 0; i < SNAPSHOTS; i++) {
    ids[i] = sim.addSnapshot({
      account: account.id,
      region: REGION,
      diskId: disks[i % disks.length],
      sizeGiB: 20 + (i % 50),
      changedGiB: 1 + (i % 5),
      name: `bench-${i}`,
      tags: { 'snapcopy:source': `s-${i}` },
    }).id;
  }
  const seedMs = performance.now() - t0;
  const heapSeeded = heap();

  // The simulator's own cost per 100-id request, without HTTP or the SDK.
  const rand = randomInts(7);
  const signed = (query) => {
    const headers = { host: '127.0.0.1', 'x-acs-action': 'DescribeSnapshots', 'x-acs-version': '2014-05-26' };
    const names = Object.keys(headers).sort();
    const sig = acs3Signature(
      { method: 'POST', path: '/', query, headers, body: '' },
      names,
      account.secretAccessKey,
    );
    headers.authorization = `ACS3-HMAC-SHA256 Credential=${account.accessKeyId},SignedHeaders=${names.join(';')},Signature=${sig}`;
    return {
      method: 'POST',
      url: `/?${query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`,
      headers,
      body: '',
    };
  };
  const handlerRuns = 300;
  const requests = Array.from({ length: handlerRuns }, () =>
    signed([
      ['RegionId', REGION],
      ['MaxResults', '100'],
      ['SnapshotIds', JSON.stringify(Array.from({ length: 100 }, () => ids[rand(SNAPSHOTS)]))],
    ]),
  );
  const t1 = performance.now();
  for (const r of requests) {
    const reply = await sim.handler.handle(r);
    if (reply.status !== 200) throw new Error(`handler answered ${reply.status}`);
  }
  const handlerMs = (performance.now() - t1) / handlerRuns;

  const server = await sim.listen();
  process.send({
    type: 'ready',
    port: server.port,
    accessKeyId: account.accessKeyId,
    accessKeySecret: account.secretAccessKey,
    ids,
    seedMs,
    handlerMsPer100Ids: handlerMs,
    heapBefore,
    heapSeeded,
  });
  process.on('message', async (m) => {
    if (m.type === 'stats')
      process.send({ type: 'stats', heap: heap(), requestLog: sim.world.requests.size });
    if (m.type === 'stop') {
      await server.close();
      process.exit(0);
    }
  });
}

/** Parent: drives the child with the real SDK. */
async function drive() {
  const child = fork(fileURLToPath(import.meta.url), ['--server'], {
    execArgv: ['--expose-gc'],
    stdio: 'inherit',
  });
  const nextMessage = (type) =>
    new Promise((resolve, reject) => {
      const onMessage = (m) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
    });
  try {
    const ready = await nextMessage('ready');
    const require = createRequire(import.meta.url);
    const ecsModule = require('@alicloud/ecs20140526');
    const EcsClient = ecsModule.default?.default ?? ecsModule.default;
    const { $OpenApiUtil } = require('@alicloud/openapi-core');
    const client = new EcsClient(
      new $OpenApiUtil.Config({
        accessKeyId: ready.accessKeyId,
        accessKeySecret: ready.accessKeySecret,
        regionId: REGION,
        endpoint: `127.0.0.1:${ready.port}`,
        protocol: 'http',
        readTimeout: 30_000,
      }),
    );
    const describe = (fields) =>
      client.describeSnapshots(new ecsModule.DescribeSnapshotsRequest({ regionId: REGION, ...fields }));
    const rand = randomInts(12345);

    const measure = async (seconds, task) => {
      let requests = 0;
      let items = 0;
      const start = performance.now();
      const deadline = start + seconds * 1000;
      const worker = async () => {
        while (performance.now() < deadline) {
          requests++;
          // Not `items += await …`: that reads `items` before the await and loses updates.
          const n = await task();
          items += n;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const secs = (performance.now() - start) / 1000;
      return {
        requests,
        seconds: round2(secs),
        requestsPerSecond: Math.round(requests / secs),
        snapshotsReturned: items,
      };
    };

    for (let i = 0; i < 20; i++) await describe({ maxResults: 10 });

    const byIds = await measure(SECONDS, async () => {
      const batch = Array.from({ length: 100 }, () => ready.ids[rand(SNAPSHOTS)]);
      const r = await describe({ snapshotIds: JSON.stringify(batch), maxResults: 100 });
      return r.body.snapshots.snapshot.length;
    });

    // Token paging: one sequential walk of the region, 100 a page (capped in time).
    const walkStart = performance.now();
    let pages = 0;
    let walked = 0;
    let token;
    do {
      const r = await describe({ maxResults: 100, ...(token ? { nextToken: token } : {}) });
      walked += r.body.snapshots.snapshot.length;
      token = r.body.nextToken || undefined;
      pages++;
    } while (token && performance.now() - walkStart < WALK_SECONDS_CAP * 1000);
    const walkSecs = (performance.now() - walkStart) / 1000;
    const tokenWalk = {
      requests: pages,
      seconds: round2(walkSecs),
      requestsPerSecond: Math.round(pages / walkSecs),
      snapshotsReturned: walked,
      complete: token === undefined,
    };
    if (tokenWalk.complete && walked !== SNAPSHOTS)
      throw new Error(`the walk returned ${walked} of ${SNAPSHOTS}`);

    const offsetPages = await measure(SECONDS / 2, async () => {
      const r = await describe({ pageSize: 100, pageNumber: 1 + rand(SNAPSHOTS / 100) });
      return r.body.snapshots.snapshot.length;
    });

    child.send({ type: 'stats' });
    const stats = await nextMessage('stats');
    const results = {
      benchmark: 'ecs-describe',
      node: process.version,
      snapshots: SNAPSHOTS,
      concurrency: CONCURRENCY,
      seedMs: Math.round(ready.seedMs),
      heapMiB: {
        emptySimulator: mib(ready.heapBefore),
        seeded: mib(ready.heapSeeded),
        forSnapshots: mib(ready.heapSeeded - ready.heapBefore),
        afterRequests: mib(stats.heap),
      },
      simulatorMsPer100IdRequest: round2(ready.handlerMsPer100Ids),
      describe: { snapshotIds100: byIds, tokenPagingWalk: tokenWalk, offsetPaging: offsetPages },
      requestLogEntries: stats.requestLog,
    };
    const rows = [
      [`100 random SnapshotIds (${CONCURRENCY} in flight)`, byIds],
      ['MaxResults=100 + NextToken walk (sequential)', tokenWalk],
      [`PageSize=100, random PageNumber (${CONCURRENCY} in flight)`, offsetPages],
    ];
    console.log(
      `ECS simulator: DescribeSnapshots over loopback with @alicloud/ecs20140526, Node ${process.version}`,
    );
    console.log(
      `${SNAPSHOTS.toLocaleString('en')} snapshots seeded in ${results.seedMs} ms; simulator heap ${results.heapMiB.seeded} MiB ` +
        `(${results.heapMiB.forSnapshots} MiB for the snapshots, ${results.heapMiB.afterRequests} MiB after the run)`,
    );
    console.log(
      `simulator alone (no HTTP, no SDK): ${results.simulatorMsPer100IdRequest} ms per 100-id request`,
    );
    console.log('');
    console.log(
      `${'DescribeSnapshots'.padEnd(52)}${'requests'.padStart(10)}${'req/s'.padStart(8)}${'snapshots'.padStart(12)}`,
    );
    for (const [name, r] of rows) {
      console.log(
        `${name.padEnd(52)}${String(r.requests).padStart(10)}${String(r.requestsPerSecond).padStart(8)}${String(r.snapshotsReturned).padStart(12)}`,
      );
    }
    mkdirSync('bench-results', { recursive: true });
    writeFileSync(join('bench-results', 'ecs-describe.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('\nwrote bench-results/ecs-describe.json');
  } finally {
    if (child.connected) child.send({ type: 'stop' });
  }
}

function round2(x) {
  return Math.round(x * 100) / 100;
}
