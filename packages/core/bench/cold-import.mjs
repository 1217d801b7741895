// Cold import time of @snapcopy/core and @snapcopy/orchestrator: each sample is a fresh node
// process that imports the built module once. Prints the median and writes JSON.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const targets = {
  '@snapcopy/core': join(dist, 'index.js'),
  '@snapcopy/orchestrator': join(here, '..', '..', 'orchestrator', 'dist', 'index.js'),
};
const SAMPLES = 9;
const probe = (file) =>
  `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;

const rows = [];
for (const [name, file] of Object.entries(targets)) {
  const ms = [];
  for (let i = 0; i < SAMPLES; i++) {
    ms.push(
      Number(
        execFileSync(process.execPath, ['--input-type=module', '-e', probe(file)], { encoding: 'utf8' }),
      ),
    );
  }
  ms.sort((a, b) => a - b);
  rows.push({
    module: name,
    medianMs: +ms[Math.floor(SAMPLES / 2)].toFixed(1),
    minMs: +ms[0].toFixed(1),
    maxMs: +ms[SAMPLES - 1].toFixed(1),
    samples: SAMPLES,
  });
}
console.log('cold import (fresh process each sample)');
console.table(rows);
const out = join(here, '..', '..', '..', 'bench-results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'core-cold-import.json'), `${JSON.stringify(rows, null, 2)}\n`);
