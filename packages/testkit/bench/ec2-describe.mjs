#!/usr/bin/env node
// DescribeSnapshots throughput of the EC2 simulator over loopback with the real AWS SDK,
// and the heap held by 100,000 snapshots. Run after `npx tsc -b` (imports ../dist).
// Prints a table; writes bench-results/ec2-describe.json at the repository root.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const SNAPSHOTS = Number(process.env.BENCH_SNAPSHOTS ?? 100_000);
const SNAPSHOTS_PER_VOLUME = 10;
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 4_000);
const CONCURRENCY = 8;
const ACCOUNT = '111111111111';
const REGION = 'us-east-1';

const { Ec2Simulator, VirtualClock } = await import('../dist/index.js');
const { EC2Client, DescribeSnapshotsCommand } = await import('@aws-sdk/client-ec2');
// The testkit loads nock (for its nock mounting), and nock patches node:http as soon as it
// is imported: every in-process client request then costs several ms more. This bench
// only uses the 127.0.0.1 server, so it switches the interception off.
(await import('nock')).default.restore();

const heapMiB = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

// Throttling off: the point is the simulator's own cost, not EC2's request quotas.
const sim = new Ec2Simulator({ clock: new VirtualClock(), throttling: false });
sim.addRegions(REGION);
sim.addAccount({
  id: ACCOUNT,
  accessKeyId: 'AKIABENCH00000000001',
  secretAccessKey: 'bench-secret-0000000001',
});
const heapBefore = heapMiB();
const t0 = performance.now();
const ids = [];
let volumeId;
for (let i = 0; i < SNAPSHOTS; i++) {
  if (i % SNAPSHOTS_PER_VOLUME === 0)
    volumeId = sim.addVolume({ account: ACCOUNT, region: REGION, sizeGiB: 100 }).id;
  ids.push(
    sim.addSnapshot({
      account: ACCOUNT,
      region: REGION,
      volumeId,
      sizeGiB: 60,
      changedGiB: 3,
      encrypted: i % 2 === 0,
      tags: { app: `app-${i % 50}` },
    }).id,
  );
}
const seedMs = performance.now() - t0;
const heapAfter = heapMiB();

const server = await sim.listen();
const client = new EC2Client({
  region: REGION,
  endpoint: server.url,
  maxAttempts: 1,
  credentials: sim.credentials(ACCOUNT),
});

let seed = 42;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const batch = (n) => Array.from({ length: n }, () => ids[Math.floor(random() * ids.length)]);

/** Runs `call` with CONCURRENCY in flight for PHASE_MS; returns requests/s and items/s. */
async function phase(name, call) {
  let requests = 0;
  let items = 0;
  const latencies = [];
  const end = performance.now() + PHASE_MS;
  const worker = async () => {
    while (performance.now() < end) {
      const s = performance.now();
      const n = await call(); // read `items` after the await: workers interleave
      items += n;
      latencies.push(performance.now() - s);
      requests++;
    }
  };
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests,
    requestsPerSecond: Math.round(requests / seconds),
    snapshotsPerSecond: Math.round(items / seconds),
    p50Ms: Number(latencies[Math.floor(latencies.length / 2)].toFixed(2)),
    p99Ms: Number(latencies[Math.floor(latencies.length * 0.99)].toFixed(2)),
    // Client + server CPU per request: steadier than wall-clock rates on a shared machine.
    cpuMsPerRequest: Number(((cpu.user + cpu.system) / 1000 / requests).toFixed(2)),
  };
}

const results = [];
results.push(
  await phase('200 ids via snapshot-id filter', async () => {
    const out = await client.send(
      new DescribeSnapshotsCommand({ Filters: [{ Name: 'snapshot-id', Values: batch(200) }] }),
    );
    return out.Snapshots.length;
  }),
);
results.push(
  await phase('1 id via SnapshotId.N', async () => {
    const out = await client.send(new DescribeSnapshotsCommand({ SnapshotIds: batch(1) }));
    return out.Snapshots.length;
  }),
);
results.push(
  await phase('tag filter, 1000 per page', async () => {
    const out = await client.send(
      new DescribeSnapshotsCommand({ MaxResults: 1000, Filters: [{ Name: 'tag:app', Values: ['app-7'] }] }),
    );
    return out.Snapshots.length;
  }),
);

// A paginated listing of every snapshot, 1000 per page (stopped after 2 phases' time on a
// slow machine; the tests check that paging returns every snapshot exactly once).
const listStart = performance.now();
const listCpu0 = process.cpuUsage();
let pages = 0;
let listed = 0;
let token;
do {
  const out = await client.send(
    new DescribeSnapshotsCommand({
      OwnerIds: ['self'],
      MaxResults: 1000,
      ...(token ? { NextToken: token } : {}),
    }),
  );
  pages++;
  listed += out.Snapshots.length;
  token = out.NextToken;
} while (token && performance.now() - listStart < 2 * PHASE_MS);
const listSeconds = (performance.now() - listStart) / 1000;
const listCpu = process.cpuUsage(listCpu0);
results.push({
  name: `paginated listing, ${pages} pages of 1000${token ? ' (stopped early)' : ' (complete)'}`,
  requests: pages,
  requestsPerSecond: Number((pages / listSeconds).toFixed(1)),
  snapshotsPerSecond: Math.round(listed / listSeconds),
  p50Ms: null,
  p99Ms: null,
  cpuMsPerRequest: Number(((listCpu.user + listCpu.system) / 1000 / pages).toFixed(2)),
});
client.destroy();
await server.close();

const memory = {
  snapshots: SNAPSHOTS,
  volumes: Math.ceil(SNAPSHOTS / SNAPSHOTS_PER_VOLUME),
  heapMiB: Number((heapAfter - heapBefore).toFixed(1)),
  bytesPerSnapshot: Math.round(((heapAfter - heapBefore) * 1024 * 1024) / SNAPSHOTS),
  seedSeconds: Number((seedMs / 1000).toFixed(2)),
};
console.log(
  `EC2 simulator, ${SNAPSHOTS.toLocaleString('en')} snapshots, loopback, @aws-sdk/client-ec2, ${CONCURRENCY} in flight, load average ${loadavg()[0].toFixed(1)}`,
);
console.table(results);
console.table([memory]);
if (!token && listed !== SNAPSHOTS)
  throw new Error(`listing returned ${listed} snapshots, expected ${SNAPSHOTS}`);

const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench-results/ec2-describe.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ bench: 'ec2-describe', node: process.version, at: new Date().toISOString(), loadAverage: loadavg(), concurrency: CONCURRENCY, phaseMs: PHASE_MS, memory, results }, null, 2)}\n`,
);
console.log(`written ${out}`);
