import { caseGroup } from '../case.js';
import type { ImageConformanceCase } from '../image-case.js';
import { distinctTokensCase, droppedResponseCase, IMAGE_KIND, sameTokenTwiceCase } from '../kind-cases.js';

/** One client token never yields two image copies. */
export const imageIdempotencyCases: readonly ImageConformanceCase[] = caseGroup('image idempotency', [
  {
    id: 'image.idempotency.same-token-twice',
    name: 'the same client token twice (running, then completed) yields exactly one image; the second says reused',
    run: (h, ctx) => sameTokenTwiceCase(IMAGE_KIND, h, ctx, { checkReused: true }),
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
