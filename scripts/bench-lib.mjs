// Shared by the adapters' status-cpu benchmarks (packages/*/bench/status-cpu.mjs): a
// simulator in a child process, a CPU/wall measuring loop, an adapter-vs-raw-SDK
// comparison in interleaved rounds, and the JSON written under bench-results/.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Starts `script` (a simulator server) in its own node process, so that its CPU is not
 * counted against the client, and reads the one JSON line it prints. `stop()` closes its
 * stdin, which ends it.
 */
export async function startSimulatorProcess(script) {
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
  const first = await new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`simulator exited (${code})`)));
  });
  return { info: JSON.parse(first), stop: () => child.stdin.end() };
}

/** CPU µs (user + system) and wall ms per call over `iterations` sequential calls. */
export async function measure(fn, iterations) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / iterations, wallMs: (performance.now() - t0) / iterations };
}

const median = (xs, k) => xs.map((x) => x[k]).sort((p, q) => p - q)[Math.floor(xs.length / 2)];

/**
 * Measures each case's `adapter` and `raw` functions (`iterations` calls each) over
 * `rounds` interleaved rounds, after a warm-up of 50 calls of each (loads the SDK, opens
 * sockets, lets the JIT settle). Interleaving makes drift (GC, CPU frequency) hit both
 * sides alike; `alternate` also swaps which side goes first every other round. Returns,
 * per case, the median CPU µs and wall ms per call of each side.
 */
export async function compareAdapterWithRawSdk(cases, { rounds, alternate = false }) {
  for (const c of cases) {
    await measure(c.adapter, 50);
    await measure(c.raw, 50);
  }
  const out = [];
  for (const c of cases) {
    const a = [];
    const r = [];
    for (let round = 0; round < rounds; round++) {
      if (!alternate || round % 2 === 0) {
        a.push(await measure(c.adapter, c.iterations));
        r.push(await measure(c.raw, c.iterations));
      } else {
        r.push(await measure(c.raw, c.iterations));
        a.push(await measure(c.adapter, c.iterations));
      }
    }
    out.push({
      case: c,
      adapterCpuUs: median(a, 'cpuUs'),
      rawCpuUs: median(r, 'cpuUs'),
      adapterWallMs: median(a, 'wallMs'),
      rawWallMs: median(r, 'wallMs'),
    });
  }
  return out;
}

/** The figures of one compared case, rounded as the result files show them. */
export function roundedComparison(m) {
  return {
    adapterCpuUsPerCall: Math.round(m.adapterCpuUs),
    rawSdkCpuUsPerCall: Math.round(m.rawCpuUs),
    ratio: Math.round((m.adapterCpuUs / m.rawCpuUs) * 100) / 100,
    adapterWallMsPerCall: Math.round(m.adapterWallMs * 100) / 100,
    rawSdkWallMsPerCall: Math.round(m.rawWallMs * 100) / 100,
  };
}

/** Writes bench-results/<bench>.json at the repository root. */
export function writeBenchResult(bench, rounds, results) {
  const outDir = join(root, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, `${bench}.json`),
    `${JSON.stringify({ bench, node: process.version, at: new Date().toISOString(), rounds, results }, null, 2)}\n`,
  );
}
