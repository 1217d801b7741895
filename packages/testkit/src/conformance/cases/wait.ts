import { type CopyHandle, type CopyStatus, isSnapcopyError } from '@snapcopy/core';
import { caseGroup, type ConformanceCase } from '../case.js';
import { expectTimedOutWaitLeavesCopy, SNAPSHOT_KIND } from '../kind-cases.js';
import {
  advanceUntil,
  check,
  encryptedRoute,
  expectCode,
  expectNoCopyOf,
  expectNoRequestsSince,
  mustExist,
  plainCopy,
  refusedUnless,
  rejection,
  requestMark,
  requestsSince,
  startPlain,
  waitFor,
} from '../support.js';

/** `wait`: terminal states, the provider's reason, timeouts and aborts that leave the copy alone. */
export const waitCases: readonly ConformanceCase[] = caseGroup('wait', [
  {
    id: 'wait.success',
    name: 'resolves completed, reports progress that never goes back, and the cloud agrees',
    async run(h, ctx) {
      const handle = await startPlain(plainCopy, h, ctx, { sizeGiB: 20 });
      const seen: CopyStatus[] = [];
      const done = await waitFor(h, ctx, handle, { onProgress: (s) => seen.push(s) });
      check(
        done.state === 'completed' && done.progress === 100,
        `wait resolved ${done.state} at ${done.progress}%`,
      );
      check(
        seen.length >= 1 && seen.at(-1)?.state === 'completed',
        'onProgress must see the terminal status',
      );
      for (let i = 1; i < seen.length; i++) {
        check(
          seen[i]!.progress >= seen[i - 1]!.progress,
          `progress went back from ${seen[i - 1]!.progress} to ${seen[i]!.progress}`,
        );
      }
      check(
        (await mustExist(h, handle.region, handle.snapshotId, 'waited copy')).state === 'completed',
        'truth: not completed',
      );
    },
  },
  {
    id: 'wait.failure-reason',
    name: "a copy under a key the cloud cannot use fails with the provider's reason (at copy time or in wait, per options.keyFailure)",
    async run(h, ctx) {
      const caps = h.copier.capabilities;
      const { from, to } = encryptedRoute(h);
      const canNameKey =
        (caps.encryptOnCopy || caps.changeKeyOnCopy) && (from !== to || caps.sameRegionEncryptedCopy);
      const source = await h.fixtures.createSource({
        region: from,
        key: caps.encryptOnCopy ? 'none' : 'default',
      });
      const request = {
        source: source.ref,
        destination: { region: to },
        encryption: { encrypted: true, kmsKeyId: h.fixtures.keys(to).inaccessible },
      };
      // Naming a key at all may be unsupported: the weaker promise is then a clean refusal.
      const what = 'naming a key with encryptOnCopy and changeKeyOnCopy false';
      if (await refusedUnless(canNameKey, h, ctx, request, what)) return;
      const mode = ctx.options.keyFailure;
      let handle: CopyHandle;
      try {
        handle = await h.copier.copy(request);
      } catch (err) {
        ctx.errors.push(err);
        check(mode !== 'async', `options.keyFailure is 'async' but copy itself failed: ${String(err)}`);
        check(isSnapcopyError(err), `a refused key must give a SnapcopyError, got ${String(err)}`);
        check(
          err.code !== 'INVALID_REQUEST' && err.code !== 'UNSUPPORTED',
          `a refused key is not ${err.code}`,
        );
        check(
          err.providerCode !== undefined && err.message.length > 0,
          "the provider's reason (providerCode, message) must reach the caller",
        );
        await expectNoCopyOf(h, source, 'a copy refused for its key');
        return;
      }
      check(mode !== 'sync', "options.keyFailure is 'sync' but copy accepted an inaccessible key");
      const done = await waitFor(h, ctx, handle);
      check(done.state === 'failed', `a copy under an inaccessible key ended ${done.state}`);
      const truth = await h.truth.snapshot(handle.region, handle.snapshotId);
      check(truth === undefined || truth.state === 'failed', `truth shows the copy ${truth?.state}`);
      check(
        done.message !== undefined && done.message.length > 0,
        'a failed status must carry the provider message',
      );
      if (truth?.stateMessage) {
        check(
          done.message.includes(truth.stateMessage),
          `wait says "${done.message}", the cloud says "${truth.stateMessage}"`,
        );
      }
    },
  },
  {
    id: 'wait.timeout',
    name: 'a timeout rejects TIMEOUT and leaves the copy running (no delete), and a later wait still sees it complete',
    async run(h, ctx) {
      const handle = await startPlain(plainCopy, h, ctx, { sizeGiB: 500 });
      await expectTimedOutWaitLeavesCopy(SNAPSHOT_KIND, h, ctx, handle);
      // Let the cloud finish without polling, then one more wait must see the result.
      await advanceUntil(
        h,
        ctx,
        async () => (await h.truth.snapshot(handle.region, handle.snapshotId))?.state !== 'pending',
        'the copy left alone to finish',
      );
      const done = await waitFor(h, ctx, handle);
      check(done.state === 'completed', `the copy left alone ended ${done.state}`);
    },
  },
  {
    id: 'wait.abort',
    name: 'an abort rejects CANCELLED and leaves the copy running; an already-aborted signal sends nothing',
    async run(h, ctx) {
      const handle = await startPlain(plainCopy, h, ctx, { sizeGiB: 500 });
      const before = new AbortController();
      before.abort();
      const quiet = await requestMark(h);
      await expectCode(
        ctx,
        () => waitFor(h, ctx, handle, { signal: before.signal }),
        'CANCELLED',
        'wait with an aborted signal',
      );
      await expectNoRequestsSince(h, quiet, 'wait with an aborted signal');
      const controller = new AbortController();
      const mark = await requestMark(h);
      const err = await rejection(
        ctx,
        () => waitFor(h, ctx, handle, { signal: controller.signal, onProgress: () => controller.abort() }),
        'wait aborted after the first poll',
      );
      check(
        isSnapcopyError(err) && err.code === 'CANCELLED',
        `an aborted wait must reject CANCELLED, got ${String(err)}`,
      );
      check((await requestsSince(h, mark, ['delete'])).length === 0, 'an aborted wait sent a delete');
      await SNAPSHOT_KIND.expectRunning(h, handle, 'after an abort');
    },
  },
]);
