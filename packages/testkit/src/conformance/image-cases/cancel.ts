import { caseGroup } from '../case.js';
import type { ImageConformanceCase } from '../image-case.js';
import type { ImageConformanceHarness } from '../image-harness.js';
import { imageGone, mustExistImage, plainImageCopy, waitForImage } from '../image-support.js';
import {
  cancelAlreadyGoneCase,
  checkCancelAnswer,
  expectCancelRefused,
  expectCancelRefusedCopyKept,
  expectForcedCancelOnly,
  IMAGE_KIND,
} from '../kind-cases.js';
import {
  advanceUntil,
  check,
  expectCode,
  recorded,
  requestMark,
  requestsSince,
  startPlain,
} from '../support.js';

/** The snapshots among `ids` the cloud still holds. */
async function remaining(h: ImageConformanceHarness, region: string, ids: readonly string[]) {
  const out = [];
  for (const id of ids) {
    const s = await h.truth.snapshot(region, id);
    if (s) out.push(s);
  }
  return out;
}

/** Cancel: the copy removed the way the manifest says, only copies snapcopy made. */
export const imageCancelCases: readonly ImageConformanceCase[] = caseGroup('image cancel', [
  {
    id: 'image.cancel.running-copy',
    name: 'cancelling a running copy removes the image as cancelTakesEffect says and its snapshot copies as snapshotsOnCancel says; it reads cancelled; UNSUPPORTED with zero requests when cancelByDelete is false',
    async run(h, ctx) {
      const caps = h.copier.capabilities;
      const handle = await startPlain(plainImageCopy, h, ctx, { disks: [{ sizeGiB: 100 }, { sizeGiB: 50 }] });
      if (!caps.cancelByDelete) return expectCancelRefusedCopyKept(IMAGE_KIND, h, ctx, handle);
      await h.time.advance(ctx.options.pollDelayMs);
      const snapshotIds = (await mustExistImage(h, handle.region, handle.imageId, 'a running copy'))
        .snapshotIds;
      const result = await recorded(ctx, () => h.copier.cancel(handle));
      const ids = { answered: result.imageId, asked: handle.imageId, region: handle.region };
      checkCancelAnswer(result, ids, 'image', caps.cancelTakesEffect);
      check(
        result.snapshots === caps.snapshotsOnCancel,
        `cancel says its snapshots are "${result.snapshots}", the manifest "${caps.snapshotsOnCancel}"`,
      );
      if (caps.cancelTakesEffect === 'immediate') {
        check(
          await imageGone(h, handle.region, handle.imageId),
          'cancel said immediate, but the cloud still has the image',
        );
      } else {
        await advanceUntil(
          h,
          ctx,
          () => imageGone(h, handle.region, handle.imageId),
          'a cancelled image to go',
        );
      }
      if (caps.snapshotsOnCancel === 'removed') {
        const left = await remaining(h, handle.region, snapshotIds);
        check(
          left.length === 0,
          `the snapshots were to be removed, the cloud holds ${left.map((s) => s.id).join(', ')}`,
        );
      } else if (caps.snapshotsOnCancel === 'removed-on-completion') {
        const left = await remaining(h, handle.region, snapshotIds);
        check(
          left.every((s) => s.deletePending || s.state !== 'pending'),
          'a snapshot copy in progress is not marked for deletion',
        );
        await advanceUntil(
          h,
          ctx,
          async () => (await remaining(h, handle.region, snapshotIds)).length === 0,
          "a cancelled copy's snapshots to go",
        );
      }
      const [after] = await recorded(ctx, () => h.copier.status([handle]));
      check(after?.state === 'cancelled', `a copy this copier cancelled is reported ${after?.state}`);
    },
  },
  {
    id: 'image.cancel.completed-copy',
    name: 'cancelling a completed copy is refused without force (INVALID_REQUEST, the image kept); with force it removes the image at once and, unless snapshotsOnCancel is kept, its snapshots',
    async run(h, ctx) {
      const caps = h.copier.capabilities;
      const handle = await startPlain(plainImageCopy, h, ctx, { disks: [{}, {}] });
      await waitForImage(h, ctx, handle);
      if (!caps.cancelByDelete) return expectCancelRefused(h, ctx, handle);
      const snapshotIds = (await mustExistImage(h, handle.region, handle.imageId, 'a completed copy'))
        .snapshotIds;
      await expectForcedCancelOnly(IMAGE_KIND, h, ctx, handle);
      const left = await remaining(h, handle.region, snapshotIds);
      if (caps.snapshotsOnCancel === 'kept')
        check(left.length === snapshotIds.length, 'kept snapshots were removed');
      else
        check(
          left.length === 0,
          `the completed copy's snapshots remain: ${left.map((s) => s.id).join(', ')}`,
        );
    },
  },
  {
    id: 'image.cancel.already-gone',
    name: 'cancelling an image the cloud does not have answers already-gone (UNSUPPORTED with zero requests when cancelByDelete is false)',
    run: (h, ctx) => cancelAlreadyGoneCase(IMAGE_KIND, h, ctx),
  },
  {
    id: 'image.cancel.only-snapcopy-copies',
    name: 'cancel refuses (INVALID_REQUEST) an image snapcopy did not make, such as the source, and removes nothing',
    async run(h, ctx) {
      const source = await h.fixtures.createSourceImage();
      const mark = await requestMark(h);
      const refusal = h.copier.capabilities.cancelByDelete ? 'INVALID_REQUEST' : 'UNSUPPORTED';
      await expectCode(ctx, () => h.copier.cancel(source.ref), refusal, 'cancel of the source image');
      check(
        (await requestsSince(h, mark, ['delete'])).length === 0,
        'a delete was sent for an image snapcopy did not make',
      );
      const image = await mustExistImage(
        h,
        source.ref.region,
        source.ref.imageId,
        'the source after a refused cancel',
      );
      check(image.state === 'completed', `the source image is ${image.state} after a refused cancel`);
    },
  },
]);
