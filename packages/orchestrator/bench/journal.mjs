// The SQLite journal (built: dist/journal/sqlite-journal.js), whichever SQLite binding it
// is written on: how long opening takes (the first time in a process, and later), how
// many state transitions per second it commits, and how long a resume takes to list
// 10,000 unfinished copies. Every figure but the first open is the median of ROUNDS
// rounds, each on a fresh file in a temporary directory. Prints a table and writes
// bench-results/journal.json.
//   node packages/orchestrator/bench/journal.mjs [module]   (after `npx tsc -b packages/orchestrator`)
// `module`: another build of the journal module to measure instead (to compare bindings).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchResult } from '../../../scripts/bench-lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const journalModule = resolve(process.argv[2] ?? join(here, '..', 'dist', 'journal', 'sqlite-journal.js'));
const binding = readFileSync(journalModule, 'utf8').includes("'node:sqlite'")
  ? 'node:sqlite'
  : 'better-sqlite3';
const ROUNDS = 5;
/** Copies walked through plan → copying → destination → completed (4 commits each). */
const WALKED = { NORMAL: 2_000, FULL: 200 };
const RESUME_ENTRIES = 10_000;

const dir = mkdtempSync(join(tmpdir(), 'snapcopy-journal-bench-'));
let files = 0;
const freshFile = () => join(dir, `j${files++}.db`);

// The first journal of a process: the module and its SQLite binding load, then a file is created.
const t0 = performance.now();
const { SqliteCopyJournal } = await import(journalModule);
await new SqliteCopyJournal(freshFile()).close();
const firstOpenMs = performance.now() - t0;

function records(n) {
  return Array.from({ length: n }, (_, index) => ({
    index,
    copier: 'aws',
    clientToken: `bench.${index}`,
    request: {
      source: { region: 'us-east-1', snapshotId: `snap-${String(index).padStart(17, '0')}` },
      destination: { region: 'eu-west-1' },
      encryption: { encrypted: true, kmsKeyId: 'alias/backup' },
      tags: { team: 'dr', run: 'bench' },
      clientToken: `bench.${index}`,
    },
  }));
}
const plan = {
  provider: 'aws',
  transfer: 'full',
  sizeBasis: 'volume',
  billableGiB: { transfer: 64, storage: 64 },
  encryption: { encrypted: true, kmsKeyId: 'alias/backup' },
  reasons: ['first copy of this volume into the destination: full'],
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** ms to create a journal on a new file, and to reopen it (schema present). */
async function openTimes() {
  const file = freshFile();
  let journal;
  const createMs = await timed(() => {
    journal = new SqliteCopyJournal(file);
  });
  await journal.close();
  const reopenMs = await timed(() => {
    journal = new SqliteCopyJournal(file);
  });
  await journal.close();
  return { createMs, reopenMs };
}

/** Committed transitions per second, each one its own transaction as the orchestrator writes them. */
async function transitionsPerSecond(synchronous) {
  const n = WALKED[synchronous];
  const journal = new SqliteCopyJournal(freshFile(), { synchronous });
  await journal.beginBatch({ batchId: 'b', createdAt: 1, size: n }, records(n));
  const ms = await timed(async () => {
    for (let i = 0; i < n; i++) {
      await journal.recordPlan('b', i, plan);
      await journal.recordState('b', i, 'copying', { attempt: 1 });
      await journal.recordDestination('b', i, { region: 'eu-west-1', snapshotId: `snap-copy-${i}` });
      await journal.recordState('b', i, 'completed');
    }
  });
  await journal.close();
  return (n * 4) / (ms / 1000);
}

/** ms to begin a batch of 10,000 copies (one transaction), and to list them all back for a resume. */
async function resumeTimes() {
  const file = freshFile();
  const writer = new SqliteCopyJournal(file);
  const beginMs = await timed(() =>
    writer.beginBatch({ batchId: 'b', createdAt: 1, size: RESUME_ENTRIES }, records(RESUME_ENTRIES)),
  );
  for (let i = 0; i < RESUME_ENTRIES; i += 2) await writer.recordPlan('b', i, plan);
  await writer.close();
  // A resume: a new process opens the file and lists what is unfinished.
  const reader = new SqliteCopyJournal(file);
  let listed = [];
  const listMs = await timed(async () => {
    listed = await reader.listUnfinished();
  });
  await reader.close();
  if (listed.length !== RESUME_ENTRIES) throw new Error(`resume listed ${listed.length} entries`);
  return { beginMs, listMs };
}

try {
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    rounds.push({
      ...(await openTimes()),
      normalPerSec: await transitionsPerSecond('NORMAL'),
      fullPerSec: await transitionsPerSecond('FULL'),
      ...(await resumeTimes()),
    });
  }
  const pick = (k, digits) => +median(rounds.map((x) => x[k])).toFixed(digits);
  const results = {
    binding,
    firstOpenMs: +firstOpenMs.toFixed(1),
    createMs: pick('createMs', 2),
    reopenMs: pick('reopenMs', 2),
    transitionsPerSecNormal: pick('normalPerSec', 0),
    transitionsPerSecFull: pick('fullPerSec', 0),
    [`begin${RESUME_ENTRIES}Ms`]: pick('beginMs', 1),
    [`resumeList${RESUME_ENTRIES}Ms`]: pick('listMs', 1),
  };
  console.log(`SQLite journal on ${binding}, Node ${process.version} (median of ${ROUNDS} rounds)`);
  console.table(results);
  writeBenchResult('journal', ROUNDS, results);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
