import type { ErrorCode, ImageCapabilities, ImageCopyRequestInput, ImageCopyStatus } from '@snapcopy/core';
import type { ConformanceContext } from './case.js';
import type {
  ImageConformanceHarness,
  SourceImageFixture,
  SourceImageSpec,
  TruthImage,
} from './image-harness.js';
import {
  expectNoneMade,
  expectRefusedWithoutRequests,
  fail,
  mustBeThere,
  recorded,
  suiteWaitOptions,
  type WaitExtras,
} from './support.js';

/** A source image and the plainest request that copies it under this manifest. */
export interface PlainImageCopy {
  readonly source: SourceImageFixture;
  readonly request: ImageCopyRequestInput;
  readonly sameRegion: boolean;
}

/** Which route a plain image copy takes: another region when it can, else its own. */
export function plainImageRoute(caps: ImageCapabilities): 'cross-region' | 'same-region' {
  if (caps.crossRegionCopy) return 'cross-region';
  if (caps.sameRegionCopy) return 'same-region';
  return fail('the image manifest allows no copy at all (crossRegionCopy and sameRegionCopy are both false)');
}

/** Makes a source image and the plainest request that copies it. */
export async function plainImageCopy(
  h: ImageConformanceHarness,
  spec: SourceImageSpec = {},
  extra: Partial<ImageCopyRequestInput> = {},
): Promise<PlainImageCopy> {
  const [first, second] = h.fixtures.regions;
  const sameRegion = plainImageRoute(h.copier.capabilities) === 'same-region';
  const source = await h.fixtures.createSourceImage({ region: first, ...spec });
  return {
    source,
    sameRegion,
    request: { source: source.ref, destination: { region: sameRegion ? first : second }, ...extra },
  };
}

/** Whether the cloud no longer has the image, or shows it only as removed. */
export async function imageGone(h: ImageConformanceHarness, region: string, id: string): Promise<boolean> {
  const image = await h.truth.image(region, id);
  return image === undefined || image.state === 'removed';
}

/** Waits for an image copy through the copier, polling at the suite's delay. */
export function waitForImage(
  h: ImageConformanceHarness,
  ctx: ConformanceContext,
  ref: { readonly region: string; readonly imageId: string },
  extra: WaitExtras<ImageCopyStatus> = {},
): Promise<ImageCopyStatus> {
  const target = { region: ref.region, imageId: ref.imageId };
  return recorded(ctx, () => h.copier.wait(target, suiteWaitOptions(ctx, extra)));
}

/** Reads an image that must exist. */
export function mustExistImage(
  h: ImageConformanceHarness,
  region: string,
  id: string,
  what: string,
): Promise<TruthImage> {
  return mustBeThere(h.truth.image(region, id), 'image', region, id, what);
}

/** Asserts the cloud holds no image copy made from `source`. */
export async function expectNoImageCopyOf(
  h: ImageConformanceHarness,
  source: SourceImageFixture,
  what: string,
): Promise<void> {
  const made = (await h.truth.imageCopies()).filter((c) => c.copyOf?.imageId === source.ref.imageId);
  expectNoneMade(made, 'image copy', what);
}

/**
 * A request refused because of what the source image is (known only after reading it):
 * `plan` and `copy` fail with one of `codes`, the cloud sees no copy or delete request, and
 * no copy of the image exists.
 */
export async function expectImageRefusedWithoutMutation(
  h: ImageConformanceHarness,
  ctx: ConformanceContext,
  source: SourceImageFixture,
  request: ImageCopyRequestInput,
  codes: readonly ErrorCode[],
  what: string,
): Promise<void> {
  await expectRefusedWithoutRequests(h, ctx, request, codes, what);
  await expectNoImageCopyOf(h, source, what);
}

/** The backing snapshots of an image copy as the cloud holds them now, in disk order. */
export async function backingSnapshotsOf(h: ImageConformanceHarness, image: TruthImage) {
  return Promise.all(image.snapshotIds.map((id) => h.truth.snapshot(image.region, id)));
}
