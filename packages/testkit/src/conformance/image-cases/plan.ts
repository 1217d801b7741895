import type { ImageCopyRequestInput } from '@snapcopy/core';
import { caseGroup } from '../case.js';
import type { ImageConformanceCase } from '../image-case.js';
import { backingSnapshotsOf, mustExistImage, plainImageCopy } from '../image-support.js';
import { check, expectNoMutationSince, recorded, requestMark, startCopy } from '../support.js';

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** Plans: one entry per backing snapshot, nothing changed, and the copy is what was planned. */
export const imagePlanCases: readonly ImageConformanceCase[] = caseGroup('image plan', [
  {
    id: 'image.plan.per-snapshot',
    name: 'a plan has one entry per backing snapshot, in disk order, totals that add up, and changes nothing',
    async run(h, ctx) {
      const { source, request } = await plainImageCopy(h, { disks: [{ sizeGiB: 2 }, { sizeGiB: 3 }] });
      const mark = await requestMark(h);
      const plan = await recorded(ctx, () => h.copier.plan(request));
      await expectNoMutationSince(h, mark, 'plan');
      check(
        plan.snapshots.map((s) => s.source.snapshotId).join() ===
          source.snapshots.map((s) => s.snapshotId).join(),
        `the plan's snapshots (${plan.snapshots.map((s) => s.source.snapshotId).join()}) are not the image's, in order`,
      );
      for (const key of ['transfer', 'storage', 'timeBased'] as const) {
        const sum = round(plan.snapshots.reduce((t, s) => t + s.billableGiB[key], 0));
        check(
          round(plan.billableGiB[key]) === sum,
          `billableGiB.${key} is ${plan.billableGiB[key]}, the snapshots add up to ${sum}`,
        );
      }
      check(plan.source.imageId === source.ref.imageId, 'the plan names another source image');
      check((await h.truth.imageCopies()).length === 0, 'planning made an image copy');
    },
  },
  {
    id: 'image.plan.key-is-copy-key',
    name: 'for every encryption request the manifest allows, each backing snapshot copy has exactly the encryption and key its plan entry promised',
    async run(h, ctx) {
      const caps = h.copier.capabilities;
      const [, second] = h.fixtures.regions;
      const variants: (ImageCopyRequestInput['encryption'] | undefined)[] = [undefined];
      if (caps.encryptOnCopy) variants.push({ encrypted: true });
      if (caps.encryptOnCopy && caps.changeKeyOnCopy) {
        const to = caps.crossRegionCopy ? second : h.fixtures.regions[0];
        variants.push({ encrypted: true, kmsKeyId: h.fixtures.keys(to).customer });
      }
      for (const encryption of variants) {
        const what = `encryption ${JSON.stringify(encryption ?? 'unset')}`;
        const { request } = await plainImageCopy(
          h,
          { disks: [{}, { key: 'default' }] },
          encryption === undefined ? {} : { encryption },
        );
        const plan = await recorded(ctx, () => h.copier.plan(request));
        const handle = await startCopy(h, ctx, request);
        const image = await mustExistImage(h, handle.region, handle.imageId, what);
        const snapshots = await backingSnapshotsOf(h, image);
        check(
          snapshots.length === plan.snapshots.length,
          `${what}: ${snapshots.length} snapshot copies, ${plan.snapshots.length} planned`,
        );
        for (const [i, planned] of plan.snapshots.entries()) {
          const copy = snapshots[i];
          check(
            copy?.encrypted === planned.encryption.encrypted,
            `${what}: disk ${i} copy is ${copy?.encrypted ? 'encrypted' : 'unencrypted'}, the plan said ${planned.encryption.encrypted ? 'encrypted' : 'unencrypted'}`,
          );
          if (planned.encryption.encrypted) {
            const key = planned.encryption.kmsKeyId;
            check(
              key !== undefined &&
                copy.kmsKeyId !== undefined &&
                (await h.truth.sameKey(handle.region, copy.kmsKeyId, key)),
              `${what}: disk ${i} copy has key ${copy.kmsKeyId}, the plan said ${key}`,
            );
          }
        }
      }
    },
  },
]);
