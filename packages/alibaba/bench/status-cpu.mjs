#!/usr/bin/env node
// CPU cost of AlibabaEcsSnapshotCopier.status() for 1 and 200 ids against the raw SDK's
// DescribeSnapshots for the same ids (same request: RegionId, SnapshotIds as a JSON array,
// MaxResults 100; 200 ids = 2 calls of 100 on both sides), against one ECS simulator on
// 127.0.0.1 running in a child process. Run after `npx tsc -b packages/alibaba packages/testkit`
// (imports ../dist). Prints a table; writes bench-results/alibaba-status-cpu.json at the root.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compareAdapterWithRawSdk,
  roundedComparison,
  startSimulatorProcess,
  writeBenchResult,
} from '../../../scripts/bench-lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ITERATIONS_1 = Number(process.env.BENCH_ITERATIONS_1 ?? 600);
const ITERATIONS_200 = Number(process.env.BENCH_ITERATIONS_200 ?? 150);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const simulator = await startSimulatorProcess(resolve(here, '_sim-server.mjs'));
const { url, credentials, ids } = simulator.info;

try {
  const { createAlibabaEcsCopier } = await import('../dist/index.js');
  const ecs = await import('@alicloud/ecs20140526');
  const { $OpenApiUtil } = await import('@alicloud/openapi-core');
  // Plain node: the CommonJS exports object is the default import.
  const Client = ecs.default.default;
  const { DescribeSnapshotsRequest } = ecs.default;
  const region = 'cn-shanghai';
  const host = url.replace(/^http:\/\//, '');
  const copier = createAlibabaEcsCopier({
    credentials,
    endpoint: url,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  const raw = new Client(
    new $OpenApiUtil.Config({ ...credentials, regionId: region, endpoint: host, protocol: 'http' }),
  );
  const runtime = { autoretry: false, maxAttempts: 0, readTimeout: 30_000, connectTimeout: 10_000 };

  const refs = (n) => ids.slice(0, n).map((snapshotId) => ({ region, snapshotId }));
  const describe = (batch) =>
    raw.describeSnapshotsWithOptions(
      new DescribeSnapshotsRequest({ regionId: region, snapshotIds: JSON.stringify(batch), maxResults: 100 }),
      runtime,
    );
  const cases = [1, 200].map((n) => ({
    n,
    iterations: n === 1 ? ITERATIONS_1 : ITERATIONS_200,
    adapter: async () => {
      const out = await copier.status(refs(n));
      if (out.length !== n || out[0].state !== 'completed') throw new Error('bad status');
    },
    raw: async () => {
      const batches = [];
      for (let i = 0; i < n; i += 100) batches.push(ids.slice(i, Math.min(n, i + 100)));
      const replies = await Promise.all(batches.map(describe));
      const count = replies.reduce((k, r) => k + r.body.snapshots.snapshot.length, 0);
      if (count !== n) throw new Error('bad describe');
    },
  }));

  // Alternating which side goes first: other processes on a shared machine drift too.
  const compared = await compareAdapterWithRawSdk(cases, { rounds: ROUNDS, alternate: true });
  const results = compared.map((m) => ({
    ids: m.case.n,
    providerCalls: Math.ceil(m.case.n / 100),
    calls: m.case.iterations * ROUNDS,
    ...roundedComparison(m),
  }));

  console.log('status() CPU vs raw SDK DescribeSnapshots (same ids, same simulator on 127.0.0.1)');
  console.log('ids  ECS calls  runs   adapter µs/call  raw SDK µs/call  ratio  adapter ms  raw ms');
  for (const x of results) {
    console.log(
      `${String(x.ids).padStart(3)}  ${String(x.providerCalls).padStart(9)}  ${String(x.calls).padStart(5)}  ${String(x.adapterCpuUsPerCall).padStart(15)}  ${String(x.rawSdkCpuUsPerCall).padStart(15)}  ${x.ratio.toFixed(2).padStart(5)}  ${x.adapterWallMsPerCall.toFixed(2).padStart(10)}  ${x.rawSdkWallMsPerCall.toFixed(2).padStart(6)}`,
    );
  }
  writeBenchResult('alibaba-status-cpu', ROUNDS, results);
} finally {
  simulator.stop();
}
