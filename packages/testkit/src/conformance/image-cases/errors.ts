import { caseGroup } from '../case.js';
import type { ImageConformanceCase } from '../image-case.js';
import { plainImageCopy } from '../image-support.js';
import { badCredentialsCase, IMAGE_KIND, throttledCopyCase } from '../kind-cases.js';
import { check, expectThrottled, recorded, startPlain } from '../support.js';

/** Errors: closed codes, retries with the same token, secrets never shown. */
export const imageErrorCases: readonly ImageConformanceCase[] = caseGroup('image errors', [
  {
    id: 'image.errors.throttled-copy',
    name: 'throttled image copy calls beyond the retries give THROTTLED (retryable) and no copy; a retry with the same token then makes exactly one',
    run: (h, ctx) => throttledCopyCase(IMAGE_KIND, h, ctx),
  },
  {
    id: 'image.errors.throttled-status',
    name: 'status throttled fewer times than the retries succeeds; beyond them, THROTTLED (retryable)',
    async run(h, ctx) {
      const handle = await startPlain(plainImageCopy, h, ctx, {});
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
    name: "bad credentials are ACCESS_DENIED with the provider's code on plan, copy, status and cancel; nothing changes; the secret shows nowhere",
    run: (h, ctx) => badCredentialsCase(IMAGE_KIND, h, ctx, { alsoWait: true }),
  },
]);
