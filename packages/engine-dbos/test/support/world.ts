// The engine's tests run against testkit's reference cloud (an in-memory cloud with its own
// rules, faults and request log) through the reference copier, on real time sped up (DBOS's
// own timers are wall clock), and a PostgreSQL the test starts. Verdicts come from the
// cloud's own state and log.
import { randomUUID } from 'node:crypto';
import { type CopyRequestInput, defineCapabilities, type RetryPolicy } from '@snapcopy/core';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import type { WorkerOptions } from '@snapcopy/engine-dbos';
import {
  hexId,
  ReferenceCloud,
  ReferenceImageCopier,
  ReferenceSnapshotCopier,
  referenceCapabilities,
  ScaledClock,
  type SimSnapshot,
} from '@snapcopy/testkit';

export const SOURCE_REGION = 'us-east-1';
export const DESTINATION = 'eu-west-1';
export const OTHER_DESTINATION = 'ap-south-1';
const ACCOUNT = '111111111111';
/** Virtual ms per real ms: a 5 GiB copy (20 s at 256 MiB/s) takes 200 ms. */
export const SCALE = 100;

export function referenceWorld(options: { regionLimit?: number; nativeTokens?: boolean } = {}) {
  const clock = new ScaledClock({ scale: SCALE, start: Date.UTC(2026, 0, 1) });
  const cloud = new ReferenceCloud({
    clock,
    regions: [SOURCE_REGION, DESTINATION, OTHER_DESTINATION],
    maxPendingCopiesPerRegion: options.regionLimit ?? 1000,
    maxIdsPerDescribe: 100,
    nativeTokens: options.nativeTokens ?? true,
  });
  const credentials = { accessKeyId: `AKREF${hexId(12)}`, secretAccessKey: hexId(32) };
  cloud.addAccount(ACCOUNT, credentials);
  const retry: RetryPolicy = { maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 1000 };
  const makeCopier = () =>
    new ReferenceSnapshotCopier({
      cloud,
      credentials,
      clock,
      capabilities: defineCapabilities({ ...referenceCapabilities(cloud), consistencyWindowMs: 30_000 }),
      retry,
    });
  /** An image copier on the same cloud and credentials (its copies are made of snapshot copies). */
  const makeImageCopier = () => new ReferenceImageCopier({ cloud, credentials, clock, retry });
  const source = (sizeGiB = 5): string => {
    const volumeId = `vol-${hexId(12)}`;
    cloud.world.addVolume({
      id: volumeId,
      region: SOURCE_REGION,
      account: ACCOUNT,
      sizeGiB,
      encrypted: false,
    });
    return cloud.world.addSnapshot({
      region: SOURCE_REGION,
      account: ACCOUNT,
      volumeId,
      volumeSizeGiB: sizeGiB,
      sizeGiB,
      changedGiB: sizeGiB,
      encrypted: false,
    }).id;
  };
  const requests = (n: number, region = DESTINATION, sizeGiB: (i: number) => number = (i) => 2 + (i % 4)) =>
    Array.from(
      { length: n },
      (_, i): CopyRequestInput => ({
        source: { region: SOURCE_REGION, snapshotId: source(sizeGiB(i)) },
        destination: { region },
      }),
    );
  let images = 0;
  /** An image in the source region over one new source snapshot of `sizeGiB`. */
  const imageSource = (sizeGiB = 5): string =>
    cloud.images.add({
      account: ACCOUNT,
      region: SOURCE_REGION,
      name: `image-${++images}`,
      snapshotIds: [source(sizeGiB)],
    }).id;
  return { clock, cloud, makeCopier, makeImageCopier, source, imageSource, requests };
}

export type World = ReturnType<typeof referenceWorld>;

/** Worker settings for tests: short polls and beats, on the world's sped-up clock. */
export function testWorkerOptions(
  world: World,
  databaseUrl: string,
  executorId: string,
  extra: Partial<WorkerOptions> = {},
): WorkerOptions {
  return {
    databaseUrl,
    executorId,
    copiers: { ref: world.makeCopier() },
    clock: world.clock,
    timeScale: SCALE,
    poll: { minIntervalMs: 2_000, maxIntervalMs: 20_000 },
    retry: { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 10_000 },
    throttleBackoff: { baseDelayMs: 1_000, maxDelayMs: 10_000 },
    queuePollMs: 50,
    trackerTickMs: 50,
    trackerLeaseMs: 2_000,
    heartbeatMs: 200,
    deadAfterMs: 1_000,
    followPollMs: 50,
    dbosLogLevel: 'error',
    ...extra,
  };
}

/** A database name of its own for each test file. */
export function databaseName(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** Every copy the cloud holds now, by client token (deleted ones excluded). */
export function copiesPerToken(cloud: ReferenceCloud): Map<string, SimSnapshot[]> {
  cloud.world.advance();
  const out = new Map<string, SimSnapshot[]>();
  for (const s of cloud.world.snapshots.values()) {
    if (!s.copy) continue;
    const token = s.copy.clientToken ?? s.tags.get(LINEAGE_TAGS.clientToken) ?? '(none)';
    out.set(token, [...(out.get(token) ?? []), s]);
  }
  return out;
}

/** CopySnapshot requests the cloud received. */
export function copyCalls(cloud: ReferenceCloud): number {
  return cloud.world.requests.entries().filter((e) => e.operation === 'CopySnapshot').length;
}

/** Most copies that were in progress at once in `region`, from the copy tasks' own times. */
export function peakPending(cloud: ReferenceCloud, region: string): number {
  cloud.world.advance();
  const edges: [number, number][] = [];
  for (const s of cloud.world.snapshots.values()) {
    if (s.region !== region || !s.copy) continue;
    edges.push([s.copy.startedAt, 1], [s.copy.failAt ?? s.copy.startedAt + s.copy.durationMs, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of edges) {
    now += d;
    peak = Math.max(peak, now);
  }
  return peak;
}
