import type { ImageCopier } from '@snapcopy/core';
import type {
  ImageConformanceHarness,
  ImageConformanceTruth,
  SourceImageFixture,
  SourceImageSpec,
  TruthImage,
} from '../conformance/image-harness.js';
import { imageOperations, imageRequestKinds, truthOfImage } from '../conformance/image-simulator-harness.js';
import { simWorldTruth } from '../conformance/simulator-harness.js';
import type { ReferenceCloud } from './cloud.js';
import {
  addFixtureSnapshot,
  REFERENCE_CALLER,
  REFERENCE_OTHER,
  REFERENCE_REGIONS,
  type ReferenceCopierMaker,
  type ReferenceHarnessOptions,
  referenceHarnessBase,
} from './harness.js';
import { ReferenceImageCopier } from './image-copier.js';
import type { ReferenceImage } from './images.js';

/** Settings of {@link makeReferenceImageHarness}. */
export interface ReferenceImageHarnessOptions
  extends Pick<ReferenceHarnessOptions, 'keyFailure' | 'cancelTakesEffect'> {
  /** Builds the image copier under test (default: {@link ReferenceImageCopier}). */
  readonly makeCopier?: ReferenceCopierMaker<ImageCopier>;
}

/** The reference cloud's operations as the image suite names them. */
export const REFERENCE_IMAGE_OPERATIONS = imageOperations('DeleteImage');

/** The image truth over a reference cloud (snapshots, keys and requests from its world). */
export function referenceImageTruth(cloud: ReferenceCloud, caller: string): ImageConformanceTruth {
  const worldTruth = simWorldTruth(cloud.world, {
    refresh: () => {
      cloud.world.advance();
      cloud.images.refresh();
    },
    resolveKey: (region, ref) => cloud.resolveKey(ref, region, caller)?.id,
    requestKinds: imageRequestKinds('DeleteImage'),
  });
  const truthOf = (image: ReferenceImage): TruthImage => {
    const state = cloud.images.stateOf(image);
    const snapshotIds = image.devices.map((d) => d.snapshotId);
    return truthOfImage(image, state === 'available' ? 'completed' : state, snapshotIds);
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
  const { base, cloud, keys } = referenceHarnessBase(
    options,
    ({ runtime, cloud, credentials }) => new ReferenceImageCopier({ ...runtime, cloud, credentials }),
    REFERENCE_IMAGE_OPERATIONS,
  );
  return {
    ...base,
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
      keys,
      missingImageId: () => 'ami-refmissing000',
    },
    truth: referenceImageTruth(cloud, REFERENCE_CALLER),
  };
}
