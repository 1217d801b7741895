// Both simulators with source snapshots (two-clouds.ts) and source images beside them, the
// adapters' snapshot and image copiers as one copier entry per cloud, batches that mix the
// two kinds, readers of the simulators' own image state, and the verdict built on them.
import { createAlibabaImageCopier } from '@snapcopy/alibaba';
import { createAwsImageCopier } from '@snapcopy/aws';
import type { Clock, ImageCopyRequestInput, RetryPolicy } from '@snapcopy/core';
import type { BatchItem, CopierEntry } from '@snapcopy/orchestrator';
import type { Ec2Simulator, EcsSimulator } from '@snapcopy/testkit';
import { expect } from 'vitest';
import {
  ALI_DESTINATIONS,
  ALI_SOURCE,
  AWS_DESTINATIONS,
  AWS_SOURCE,
  copiesByToken,
  type TwoClouds,
  type TwoCloudsOptions,
  twoClouds,
} from './two-clouds.js';

export interface MixedClouds extends TwoClouds {
  /** Source image ids per cloud (an AMI over two snapshots; an ECS image over two disks). */
  readonly awsImages: readonly string[];
  readonly aliImages: readonly string[];
  /** One entry per cloud with both copiers; `retry` is the copiers' own. */
  entries(
    endpoints?: { aws?: string; alibaba?: string },
    retry?: RetryPolicy,
  ): { aws: CopierEntry; alibaba: CopierEntry };
  /** Snapshot requests (two-clouds' items) and image requests, interleaved per cloud. */
  mixedItems(): BatchItem[];
}

export interface MixedOptions extends TwoCloudsOptions {
  readonly snapshots: number;
  readonly images: number;
  /** Every image request to the first destination region of its cloud. */
  readonly oneDestination?: boolean;
}

/** An image request to `region`. */
const imageRequest = (source: string, imageId: string, region: string): ImageCopyRequestInput => ({
  source: { region: source, imageId },
  destination: { region },
});

export function mixedClouds(clock: Clock, options: MixedOptions): MixedClouds {
  const clouds = twoClouds(clock, options.snapshots, options);
  const { ec2, ecs } = clouds;
  const awsAccount = [...ec2.world.accounts.keys()][0]!;
  const aliAccount = [...ecs.world.accounts.keys()][0]!;
  const awsImages = Array.from({ length: options.images }, (_, i) => {
    const root = ec2.addSnapshot({ account: awsAccount, region: AWS_SOURCE, sizeGiB: 6, volumeSizeGiB: 8 });
    const data = ec2.addSnapshot({
      account: awsAccount,
      region: AWS_SOURCE,
      sizeGiB: 10 + i,
      volumeSizeGiB: 50,
    });
    return ec2.addImage({
      account: awsAccount,
      region: AWS_SOURCE,
      name: `web-${i}`,
      snapshotIds: [root.id, data.id],
    }).id;
  });
  const aliImages = Array.from({ length: options.images }, (_, i) => {
    const system = ecs.addSnapshot({ account: aliAccount, region: ALI_SOURCE, sizeGiB: 12, diskSizeGiB: 40 });
    const data = ecs.addSnapshot({
      account: aliAccount,
      region: ALI_SOURCE,
      sizeGiB: 10 + i,
      diskSizeGiB: 60,
    });
    return ecs.addImage({
      account: aliAccount,
      region: ALI_SOURCE,
      name: `web-${i}`,
      snapshotIds: [system.id, data.id],
    }).id;
  });
  const destination = (regions: readonly string[], i: number) =>
    options.oneDestination ? regions[0]! : regions[i % regions.length]!;

  return {
    ...clouds,
    awsImages,
    aliImages,
    entries(endpoints = {}, retry = undefined) {
      const snapshotCopiers = clouds.copiers(endpoints, retry);
      const aliCreds = ecs.credentials(aliAccount);
      return {
        aws: {
          copier: snapshotCopiers.aws,
          imageCopier: createAwsImageCopier({
            credentials: ec2.credentials(awsAccount),
            clock,
            ...(retry ? { retry } : {}),
            ...(endpoints.aws ? { endpoint: endpoints.aws } : {}),
          }),
        },
        alibaba: {
          copier: snapshotCopiers.alibaba,
          imageCopier: createAlibabaImageCopier({
            credentials: { accessKeyId: aliCreds.accessKeyId, accessKeySecret: aliCreds.accessKeySecret },
            clock,
            ...(retry ? { retry } : {}),
            ...(endpoints.alibaba ? { endpoint: endpoints.alibaba, protocol: 'http' as const } : {}),
          }),
        },
      };
    },
    mixedItems() {
      const snapshots = clouds.items();
      const images: BatchItem[] = [
        ...awsImages.map((id, i) => ({
          copier: 'aws',
          request: imageRequest(AWS_SOURCE, id, destination(AWS_DESTINATIONS, i)),
        })),
        ...aliImages.map((id, i) => ({
          copier: 'alibaba',
          request: imageRequest(ALI_SOURCE, id, destination(ALI_DESTINATIONS, i)),
        })),
      ];
      const out: BatchItem[] = [];
      for (let i = 0; i < Math.max(snapshots.length, images.length); i++) {
        if (i < snapshots.length) out.push(snapshots[i]!);
        if (i < images.length) out.push(images[i]!);
      }
      return out;
    },
  };
}

/** One image copy as the simulated cloud holds it: its id, region, token, backing snapshots and whether it is done. */
export interface SimImageCopy {
  readonly id: string;
  readonly region: string;
  readonly clientToken: string | undefined;
  readonly snapshotIds: readonly string[];
  readonly done: boolean;
}

/** Every image copy the simulated cloud holds (brought up to its clock; deregistered/removed ones excluded). */
export function imageCopies(sim: Ec2Simulator | EcsSimulator): SimImageCopy[] {
  if (sim.world.cloud === 'ec2') {
    return (sim as Ec2Simulator).images().flatMap((i) =>
      i.copy && i.state !== 'deregistered'
        ? [
            {
              id: i.id,
              region: i.region,
              clientToken: i.copy.clientToken,
              snapshotIds: i.blockDevices.flatMap((d) => (d.snapshotId ? [d.snapshotId] : [])),
              done: i.state === 'available',
            },
          ]
        : [],
    );
  }
  const ecs = sim as EcsSimulator;
  ecs.advance();
  return [...ecs.state.images.images.values()].flatMap((i) =>
    i.copy
      ? [
          {
            id: i.id,
            region: i.region,
            clientToken: i.copy.clientToken,
            snapshotIds: i.disks.flatMap((d) => (d.snapshotId ? [d.snapshotId] : [])),
            done: i.status === 'Available',
          },
        ]
      : [],
  );
}

/** Image copies per client token. */
export function imageCopiesByToken(sim: Ec2Simulator | EcsSimulator): Map<string, SimImageCopy[]> {
  const out = new Map<string, SimImageCopy[]>();
  for (const c of imageCopies(sim)) {
    const token = c.clientToken ?? '(none)';
    out.set(token, [...(out.get(token) ?? []), c]);
  }
  return out;
}

/**
 * The snapshot copies in the cloud that no image copy uses and no snapshot request's token
 * names: what a doubled or abandoned image copy would leave behind.
 */
export function strayBackingSnapshots(sim: Ec2Simulator | EcsSimulator, snapshotTokens: ReadonlySet<string>) {
  const used = new Set(imageCopies(sim).flatMap((c) => c.snapshotIds));
  const stray: string[] = [];
  for (const [token, copies] of copiesByToken(sim.world)) {
    if (snapshotTokens.has(token)) continue;
    for (const s of copies) if (!used.has(s.id)) stray.push(s.id);
  }
  return stray;
}

export const isImageItem = (item: BatchItem): boolean => 'imageId' in item.request.source;

/** What the verdict reads of a result (an orchestrator's result, or one a child process printed). */
export interface ResultFacts {
  readonly index: number;
  readonly kind: 'snapshot' | 'image';
  readonly clientToken: string;
  readonly destination?: { readonly region: string; readonly snapshotId?: string; readonly imageId?: string };
}

/**
 * The simulator's verdict for one cloud: each snapshot token names one completed snapshot
 * copy, each image token one finished image copy over two completed backing snapshot copies,
 * no other copy of either kind exists, and the results name those copies with their kind.
 */
export function assertOneCopyPerToken(
  sim: Ec2Simulator | EcsSimulator,
  items: readonly BatchItem[],
  allResults: readonly ResultFacts[],
): void {
  const copier = sim.world.cloud === 'ec2' ? 'aws' : 'alibaba';
  const results = allResults.filter((r) => items[r.index]!.copier === copier);
  for (const r of results) expect(r.kind).toBe(isImageItem(items[r.index]!) ? 'image' : 'snapshot');
  const snapshotResults = results.filter((r) => r.kind === 'snapshot');
  const imageResults = results.filter((r) => r.kind === 'image');

  sim.world.advance();
  const snapshots = copiesByToken(sim.world);
  for (const r of snapshotResults) {
    const copies = snapshots.get(r.clientToken) ?? [];
    expect(
      copies.map((c) => c.id),
      `snapshot ${r.clientToken}`,
    ).toEqual([r.destination?.snapshotId]);
    expect(copies[0]!.state).toBe('completed');
    expect(copies[0]!.region).toBe(r.destination?.region);
  }

  const images = imageCopiesByToken(sim);
  expect(images.has('(none)'), 'an image copy without a client token').toBe(false);
  expect(images.size).toBe(imageResults.length);
  for (const r of imageResults) {
    const copies = images.get(r.clientToken) ?? [];
    expect(
      copies.map((c) => c.id),
      `image ${r.clientToken}`,
    ).toEqual([r.destination?.imageId]);
    expect(r.destination).not.toHaveProperty('snapshotId');
    expect(copies[0]!.region).toBe(r.destination?.region);
    expect(copies[0]!.done).toBe(true);
    expect(copies[0]!.snapshotIds).toHaveLength(2);
    for (const id of copies[0]!.snapshotIds) expect(sim.world.snapshots.get(id)?.state).toBe('completed');
  }
  // No snapshot copy left that neither a snapshot request nor an image copy accounts for.
  expect(strayBackingSnapshots(sim, new Set(snapshotResults.map((r) => r.clientToken)))).toEqual([]);
  expect(sim.world.deleted.size).toBe(0);
}
