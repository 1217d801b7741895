// Orchestrator benchmarks, against the EC2 and ECS simulators through nock, in
// virtual time. Lives in the e2e package because it needs the simulators and both adapters; it
// runs the built packages (dist). Prints tables and writes bench-results/orchestrator.json.
//
//   1. Provider calls to copy and track N copies (default 1,000; SNAPCOPY_BENCH_COPIES)
//      per provider: the orchestrator, the baseline of one waiter per snapshot (AWS:
//      waitUntilSnapshotCompleted; Alibaba has none: a per-snapshot DescribeSnapshots loop
//      with the same schedule), and the minimum (one copy call each + one status call per
//      queue per poll round).
//   2. Makespan of 200 equal copies at limit L against the ideal ceil(N/L)·T.
//   3. CPU per tracked copy per poll round: our status path against the raw SDK call.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ecsSdk from '@alicloud/ecs20140526';
import {
  CopySnapshotCommand,
  DescribeSnapshotsCommand,
  waitUntilSnapshotCompleted,
} from '@aws-sdk/client-ec2';
import { createAlibabaEcsCopier } from '@snapcopy/alibaba';
import { createAwsEbsCopier } from '@snapcopy/aws';
import { CopyOrchestrator, ORCHESTRATOR_DEFAULTS } from '@snapcopy/orchestrator';
import { nextPollDelay } from '@snapcopy/orchestrator/runner';
import nock from 'nock';
import { Ec2Simulator, EcsSimulator } from '@snapcopy/testkit';
import { QuiescentClock, trackedCopier } from './_virtual-time.mjs';

nock.disableNetConnect();

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.SNAPCOPY_BENCH_COPIES ?? 1000);
const SIZES = [8, 16, 24, 40, 64];
const AWS = { source: 'us-east-1', destination: 'eu-west-1' };
const ALI = { source: 'cn-hangzhou', destination: 'cn-shanghai' };
const ecsModels = ecsSdk.default?.CopySnapshotRequest ? ecsSdk.default : ecsSdk;

// ---------------------------------------------------------------------------------------
// Worlds

function awsWorld(clock, { copies, size, copyLimit, throttling } = {}) {
  const sim = new Ec2Simulator({
    clock,
    ...(copyLimit ? { copyLimitPerRegion: copyLimit } : {}),
    ...(throttling === false ? { throttling: false } : {}),
  });
  sim.addRegions(AWS.source, AWS.destination);
  const account = sim.addAccount({ id: '111111111111' });
  const sources = Array.from({ length: copies }, (_, i) =>
    sim.addSnapshot({
      account: account.id,
      region: AWS.source,
      sizeGiB: size ?? SIZES[i % SIZES.length],
      volumeSizeGiB: 100,
    }),
  );
  // The copier's own retry sleeps run on real time (short), so a tracked call can sleep.
  const copier = createAwsEbsCopier({ credentials: sim.credentials(account.id) });
  const requests = sources.map((s) => ({
    source: { region: AWS.source, snapshotId: s.id },
    destination: { region: AWS.destination },
  }));
  return { sim, copier, requests, sources, region: AWS.destination };
}

function aliWorld(clock, { copies, size } = {}) {
  const sim = new EcsSimulator({ clock, rateLimit: false });
  sim.addRegions(ALI.source, ALI.destination);
  const account = sim.addAccount({});
  const sources = Array.from({ length: copies }, (_, i) =>
    sim.addSnapshot({
      account: account.id,
      region: ALI.source,
      sizeGiB: size ?? SIZES[i % SIZES.length],
      diskSizeGiB: 100,
    }),
  );
  const c = sim.credentials(account.id);
  const copier = createAlibabaEcsCopier({
    credentials: { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret },
  });
  const requests = sources.map((s, i) => ({
    source: { region: ALI.source, snapshotId: s.id },
    destination: { region: ALI.destination },
    name: `copy-${i}`,
    description: 'snapcopy bench',
  }));
  return { sim, copier, requests, sources, region: ALI.destination };
}

/** Sorts a simulator's request log into copy, status, idempotency lookup and planning calls. */
function classify(entries, cloud, sourceRegion) {
  const out = {
    copy: 0,
    status: 0,
    tokenLookup: 0,
    plan: 0,
    limitErrors: 0,
    throttled: 0,
    total: entries.length,
  };
  for (const e of entries) {
    if (e.errorCode === 'ResourceLimitExceeded' || e.errorCode?.startsWith('QuotaExceed')) out.limitErrors++;
    if (e.errorCode && /throttl|RequestLimitExceeded/i.test(e.errorCode)) out.throttled++;
    const p = e.params;
    if (e.operation === 'CopySnapshot') out.copy++;
    else if (e.operation !== 'DescribeSnapshots') out.plan++;
    else if (cloud === 'ec2' && p['Filter.1.Name'] === 'snapshot-id') out.status++;
    else if (cloud === 'ecs' && p.SnapshotIds && p.RegionId !== sourceRegion) out.status++;
    else if (Object.values(p).some((v) => String(v).includes('snapcopy:client-token'))) out.tokenLookup++;
    else out.plan++;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// 1. Provider calls: ours, baseline, minimum

async function oursCalls(makeWorld, cloud, sourceRegion, copies, size) {
  const clock = new QuiescentClock();
  const w = makeWorld(clock, { copies, size });
  const mount = w.sim.mountNock();
  const limit = w.copier.capabilities.maxConcurrentCopiesPerRegion;
  const orchestrator = new CopyOrchestrator({ copiers: { c: trackedCopier(w.copier, clock) }, clock });
  let rounds = 0;
  const t0 = performance.now();
  const result = await orchestrator.run(w.requests, {
    onEvent: (e) => {
      if (e.type === 'poll-round') rounds++;
    },
  });
  const wallMs = performance.now() - t0;
  mount.stop();
  const calls = classify(w.sim.world.requests.entries(), cloud, sourceRegion);
  return {
    completed: result.counts.completed,
    calls,
    pollRounds: rounds,
    limit,
    virtualMakespanS: (result.finishedAt - result.startedAt) / 1000,
    quotaExceeded: result.calls.quotaExceeded,
    wallMs: Math.round(wallMs),
  };
}

/** Tasks run `limit` at a time, as a careful script would (more would hit the copy limit). */
async function limited(tasks, limit) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/**
 * Sends the waiter's sleeps to the virtual clock: the smithy waiter sleeps with
 * setTimeout, and a baseline of real 15-120 s sleeps would take hours.
 */
function virtualizeWaiterSleeps(clock) {
  const real = globalThis.setTimeout;
  globalThis.setTimeout = (fn, ms, ...args) => {
    // Only the waiter's own `sleep` (a near caller), not the HTTP handler's timeouts.
    const near = (new Error().stack ?? '').split('\n').slice(2, 5).join('\n');
    if (ms >= 1000 && /at sleep \(.*smithy.core.*submodules.client/.test(near)) {
      clock.sleep(ms).then(() => fn(...args));
      return { ref() {}, unref() {}, hasRef: () => false, refresh() {}, [Symbol.toPrimitive]: () => 0 };
    }
    return real(fn, ms, ...args);
  };
  return () => {
    globalThis.setTimeout = real;
  };
}

async function awsBaselineCalls(copies, size) {
  const clock = new QuiescentClock();
  const w = awsWorld(clock, { copies, size });
  const mount = w.sim.mountNock();
  const client = await w.copier.nativeClient(AWS.destination);
  // The waiter calls client.send: count each as in flight.
  const trackedClient = Object.create(client, {
    send: { value: (command, ...rest) => clock.track(() => client.send(command, ...rest)) },
  });
  const restore = virtualizeWaiterSleeps(clock);
  const t0 = performance.now();
  let completed = 0;
  try {
    await limited(
      w.sources.map((s) => async () => {
        const { SnapshotId } = await clock.track(() =>
          client.send(new CopySnapshotCommand({ SourceRegion: AWS.source, SourceSnapshotId: s.id })),
        );
        await waitUntilSnapshotCompleted(
          { client: trackedClient, maxWaitTime: 86_400 },
          { SnapshotIds: [SnapshotId] },
        );
        completed++;
      }),
      w.copier.capabilities.maxConcurrentCopiesPerRegion,
    );
  } finally {
    restore();
    mount.stop();
  }
  return {
    completed,
    calls: classifyBaseline(w.sim.world.requests.entries()),
    wallMs: Math.round(performance.now() - t0),
  };
}

function classifyBaseline(entries) {
  const out = { copy: 0, status: 0, limitErrors: 0, total: entries.length };
  for (const e of entries) {
    if (e.operation === 'CopySnapshot') out.copy++;
    if (e.operation === 'DescribeSnapshots') out.status++;
    if (e.errorCode === 'ResourceLimitExceeded') out.limitErrors++;
  }
  return out;
}

/** The AWS waiter's schedule (15 s, then exponential with jitter up to 120 s), for Alibaba. */
function waiterDelayMs(attempt) {
  const min = 15_000;
  const max = 120_000;
  if (attempt > Math.log(max / min) / Math.log(2) + 1) return max;
  return min + Math.random() * (Math.min(max, min * 2 ** (attempt - 1)) - min);
}

async function aliBaselineCalls(copies, size) {
  const clock = new QuiescentClock();
  const w = aliWorld(clock, { copies, size });
  const mount = w.sim.mountNock();
  const source = await w.copier.nativeClient(ALI.source);
  const dest = await w.copier.nativeClient(ALI.destination);
  const t0 = performance.now();
  let completed = 0;
  try {
    await limited(
      w.sources.map((s, i) => async () => {
        const copied = await clock.track(() =>
          source.copySnapshot(
            new ecsModels.CopySnapshotRequest({
              regionId: ALI.source,
              snapshotId: s.id,
              destinationRegionId: ALI.destination,
              destinationSnapshotName: `copy-${i}`,
              destinationSnapshotDescription: 'baseline',
            }),
          ),
        );
        const id = copied.body.snapshotId;
        for (let attempt = 0; ; attempt++) {
          if (attempt > 0) await clock.sleep(waiterDelayMs(attempt));
          const r = await dest.describeSnapshots(
            new ecsModels.DescribeSnapshotsRequest({
              regionId: ALI.destination,
              snapshotIds: JSON.stringify([id]),
            }),
          );
          if (r.body.snapshots?.snapshot?.[0]?.status === 'accomplished') break;
        }
        completed++;
      }),
      w.copier.capabilities.maxConcurrentCopiesPerRegion,
    );
  } finally {
    mount.stop();
  }
  return {
    completed,
    calls: classifyBaseline(w.sim.world.requests.entries()),
    wallMs: Math.round(performance.now() - t0),
  };
}

// ---------------------------------------------------------------------------------------
// 2. Makespan

async function makespan(makeWorld, label, copies, sizeGiB) {
  const clock = new QuiescentClock();
  const w = makeWorld(clock, { copies, size: sizeGiB });
  const mount = w.sim.mountNock();
  const limit = w.copier.capabilities.maxConcurrentCopiesPerRegion;
  const orchestrator = new CopyOrchestrator({ copiers: { c: trackedCopier(w.copier, clock) }, clock });
  const result = await orchestrator.run(w.requests);
  mount.stop();
  const anyCopy = [...w.sim.world.snapshots.values()].find((s) => s.copy);
  const T = anyCopy.copy.durationMs;
  const ideal = Math.ceil(copies / limit) * T;
  const measured = result.finishedAt - result.startedAt;
  const target = ideal * 1.02 + ORCHESTRATOR_DEFAULTS.poll.minIntervalMs / 2;
  return {
    provider: label,
    copies,
    limit,
    copySeconds: T / 1000,
    idealSeconds: ideal / 1000,
    makespanSeconds: measured / 1000,
    overheadPercent: +(((measured - ideal) / ideal) * 100).toFixed(2),
    targetSeconds: target / 1000,
    withinTarget: measured <= target,
    completed: result.counts.completed,
    quotaExceeded: result.calls.quotaExceeded,
  };
}

// ---------------------------------------------------------------------------------------
// 3. CPU per tracked copy per round

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Mounts the simulator with a wrapper that sums the time spent inside the simulator. */
function timedMount(sim) {
  const timing = { simMs: 0 };
  const mount = sim.mountNock({
    handle: async (req) => {
      const t = performance.now();
      try {
        return await sim.handler.handle(req);
      } finally {
        timing.simMs += performance.now() - t;
      }
    },
  });
  return { timing, mount };
}

/** Client CPU ms per call of `fn`: the median of 5 blocks, each of `rounds` calls, minus simulator time. */
async function measure(timing, rounds, fn) {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  const blocks = [];
  for (let b = 0; b < 5; b++) {
    const sim0 = timing.simMs;
    const c0 = cpuMs();
    for (let i = 0; i < rounds; i++) await fn();
    blocks.push((cpuMs() - c0 - (timing.simMs - sim0)) / rounds);
  }
  blocks.sort((a, b) => a - b);
  return blocks[2];
}

async function cpuPerTrackedCopy(label, makeWorld, sizes, rawBatched, rawSingle) {
  const rows = [];
  for (const k of sizes) {
    const clock = new QuiescentClock();
    // No throttling here: the loop runs in one virtual instant, so no bucket would refill.
    const w = makeWorld(clock, { copies: k, copyLimit: 10_000, throttling: false });
    const { timing, mount } = timedMount(w.sim);
    // Make k copies (any state reads alike), then read them as one poll round would.
    const refs = [];
    for (const r of w.requests) {
      const h = await w.copier.copy(r);
      refs.push({ region: h.region, snapshotId: h.snapshotId });
    }
    const client = await w.copier.nativeClient(w.region);
    const samples = refs.map(() => ({
      baseAt: 0,
      baseProgress: 0,
      baseUncertainty: 0,
      at: 60_000,
      progress: 40,
    }));
    const rounds = Math.max(4, Math.floor(1000 / k));
    const ours = await measure(timing, rounds, async () => {
      await w.copier.status(refs);
      nextPollDelay(samples, 60_000, { minMs: 5_000, maxMs: 300_000 });
    });
    const batched = await measure(timing, rounds, () => rawBatched(client, w.region, refs));
    const single = await measure(timing, Math.max(1, Math.floor(rounds / k)), async () => {
      for (const r of refs) await rawSingle(client, w.region, r);
    });
    mount.stop();
    rows.push({
      provider: label,
      trackedCopies: k,
      oursMicrosPerCopy: Math.round((ours / k) * 1000),
      rawBatchedMicrosPerCopy: Math.round((batched / k) * 1000),
      rawPerSnapshotMicrosPerCopy: Math.round((single / k) * 1000),
      oursOverRawBatched: +(ours / batched).toFixed(2),
      perSnapshotOverOurs: +(single / ours).toFixed(1),
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------

const t0 = performance.now();
console.log(`orchestrator benchmarks: ${N} copies per provider, simulators via nock, virtual time`);

const calls = [];
// Equal copies (100 GiB, 400 s each) at N, the scenario of the targets; mixed sizes
// (8-64 GiB, 32-256 s) on fewer copies show how staggered completions cost more rounds.
const scenarios = [
  { sizes: 'equal 100 GiB', copies: N, size: 100 },
  { sizes: 'mixed 8-64 GiB', copies: Math.min(N, 200), size: undefined },
];
for (const scenario of scenarios) {
  for (const [label, makeWorld, cloud, src, baseline] of [
    ['aws', awsWorld, 'ec2', AWS.source, awsBaselineCalls],
    ['alibaba', aliWorld, 'ecs', ALI.source, aliBaselineCalls],
  ]) {
    const n = scenario.copies;
    const ours = await oursCalls(makeWorld, cloud, src, n, scenario.size);
    const base = await baseline(n, scenario.size);
    const minimumStatus = ours.pollRounds; // one queue (one destination region): one call per round
    calls.push({
      provider: label,
      sizes: scenario.sizes,
      copies: n,
      limit: ours.limit,
      ours: ours.calls,
      oursPollRounds: ours.pollRounds,
      baseline: base.calls,
      minimum: { copy: n, status: minimumStatus, total: n + minimumStatus },
      /** One read per wave of completions: the floor for equal copies. */
      waveFloorStatus: Math.ceil(n / ours.limit),
      statusCallsFewerThanBaseline: +(base.calls.status / ours.calls.status).toFixed(1),
      statusOverMinimumPercent: +(((ours.calls.status - minimumStatus) / minimumStatus) * 100).toFixed(2),
      copyOverMinimumPercent: +(((ours.calls.copy - n) / n) * 100).toFixed(2),
      completed: { ours: ours.completed, baseline: base.completed },
      limitErrors: { ours: ours.calls.limitErrors, baseline: base.calls.limitErrors },
      virtualMakespanSeconds: ours.virtualMakespanS,
      wallMs: { ours: ours.wallMs, baseline: base.wallMs },
    });
  }
}
console.log('\n1. provider calls to copy and track');
console.table(
  calls.map((c) => ({
    provider: c.provider,
    sizes: c.sizes,
    copies: c.copies,
    'ours: copy': c.ours.copy,
    'ours: status': c.ours.status,
    'ours: token lookups': c.ours.tokenLookup,
    'ours: plan': c.ours.plan,
    'baseline: copy': c.baseline.copy,
    'baseline: status': c.baseline.status,
    'min: copy+status': `${c.minimum.copy}+${c.minimum.status}`,
    'wave floor': c.waveFloorStatus,
    'status fewer than baseline': `${c.statusCallsFewerThanBaseline}x`,
    'status over min': `${c.statusOverMinimumPercent}%`,
    'limit errors ours/base': `${c.limitErrors.ours}/${c.limitErrors.baseline}`,
  })),
);

const spans = [
  await makespan(awsWorld, 'aws', 200, 100),
  await makespan((clock, o) => aliWorld(clock, o), 'alibaba', 200, 100),
];
console.log('\n2. makespan vs ceil(N/L)·T (virtual time)');
console.table(spans);

const cpu = [
  ...(await cpuPerTrackedCopy(
    'aws',
    awsWorld,
    [20, 200],
    (client, _region, refs) =>
      client.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [{ Name: 'snapshot-id', Values: refs.map((r) => r.snapshotId) }],
        }),
      ),
    (client, _region, ref) => client.send(new DescribeSnapshotsCommand({ SnapshotIds: [ref.snapshotId] })),
  )),
  ...(await cpuPerTrackedCopy(
    'alibaba',
    aliWorld,
    [10, 100],
    (client, region, refs) =>
      client.describeSnapshots(
        new ecsModels.DescribeSnapshotsRequest({
          regionId: region,
          snapshotIds: JSON.stringify(refs.map((r) => r.snapshotId)),
          maxResults: 100,
        }),
      ),
    (client, region, ref) =>
      client.describeSnapshots(
        new ecsModels.DescribeSnapshotsRequest({
          regionId: region,
          snapshotIds: JSON.stringify([ref.snapshotId]),
        }),
      ),
  )),
];
console.log('\n3. client CPU per tracked copy per poll round (simulator time subtracted)');
console.table(cpu);

const out = join(here, '..', '..', '..', 'bench-results');
mkdirSync(out, { recursive: true });
const report = {
  bench: 'orchestrator',
  node: process.version,
  copiesPerProvider: N,
  calls,
  makespan: spans,
  cpuPerTrackedCopy: cpu,
  wallSeconds: +((performance.now() - t0) / 1000).toFixed(1),
};
writeFileSync(join(out, 'orchestrator.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote bench-results/orchestrator.json (${report.wallSeconds} s)`);
