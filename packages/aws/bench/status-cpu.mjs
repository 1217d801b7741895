#!/usr/bin/env node
// CPU cost of AwsEbsSnapshotCopier.status() for 1 and 200 ids against the raw SDK's
// DescribeSnapshots for the same ids (same request: Owner=self + a snapshot-id filter),
// both against one EC2 simulator on 127.0.0.1 running in a child process. Run after
// `npx tsc -b packages/aws packages/testkit` (imports ../dist). Prints a table; writes
// bench-results/aws-status-cpu.json at the repository root.
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
  const { createAwsEbsCopier } = await import('../dist/index.js');
  const { EC2Client, DescribeSnapshotsCommand } = await import('@aws-sdk/client-ec2');
  const region = 'us-west-2';
  const copier = createAwsEbsCopier({
    credentials,
    endpoint: url,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  const raw = new EC2Client({ region, endpoint: url, credentials, maxAttempts: 1 });

  const refs = (n) => ids.slice(0, n).map((snapshotId) => ({ region, snapshotId }));
  const cases = [1, 200].map((n) => ({
    n,
    iterations: n === 1 ? ITERATIONS_1 : ITERATIONS_200,
    adapter: async () => {
      const out = await copier.status(refs(n));
      if (out.length !== n || out[0].state !== 'completed') throw new Error('bad status');
    },
    raw: async () => {
      const out = await raw.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [{ Name: 'snapshot-id', Values: ids.slice(0, n) }],
        }),
      );
      if (out.Snapshots.length !== n) throw new Error('bad describe');
    },
  }));

  const results = (await compareAdapterWithRawSdk(cases, { rounds: ROUNDS })).map((m) => ({
    ids: m.case.n,
    calls: m.case.iterations * ROUNDS,
    ...roundedComparison(m),
  }));
  copier.destroy();
  raw.destroy();

  console.log('status() CPU vs raw SDK DescribeSnapshots (same filter, same simulator on 127.0.0.1)');
  console.log('ids  calls  adapter µs/call  raw SDK µs/call  ratio  adapter ms  raw ms');
  for (const x of results) {
    console.log(
      `${String(x.ids).padStart(3)}  ${String(x.calls).padStart(5)}  ${String(x.adapterCpuUsPerCall).padStart(15)}  ${String(x.rawSdkCpuUsPerCall).padStart(15)}  ${x.ratio.toFixed(2).padStart(5)}  ${x.adapterWallMsPerCall.toFixed(2).padStart(10)}  ${x.rawSdkWallMsPerCall.toFixed(2).padStart(6)}`,
    );
  }
  writeBenchResult('aws-status-cpu', ROUNDS, results);
} finally {
  simulator.stop();
}
