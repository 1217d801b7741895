import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  addCalendarMonths,
  CopiedIndex,
  passBatchId,
  policyClientToken,
  retentionDays,
  retentionEnd,
  type RetentionRule,
  youngEnoughToCopy,
} from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('retentionEnd: days and weeks are 24-hour days, months and years calendar ones (UTC)', () => {
  it.each([
    {
      rule: 'DLM RetainRule 3 DAYS',
      from: '2026-01-01T10:00:00.000Z',
      r: { interval: 3, unit: 'days' },
      end: '2026-01-04T10:00:00.000Z',
    },
    {
      rule: '2 WEEKS',
      from: '2026-01-01T10:00:00.000Z',
      r: { interval: 2, unit: 'weeks' },
      end: '2026-01-15T10:00:00.000Z',
    },
    {
      rule: 'DLM RetainRule 1 MONTHS, mid-month',
      from: '2026-01-15T10:00:00.000Z',
      r: { interval: 1, unit: 'months' },
      end: '2026-02-15T10:00:00.000Z',
    },
    {
      rule: '1 month from 31 January ends on the last day of February',
      from: '2026-01-31T23:00:00.000Z',
      r: { interval: 1, unit: 'months' },
      end: '2026-02-28T23:00:00.000Z',
    },
    {
      rule: '1 month from 31 January in a leap year',
      from: '2028-01-31T00:00:00.000Z',
      r: { interval: 1, unit: 'months' },
      end: '2028-02-29T00:00:00.000Z',
    },
    {
      rule: '13 months cross a year',
      from: '2026-12-05T00:00:00.000Z',
      r: { interval: 13, unit: 'months' },
      end: '2028-01-05T00:00:00.000Z',
    },
    {
      rule: '1 year from 29 February ends 28 February',
      from: '2028-02-29T12:00:00.000Z',
      r: { interval: 1, unit: 'years' },
      end: '2029-02-28T12:00:00.000Z',
    },
    {
      rule: '4 years from 29 February ends 29 February',
      from: '2028-02-29T12:00:00.000Z',
      r: { interval: 4, unit: 'years' },
      end: '2032-02-29T12:00:00.000Z',
    },
  ] as const)('$rule', ({ from, r, end }) => {
    expect(iso(retentionEnd(at(from), r as RetentionRule))).toBe(end);
  });

  it('addCalendarMonths keeps the time of day', () => {
    expect(iso(addCalendarMonths(at('2026-03-31T01:02:03.004Z'), 1))).toBe('2026-04-30T01:02:03.004Z');
  });

  it.each([
    { r: { interval: 3, unit: 'days' }, from: '2026-01-01T00:00:00.000Z', days: 3 },
    { r: { interval: 1, unit: 'months' }, from: '2026-02-01T00:00:00.000Z', days: 28 },
    { r: { interval: 1, unit: 'months' }, from: '2026-01-01T00:00:00.000Z', days: 31 },
    { r: { interval: 1, unit: 'years' }, from: '2028-01-01T00:00:00.000Z', days: 366 },
  ] as const)('ECS RetentionDays for $r.interval $r.unit from $from: $days', ({ r, from, days }) => {
    expect(retentionDays(at(from), r as RetentionRule)).toBe(days);
  });
});

describe('youngEnoughToCopy', () => {
  const rule: RetentionRule = { interval: 3, unit: 'days' };
  const now = at('2026-01-10T00:00:00.000Z');
  it.each([
    { why: 'no retention: always', created: at('2020-01-01T00:00:00.000Z'), r: undefined, ok: true },
    { why: 'created a day ago, kept 3 days', created: at('2026-01-09T00:00:00.000Z'), r: rule, ok: true },
    {
      why: 'created exactly 3 days ago: its copy would be gone',
      created: at('2026-01-07T00:00:00.000Z'),
      r: rule,
      ok: false,
    },
    { why: 'created 5 days ago', created: at('2026-01-05T00:00:00.000Z'), r: rule, ok: false },
    { why: 'no creation time known', created: undefined, r: rule, ok: true },
  ])('$why', ({ created, r, ok }) => {
    expect(youngEnoughToCopy(created, r, now)).toBe(ok);
  });
});

describe('policyClientToken', () => {
  const base = {
    policyId: 'vault',
    provider: 'aws',
    sourceRegion: 'us-east-1',
    sourceSnapshotId: 'snap-0123456789abcdef0',
    destinationRegion: 'sa-east-1',
  };
  it('is deterministic, printable ASCII, within 64 characters', () => {
    const t = policyClientToken(base);
    expect(t).toBe(policyClientToken({ ...base }));
    expect(t).toMatch(/^[\x21-\x7e]{1,64}$/);
  });
  it.each(Object.keys(base))('changes with %s', (field) => {
    expect(policyClientToken({ ...base, [field]: 'other-value' })).not.toBe(policyClientToken(base));
  });
});

describe('passBatchId', () => {
  it('is the same within a 15-minute bucket and differs across buckets', () => {
    expect(passBatchId('vault', at('2026-01-01T10:16:00Z'))).toBe('policy:vault:2026-01-01T10:15Z');
    expect(passBatchId('vault', at('2026-01-01T10:29:59Z'))).toBe('policy:vault:2026-01-01T10:15Z');
    expect(passBatchId('vault', at('2026-01-01T10:30:00Z'))).toBe('policy:vault:2026-01-01T10:30Z');
    expect(passBatchId('vault', at('2026-01-01T10:31:00Z'), 3_600_000)).toBe(
      'policy:vault:2026-01-01T10:00Z',
    );
  });
});

describe('CopiedIndex', () => {
  it('finds what was added, in any order, and nothing else', () => {
    const index = new CopiedIndex();
    for (let i = 0; i < 5000; i++) index.add('us-east-1', `snap-${i}`);
    expect(index.size).toBe(5000);
    expect(index.has('us-east-1', 'snap-4999')).toBe(true);
    expect(index.has('us-east-1', 'snap-0')).toBe(true);
    expect(index.has('us-west-2', 'snap-0')).toBe(false);
    expect(index.has('us-east-1', 'snap-5000')).toBe(false);
    index.add('us-west-2', 'snap-0');
    expect(index.has('us-west-2', 'snap-0')).toBe(true);
    expect(index.bytes).toBeLessThanOrEqual(8 * 8192);
  });
});

describe('the committed DLM example', () => {
  it('is the DLM user guide example, byte for byte parseable', () => {
    const doc = JSON.parse(readFileSync(join(here, '..', 'examples', 'dlm-cross-account-copy.json'), 'utf8'));
    expect(doc.PolicyType).toBe('EVENT_BASED_POLICY');
    expect(doc.Actions[0].CrossRegionCopy.map((c: { Target: string }) => c.Target)).toEqual([
      'sa-east-1',
      'eu-west-2',
    ]);
  });
});
