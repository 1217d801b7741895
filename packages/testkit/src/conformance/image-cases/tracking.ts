import type { ImageCopyHandle, ImageCopyStatus } from '@snapcopy/core';
import { caseGroup } from '../case.js';
import type { ImageConformanceCase } from '../image-case.js';
import { mustExistImage, plainImageCopy, waitForImage } from '../image-support.js';
import { expectTimedOutWaitLeavesCopy, IMAGE_KIND } from '../kind-cases.js';
import { check, expectCompleted, recorded, requestMark, requestsSince, startPlain } from '../support.js';

/** Status and wait: the cloud's truth, batched, and a wait that never touches the copy. */
export const imageTrackingCases: readonly ImageConformanceCase[] = caseGroup('image status and wait', [
  {
    id: 'image.status.reflects-truth',
    name: 'status says pending while the cloud copies and completed once it has, with per-snapshot progress matching the image',
    async run(h, ctx) {
      const handle = await startPlain(plainImageCopy, h, ctx, { disks: [{ sizeGiB: 50 }, { sizeGiB: 20 }] });
      const [running] = await recorded(ctx, () => h.copier.status([handle]));
      const truth = await mustExistImage(h, handle.region, handle.imageId, 'a running copy');
      check(running?.imageId === handle.imageId, 'status answered for another image');
      check(
        truth.state === running.state,
        `status says ${running.state} while the cloud says ${truth.state}`,
      );
      check(
        running.state === 'pending' && running.progress < 100,
        'a copy of 70 GiB cannot be complete at once',
      );
      if (running.snapshots !== undefined) {
        check(
          running.snapshots.length === 2,
          `status lists ${running.snapshots.length} backing snapshots, the image has 2`,
        );
        check(
          running.snapshots.every((s) => s.progress >= 0 && s.progress <= 100),
          'a snapshot progress is out of 0-100',
        );
      }
      const done = await waitForImage(h, ctx, handle);
      const [after] = await recorded(ctx, () => h.copier.status([handle]));
      const truthAfter = await mustExistImage(h, handle.region, handle.imageId, 'a finished copy');
      check(done.state === 'completed' && after?.state === 'completed', `the copy ended ${after?.state}`);
      check(
        truthAfter.state === 'completed',
        `status says completed while the cloud says ${truthAfter.state}`,
      );
      check(after.progress === 100, `a completed copy reads ${after.progress}%`);
    },
  },
  {
    id: 'image.status.batching',
    name: 'status of several copies in one region costs one image describe call per maxIdsPerStatusCall ids, answered in the order asked',
    async run(h, ctx) {
      const limit = h.copier.capabilities.maxIdsPerStatusCall;
      const count = limit <= 10 ? limit + 1 : 3;
      const handles: ImageCopyHandle[] = [];
      for (let i = 0; i < count; i++) {
        handles.push(await startPlain(plainImageCopy, h, ctx, { disks: [{ sizeGiB: 10 }] }));
      }
      const mark = await requestMark(h);
      const statuses = await recorded(ctx, () => h.copier.status([...handles].reverse()));
      const calls = (await requestsSince(h, mark, ['status'])).length;
      const expected = Math.ceil(count / limit);
      check(
        calls === expected,
        `status of ${count} copies made ${calls} image describe calls; expected ${expected}`,
      );
      check(
        statuses.map((s) => s.imageId).join() ===
          [...handles]
            .reverse()
            .map((x) => x.imageId)
            .join(),
        'statuses are not in the order asked',
      );
    },
  },
  {
    id: 'image.wait.completes',
    name: 'wait follows the copy to completed, reporting progress within 0-100, and the cloud agrees',
    async run(h, ctx) {
      const handle = await startPlain(plainImageCopy, h, ctx, { disks: [{ sizeGiB: 5 }, { sizeGiB: 5 }] });
      const seen: ImageCopyStatus[] = [];
      const final = await waitForImage(h, ctx, handle, { onProgress: (s) => seen.push(s) });
      expectCompleted(final, 'wait');
      check(
        seen.length > 0 && seen.every((s) => s.progress >= 0 && s.progress <= 100),
        'progress out of 0-100',
      );
      check(seen.at(-1)?.progress === 100, 'the last progress of a completed copy is not 100');
      check(
        (await mustExistImage(h, handle.region, handle.imageId, 'after wait')).state === 'completed',
        'the cloud does not show the copy completed',
      );
    },
  },
  {
    id: 'image.wait.timeout',
    name: 'a wait that times out rejects with TIMEOUT and leaves the copy running (nothing deleted)',
    async run(h, ctx) {
      const handle = await startPlain(plainImageCopy, h, ctx, { disks: [{ sizeGiB: 200 }] });
      await expectTimedOutWaitLeavesCopy(IMAGE_KIND, h, ctx, handle);
    },
  },
]);
