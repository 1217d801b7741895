import type { CopyRequestInput } from '@snapcopy/core';
import { caseGroup, type ConformanceCase } from '../case.js';
import {
  badCredentialsCase,
  failWithBadCredentials,
  SNAPSHOT_KIND,
  throttledCopyCase,
} from '../kind-cases.js';
import { check, expectCode, expectThrottled, plainCopy, rejection } from '../support.js';

/** Errors: closed codes, the provider's code kept, secrets never shown. */
export const errorCases: readonly ConformanceCase[] = caseGroup('errors', [
  {
    id: 'errors.not-found',
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
    name: "bad credentials are ACCESS_DENIED, with the provider's code, on plan, copy, status and cancel; nothing changes",
    run: (h, ctx) => badCredentialsCase(SNAPSHOT_KIND, h, ctx, { alsoWait: false }),
  },
  {
    id: 'errors.throttled-copy',
    name: 'throttled copy calls beyond the retries give THROTTLED (retryable) and no copy; a retry with the same token then makes exactly one',
    run: (h, ctx) => throttledCopyCase(SNAPSHOT_KIND, h, ctx),
  },
  {
    id: 'errors.throttled-reads',
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
    name: 'the sentinel secret appears in no error (message, stack, JSON, cause) and no log line, on every failure path',
    async run(h, ctx) {
      const bad = await h.makeCopierWithBadCredentials();
      const { source, request } = await plainCopy(h);
      await failWithBadCredentials(ctx, bad, request, source.ref);
      h.faults.throttleNext('copy', ctx.options.throttleCount);
      await rejection(ctx, () => h.copier.copy(request), 'throttled copy');
      h.faults.clear();
      // The runner scans ctx.errors and harness.logs after every case; this case makes sure
      // the scan has the failure paths in front of it.
      check(ctx.errors.length >= 5, 'the failure paths did not fail');
    },
  },
]);
