// The orchestrator's tests run against testkit's reference cloud (an in-memory cloud with
// its own rules, faults and request log) through the reference copier, on a virtual clock.
// Verdicts come from the cloud's own state: its snapshots, copy tasks and request log.
import {
  type CallOptions,
  type Capabilities,
  type CopyRequestInput,
  type CopyStatus,
  defineCapabilities,
  type RetryPolicy,
  type SnapshotRef,
} from '@snapcopy/core';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import {
  hexId,
  ReferenceCloud,
  type ReferenceCredentials,
  ReferenceImageCopier,
  ReferenceSnapshotCopier,
  referenceCapabilities,
  type RequestLogEntry,
  type SimSnapshot,
  VirtualClock,
} from '@snapcopy/testkit';

/** A reference copier that remembers what each `status` call asked for. */
export class RecordingCopier extends ReferenceSnapshotCopier {
  readonly statusCalls: (readonly SnapshotRef[])[] = [];

  override async status(refs: readonly SnapshotRef[], options?: CallOptions): Promise<CopyStatus[]> {
    this.statusCalls.push(refs.map((r) => ({ region: r.region, snapshotId: r.snapshotId })));
    return super.status(refs, options);
  }
}

export const SOURCE_REGION = 'us-east-1';
export const DESTINATION = 'eu-west-1';
export const OTHER_DESTINATION = 'ap-south-1';
const ACCOUNT = '111111111111';

/** A source of 150 GiB copies in 600 s at the reference cloud's 256 MiB/s. */
export const TEN_MINUTES_GIB = 150;

export interface WorldOptions {
  /** Pending copies the cloud accepts per account and region (ResourceLimitExceeded beyond). */
  readonly regionLimit?: number;
  /** Ids one DescribeSnapshots accepts (the copier's `maxIdsPerStatusCall`). */
  readonly maxIds?: number;
  /** `sync`: a copy under an inaccessible key is refused (ACCESS_DENIED) instead of failing later. */
  readonly keyFailure?: 'async' | 'sync';
  /** Manifest changes (e.g. no native token, a consistency window). */
  readonly capabilities?: Partial<Capabilities>;
  /** The copier's own retries; default one attempt, so that faults reach the orchestrator. */
  readonly retry?: RetryPolicy;
  /** False: CopySnapshot has no client token, as on EC2 (the copier emulates it with a tag). */
  readonly nativeTokens?: boolean;
}

export type World = ReturnType<typeof referenceWorld>;

export function referenceWorld(options: WorldOptions = {}) {
  const clock = new VirtualClock();
  const cloud = new ReferenceCloud({
    clock,
    regions: [SOURCE_REGION, DESTINATION, OTHER_DESTINATION],
    keyFailure: options.keyFailure ?? 'async',
    maxPendingCopiesPerRegion: options.regionLimit ?? 1000,
    maxIdsPerDescribe: options.maxIds ?? 100,
    nativeTokens: options.nativeTokens ?? true,
  });
  const credentials: ReferenceCredentials = { accessKeyId: `AKREF${hexId(12)}`, secretAccessKey: hexId(32) };
  cloud.addAccount(ACCOUNT, credentials);
  const capabilities = defineCapabilities({ ...referenceCapabilities(cloud), ...options.capabilities });
  const makeCopier = (caps: Capabilities = capabilities) =>
    new RecordingCopier({
      cloud,
      credentials,
      clock,
      capabilities: caps,
      retry: options.retry ?? { maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 1000 },
    });
  const copier = makeCopier();
  /** An image copier on the same cloud and credentials (image copies are made of snapshot copies). */
  const imageCopier = new ReferenceImageCopier({
    cloud,
    credentials,
    clock,
    retry: options.retry ?? { maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 1000 },
  });

  let sources = 0;
  /** A completed source snapshot of `sizeGiB` in the source region. */
  const source = (sizeGiB = TEN_MINUTES_GIB): string => {
    const volumeId = `vol-${hexId(12)}`;
    cloud.world.addVolume({
      id: volumeId,
      region: SOURCE_REGION,
      account: ACCOUNT,
      sizeGiB,
      encrypted: false,
    });
    sources += 1;
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

  /** `n` requests from the source region to `region`, each from a new source of `sizeGiB`. */
  const requests = (
    n: number,
    region = DESTINATION,
    sizeGiB: (i: number) => number = () => TEN_MINUTES_GIB,
  ) =>
    Array.from(
      { length: n },
      (_, i): CopyRequestInput => ({
        source: { region: SOURCE_REGION, snapshotId: source(sizeGiB(i)) },
        destination: { region },
      }),
    );

  /** An image in the source region over one new source snapshot of `sizeGiB`. */
  const imageSource = (sizeGiB = TEN_MINUTES_GIB): string =>
    cloud.images.add({
      account: ACCOUNT,
      region: SOURCE_REGION,
      name: `image-${sources}`,
      snapshotIds: [source(sizeGiB)],
    }).id;

  /** A key in `region` that exists but the storage service cannot use. */
  const inaccessibleKey = (region = DESTINATION) => cloud.addInaccessibleKey(region, ACCOUNT).id;

  return {
    clock,
    cloud,
    copier,
    imageCopier,
    makeCopier,
    capabilities,
    requests,
    source,
    imageSource,
    inaccessibleKey,
    sourceCount: () => sources,
  };
}

/** Every copy the cloud holds now (deleted ones excluded). */
export function copies(cloud: ReferenceCloud): SimSnapshot[] {
  cloud.world.advance();
  return [...cloud.world.snapshots.values()].filter((s) => s.copy !== undefined);
}

/** The copies the cloud holds per client token. */
export function copiesPerToken(cloud: ReferenceCloud): Map<string, SimSnapshot[]> {
  const out = new Map<string, SimSnapshot[]>();
  for (const s of copies(cloud)) {
    const token = s.copy?.clientToken ?? s.tags.get(LINEAGE_TAGS.clientToken) ?? '(none)';
    out.set(token, [...(out.get(token) ?? []), s]);
  }
  return out;
}

/** Most copies that were pending at once in `region`, from the copy tasks' own times. */
export function peakPending(cloud: ReferenceCloud, region: string): number {
  const edges: [number, number][] = [];
  for (const s of copies(cloud)) {
    if (s.region !== region || !s.copy) continue;
    const end = s.copy.failAt ?? s.copy.startedAt + s.copy.durationMs;
    edges.push([s.copy.startedAt, 1], [end, -1]);
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

/** Requests the cloud received, optionally of one operation (`DescribeSnapshots` by `ids` or by `tag`). */
export function received(
  cloud: ReferenceCloud,
  operation?: 'CopySnapshot' | 'DescribeSnapshots' | 'DeleteSnapshot' | 'lookup' | 'describe-by-ids',
): RequestLogEntry[] {
  return cloud.world.requests.entries().filter((e) => {
    if (operation === undefined) return true;
    if (operation === 'lookup') return e.operation === 'DescribeSnapshots' && !('ids' in e.params);
    if (operation === 'describe-by-ids') return e.operation === 'DescribeSnapshots' && 'ids' in e.params;
    return e.operation === operation;
  });
}

/** CopySnapshot requests the cloud received for `token`. */
export function copyCallsFor(cloud: ReferenceCloud, token: string): RequestLogEntry[] {
  return received(cloud, 'CopySnapshot').filter((e) => e.params.clientToken === token);
}

/** Token lookups the cloud received for `token`. */
export function lookupsFor(cloud: ReferenceCloud, token: string): RequestLogEntry[] {
  return received(cloud, 'lookup').filter((e) => e.params[`tag:${LINEAGE_TAGS.clientToken}`] === token);
}
