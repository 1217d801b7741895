import { type ImageCopyHandle, isSnapcopyError } from '@snapcopy/core';
import type { ImageConformanceCase } from '../image-case.js';
import { plainImageCopy, startImageCopy, waitForImage } from '../image-support.js';
import { check, freshToken, recorded } from '../support.js';

/** One client token never yields two image copies. */
export const imageIdempotencyCases: readonly ImageConformanceCase[] = [
  {
    id: 'image.idempotency.same-token-twice',
    group: 'image idempotency',
    name: 'the same client token twice (running, then completed) yields exactly one image; the second says reused',
    async run(h, ctx) {
      const clientToken = freshToken('img-twice');
      const { request } = await plainImageCopy(h, { disks: [{ sizeGiB: 20 }] }, { clientToken });
      const first = await startImageCopy(h, ctx, request);
      check(!first.reused, 'a first copy must report reused: false');
      const second = await startImageCopy(h, ctx, request);
      check(
        second.imageId === first.imageId,
        `the second copy call made ${second.imageId}, not ${first.imageId}`,
      );
      check(second.reused, 'a call that found the copy made for its token must report reused: true');
      await waitForImage(h, ctx, first);
      const third = await startImageCopy(h, ctx, request);
      check(third.imageId === first.imageId, 'a call after completion made another image');
      const copies = await h.truth.imageCopiesWithToken(clientToken);
      check(
        copies.length === 1 && copies[0]!.id === first.imageId,
        `the cloud holds ${copies.length} images for one token`,
      );
    },
  },
  {
    id: 'image.idempotency.dropped-response',
    group: 'image idempotency',
    name: 'an image copy whose response was lost after the cloud made it, retried with the same token, yields exactly one image',
    async run(h, ctx) {
      const clientToken = freshToken('img-dropped');
      const { request } = await plainImageCopy(h, { disks: [{ sizeGiB: 20 }] }, { clientToken });
      h.faults.dropResponseAfterNext('copy');
      let handle: ImageCopyHandle | undefined;
      try {
        handle = await h.copier.copy(request);
      } catch (err) {
        ctx.errors.push(err);
        check(isSnapcopyError(err), `a lost response must surface as a SnapcopyError, got ${String(err)}`);
      }
      const again = await startImageCopy(h, ctx, request);
      if (handle)
        check(again.imageId === handle.imageId, 'the retry after a lost response made another image');
      const copies = await h.truth.imageCopiesWithToken(clientToken);
      check(
        copies.length === 1,
        `the cloud holds ${copies.length} images for one token after a lost response`,
      );
      check(copies[0]!.id === again.imageId, 'the handle does not name the one image in the cloud');
    },
  },
  {
    id: 'image.idempotency.distinct-tokens',
    group: 'image idempotency',
    name: 'two different tokens for the same image yield two copies (no over-eager de-duplication)',
    async run(h, ctx) {
      const { request } = await plainImageCopy(h, {}, { clientToken: freshToken('img-a') });
      const first = await startImageCopy(h, ctx, request);
      await waitForImage(h, ctx, first);
      const second = await recorded(ctx, () =>
        h.copier.copy({ ...request, clientToken: freshToken('img-b') }),
      );
      check(second.imageId !== first.imageId, 'a new token returned the earlier copy');
      check(!second.reused, 'a new token must not report reused');
    },
  },
];
