import { caseGroup } from '../case.js';
import type { ImageConformanceCase } from '../image-case.js';
import { waitForImage } from '../image-support.js';
import { copiedTwice, distinctTokensCase, droppedResponseCase, IMAGE_KIND } from '../kind-cases.js';
import { check, startCopy } from '../support.js';

/** One client token never yields two image copies. */
export const imageIdempotencyCases: readonly ImageConformanceCase[] = caseGroup('image idempotency', [
  {
    id: 'image.idempotency.same-token-twice',
    name: 'the same client token twice (running, then completed) yields exactly one image; the second says reused',
    async run(h, ctx) {
      const { clientToken, request, first, second } = await copiedTwice(IMAGE_KIND, h, ctx, 'twice');
      check(!first.reused, 'a first copy must report reused: false');
      check(
        second.imageId === first.imageId,
        `the second copy call made ${second.imageId}, not ${first.imageId}`,
      );
      check(second.reused, 'a call that found the copy made for its token must report reused: true');
      await waitForImage(h, ctx, first);
      const third = await startCopy(h, ctx, request);
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
    name: 'an image copy whose response was lost after the cloud made it, retried with the same token, yields exactly one image',
    run: (h, ctx) => droppedResponseCase(IMAGE_KIND, h, ctx),
  },
  {
    id: 'image.idempotency.distinct-tokens',
    name: 'two different tokens for the same image yield two copies (no over-eager de-duplication)',
    run: (h, ctx) => distinctTokensCase(IMAGE_KIND, h, ctx),
  },
]);
