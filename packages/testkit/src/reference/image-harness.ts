import type { CopierRuntime, ImageCopier } from '@snapcopy/core';
import type {
  ImageConformanceHarness,
  ImageConformanceTruth,
  SourceImageFixture,
  SourceImageSpec,
  TruthImage,
} from '../conformance/image-harness.js';
import { simulatorFaults, simWorldTruth } from '../conformance/simulator-harness.js';
import type { ReferenceCloud, ReferenceCredentials } from './cloud.js';
import {
  addFixtureSnapshot,
  REFERENCE_CALLER,
  REFERENCE_OTHER,
  REFERENCE_REGIONS,
  type ReferenceHarnessOptions,
  setUpReferenceCloud,
} from './harness.js';
import { ReferenceImageCopier } from './image-copier.js';
import type { ReferenceImage } from './images.js';

/** Settings of {@link makeReferenceImageHarness}. */
export interface ReferenceImageHarnessOptions
  extends Pick<ReferenceHarnessOptions, 'keyFailure' | 'cancelTakesEffect'> {
  /** Builds the image copier under test (default: {@link ReferenceImageCopier}). */
  readonly makeCopier?: (input: {
    cloud: ReferenceCloud;
    credentials: ReferenceCredentials;
    runtime: CopierRuntime;
  }) => ImageCopier;
}

/** The reference cloud's operations as the image suite names them. */
export const REFERENCE_IMAGE_OPERATIONS = {
  copy: 'CopyImage',
  status: 'DescribeImages',
  'describe-source': 'DescribeSnapshots',
  delete: 'DeleteImage',
} as const;

/** The image truth over a reference cloud (snapshots, keys and requests from its world). */
export function referenceImageTruth(cloud: ReferenceCloud, caller: string): ImageConformanceTruth {
  const worldTruth = simWorldTruth(cloud.world, {
    refresh: () => {
      cloud.world.advance();
      cloud.images.refresh();
    },
    resolveKey: (region, ref) => cloud.resolveKey(ref, region, caller)?.id,
    requestKinds: {
      CopyImage: 'copy',
      DescribeImages: 'status',
      DeleteImage: 'delete',
      DescribeSnapshots: 'describe-source',
    },
  });
  const truthOf = (image: ReferenceImage): TruthImage => {
    const state = cloud.images.stateOf(image);
    return {
      id: image.id,
      region: image.region,
      account: image.account,
      state: state === 'available' ? 'completed' : state,
      tags: Object.fromEntries(image.tags),
      snapshotIds: image.devices.map((d) => d.snapshotId),
      ...(image.copy
        ? {
            copyOf: { region: image.copy.sourceRegion, imageId: image.copy.sourceImageId },
            clientToken: image.copy.clientToken,
          }
        : {}),
    };
  };
  const copies = (): TruthImage[] => {
    cloud.world.advance();
    cloud.images.refresh();
    return [...cloud.images.images.values()].filter((i) => i.copy).map(truthOf);
  };
  return {
    image(region, imageId) {
      cloud.world.advance();
      cloud.images.refresh();
      const image = cloud.images.images.get(imageId);
      return image && image.region === region ? truthOf(image) : undefined;
    },
    imageCopies: copies,
    imageCopiesWithToken: (clientToken) => copies().filter((c) => c.clientToken === clientToken),
    snapshot: (region, snapshotId) => worldTruth.snapshot(region, snapshotId),
    sameKey: (region, a, b) => worldTruth.sameKey(region, a, b),
    requests: () => worldTruth.requests(),
  };
}

/**
 * A fresh reference cloud and image copier for one image conformance test: the same world as
 * the snapshot harness's (two regions, two accounts, keys, a virtual clock, faults, a captured
 * log), with images made of its snapshots.
 */
export function makeReferenceImageHarness(
  options: ReferenceImageHarnessOptions = {},
): ImageConformanceHarness {
  const { clock, cloud, credentials, sentinelSecret, inaccessible, logger, lines } =
    setUpReferenceCloud(options);
  const runtime: CopierRuntime = { clock, logger };
  const make =
    options.makeCopier ??
    ((input) =>
      new ReferenceImageCopier({ ...input.runtime, cloud: input.cloud, credentials: input.credentials }));
  const copier = make({ cloud, credentials, runtime });
  return {
    copier,
    sentinelSecret,
    logs: lines,
    fixtures: {
      regions: REFERENCE_REGIONS,
      otherAccountId: REFERENCE_OTHER,
      createSourceImage(spec: SourceImageSpec = {}): SourceImageFixture {
        const region = spec.region ?? REFERENCE_REGIONS[0];
        const owner = spec.ownership === 'shared' ? REFERENCE_OTHER : REFERENCE_CALLER;
        const disks = spec.disks ?? [{}];
        const snapshots = disks.map((d) =>
          addFixtureSnapshot(cloud, {
            region,
            owner,
            caller: REFERENCE_CALLER,
            sizeGiB: d.sizeGiB ?? 1,
            key: d.key ?? 'none',
          }),
        );
        const image = cloud.images.add({
          account: owner,
          region,
          name: `conformance-${snapshots[0]!.id}`,
          snapshotIds: snapshots.map((s) => s.id),
          ...(spec.tags ? { tags: spec.tags } : {}),
          ...(owner === REFERENCE_CALLER ? {} : { sharedWith: [REFERENCE_CALLER] }),
        });
        return {
          ref: { region, imageId: image.id, ...(owner === REFERENCE_CALLER ? {} : { account: owner }) },
          snapshots: snapshots.map((s) => ({
            snapshotId: s.id,
            encrypted: s.encrypted,
            ...(s.kmsKeyId === undefined ? {} : { kmsKeyId: s.kmsKeyId }),
            sizeGiB: s.sizeGiB,
          })),
        };
      },
      keys: (region) => ({
        customer: 'alias/ref/customer',
        inaccessible: inaccessible.get(region) ?? 'key-none',
      }),
      missingImageId: () => 'ami-refmissing000',
    },
    truth: referenceImageTruth(cloud, REFERENCE_CALLER),
    time: { mode: 'virtual', advance: (ms) => clock.advance(ms) },
    faults: simulatorFaults(cloud.faults, REFERENCE_IMAGE_OPERATIONS),
    makeCopierWithBadCredentials: () =>
      make({
        cloud,
        credentials: { accessKeyId: 'AKREFUNKNOWN0000', secretAccessKey: sentinelSecret },
        runtime,
      }),
    close: () => undefined,
  };
}
