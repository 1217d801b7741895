import { caseGroup, type ConformanceCase } from '../case.js';
import {
  cancelAlreadyGoneCase,
  checkCancelAnswer,
  expectCancelRefused,
  expectCancelRefusedCopyKept,
  expectForcedCancelOnly,
  SNAPSHOT_KIND,
} from '../kind-cases.js';
import { advanceUntil, check, plainCopy, recorded, startCopy, waitFor } from '../support.js';

/** `cancel`: by delete, taking effect exactly as the manifest and the result say. */
export const cancelCases: readonly ConformanceCase[] = caseGroup('cancel', [
  {
    id: 'cancel.running-copy',
    name: 'a running copy is gone now (immediate) or once it completes (on-completion), as cancelTakesEffect says; UNSUPPORTED with zero requests when cancelByDelete is false',
    async run(h, ctx) {
      const caps = h.copier.capabilities;
      const { request } = await plainCopy(h, { sizeGiB: 100 });
      const handle = await startCopy(h, ctx, request);
      if (!caps.cancelByDelete) return expectCancelRefusedCopyKept(SNAPSHOT_KIND, h, ctx, handle);
      const result = await recorded(ctx, () => h.copier.cancel(handle));
      const ids = { answered: result.snapshotId, asked: handle.snapshotId, region: handle.region };
      checkCancelAnswer(result, ids, 'snapshot', caps.cancelTakesEffect);
      const now = await h.truth.snapshot(handle.region, handle.snapshotId);
      if (caps.cancelTakesEffect === 'immediate') {
        check(now === undefined, `cancel said immediate, but the cloud still holds the copy (${now?.state})`);
      } else {
        check(
          now?.deletePending === true,
          'cancel said on-completion: the copy must still exist, marked for deletion',
        );
        await advanceUntil(
          h,
          ctx,
          async () => (await h.truth.snapshot(handle.region, handle.snapshotId)) === undefined,
          'a copy cancelled on-completion to disappear',
        );
      }
      const [after] = await recorded(ctx, () => h.copier.status([handle]));
      check(
        after?.state === 'cancelled',
        `a copy this copier cancelled is reported ${after?.state} once gone`,
      );
    },
  },
  {
    id: 'cancel.completed-copy',
    name: 'cancelling a completed copy is refused without force (INVALID_REQUEST, the copy kept); with force it is deleted at once and says so',
    async run(h, ctx) {
      const caps = h.copier.capabilities;
      const { request } = await plainCopy(h);
      const handle = await startCopy(h, ctx, request);
      await waitFor(h, ctx, handle);
      if (!caps.cancelByDelete) return expectCancelRefused(h, ctx, handle);
      await expectForcedCancelOnly(SNAPSHOT_KIND, h, ctx, handle);
    },
  },
  {
    id: 'cancel.already-gone',
    name: 'cancelling a snapshot the cloud does not have answers already-gone (UNSUPPORTED with zero requests when cancelByDelete is false)',
    run: (h, ctx) => cancelAlreadyGoneCase(SNAPSHOT_KIND, h, ctx),
  },
]);
