// A fleet of engine-dbos worker processes against both simulators, for the multi-worker
// tests and the benchmark: the simulators served on 127.0.0.1 on a sped-up clock the
// workers share, source snapshots on both clouds, worker processes (the built packages),
// and readers of the simulators' own state for the verdicts. Plain JavaScript so that the
// benchmark (a script) and the tests (TypeScript, through dbos-fleet.d.mts) share it.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { Ec2Simulator, EcsSimulator, ScaledClock } from '@snapcopy/testkit';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'dbos-worker-child.mjs');

export const AWS_SOURCE = 'us-east-1';
export const AWS_DESTINATIONS = ['eu-west-1', 'us-west-2'];
export const ALI_SOURCE = 'cn-hangzhou';
export const ALI_DESTINATIONS = ['cn-shanghai', 'cn-beijing'];

/** Sizes cycle so that copies end at different times (GiB). */
const defaultSize = (i) => [8, 16, 24, 40, 64][i % 5];

/**
 * Both simulators with `perCloud` source snapshots each, served on 127.0.0.1, on a clock
 * running `scale` times real time that worker processes rebuild from `clockSettings`.
 */
export async function startFleetWorld({ perCloud, scale, faultSeed = 7, sizeOf = defaultSize }) {
  const clockSettings = { scale, start: Date.UTC(2026, 0, 1), realStart: Date.now() };
  const clock = new ScaledClock(clockSettings);
  const ec2 = new Ec2Simulator({ clock, faultSeed });
  ec2.addRegions(AWS_SOURCE, ...AWS_DESTINATIONS);
  const awsAccount = ec2.addAccount({ id: '111111111111' });
  const awsSources = Array.from({ length: perCloud }, (_, i) =>
    ec2.addSnapshot({
      account: awsAccount.id,
      region: AWS_SOURCE,
      sizeGiB: sizeOf(i),
      volumeSizeGiB: Math.max(100, sizeOf(i)),
    }),
  );
  const ecs = new EcsSimulator({ clock, faultSeed: faultSeed + 1 });
  ecs.addRegions(ALI_SOURCE, ...ALI_DESTINATIONS);
  const aliAccount = ecs.addAccount({ id: '1234567890123456' });
  const aliSources = Array.from({ length: perCloud }, (_, i) =>
    ecs.addSnapshot({
      account: aliAccount.id,
      region: ALI_SOURCE,
      sizeGiB: sizeOf(i),
      diskSizeGiB: Math.max(100, sizeOf(i)),
    }),
  );
  const servers = [await ec2.listen(), await ecs.listen()];
  const aliCreds = ecs.credentials(aliAccount.id);
  const awsCreds = ec2.credentials(awsAccount.id);
  const items = [
    ...awsSources.map((s, i) => ({
      copier: 'aws',
      request: {
        source: { region: AWS_SOURCE, snapshotId: s.id },
        destination: { region: AWS_DESTINATIONS[i % 2] },
      },
    })),
    ...aliSources.map((s, i) => ({
      copier: 'alibaba',
      request: {
        source: { region: ALI_SOURCE, snapshotId: s.id },
        destination: { region: ALI_DESTINATIONS[i % 2] },
        name: `copy-${i}`,
        description: 'snapcopy multi-worker test',
      },
    })),
  ];
  return {
    clock,
    clockSettings,
    ec2,
    ecs,
    items,
    /** What a worker process needs to reach both clouds. */
    endpoints: {
      aws: { endpoint: servers[0].url, credentials: awsCreds },
      alibaba: {
        endpoint: servers[1].url,
        credentials: { accessKeyId: aliCreds.accessKeyId, accessKeySecret: aliCreds.accessKeySecret },
      },
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/**
 * Starts one worker process. `ready` resolves with its first line; `lines` collects every
 * line it prints (takeovers, its stop); `exited` resolves with its exit code (null when
 * killed by a signal).
 */
export function spawnWorker(config) {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(config)], {
    cwd: here,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  let stderr = '';
  let onReady;
  let onFailed;
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    onFailed = reject;
  });
  let buffer = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!text.trim()) continue;
      const l = JSON.parse(text);
      lines.push(l);
      if (l.event === 'ready') onReady(l);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (c) => {
    stderr += c;
  });
  const exited = new Promise((resolve) =>
    child.on('exit', (code) => {
      onFailed(new Error(`worker ${config.executorId} exited (${code}) before it was ready:\n${stderr}`));
      resolve(code);
    }),
  );
  return {
    executorId: config.executorId,
    child,
    ready,
    exited,
    lines,
    stderr: () => stderr,
  };
}

/** The client token a simulated copy was made with, from the cloud's own records. */
export function tokenOf(s) {
  return s.copy?.clientToken ?? s.tags.get(LINEAGE_TAGS.clientToken);
}

/** Every copy the simulated cloud holds (deleted ones excluded), grouped by client token. */
export function copiesByToken(world) {
  const out = new Map();
  for (const s of world.snapshots.values()) {
    if (!s.copy) continue;
    const token = tokenOf(s) ?? '(none)';
    out.set(token, [...(out.get(token) ?? []), s]);
  }
  return out;
}

/**
 * The most copies that were in progress at once, per account and destination region, from
 * the copy tasks' own start and end times in the simulator (copies still pending count
 * until now).
 */
export function peakInProgress(world, now) {
  const edges = new Map();
  for (const s of world.snapshots.values()) {
    if (!s.copy) continue;
    const key = `${s.account}/${s.region}`;
    const end =
      s.state === 'pending' ? now : (s.completedAt ?? s.copy.failAt ?? s.copy.startedAt + s.copy.durationMs);
    const list = edges.get(key) ?? [];
    list.push([s.copy.startedAt, 1], [end, -1]);
    edges.set(key, list);
  }
  const peaks = {};
  for (const [key, list] of edges) {
    // An end and a start at the same instant: the slot was freed first.
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let n = 0;
    let peak = 0;
    for (const [, d] of list) {
      n += d;
      peak = Math.max(peak, n);
    }
    peaks[key] = peak;
  }
  return peaks;
}

/** Requests a simulator refused because a concurrency limit was reached. */
export function limitRefusals(world) {
  return world.requests
    .entries()
    .filter((e) => e.errorCode === 'ResourceLimitExceeded' || e.errorCode === 'QuotaExceed.Snapshot').length;
}
