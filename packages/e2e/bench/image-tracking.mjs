// Image tracking benchmark, against the EC2 and ECS simulators through nock, in virtual
// time. Prints a table and writes bench-results/image-tracking.json. It runs the built
// packages (dist).
//
// N image copies per provider (default 300; SNAPCOPY_BENCH_IMAGES), each image over two
// backing snapshots, at most the manifest's `maxConcurrentCopiesPerRegion` running at once
// (AWS 300, ECS 5), the next started when a read finds one ended:
//   - ours: one batched `status` per poll round for every running copy of the region,
//     rounds timed by the orchestrator's `nextPollDelay` from the copies' progress;
//   - naive: one DescribeImages per image per poll, on the AWS SDK waiter's schedule
//     (waitUntilImageAvailable: a first read at once, then 15 s growing to 120 s with
//     jitter; ECS has no waiter, so the same schedule);
//   - minimum: for ours' poll rounds, the fewest calls that read the same: the copies'
//     state in batches of `maxIdsPerStatusCall`, and on AWS the progress of the pending
//     AMIs' backing snapshots (an AMI shows no progress of its own), 200 per
//     DescribeSnapshots; on ECS DescribeImages carries the progress. The wave floor is one
//     round per wave of completions (ceil(N / limit)), the floor for equal copies.
// The figures are those of the snapshot benchmark (orchestrator.mjs): status calls fewer
// than the naive way (x) and over the minimum (%), rounds against the wave floor. The loop
// is a discrete-event simulation: the virtual clock moves only between calls, so no call
// looks slow.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ecsSdk from '@alicloud/ecs20140526';
import { CopyImageCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { createAlibabaImageCopier } from '@snapcopy/alibaba';
import { createAwsImageCopier } from '@snapcopy/aws';
import { ORCHESTRATOR_DEFAULTS } from '@snapcopy/orchestrator';
import { nextPollDelay } from '@snapcopy/orchestrator/runner';
import { Ec2Simulator, EcsSimulator, seededRandom, VirtualClock } from '@snapcopy/testkit';
import nock from 'nock';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
nock.disableNetConnect();

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.SNAPCOPY_BENCH_IMAGES ?? 300);
const DATA_SIZES = [8, 16, 24, 40, 64];
const AWS = { source: 'us-east-1', destination: 'eu-west-1' };
const ALI = { source: 'cn-hangzhou', destination: 'cn-shanghai' };
const ecsModels = ecsSdk.default?.CopyImageRequest ? ecsSdk.default : ecsSdk;
const BOUNDS = {
  minMs: ORCHESTRATOR_DEFAULTS.poll.minIntervalMs,
  maxMs: ORCHESTRATOR_DEFAULTS.poll.maxIntervalMs,
};

/** Smithy's waiter delay before attempt `attempt` (1, 2, …): 15 s, then exponential with jitter up to 120 s. */
function waiterDelayMs(attempt, random) {
  const min = 15;
  const max = 120;
  const ceiling = Math.log(max / min) / Math.log(2) + 1;
  if (attempt > ceiling) return max * 1000;
  const delay = min * 2 ** (attempt - 1);
  return Math.round((min + random() * (delay - min)) * 1000);
}

// ---------------------------------------------------------------------------------------
// Worlds: N images in the source region, each over a root/system and a data snapshot.

function sizesOf(i, scenario) {
  return scenario.equal ? [10, 90] : [8, DATA_SIZES[i % DATA_SIZES.length]];
}

/** The scenario's images in `region` (`fullSize`: the simulator's name for a disk's size). */
function addImages(sim, account, region, scenario, fullSize) {
  return Array.from({ length: scenario.copies }, (_, i) => {
    const snapshots = sizesOf(i, scenario).map((sizeGiB) =>
      sim.addSnapshot({ account, region, sizeGiB, [fullSize]: 100 }),
    );
    const image = sim.addImage({
      account,
      region,
      name: `web-${i}`,
      snapshotIds: snapshots.map((s) => s.id),
    });
    return { id: image.id, gib: snapshots.reduce((sum, s) => sum + s.sizeGiB, 0) };
  });
}

function awsWorld(scenario) {
  const clock = new VirtualClock({ autoAdvance: false });
  const sim = new Ec2Simulator({ clock, throttling: false });
  sim.addRegions(AWS.source, AWS.destination);
  const account = sim.addAccount({ id: '111111111111' });
  const images = addImages(sim, account.id, AWS.source, scenario, 'volumeSizeGiB');
  const copier = createAwsImageCopier({ credentials: sim.credentials(account.id) });
  return {
    cloud: 'ec2',
    clock,
    sim,
    copier,
    images,
    region: AWS.destination,
    request: (img) => ({
      source: { region: AWS.source, imageId: img.id },
      destination: { region: AWS.destination },
    }),
    naiveCopy: async (img, i) => {
      const client = await copier.nativeClient(AWS.destination);
      const out = await client.send(
        new CopyImageCommand({ SourceRegion: AWS.source, SourceImageId: img.id, Name: `naive-${i}` }),
      );
      return out.ImageId;
    },
    naiveRead: async (id) => {
      const client = await copier.nativeClient(AWS.destination);
      const out = await client.send(new DescribeImagesCommand({ ImageIds: [id] }));
      const state = out.Images?.[0]?.State;
      return state === 'available' || state === 'failed';
    },
  };
}

function aliWorld(scenario) {
  const clock = new VirtualClock({ autoAdvance: false });
  const sim = new EcsSimulator({ clock, rateLimit: false });
  sim.addRegions(ALI.source, ALI.destination);
  const account = sim.addAccount({});
  const images = addImages(sim, account.id, ALI.source, scenario, 'diskSizeGiB');
  const c = sim.credentials(account.id);
  const copier = createAlibabaImageCopier({
    credentials: { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret },
  });
  return {
    cloud: 'ecs',
    clock,
    sim,
    copier,
    images,
    region: ALI.destination,
    request: (img, i) => ({
      source: { region: ALI.source, imageId: img.id },
      destination: { region: ALI.destination },
      name: `copy-${i}`,
    }),
    naiveCopy: async (img, i) => {
      const client = await copier.nativeClient(ALI.source);
      const out = await client.copyImage(
        new ecsModels.CopyImageRequest({
          regionId: ALI.source,
          imageId: img.id,
          destinationRegionId: ALI.destination,
          destinationImageName: `naive-${i}`,
        }),
      );
      return out.body.imageId;
    },
    naiveRead: async (id) => {
      const client = await copier.nativeClient(ALI.destination);
      const out = await client.describeImages(
        new ecsModels.DescribeImagesRequest({ regionId: ALI.destination, imageId: id, status: 'ALL' }),
      );
      const status = out.body.images?.image?.[0]?.status;
      return status === 'Available' || status === 'CreateFailed';
    },
  };
}

/** Moves the world's clock to `at` (never back). */
function advanceTo(w, at) {
  const now = w.clock.now();
  if (at > now) w.clock.advance(at - now);
}

// ---------------------------------------------------------------------------------------
// Ours: batched status per poll round

async function ours(w) {
  const limit = w.copier.capabilities.maxConcurrentCopiesPerRegion;
  const queue = w.images.map((img, i) => ({ img, i }));
  const running = new Map(); // imageId -> { gib, startAt, at, progress }
  let msPerGiB;
  let rounds = 0;
  let completed = 0;
  /** The calls `status` made, by operation, and the fewest that could have read the same. */
  const reads = {};
  let minimum = 0;
  const startedAt = w.clock.now();
  const fill = async () => {
    while (running.size < limit && queue.length > 0) {
      const { img, i } = queue.shift();
      const handle = await w.copier.copy(w.request(img, i));
      const now = w.clock.now();
      running.set(handle.imageId, { gib: img.gib, startAt: now, at: now, progress: 0 });
    }
  };
  await fill();
  while (running.size > 0) {
    const samples = [...running.values()].map((r) => ({
      baseAt: r.startAt,
      baseProgress: 0,
      baseUncertainty: 0,
      at: r.at,
      progress: r.progress,
      ...(msPerGiB === undefined ? {} : { expectedMs: msPerGiB * r.gib }),
    }));
    advanceTo(w, w.clock.now() + nextPollDelay(samples, w.clock.now(), BOUNDS));
    const refs = [...running.keys()].map((imageId) => ({ region: w.region, imageId }));
    const before = w.sim.world.requests.entries().length;
    const statuses = await w.copier.status(refs);
    for (const e of w.sim.world.requests.entries().slice(before)) {
      reads[e.operation] = (reads[e.operation] ?? 0) + 1;
    }
    rounds++;
    minimum += minimumReads(w, refs.length, statuses.filter((s) => s.state === 'pending').length);
    const now = w.clock.now();
    const learned = [];
    for (const s of statuses) {
      const r = running.get(s.imageId);
      if (s.state === 'pending') {
        r.at = now;
        r.progress = s.progress;
        continue;
      }
      if (s.state === 'completed') completed++;
      learned.push((now - r.startAt) / r.gib);
      running.delete(s.imageId);
    }
    if (learned.length > 0) msPerGiB = Math.min(...learned, msPerGiB ?? Number.POSITIVE_INFINITY);
    await fill();
  }
  return { completed, rounds, reads, minimum, virtualMakespanS: (w.clock.now() - startedAt) / 1000 };
}

// ---------------------------------------------------------------------------------------
// Naive: one DescribeImages per image per poll, the waiter's schedule

async function naive(w) {
  const limit = w.copier.capabilities.maxConcurrentCopiesPerRegion;
  const random = seededRandom(20260101);
  const queue = w.images.map((img, i) => ({ img, i }));
  const running = []; // { id, attempt, nextAt }
  let completed = 0;
  let reads = 0;
  const read = (id) => {
    reads++;
    return w.naiveRead(id);
  };
  const startedAt = w.clock.now();
  const fill = async () => {
    while (running.length < limit && queue.length > 0) {
      const { img, i } = queue.shift();
      const id = await w.naiveCopy(img, i);
      // The waiter reads once at once.
      if (await read(id)) completed++;
      else running.push({ id, attempt: 1, nextAt: w.clock.now() + waiterDelayMs(1, random) });
    }
  };
  await fill();
  while (running.length > 0) {
    running.sort((a, b) => a.nextAt - b.nextAt);
    const next = running[0];
    advanceTo(w, next.nextAt);
    if (await read(next.id)) {
      completed++;
      running.shift();
      await fill();
    } else {
      next.attempt++;
      next.nextAt = w.clock.now() + waiterDelayMs(next.attempt, random);
    }
  }
  return { completed, reads, virtualMakespanS: (w.clock.now() - startedAt) / 1000 };
}

// ---------------------------------------------------------------------------------------
// Counting

const hasToken = (p) => Object.entries(p).some(([k, v]) => `${k}=${v}`.includes('snapcopy:client-token'));

/**
 * Sorts the simulator's request log: copies, the tracking calls (`reads`: those made during
 * `status`, or the naive reads), token lookups, and the rest (planning).
 */
function classify(w, reads) {
  const entries = w.sim.world.requests.entries();
  const tracking = Object.values(reads).reduce((a, b) => a + b, 0);
  const copy = entries.filter((e) => e.operation === 'CopyImage').length;
  const tokenLookup = entries.filter((e) => e.operation === 'DescribeImages' && hasToken(e.params)).length;
  return {
    copy,
    describeImages: reads.DescribeImages ?? 0,
    describeSnapshots: reads.DescribeSnapshots ?? 0,
    tracking,
    tokenLookup,
    plan: entries.length - copy - tracking - tokenLookup,
    limitErrors: entries.filter(
      (e) => e.errorCode === 'ResourceLimitExceeded' || e.errorCode?.startsWith('QuotaExceed'),
    ).length,
    total: entries.length,
  };
}

/**
 * The fewest calls that read `copies` copies' state and progress in one round: their state
 * in batches of the manifest's `maxIdsPerStatusCall`; on AWS also the progress of the
 * backing snapshots (two per AMI) of the `pending` ones, 200 per DescribeSnapshots.
 */
function minimumReads(w, copies, pending) {
  const state = Math.ceil(copies / w.copier.capabilities.maxIdsPerStatusCall);
  return state + (w.cloud === 'ec2' ? Math.ceil((2 * pending) / 200) : 0);
}

async function measure(makeWorld, label, scenario) {
  const oursWorld = makeWorld(scenario);
  let mount = oursWorld.sim.mountNock();
  const t0 = performance.now();
  const o = await ours(oursWorld);
  const oursWallMs = Math.round(performance.now() - t0);
  mount.stop();
  const oc = classify(oursWorld, o.reads);

  const naiveWorld = makeWorld(scenario);
  mount = naiveWorld.sim.mountNock();
  const t1 = performance.now();
  const n = await naive(naiveWorld);
  const naiveWallMs = Math.round(performance.now() - t1);
  mount.stop();
  const nc = classify(naiveWorld, { DescribeImages: n.reads });

  const limit = oursWorld.copier.capabilities.maxConcurrentCopiesPerRegion;
  const oursStatus = oc.tracking;
  const minimumStatus = o.minimum;
  return {
    provider: label,
    sizes: scenario.label,
    images: scenario.copies,
    limit,
    ours: { ...oc, status: oursStatus, pollRounds: o.rounds },
    naive: { ...nc, status: nc.tracking },
    minimum: { copy: scenario.copies, status: minimumStatus },
    /** One round per wave of completions: the floor for equal copies. */
    waveFloorRounds: Math.ceil(scenario.copies / limit),
    statusCallsFewerThanNaive: +(nc.tracking / oursStatus).toFixed(1),
    statusOverMinimumPercent: +(((oursStatus - minimumStatus) / minimumStatus) * 100).toFixed(2),
    copyOverMinimumPercent: +(((oc.copy - scenario.copies) / scenario.copies) * 100).toFixed(2),
    completed: { ours: o.completed, naive: n.completed },
    virtualMakespanSeconds: { ours: o.virtualMakespanS, naive: n.virtualMakespanS },
    wallMs: { ours: oursWallMs, naive: naiveWallMs },
  };
}

// ---------------------------------------------------------------------------------------

const t0 = performance.now();
console.log(`image tracking benchmark: ${N} image copies per provider, simulators via nock, virtual time`);

// Equal images (10 + 90 GiB), the scenario of the targets; mixed data snapshots (8-64 GiB)
// on fewer images show how staggered completions cost more rounds.
const scenarios = [
  { label: 'equal 10+90 GiB', copies: N, equal: true },
  { label: 'mixed 8+(8-64) GiB', copies: Math.min(N, 100), equal: false },
];
const rows = [];
for (const scenario of scenarios) {
  rows.push(await measure(awsWorld, 'aws', scenario));
  rows.push(await measure(aliWorld, 'alibaba', scenario));
}

console.log(
  '\nprovider calls to track image copies: batched status vs one DescribeImages per image per poll',
);
console.table(
  rows.map((r) => ({
    provider: r.provider,
    sizes: r.sizes,
    images: r.images,
    limit: r.limit,
    'ours: copy': r.ours.copy,
    'ours: DescribeImages': r.ours.describeImages,
    'ours: DescribeSnapshots': r.ours.describeSnapshots,
    'ours: rounds': r.ours.pollRounds,
    'ours: token lookups': r.ours.tokenLookup,
    'ours: plan': r.ours.plan,
    'naive: DescribeImages': r.naive.describeImages,
    'min status': r.minimum.status,
    'wave floor rounds': r.waveFloorRounds,
    'status fewer than naive': `${r.statusCallsFewerThanNaive}x`,
    'status over min': `${r.statusOverMinimumPercent}%`,
    'completed ours/naive': `${r.completed.ours}/${r.completed.naive}`,
    'limit errors ours/naive': `${r.ours.limitErrors}/${r.naive.limitErrors}`,
  })),
);

const incomplete = rows.filter((r) => r.completed.ours !== r.images || r.completed.naive !== r.images);
const out = join(here, '..', '..', '..', 'bench-results');
mkdirSync(out, { recursive: true });
const report = {
  bench: 'image-tracking',
  node: process.version,
  imagesPerProvider: N,
  rows,
  wallSeconds: +((performance.now() - t0) / 1000).toFixed(1),
};
writeFileSync(join(out, 'image-tracking.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote bench-results/image-tracking.json (${report.wallSeconds} s)`);
if (incomplete.length > 0) {
  console.error(`not every copy completed: ${incomplete.map((r) => `${r.provider} ${r.sizes}`).join(', ')}`);
  process.exit(1);
}
