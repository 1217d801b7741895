import { type CopyRequestInput, isSnapcopyError, type SnapshotCopier } from '@snapcopy/core';
import type { ConformanceCase, ConformanceContext } from '../case.js';
import type { ConformanceHarness } from '../harness.js';
import {
  check,
  expectCode,
  expectNoCopyOf,
  freshToken,
  mustExist,
  plainCopy,
  rejection,
  startCopy,
} from '../support.js';

async function expectThrottled(
  ctx: ConformanceContext,
  work: () => Promise<unknown>,
  what: string,
): Promise<void> {
  const err = await expectCode(ctx, work, 'THROTTLED', what);
  check(isSnapcopyError(err) && err.retryable, `${what}: THROTTLED must be retryable`);
}

async function badCopier(h: ConformanceHarness): Promise<SnapshotCopier> {
  return h.makeCopierWithBadCredentials();
}

/** Errors: closed codes, the provider's code kept, secrets never shown. */
export const errorCases: readonly ConformanceCase[] = [
  {
    id: 'errors.not-found',
    group: 'errors',
    name: 'a missing source is NOT_FOUND from plan and copy, and no copy is made',
    async run(h, ctx) {
      const { request } = await plainCopy(h);
      const region = (request.source as { region: string }).region;
      const missing: CopyRequestInput = {
        ...request,
        source: { region, snapshotId: h.fixtures.missingSnapshotId(region) },
      };
      const before = (await h.truth.copies()).length;
      await expectCode(ctx, () => h.copier.plan(missing), 'NOT_FOUND', 'plan of a missing source');
      await expectCode(ctx, () => h.copier.copy(missing), 'NOT_FOUND', 'copy of a missing source');
      check((await h.truth.copies()).length === before, 'a copy of a missing source appeared');
    },
  },
  {
    id: 'errors.bad-credentials',
    group: 'errors',
    name: "bad credentials are ACCESS_DENIED, with the provider's code, on plan, copy, status and cancel; nothing changes",
    async run(h, ctx) {
      const bad = await badCopier(h);
      const { source, request } = await plainCopy(h);
      for (const [what, work] of [
        ['plan', () => bad.plan(request)],
        ['copy', () => bad.copy(request)],
        ['status', () => bad.status([source.ref])],
      ] as const) {
        const err = await expectCode(ctx, work, 'ACCESS_DENIED', `${what} with bad credentials`);
        check(
          isSnapcopyError(err) && err.providerCode !== undefined,
          `${what}: ACCESS_DENIED must carry the provider's error code`,
        );
      }
      await expectNoCopyOf(h, source, 'bad credentials');
      if (bad.capabilities.cancelByDelete) {
        const handle = await startCopy(h, ctx, request);
        await expectCode(ctx, () => bad.cancel(handle), 'ACCESS_DENIED', 'cancel with bad credentials');
        const copy = await mustExist(h, handle.region, handle.snapshotId, 'after a refused cancel');
        check(!copy.deletePending, 'a refused cancel marked the copy for deletion');
      }
    },
  },
  {
    id: 'errors.throttled-copy',
    group: 'errors',
    name: 'throttled copy calls beyond the retries give THROTTLED (retryable) and no copy; a retry with the same token then makes exactly one',
    async run(h, ctx) {
      const clientToken = freshToken('throttle');
      const { source, request } = await plainCopy(h, {}, { clientToken });
      h.faults.throttleNext('copy', ctx.options.throttleCount);
      await expectThrottled(ctx, () => h.copier.copy(request), 'copy while throttled');
      await expectNoCopyOf(h, source, 'a throttled copy');
      h.faults.clear();
      const handle = await startCopy(h, ctx, request);
      const copies = await h.truth.copiesWithToken(clientToken);
      check(
        copies.length === 1 && copies[0]!.id === handle.snapshotId,
        `after throttling, the cloud holds ${copies.length} copies for one token`,
      );
    },
  },
  {
    id: 'errors.throttled-reads',
    group: 'errors',
    name: 'throttled describe-source (plan) and status reads give THROTTLED (retryable)',
    async run(h, ctx) {
      const { source, request } = await plainCopy(h);
      h.faults.throttleNext('describe-source', ctx.options.throttleCount);
      await expectThrottled(ctx, () => h.copier.plan(request), 'plan while describe-source is throttled');
      h.faults.clear();
      h.faults.throttleNext('status', ctx.options.throttleCount);
      await expectThrottled(ctx, () => h.copier.status([source.ref]), 'status while throttled');
      h.faults.clear();
    },
  },
  {
    id: 'errors.no-secret',
    group: 'errors',
    name: 'the sentinel secret appears in no error (message, stack, JSON, cause) and no log line, on every failure path',
    async run(h, ctx) {
      const bad = await badCopier(h);
      const { source, request } = await plainCopy(h);
      await rejection(ctx, () => bad.plan(request), 'plan with bad credentials');
      await rejection(ctx, () => bad.copy(request), 'copy with bad credentials');
      await rejection(ctx, () => bad.status([source.ref]), 'status with bad credentials');
      await rejection(ctx, () => bad.wait(source.ref, { timeoutMs: 1 }), 'wait with bad credentials');
      h.faults.throttleNext('copy', ctx.options.throttleCount);
      await rejection(ctx, () => h.copier.copy(request), 'throttled copy');
      h.faults.clear();
      // The runner scans ctx.errors and harness.logs after every case; this case makes sure
      // the scan has the failure paths in front of it.
      check(ctx.errors.length >= 5, 'the failure paths did not fail');
    },
  },
];
