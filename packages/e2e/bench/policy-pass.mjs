// Copy-policy pass benchmarks against the EC2 simulator, through the AWS adapter (the
// built packages: run `tsc -b` first). Prints tables and writes bench-results/policy-pass.json.
//
//   1. A pass over an account with N snapshots shared with it, every one already copied to
//      two regions (none new): only list calls (at most one per 1,000-snapshot page per
//      region), no copy; wall time, CPU and peak memory for each N (default 10,000 and
//      100,000; SNAPCOPY_BENCH_POLICY_SIZES=10000,100000). The simulator runs in its own
//      process so that the figures are the pass's alone.
//   2. A pass with 1,000 new snapshots (SNAPCOPY_BENCH_COPIES): provider calls and makespan
//      against the orchestrator's targets (one copy call each, one status call per poll
//      round, makespan within 2 % of ceil(N/L)·T plus half a poll interval), in virtual time.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createAwsEbsCopier } from '@snapcopy/aws';
import { ORCHESTRATOR_DEFAULTS } from '@snapcopy/orchestrator';
import { parsePolicyDocument, runPolicyPass } from '@snapcopy/policy';
import { Ec2Simulator } from '@snapcopy/testkit';
import nock from 'nock';
import { QuiescentClock, trackedCopier } from './_virtual-time.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
nock.disableNetConnect();
nock.enableNetConnect('127.0.0.1');

const here = dirname(fileURLToPath(import.meta.url));
const SIZES = (process.env.SNAPCOPY_BENCH_POLICY_SIZES ?? '10000,100000').split(',').map(Number);
const NEW = Number(process.env.SNAPCOPY_BENCH_COPIES ?? 1000);
const PAGE = 1000;
/**
 * The pass runs with V8's old generation capped at this many MB: a pass that held its
 * listing (instead of one page at a time) would run out of memory at 100,000 snapshots.
 */
const HEAP_CAP_MB = Number(process.env.SNAPCOPY_BENCH_HEAP_MB ?? 96);

/** Starts a node child and reads its JSON lines. */
function child(file, args, nodeArgs = []) {
  const proc = spawn(process.execPath, [...nodeArgs, join(here, file), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const waiting = [];
  const lines = createInterface({ input: proc.stdout });
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  return {
    next: () => new Promise((resolve) => waiting.push(resolve)),
    send: (text) => proc.stdin.write(`${text}\n`),
    end: () =>
      new Promise((resolve) => {
        proc.on('exit', resolve);
        proc.stdin.end();
      }),
  };
}

// ---------------------------------------------------------------------------------------
// 1. None new: list calls only, flat memory

const noneNew = [];
for (const n of SIZES) {
  const sim = child('_policy-sim.mjs', [String(n)]);
  const world = await sim.next();
  const pass = child(
    '_policy-pass.mjs',
    [world.url, JSON.stringify(world.credentials)],
    ['--expose-gc', `--max-old-space-size=${HEAP_CAP_MB}`],
  );
  const figures = await pass.next();
  await pass.end();
  sim.send('counts');
  const { counts } = await sim.next();
  await sim.end();
  const operations = new Set(Object.keys(counts).map((k) => k.split(' ')[0]));
  const perRegion = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k.split(' ')[1], v]));
  const maxPerRegion = Math.ceil(n / PAGE);
  noneNew.push({
    snapshots: n,
    simulatorBuildSeconds: +(world.buildMs / 1000).toFixed(1),
    calls: counts,
    onlyListCalls: operations.size === 1 && operations.has('DescribeSnapshots'),
    listCallsWithinOnePerPage: Object.values(perRegion).every((v) => v <= maxPerRegion),
    pagesPerRegionAllowed: maxPerRegion,
    copiesStarted: figures.totals.copies,
    alreadyCopied: figures.totals.alreadyCopied,
    wallSeconds: +(figures.wallMs / 1000).toFixed(2),
    cpuSeconds: +(figures.cpuMs / 1000).toFixed(2),
    maxRssMB: figures.maxRssMB,
    heapPeakMB: figures.heapPeakMB,
    heapGrowthMB: figures.heapGrowthMB,
    retainedAfterGcMB: figures.retainedAfterGcMB,
    oldSpaceCapMB: HEAP_CAP_MB,
    indexBytesPerDestination: figures.destinations.map((d) => d.indexBytes),
  });
}
console.log('1. a pass with every snapshot already copied (2 destinations): list calls only');
console.table(
  noneNew.map((r) => ({
    snapshots: r.snapshots,
    'list calls (us-east-1 / us-west-2 / eu-west-1)': `${r.calls['DescribeSnapshots us-east-1']} / ${r.calls['DescribeSnapshots us-west-2']} / ${r.calls['DescribeSnapshots eu-west-1']}`,
    'only list calls': r.onlyListCalls,
    '≤ 1 per page': r.listCallsWithinOnePerPage,
    copies: r.copiesStarted,
    'wall s': r.wallSeconds,
    'CPU s': r.cpuSeconds,
    'max RSS MB': r.maxRssMB,
    'heap peak MB': r.heapPeakMB,
    'heap growth MB': r.heapGrowthMB,
    'retained after GC MB': r.retainedAfterGcMB,
  })),
);
console.log(`(the pass ran with V8's old generation capped at ${HEAP_CAP_MB} MB)`);

// ---------------------------------------------------------------------------------------
// 2. 1,000 new snapshots: the orchestrator's call and makespan targets

const SOURCE = '111111111111';
const VAULT = '222222222222';
const SIZE_GIB = 100;
const clock = new QuiescentClock();
const sim = new Ec2Simulator({ clock, throttling: false });
sim.addRegions('us-east-1', 'eu-west-1');
sim.addAccount({ id: SOURCE });
sim.addAccount({ id: VAULT });
for (let i = 0; i < NEW; i++) {
  sim.addSnapshot({
    account: SOURCE,
    region: 'us-east-1',
    sizeGiB: SIZE_GIB,
    volumeSizeGiB: SIZE_GIB,
    description: `nightly ${i}`,
    sharedWith: [VAULT],
  });
}
const mount = sim.mountNock();
const copier = createAwsEbsCopier({
  credentials: sim.credentials(VAULT),
  retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
});
const policy = parsePolicyDocument({
  version: 1,
  id: 'bench-new',
  sources: [{ provider: 'aws', regions: ['us-east-1'], owner: { sharedBy: [SOURCE] } }],
  destinations: [{ provider: 'aws', region: 'eu-west-1' }],
});
let rounds = 0;
const t0 = performance.now();
const report = await runPolicyPass({
  policy,
  copiers: { aws: trackedCopier(copier, clock) },
  clock,
  onEvent: (e) => {
    if (e.type === 'batch' && e.event.type === 'poll-round') rounds++;
  },
});
const wallMs = performance.now() - t0;
mount.stop();
const entries = sim.world.requests.entries();
const calls = { copy: 0, status: 0, tokenLookup: 0, list: 0, plan: 0, total: entries.length };
for (const e of entries) {
  const p = e.params;
  if (e.operation === 'CopySnapshot') calls.copy++;
  else if (e.operation !== 'DescribeSnapshots') calls.plan++;
  else if (p['Filter.1.Name'] === 'snapshot-id') calls.status++;
  else if (Object.values(p).some((v) => String(v).includes('snapcopy:client-token'))) calls.tokenLookup++;
  else if (p.MaxResults !== undefined) calls.list++;
  else calls.plan++;
}
const limit = copier.capabilities.maxConcurrentCopiesPerRegion;
const anyCopy = [...sim.world.snapshots.values()].find((s) => s.copy);
const T = anyCopy.copy.durationMs;
const ideal = Math.ceil(NEW / limit) * T;
// From the pass's start to its end: the listing takes no virtual time, so this is the batch's.
const makespan = clock.now() - report.now;
const target = ideal * 1.02 + ORCHESTRATOR_DEFAULTS.poll.minIntervalMs / 2;
const newCopies = {
  snapshots: NEW,
  completed: report.totals.completed,
  limit,
  calls,
  pollRounds: rounds,
  copyCallsOverMinimum: calls.copy - NEW,
  statusCallsPerPollRound: +(calls.status / rounds).toFixed(2),
  waveFloorStatus: Math.ceil(NEW / limit),
  copySeconds: T / 1000,
  idealSeconds: ideal / 1000,
  makespanSeconds: makespan / 1000,
  targetSeconds: target / 1000,
  withinMakespanTarget: makespan <= target,
  overheadPercent: +(((makespan - ideal) / ideal) * 100).toFixed(2),
  wallSeconds: +(wallMs / 1000).toFixed(2),
};
console.log(`\n2. a pass with ${NEW} new snapshots (one destination, ${SIZE_GIB} GiB each, virtual time)`);
console.table([
  {
    completed: newCopies.completed,
    'copy calls': calls.copy,
    'status calls': calls.status,
    'poll rounds': rounds,
    'wave floor': newCopies.waveFloorStatus,
    'token lookups': calls.tokenLookup,
    'plan reads': calls.plan,
    'list calls': calls.list,
    'makespan s': newCopies.makespanSeconds,
    'ideal s': newCopies.idealSeconds,
    'target s': newCopies.targetSeconds,
    'within target': newCopies.withinMakespanTarget,
    'wall s': newCopies.wallSeconds,
  },
]);

const out = join(here, '..', '..', '..', 'bench-results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'policy-pass.json'), `${JSON.stringify({ noneNew, newCopies }, null, 2)}\n`);
console.log('\nwrote bench-results/policy-pass.json');
const ok =
  noneNew.every((r) => r.onlyListCalls && r.listCallsWithinOnePerPage && r.copiesStarted === 0) &&
  newCopies.completed === NEW &&
  newCopies.copyCallsOverMinimum === 0 &&
  newCopies.withinMakespanTarget;
if (!ok) process.exitCode = 1;
