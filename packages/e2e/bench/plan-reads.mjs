// Provider calls to plan, look up, start and track N equal copies (default 1,000;
// SNAPCOPY_BENCH_COPIES) per cloud, driven directly through the copier's batch API — no
// orchestrator: `planMany` (reads shared across the batch), `findMany` (tokens looked up in
// batches), `copy(request, { plan, tokenChecked: true })` at the provider's concurrency
// limit, and one batched `status` call per poll round. Against the EC2 and ECS simulators
// through nock, in virtual time. Prints the calls by kind against the target
//   all calls (plan + lookup + copy + status) ≤ 1.25 × (copy calls + status calls)
// and the per-request plans against `plan` for a sample. Writes bench-results/plan-reads.json.
// Runs the built packages (dist): `npm run bench plan-reads` builds first.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAlibabaEcsCopier } from '@snapcopy/alibaba';
import { createAwsEbsCopier } from '@snapcopy/aws';
import { Ec2Simulator, EcsSimulator, VirtualClock } from '@snapcopy/testkit';
import nock from 'nock';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
nock.disableNetConnect();

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.SNAPCOPY_BENCH_COPIES ?? 1000);
const SIZE_GIB = 16;
const POLL_MS = 20_000;
const TARGET = 1.25;

const CLOUDS = {
  aws: {
    source: 'us-east-1',
    destination: 'eu-west-1',
    world(clock) {
      const sim = new Ec2Simulator({ clock, throttling: false });
      sim.addRegions(this.source, this.destination);
      const account = sim.addAccount({ id: '111111111111' });
      const sources = Array.from({ length: N }, () =>
        sim.addSnapshot({ account: account.id, region: this.source, sizeGiB: SIZE_GIB, volumeSizeGiB: 100 }),
      );
      const copier = createAwsEbsCopier({ credentials: sim.credentials(account.id) });
      return { sim, copier, sources };
    },
    request: (cloud, s, i) => ({
      source: { region: cloud.source, snapshotId: s.id },
      destination: { region: cloud.destination },
      clientToken: `bench-aws-${i}`,
    }),
  },
  alibaba: {
    source: 'cn-hangzhou',
    destination: 'cn-shanghai',
    world(clock) {
      const sim = new EcsSimulator({ clock, rateLimit: false });
      sim.addRegions(this.source, this.destination);
      const account = sim.addAccount({});
      const sources = Array.from({ length: N }, () =>
        sim.addSnapshot({ account: account.id, region: this.source, sizeGiB: SIZE_GIB, diskSizeGiB: 100 }),
      );
      const c = sim.credentials(account.id);
      const copier = createAlibabaEcsCopier({
        credentials: { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret },
      });
      return { sim, copier, sources };
    },
    request: (cloud, s, i) => ({
      source: { region: cloud.source, snapshotId: s.id },
      destination: { region: cloud.destination },
      name: `copy-${i}`,
      description: 'snapcopy plan-reads bench',
      clientToken: `bench-ali-${i}`,
    }),
  },
};

/** Sorts the simulator's request log into plan reads, token lookups, copy and status calls. */
function classify(entries, cloud) {
  const out = { plan: 0, lookup: 0, copy: 0, status: 0, other: 0 };
  for (const e of entries) {
    const p = e.params;
    const text = Object.values(p).join(' ');
    if (e.operation === 'CopySnapshot') out.copy++;
    else if (e.operation === 'DescribeSnapshots' && text.includes('snapcopy:client-token')) out.lookup++;
    else if (
      e.operation === 'DescribeSnapshots' &&
      e.region === cloud.destination &&
      (p['Filter.1.Name'] === 'snapshot-id' || p.SnapshotIds !== undefined)
    )
      out.status++;
    else if (e.operation === 'CreateTags' || e.operation === 'DeleteSnapshot') out.other++;
    else out.plan++;
  }
  return out;
}

/** Plans one request at a time, as before the batch API (eight at a time). */
async function planEach(copier, requests) {
  const out = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      out[i] = await copier.plan(requests[i]).then(
        (value) => ({ ok: true, value }),
        (error) => ({ ok: false, error }),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return out;
}

/** A plan as text without its `$metadata` (each call's own request ids and timings). */
function planText(plan) {
  return JSON.stringify(plan, (key, value) => (key === '$metadata' ? undefined : value));
}

/**
 * `batched`: planMany, findMany, copy with tokenChecked. `one by one`: plan per request and
 * copy looking its own token up first (what a caller without the batch API does).
 */
async function run(name, mode) {
  const cloud = CLOUDS[name];
  const clock = new VirtualClock({ autoAdvance: false });
  const { sim, copier, sources } = cloud.world(clock);
  const mount = sim.mountNock();
  const requests = sources.map((s, i) => cloud.request(cloud, s, i));
  const limit = copier.capabilities.maxConcurrentCopiesPerRegion;
  const t0 = performance.now();

  const batched = mode === 'batched';
  const plans = batched ? await copier.planMany(requests) : await planEach(copier, requests);
  const afterPlan = sim.world.requests.size;
  // The batch gives each request the plan it gets alone (a sample, before anything is
  // copied; these extra reads are left out of the counts).
  const sample = [0, 1, Math.floor(N / 2), N - 1];
  let samePlans = 0;
  for (const i of sample) {
    const alone = await copier.plan(requests[i]);
    if (planText(alone) === planText(plans[i].value)) samePlans++;
  }
  const sampleCalls = sim.world.requests.size - afterPlan;
  const found = batched ? await copier.findMany(requests) : [];
  const afterLookup = sim.world.requests.size;
  const sampled = new Set(sim.world.requests.entries().slice(afterPlan, afterPlan + sampleCalls));
  const failedPlans = plans.filter((p) => !p.ok).length;
  const alreadyThere = found.filter((f) => f.ok && f.value !== undefined).length;

  // Copies at the provider's limit; one status call per poll round over those in flight.
  let next = 0;
  const inFlight = new Map();
  let completed = 0;
  let rounds = 0;
  while (completed < N) {
    const launch = [];
    while (inFlight.size + launch.length < limit && next < N) {
      const i = next++;
      const plan = plans[i];
      if (!plan.ok) throw plan.error;
      launch.push(
        copier
          .copy(requests[i], { plan: plan.value, ...(batched ? { tokenChecked: true } : {}) })
          .then((h) => inFlight.set(h.snapshotId, h)),
      );
    }
    await Promise.all(launch);
    clock.advance(POLL_MS);
    const statuses = await copier.status([...inFlight.values()]);
    rounds++;
    for (const s of statuses) {
      if (s.state === 'pending') continue;
      if (s.state !== 'completed') throw new Error(`${s.snapshotId} ended ${s.state}: ${s.message}`);
      inFlight.delete(s.snapshotId);
      completed++;
    }
  }
  const wallMs = Math.round(performance.now() - t0);
  const entries = sim.world.requests.entries().filter((e) => !sampled.has(e));
  const calls = classify(entries, cloud);
  const total = calls.plan + calls.lookup + calls.copy + calls.status + calls.other;
  const minimum = calls.copy + calls.status;
  const ratio = total / minimum;

  mount.stop();
  copier.destroy?.();
  return {
    cloud: name,
    mode,
    copies: N,
    limit,
    pollRounds: rounds,
    calls,
    planCallsBeforeCopies: afterPlan,
    lookupCallsBeforeCopies: afterLookup - afterPlan - sampleCalls,
    total,
    minimum,
    ratio: Number(ratio.toFixed(3)),
    target: TARGET,
    meetsTarget: ratio <= TARGET,
    failedPlans,
    alreadyThere,
    samePlansAsAlone: `${samePlans}/${sample.length}`,
    ledgerEntries: sim.world.ledger.entries().length,
    wallMs,
  };
}

const results = [];
for (const name of Object.keys(CLOUDS)) {
  for (const mode of ['batched', 'one by one']) results.push(await run(name, mode));
}

console.log(
  `\nProvider calls for ${N} equal copies of ${SIZE_GIB} GiB (batched: planMany + findMany + copy + status):`,
);
console.table(
  results.map((r) => ({
    cloud: r.cloud,
    mode: r.mode,
    plan: r.calls.plan,
    lookup: r.calls.lookup,
    copy: r.calls.copy,
    status: r.calls.status,
    other: r.calls.other,
    total: r.total,
    'copy+status': r.minimum,
    ratio: r.ratio,
    [`≤ ${TARGET}`]: r.meetsTarget ? 'yes' : 'NO',
    'same plans': r.samePlansAsAlone,
  })),
);
const out = join(here, '..', '..', '..', 'bench-results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'plan-reads.json'), `${JSON.stringify({ copies: N, results }, null, 2)}\n`);
console.log('wrote bench-results/plan-reads.json');
if (!results.filter((r) => r.mode === 'batched').every((r) => r.meetsTarget && r.failedPlans === 0)) {
  process.exitCode = 1;
}
