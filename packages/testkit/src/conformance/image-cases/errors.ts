import { isSnapcopyError } from '@snapcopy/core';
import type { ConformanceContext } from '../case.js';
import type { ImageConformanceCase } from '../image-case.js';
import { expectNoImageCopyOf, mustExistImage, plainImageCopy, startImageCopy } from '../image-support.js';
import { check, expectCode, freshToken, recorded, rejection } from '../support.js';

async function expectThrottled(
  ctx: ConformanceContext,
  work: () => Promise<unknown>,
  what: string,
): Promise<void> {
  const err = await expectCode(ctx, work, 'THROTTLED', what);
  check(isSnapcopyError(err) && err.retryable, `${what}: THROTTLED must be retryable`);
}

/** Errors: closed codes, retries with the same token, secrets never shown. */
export const imageErrorCases: readonly ImageConformanceCase[] = [
  {
    id: 'image.errors.throttled-copy',
    group: 'image errors',
    name: 'throttled image copy calls beyond the retries give THROTTLED (retryable) and no copy; a retry with the same token then makes exactly one',
    async run(h, ctx) {
      const clientToken = freshToken('img-throttle');
      const { source, request } = await plainImageCopy(h, {}, { clientToken });
      h.faults.throttleNext('copy', ctx.options.throttleCount);
      await expectThrottled(ctx, () => h.copier.copy(request), 'image copy while throttled');
      await expectNoImageCopyOf(h, source, 'a throttled image copy');
      h.faults.clear();
      const handle = await startImageCopy(h, ctx, request);
      const copies = await h.truth.imageCopiesWithToken(clientToken);
      check(
        copies.length === 1 && copies[0]!.id === handle.imageId,
        `after throttling, the cloud holds ${copies.length} images for one token`,
      );
    },
  },
  {
    id: 'image.errors.throttled-status',
    group: 'image errors',
    name: 'status throttled fewer times than the retries succeeds; beyond them, THROTTLED (retryable)',
    async run(h, ctx) {
      const { request } = await plainImageCopy(h);
      const handle = await startImageCopy(h, ctx, request);
      h.faults.throttleNext('status', 1);
      const [status] = await recorded(ctx, () => h.copier.status([handle]));
      check(status?.imageId === handle.imageId, 'a status read retried after one throttle did not answer');
      h.faults.throttleNext('status', ctx.options.throttleCount);
      await expectThrottled(ctx, () => h.copier.status([handle]), 'status while throttled');
      h.faults.clear();
    },
  },
  {
    id: 'image.errors.bad-credentials',
    group: 'image errors',
    name: "bad credentials are ACCESS_DENIED with the provider's code on plan, copy, status and cancel; nothing changes; the secret shows nowhere",
    async run(h, ctx) {
      const bad = await h.makeCopierWithBadCredentials();
      const { source, request } = await plainImageCopy(h);
      for (const [what, work] of [
        ['plan', () => bad.plan(request)],
        ['copy', () => bad.copy(request)],
        ['status', () => bad.status([source.ref])],
      ] as const) {
        const err = await expectCode(ctx, work, 'ACCESS_DENIED', `${what} with bad credentials`);
        check(
          isSnapcopyError(err) && err.providerCode !== undefined,
          `${what}: ACCESS_DENIED must carry the provider's code`,
        );
      }
      await rejection(ctx, () => bad.wait(source.ref, { timeoutMs: 1 }), 'wait with bad credentials');
      await expectNoImageCopyOf(h, source, 'bad credentials');
      if (bad.capabilities.cancelByDelete) {
        const handle = await startImageCopy(h, ctx, request);
        await expectCode(ctx, () => bad.cancel(handle), 'ACCESS_DENIED', 'cancel with bad credentials');
        await mustExistImage(h, handle.region, handle.imageId, 'after a refused cancel');
      }
    },
  },
];
