import { caseGroup } from '../case.js';
import type { ImageConformanceCase } from '../image-case.js';
import { expectNoImageCopyOf, plainImageCopy } from '../image-support.js';
import { expectCode, expectNoMutationSince, expectNoRequestsSince, requestMark } from '../support.js';

/** Bad input is refused before any call; a missing image is NOT_FOUND with nothing made. */
export const imageInputCases: readonly ImageConformanceCase[] = caseGroup('image input', [
  {
    id: 'image.input.invalid-request',
    name: 'malformed requests and refs are INVALID_REQUEST, and the cloud sees zero requests',
    async run(h, ctx) {
      const [from, to] = h.fixtures.regions;
      const base = {
        source: { region: from, imageId: h.fixtures.missingImageId(from) },
        destination: { region: to },
      };
      const bad: [string, unknown][] = [
        ['no source', { destination: { region: to } }],
        [
          'a snapshot id as the source',
          { source: { region: from, snapshotId: 'snap-1' }, destination: { region: to } },
        ],
        ['a key without encryption', { ...base, encryption: { kmsKeyId: h.fixtures.keys(to).customer } }],
        ['a malformed region', { ...base, destination: { region: 'Not A Region' } }],
        ['a reserved snapcopy: tag', { ...base, tags: { 'snapcopy:client-token': 'x' } }],
        ['an unknown field', { ...base, retentionDays: 3 }],
      ];
      const mark = await requestMark(h);
      for (const [what, request] of bad) {
        await expectCode(ctx, () => h.copier.plan(request as never), 'INVALID_REQUEST', `${what} (plan)`);
        await expectCode(ctx, () => h.copier.copy(request as never), 'INVALID_REQUEST', `${what} (copy)`);
      }
      await expectCode(
        ctx,
        () => h.copier.status([{ region: to } as never]),
        'INVALID_REQUEST',
        'a ref without imageId',
      );
      await expectCode(
        ctx,
        () => h.copier.cancel({ imageId: 'x' } as never),
        'INVALID_REQUEST',
        'a ref without region',
      );
      await expectNoRequestsSince(h, mark, 'invalid input');
    },
  },
  {
    id: 'image.input.missing-image',
    name: 'a source image that does not exist is NOT_FOUND in plan and copy, and nothing is copied',
    async run(h, ctx) {
      const { request, source } = await plainImageCopy(h);
      const missing = {
        ...request,
        source: { region: source.ref.region, imageId: h.fixtures.missingImageId(source.ref.region) },
      };
      const mark = await requestMark(h);
      await expectCode(ctx, () => h.copier.plan(missing), 'NOT_FOUND', 'plan of a missing image');
      await expectCode(ctx, () => h.copier.copy(missing), 'NOT_FOUND', 'copy of a missing image');
      await expectNoMutationSince(h, mark, 'a missing image');
      await expectNoImageCopyOf(h, source, 'a missing image');
    },
  },
]);
