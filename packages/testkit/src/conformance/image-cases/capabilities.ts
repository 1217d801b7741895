import type { ImageCapabilities, ImageCopyRequestInput } from '@snapcopy/core';
import { caseGroup, type ConformanceContext } from '../case.js';
import type { ImageConformanceCase } from '../image-case.js';
import type { TruthSnapshot } from '../harness.js';
import type { ImageConformanceHarness, SourceDiskSpec } from '../image-harness.js';
import {
  backingSnapshotsOf,
  expectImageRefusedWithoutMutation,
  mustExistImage,
  plainImageCopy,
  waitForImage,
} from '../image-support.js';
import { flagCase, IMAGE_KIND } from '../kind-cases.js';
import {
  check,
  expectCompleted,
  expectUnsupportedWithZeroRequests,
  refusedUnless,
  startCopy,
} from '../support.js';

/** Regions for a copy that changes encryption: another region when the manifest allows it. */
function encryptionRoute(h: ImageConformanceHarness): { from: string; to: string } {
  const [first, second] = h.fixtures.regions;
  return { from: first, to: h.copier.capabilities.crossRegionCopy ? second : first };
}

/** Copies an image of `disks` under `encryption`; checks every backing copy against `expectKey`. */
async function encryptedCopyCase(
  h: ImageConformanceHarness,
  ctx: ConformanceContext,
  flagName: 'encryptOnCopy' | 'changeKeyOnCopy',
  disks: readonly SourceDiskSpec[],
  what: string,
): Promise<void> {
  const { from, to } = encryptionRoute(h);
  const source = await h.fixtures.createSourceImage({ region: from, disks });
  const key = h.fixtures.keys(to).customer;
  const request: ImageCopyRequestInput = {
    source: source.ref,
    destination: { region: to },
    encryption: { encrypted: true, kmsKeyId: key },
  };
  if (!h.copier.capabilities[flagName]) {
    await expectImageRefusedWithoutMutation(
      h,
      ctx,
      source,
      request,
      ['UNSUPPORTED'],
      `${what} with the flag false`,
    );
    return;
  }
  const handle = await startCopy(h, ctx, request);
  expectCompleted(await waitForImage(h, ctx, handle), `${what}: the copy`);
  const image = await mustExistImage(h, to, handle.imageId, what);
  const snapshots = await backingSnapshotsOf(h, image);
  check(
    snapshots.length === source.snapshots.length,
    `${what}: the copy has ${snapshots.length} snapshots, the source ${source.snapshots.length}`,
  );
  for (const s of snapshots) {
    check(s?.encrypted === true, `${what}: a backing snapshot copy (${s?.id}) is not encrypted`);
    check(
      s.kmsKeyId !== undefined && (await h.truth.sameKey(to, s.kmsKeyId, key)),
      `${what}: backing snapshot ${s.id} has key ${s.kmsKeyId}, not ${key}`,
    );
  }
}

/** A flag whose effect is on every backing snapshot: a two-disk image copied with `extra`. */
function backingSnapshotsCase<E extends Partial<ImageCopyRequestInput>>(spec: {
  readonly id: string;
  readonly name: string;
  flag(caps: ImageCapabilities): boolean;
  extra(caps: ImageCapabilities): E;
  readonly refusal: string;
  /** What the copy is called if the cloud lacks it. */
  readonly made: string;
  each(snapshot: TruthSnapshot | undefined, extra: E): boolean;
  message(extra: E): string;
}) {
  return flagCase(
    IMAGE_KIND,
    { id: spec.id, name: spec.name },
    {
      flag: spec.flag,
      refusal: spec.refusal,
      async prepare(h) {
        const extra = spec.extra(h.copier.capabilities);
        return { extra, ...(await plainImageCopy(h, { disks: [{}, {}] }, extra)) };
      },
      async verify(h, _ctx, handle, { extra }) {
        const image = await mustExistImage(h, handle.region, handle.imageId, spec.made);
        const snapshots = await backingSnapshotsOf(h, image);
        check(snapshots.length === 2 && snapshots.every((s) => spec.each(s, extra)), spec.message(extra));
      },
    },
  );
}

/**
 * One case per image capability flag. A true flag: the feature works and its effect is in the
 * cloud-side truth. A false flag: the call fails (UNSUPPORTED with zero requests when the
 * request alone shows it, else refused with no copy or delete). Asserted, never skipped.
 */
export const imageCapabilityCases: readonly ImageConformanceCase[] = caseGroup('image capabilities', [
  flagCase(
    IMAGE_KIND,
    {
      id: 'image.capability.crossRegionCopy',
      name: 'crossRegionCopy: the copy and its snapshots land in the other region when true; UNSUPPORTED with zero requests when false',
    },
    {
      flag: (caps) => caps.crossRegionCopy,
      refusal: 'cross-region image copy with the flag false',
      async prepare(h) {
        const [from, to] = h.fixtures.regions;
        const source = await h.fixtures.createSourceImage({ region: from, disks: [{}, { sizeGiB: 2 }] });
        return { to, source, request: { source: source.ref, destination: { region: to } } };
      },
      async verify(h, ctx, handle, { to, source }) {
        check(
          handle.region === to && handle.sourceImageId === source.ref.imageId,
          'the handle does not name the copy',
        );
        const image = await mustExistImage(h, to, handle.imageId, 'cross-region image copy');
        check(
          image.copyOf?.imageId === source.ref.imageId,
          'the image in the cloud is not a copy of the source',
        );
        expectCompleted(await waitForImage(h, ctx, handle));
        const after = await mustExistImage(h, to, handle.imageId, 'after wait');
        check(after.state === 'completed', `the cloud shows the copy ${after.state}`);
        const snapshots = await backingSnapshotsOf(h, after);
        check(
          snapshots.length === 2 && snapshots.every((s) => s?.region === to && s.state === 'completed'),
          'the copy must have two completed backing snapshots in the destination',
        );
        check(
          snapshots.map((s) => s?.copyOf?.snapshotId).join() ===
            source.snapshots.map((s) => s.snapshotId).join(),
          'the backing snapshots are not copies of the source snapshots, in disk order',
        );
      },
    },
  ),
  flagCase(
    IMAGE_KIND,
    {
      id: 'image.capability.sameRegionCopy',
      name: 'sameRegionCopy: a copy within the source region when true; UNSUPPORTED with zero requests when false',
    },
    {
      flag: (caps) => caps.sameRegionCopy,
      refusal: 'same-region image copy with the flag false',
      async prepare(h) {
        const region = h.fixtures.regions[0];
        const source = await h.fixtures.createSourceImage({ region });
        return { region, source, request: { source: source.ref, destination: { region } } };
      },
      async verify(h, _ctx, handle, { region, source }) {
        check(handle.imageId !== source.ref.imageId, 'a same-region copy must be a new image');
        const image = await mustExistImage(h, region, handle.imageId, 'same-region image copy');
        check(
          image.copyOf?.imageId === source.ref.imageId,
          'the image in the cloud is not a copy of the source',
        );
      },
    },
  ),
  {
    id: 'image.capability.crossAccountCopy',
    name: 'crossAccountCopy: an image shared with the caller is copied into its account (within its region unless crossAccountCopyAcrossRegions); UNSUPPORTED with zero requests where false',
    async run(h, ctx) {
      const caps = h.copier.capabilities;
      const [from, second] = h.fixtures.regions;
      const source = await h.fixtures.createSourceImage({ region: from, ownership: 'shared' });
      const to = caps.crossAccountCopyAcrossRegions && caps.crossRegionCopy ? second : from;
      const request: ImageCopyRequestInput = { source: source.ref, destination: { region: to } };
      const refusal = 'copy of a shared image with the flag false';
      if (await refusedUnless(caps.crossAccountCopy, h, ctx, request, refusal)) return;
      if (!caps.crossAccountCopyAcrossRegions && caps.crossRegionCopy) {
        await expectUnsupportedWithZeroRequests(
          h,
          ctx,
          { ...request, destination: { region: second } },
          'copy of a shared image to another region with crossAccountCopyAcrossRegions false',
        );
      }
      if (to === from && !caps.sameRegionCopy) return;
      const handle = await startCopy(h, ctx, request);
      const image = await mustExistImage(h, to, handle.imageId, 'copy of a shared image');
      check(
        image.account !== h.fixtures.otherAccountId,
        "the copy of a shared image must be the caller's, not the owner's",
      );
      check(
        image.copyOf?.imageId === source.ref.imageId,
        'the image in the cloud is not a copy of the shared image',
      );
    },
  },
  {
    id: 'image.capability.encryptOnCopy',
    name: 'encryptOnCopy: every unencrypted backing snapshot is copied under the given key when true; refused without a copy when false',
    run: (h, ctx) => encryptedCopyCase(h, ctx, 'encryptOnCopy', [{}, { sizeGiB: 2 }], 'encrypt-on-copy'),
  },
  {
    id: 'image.capability.changeKeyOnCopy',
    name: 'changeKeyOnCopy: every encrypted backing snapshot is re-encrypted under the given key when true; refused without a copy when false',
    run: (h, ctx) => encryptedCopyCase(h, ctx, 'changeKeyOnCopy', [{ key: 'default' }], 'change-key'),
  },
  {
    id: 'image.capability.decryptOnCopy',
    name: 'decryptOnCopy: an image with encrypted snapshots is copied unencrypted when true; refused (UNSUPPORTED or ENCRYPTION_RULE) without a copy when false',
    async run(h, ctx) {
      const { from, to } = encryptionRoute(h);
      const source = await h.fixtures.createSourceImage({ region: from, disks: [{ key: 'customer' }] });
      const request: ImageCopyRequestInput = {
        source: source.ref,
        destination: { region: to },
        encryption: { encrypted: false },
      };
      if (!h.copier.capabilities.decryptOnCopy) {
        await expectImageRefusedWithoutMutation(
          h,
          ctx,
          source,
          request,
          ['UNSUPPORTED', 'ENCRYPTION_RULE'],
          'an unencrypted copy of an encrypted image with decryptOnCopy false',
        );
        return;
      }
      const handle = await startCopy(h, ctx, request);
      const image = await mustExistImage(h, to, handle.imageId, 'decrypting copy');
      const snapshots = await backingSnapshotsOf(h, image);
      check(
        snapshots.every((s) => s?.encrypted === false),
        'a decrypting image copy has an encrypted snapshot',
      );
    },
  },
  flagCase(
    IMAGE_KIND,
    {
      id: 'image.capability.copySourceTags',
      name: "copySourceTags: the source image's own tags are carried to the copy when true; UNSUPPORTED with zero requests when false",
    },
    {
      flag: (caps) => caps.copySourceTags,
      refusal: 'copySourceTags with the flag false',
      prepare: (h) => plainImageCopy(h, { tags: { 'conformance-team': 'images' } }, { copySourceTags: true }),
      async verify(h, _ctx, handle, { source }) {
        const image = await mustExistImage(h, handle.region, handle.imageId, 'copy with source tags');
        check(
          image.tags['conformance-team'] === 'images',
          `the source's tag was not carried (source ${source.ref.imageId})`,
        );
      },
    },
  ),
  flagCase(
    IMAGE_KIND,
    {
      id: 'image.capability.tagsOnCopy',
      name: "tagsOnCopy: the caller's tags are on the new image when true; UNSUPPORTED with zero requests when false",
    },
    {
      flag: (caps) => caps.tagsOnCopy,
      refusal: 'image tags with tagsOnCopy false',
      prepare: (h) => plainImageCopy(h, {}, { tags: { purpose: 'conformance' } }),
      async verify(h, _ctx, handle) {
        const image = await mustExistImage(h, handle.region, handle.imageId, 'tagged copy');
        check(
          image.tags.purpose === 'conformance',
          `the image copy lacks the caller's tag (it has ${JSON.stringify(image.tags)})`,
        );
      },
    },
  ),
  backingSnapshotsCase({
    id: 'image.capability.snapshotTagsOnCopy',
    name: 'snapshotTagsOnCopy: the snapshot tags are on every backing snapshot copy when true; UNSUPPORTED with zero requests when false',
    flag: (caps) => caps.snapshotTagsOnCopy,
    extra: () => ({ snapshotTags: { backup: 'conformance' } }),
    refusal: 'snapshot tags with snapshotTagsOnCopy false',
    made: 'copy with snapshot tags',
    each: (s) => s?.tags.backup === 'conformance',
    message: () => 'a backing snapshot copy lacks the snapshot tags',
  }),
  backingSnapshotsCase({
    id: 'image.capability.timeBasedCopy',
    name: 'timeBasedCopy: every backing snapshot is copied with the duration when true; UNSUPPORTED with zero requests when false',
    flag: (caps) => caps.timeBasedCopy,
    extra: (caps) => ({ completionDurationMinutes: caps.completionDurationMinutes?.min ?? 60 }),
    refusal: 'time-based image copy with the flag false',
    made: 'time-based copy',
    each: (s, { completionDurationMinutes }) => s?.completionDurationMinutes === completionDurationMinutes,
    message: ({ completionDurationMinutes }) =>
      `every backing snapshot copy must be time-based (${completionDurationMinutes} minutes)`,
  }),
]);
