// Batch preparation time for 10k / 50k / 100k requests, half of them invalid: NDJSON text
// to items, validation and client tokens (prepareBatch), then a whole run that stops
// before its first provider call (an aborted signal), with the in-memory journal and with
// a SQLite journal: journaling every request, failing the invalid ones, building the
// queues and draining them. No request reaches a cloud. Runs the built packages (dist);
// prints a table and writes bench-results/orchestrator-batch-prepare.json.
//   SNAPCOPY_BENCH_LINES=10000,50000 node packages/orchestrator/bench/batch-prepare.mjs
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CopyOrchestrator, MemoryCopyJournal, openSqliteJournal } from '@snapcopy/orchestrator';
import { prepareBatch } from '@snapcopy/orchestrator/runner';
import { ReferenceCloud, ReferenceSnapshotCopier, VirtualClock } from '@snapcopy/testkit';

const here = dirname(fileURLToPath(import.meta.url));
const SIZES = (process.env.SNAPCOPY_BENCH_LINES ?? '10000,50000,100000').split(',').map(Number);

const clock = new VirtualClock();
const cloud = new ReferenceCloud({ clock, regions: ['us-east-1', 'eu-west-1'] });
const credentials = { accessKeyId: 'AKBENCH', secretAccessKey: 'bench-secret-bench-secret' };
cloud.addAccount('111111111111', credentials);
const copier = new ReferenceSnapshotCopier({ cloud, credentials, clock });

/** NDJSON of `n` lines: even lines valid, odd lines with a region that does not parse. */
function batchText(n) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify({
        source: {
          region: i % 2 === 0 ? 'us-east-1' : 'nowhere',
          snapshotId: `snap-${i.toString(16).padStart(17, '0')}`,
        },
        destination: { region: 'eu-west-1' },
        tags: { batch: 'bench', line: String(i) },
      }),
    );
  }
  return lines.join('\n');
}

const ms = (t0) => +(performance.now() - t0).toFixed(0);

async function abortedRun(items, journal) {
  const orchestrator = new CopyOrchestrator({ copiers: { ref: copier }, journal, clock });
  const t0 = performance.now();
  const result = await orchestrator.run(items, {
    batchId: `bench-${items.length}`,
    signal: AbortSignal.abort(),
  });
  const took = ms(t0);
  if (result.counts.failed !== items.length / 2 || result.counts.notFinished !== items.length / 2) {
    throw new Error(`unexpected counts ${JSON.stringify(result.counts)}`);
  }
  return took;
}

const rows = [];
for (const n of SIZES) {
  const text = batchText(n);
  let t0 = performance.now();
  const items = text.split('\n').map((l) => JSON.parse(l));
  const parseMs = ms(t0);
  t0 = performance.now();
  const prepared = prepareBatch(items, `bench-${n}`, new Map([['ref', copier]]));
  const prepareMs = ms(t0);
  if (prepared.filter((p) => p.error).length !== n / 2) throw new Error('expected half invalid');
  const memoryRunMs = await abortedRun(items, new MemoryCopyJournal());
  const dir = mkdtempSync(join(tmpdir(), 'snapcopy-bench-'));
  let sqliteRunMs;
  try {
    const journal = await openSqliteJournal(join(dir, 'journal.db'));
    sqliteRunMs = await abortedRun(items, journal);
    await journal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push({
    lines: n,
    invalid: n / 2,
    parseMs,
    prepareMs,
    memoryRunMs,
    sqliteRunMs,
    usPerLineSqlite: +((sqliteRunMs * 1000) / n).toFixed(1),
  });
}
console.log('batch preparation, half the lines invalid (ms; runs stop before any provider call)');
console.table(rows);
const out = join(here, '..', '..', '..', 'bench-results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'orchestrator-batch-prepare.json'), `${JSON.stringify(rows, null, 2)}\n`);
