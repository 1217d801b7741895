import { CAPABILITY_KEYS, type Capabilities, CapabilitiesSchema } from '@snapcopy/core';
import { LINEAGE_TAG_COUNT } from '@snapcopy/core/driver';
import { describe, expect, it } from 'vitest';
import { ALIBABA_ECS_CAPABILITIES } from '../../src/capabilities.js';

// One row per flag of the capability manifest (docs/alibaba-ecs-rules.md).
const rows: { rule: string; flag: keyof Capabilities; expected: unknown }[] = [
  { rule: 'cross-region copy supported', flag: 'crossRegionCopy', expected: true },
  {
    rule: 'same-region standard copy refused (NotSupportCopyInSameRegion)',
    flag: 'sameRegionStandardCopy',
    expected: false,
  },
  { rule: 'same-region encrypted copy supported', flag: 'sameRegionEncryptedCopy', expected: true },
  { rule: 'encrypt on copy', flag: 'encryptOnCopy', expected: true },
  { rule: 'change key on copy', flag: 'changeKeyOnCopy', expected: true },
  { rule: 'no decrypt on copy', flag: 'decryptOnCopy', expected: false },
  { rule: 'copies never support instant access', flag: 'instantAccess', expected: false },
  { rule: 'retention on copy (RetentionDays)', flag: 'retentionPeriod', expected: true },
  { rule: 'retention range 1-65536', flag: 'retentionDaysRange', expected: [1, 65536] },
  { rule: 'cancel by delete', flag: 'cancelByDelete', expected: true },
  { rule: 'cancel takes effect immediately', flag: 'cancelTakesEffect', expected: 'immediate' },
  { rule: 'no time-based copy', flag: 'timeBasedCopy', expected: false },
  { rule: 'no completion-duration range', flag: 'completionDurationMinutes', expected: null },
  { rule: 'tags on copy (Tag.N)', flag: 'tagsOnCopy', expected: true },
  { rule: 'no cross-account copy', flag: 'crossAccountCopy', expected: false },
  { rule: 'native idempotency token (ClientToken)', flag: 'nativeIdempotencyToken', expected: true },
  {
    rule: 'concurrency undocumented: conservative default',
    flag: 'maxConcurrentCopiesPerRegion',
    expected: 10,
  },
  { rule: 'DescribeSnapshots takes 100 ids', flag: 'maxIdsPerStatusCall', expected: 100 },
  { rule: '20 tags per copy minus lineage tags', flag: 'maxUserTags', expected: 20 - LINEAGE_TAG_COUNT },
  {
    rule: 'ECS OpenAPI is eventually consistent, no figure given: five minutes as on EC2',
    flag: 'consistencyWindowMs',
    expected: 300_000,
  },
  { rule: 'DescribeSnapshots pages a listing (NextToken)', flag: 'listSnapshots', expected: true },
  {
    rule: 'ECS has no snapshot sharing: only your own are listed',
    flag: 'listSharedWithCaller',
    expected: false,
  },
  { rule: 'DescribeSnapshotGroups names a group’s members', flag: 'listByGroup', expected: true },
  {
    rule: 'no description filter on ECS: the regex is snapcopy’s',
    flag: 'listDescriptionRegex',
    expected: 'client',
  },
  { rule: 'DescribeSnapshots MaxResults is at most 100', flag: 'listMaxPageSize', expected: 100 },
  { rule: 'no API shares a snapshot with another account', flag: 'shareSnapshot', expected: false },
  {
    rule: 'no source-key check (no cross-account copy to check it for)',
    flag: 'keyAccessCheck',
    expected: false,
  },
];

describe('ALIBABA_ECS_CAPABILITIES', () => {
  it.each(rows)('$rule: $flag', ({ flag, expected }) => {
    expect(ALIBABA_ECS_CAPABILITIES[flag]).toEqual(expected);
  });

  it('table covers every capability key', () => {
    expect(new Set(rows.map((r) => r.flag))).toEqual(new Set(CAPABILITY_KEYS));
  });

  it('manifest: exactly core keys, schema-valid, deeply frozen, JSON round-trips', () => {
    expect(Object.keys(ALIBABA_ECS_CAPABILITIES).sort()).toEqual([...CAPABILITY_KEYS].sort());
    expect(CapabilitiesSchema.parse(ALIBABA_ECS_CAPABILITIES)).toEqual(ALIBABA_ECS_CAPABILITIES);
    expect(Object.isFrozen(ALIBABA_ECS_CAPABILITIES)).toBe(true);
    expect(Object.isFrozen(ALIBABA_ECS_CAPABILITIES.retentionDaysRange)).toBe(true);
    expect(JSON.parse(JSON.stringify(ALIBABA_ECS_CAPABILITIES))).toEqual(ALIBABA_ECS_CAPABILITIES);
    expect(() => {
      (ALIBABA_ECS_CAPABILITIES as { crossAccountCopy: boolean }).crossAccountCopy = true;
    }).toThrow(TypeError);
  });
});
