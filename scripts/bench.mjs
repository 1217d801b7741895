#!/usr/bin/env node
// `pnpm bench` (after `tsc -b`): runs every packages/*/bench/*.mjs in turn, in its own
// node process with its output shown as it comes, then lists the JSON each one wrote
// under bench-results/ and writes bench-results/summary.json. Files whose name starts
// with `_` are helpers, not benchmarks. Exits non-zero if any benchmark failed.
//   node scripts/bench.mjs [filter]   runs only the files whose path contains `filter`
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'bench-results');
const filter = process.argv[2];

const files = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => {
    const dir = join(root, 'packages', d.name, 'bench');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.mjs') && !f.startsWith('_'))
      .sort()
      .map((f) => join(dir, f));
  })
  .filter((f) => !filter || relative(root, f).includes(filter));

if (files.length === 0) {
  console.error(`bench: no benchmark files found${filter ? ` matching "${filter}"` : ''}`);
  process.exit(1);
}

mkdirSync(results, { recursive: true });
const startedAt = Date.now();
const runs = [];
for (const file of files) {
  const name = relative(root, file);
  console.log(`\n=== ${name} ===`);
  const t0 = Date.now();
  const res = spawnSync(process.execPath, [file], { cwd: dirname(file), stdio: 'inherit' });
  const seconds = +((Date.now() - t0) / 1000).toFixed(1);
  const ok = res.status === 0;
  runs.push({ file: name, ok, exitCode: res.status, signal: res.signal, seconds });
  console.log(`--- ${name}: ${ok ? 'ok' : `FAILED (exit ${res.status ?? res.signal})`} in ${seconds} s`);
}

// Every JSON a benchmark wrote (or refreshed) during this run.
const written = readdirSync(results)
  .filter((f) => f.endsWith('.json') && f !== 'summary.json')
  .filter((f) => statSync(join(results, f)).mtimeMs >= startedAt)
  .sort();
const collected = {};
for (const f of written) {
  try {
    collected[f] = JSON.parse(readFileSync(join(results, f), 'utf8'));
  } catch (err) {
    collected[f] = { error: `unreadable: ${err.message}` };
  }
}
writeFileSync(
  join(results, 'summary.json'),
  `${JSON.stringify({ node: process.version, startedAt: new Date(startedAt).toISOString(), runs, results: collected }, null, 2)}\n`,
);

console.log('\n=== summary ===');
console.table(runs);
console.log(`results: ${written.map((f) => `bench-results/${f}`).join(', ') || '(none written)'}`);
console.log('all of them: bench-results/summary.json');
if (runs.some((r) => !r.ok)) process.exit(1);
