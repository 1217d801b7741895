import { isSnapcopyError } from '@snapcopy/core';
import { caseGroup, type ConformanceCase, type ConformanceContext, type GroupedCase } from '../case.js';
import type { ConformanceHarness } from '../harness.js';
import { check, expectCode, expectNoRequestsSince, requestMark } from '../support.js';

/** One row: a bad copy request and the rule it breaks. */
interface InvalidRequestRow {
  readonly id: string;
  readonly rule: string;
  readonly build: (h: ConformanceHarness) => unknown;
}

const src = (h: ConformanceHarness) => ({
  region: h.fixtures.regions[0],
  snapshotId: h.fixtures.missingSnapshotId(h.fixtures.regions[0]),
});
const dst = (h: ConformanceHarness) => ({ region: h.fixtures.regions[1] });

/** Requests the schema or the manifest's limits refuse before any provider call. */
const INVALID_REQUESTS: readonly InvalidRequestRow[] = [
  { id: 'not-an-object', rule: 'a request is an object', build: () => null },
  { id: 'no-destination', rule: 'destination is required', build: (h) => ({ source: src(h) }) },
  {
    id: 'no-source-id',
    rule: 'source.snapshotId is required',
    build: (h) => ({ source: { region: h.fixtures.regions[0] }, destination: dst(h) }),
  },
  {
    id: 'bad-region',
    rule: 'regions look like us-east-1 / cn-hangzhou',
    build: (h) => ({ source: src(h), destination: { region: 'Not A Region' } }),
  },
  {
    id: 'unknown-field',
    rule: 'unknown fields are rejected, not ignored',
    build: (h) => ({ source: src(h), destination: dst(h), encrypt: true }),
  },
  {
    id: 'key-without-encrypted',
    rule: 'kmsKeyId needs encrypted: true',
    build: (h) => ({
      source: src(h),
      destination: dst(h),
      encryption: { kmsKeyId: h.fixtures.keys(h.fixtures.regions[1]).customer },
    }),
  },
  {
    id: 'reserved-tag',
    rule: 'the snapcopy: tag prefix is reserved',
    build: (h) => ({ source: src(h), destination: dst(h), tags: { 'snapcopy:client-token': 'x' } }),
  },
  {
    id: 'token-too-long',
    rule: 'clientToken is at most 64 characters',
    build: (h) => ({ source: src(h), destination: dst(h), clientToken: 'x'.repeat(65) }),
  },
  {
    id: 'token-with-space',
    rule: 'clientToken is printable ASCII without spaces',
    build: (h) => ({ source: src(h), destination: dst(h), clientToken: 'a b' }),
  },
  {
    id: 'retention-zero',
    rule: 'retentionDays is at least 1',
    build: (h) => ({ source: src(h), destination: dst(h), retentionDays: 0 }),
  },
  {
    id: 'duration-off-step',
    rule: "completionDurationMinutes off the manifest's step or range (UNSUPPORTED instead when timeBasedCopy is false)",
    build: (h) => {
      const limits = h.copier.capabilities.completionDurationMinutes;
      const minutes = limits === null ? 20 : limits.step > 1 ? limits.min + 1 : limits.max + 1;
      return { source: src(h), destination: dst(h), completionDurationMinutes: minutes };
    },
  },
  {
    id: 'retention-above-range',
    rule: "retentionDays beyond the manifest's range (UNSUPPORTED instead when retentionPeriod is false)",
    build: (h) => ({
      source: src(h),
      destination: dst(h),
      retentionDays: (h.copier.capabilities.retentionDaysRange?.[1] ?? 65536) + 1,
    }),
  },
  {
    id: 'too-many-tags',
    rule: 'more tags than maxUserTags (UNSUPPORTED instead when tagsOnCopy is false)',
    build: (h) => ({
      source: src(h),
      destination: dst(h),
      tags: Object.fromEntries(
        Array.from({ length: Math.min(51, h.copier.capabilities.maxUserTags + 1) }, (_, i) => [`k${i}`, 'v']),
      ),
    }),
  },
];

// A value the schema already refuses is INVALID_REQUEST whatever the manifest says; a
// schema-valid value of a feature the manifest says is missing is UNSUPPORTED; a value
// outside the limits the manifest states is INVALID_REQUEST.
function expectedCode(
  h: ConformanceHarness,
  row: InvalidRequestRow,
  request: unknown,
): 'INVALID_REQUEST' | 'UNSUPPORTED' {
  const caps = h.copier.capabilities;
  const req = request as { retentionDays?: number; tags?: Record<string, string> };
  if (row.id === 'retention-above-range' && !caps.retentionPeriod) return 'UNSUPPORTED';
  if (row.id === 'duration-off-step' && !caps.timeBasedCopy) return 'UNSUPPORTED';
  if (row.id === 'too-many-tags' && !caps.tagsOnCopy && Object.keys(req.tags ?? {}).length <= 50)
    return 'UNSUPPORTED';
  return 'INVALID_REQUEST';
}

async function runRow(h: ConformanceHarness, ctx: ConformanceContext, row: InvalidRequestRow): Promise<void> {
  const request = row.build(h) as never;
  const code = expectedCode(h, row, request);
  const mark = await requestMark(h);
  const planErr = await expectCode(ctx, () => h.copier.plan(request), code, `plan: ${row.rule}`);
  await expectCode(ctx, () => h.copier.copy(request), code, `copy: ${row.rule}`);
  await expectNoRequestsSince(h, mark, row.rule);
  if (code === 'INVALID_REQUEST') {
    check(
      isSnapcopyError(planErr) && planErr.issues.length > 0,
      `${row.rule}: INVALID_REQUEST must list the bad fields in issues`,
    );
  }
}

/** Bad refs for status, wait and cancel. */
const INVALID_REFS: readonly {
  id: string;
  rule: string;
  call: (h: ConformanceHarness) => Promise<unknown>;
}[] = [
  {
    id: 'status-not-array',
    rule: 'status takes an array of refs',
    call: (h) => h.copier.status('snap' as never),
  },
  {
    id: 'status-empty-ref',
    rule: 'a status ref needs a region and a snapshotId',
    call: (h) => h.copier.status([{ region: '', snapshotId: '' }]),
  },
  {
    id: 'wait-no-id',
    rule: 'wait needs a region and a snapshotId',
    call: (h) => h.copier.wait({ region: h.fixtures.regions[0] } as never),
  },
  {
    id: 'cancel-no-id',
    rule: 'cancel needs a region and a snapshotId',
    call: (h) => h.copier.cancel({ region: h.fixtures.regions[0] } as never),
  },
];

/** Invalid input fails with `INVALID_REQUEST` and the cloud sees nothing. */
export const invalidInputCases: readonly ConformanceCase[] = caseGroup('invalid input', [
  ...INVALID_REQUESTS.map(
    (row): GroupedCase<ConformanceHarness> => ({
      id: `invalid.${row.id}`,
      name: `${row.rule}: INVALID_REQUEST from plan and copy, zero requests`,
      run: (h, ctx) => runRow(h, ctx, row),
    }),
  ),
  ...INVALID_REFS.map(
    (row): GroupedCase<ConformanceHarness> => ({
      id: `invalid.${row.id}`,
      name: `${row.rule}: INVALID_REQUEST, zero requests`,
      async run(h, ctx) {
        const mark = await requestMark(h);
        await expectCode(ctx, () => row.call(h), 'INVALID_REQUEST', row.rule);
        await expectNoRequestsSince(h, mark, row.rule);
      },
    }),
  ),
]);
