import { CAPABILITY_KEYS, type Capabilities, CapabilitiesSchema } from '@snapcopy/core';
import { LINEAGE_TAG_COUNT } from '@snapcopy/core/driver';
import { describe, expect, it } from 'vitest';
import { AWS_EBS_CAPABILITIES } from '../../src/capabilities.js';

// The capability manifest, one row per flag (docs/aws-ebs-rules.md).
const TABLE: { rule: string; key: keyof Capabilities; value: unknown }[] = [
  { rule: 'copies to another region', key: 'crossRegionCopy', value: true },
  {
    rule: 'same-region unencrypted copy is metadata only and free',
    key: 'sameRegionStandardCopy',
    value: true,
  },
  { rule: 'same-region encrypted copy', key: 'sameRegionEncryptedCopy', value: true },
  { rule: 'encrypts an unencrypted snapshot on copy', key: 'encryptOnCopy', value: true },
  { rule: 'changes the key on copy', key: 'changeKeyOnCopy', value: true },
  { rule: 'never decrypts on copy', key: 'decryptOnCopy', value: false },
  { rule: 'no instant access on a copy', key: 'instantAccess', value: false },
  { rule: 'no native retention on copy', key: 'retentionPeriod', value: false },
  { rule: 'no retention range without retention', key: 'retentionDaysRange', value: null },
  { rule: 'cancel by deleting the copy', key: 'cancelByDelete', value: true },
  { rule: 'a cancel takes effect when the copy completes', key: 'cancelTakesEffect', value: 'on-completion' },
  { rule: 'time-based copy', key: 'timeBasedCopy', value: true },
  {
    rule: 'CompletionDurationMinutes 15-2880 in steps of 15',
    key: 'completionDurationMinutes',
    value: { min: 15, max: 2880, step: 15 },
  },
  { rule: 'tags on copy (TagSpecifications)', key: 'tagsOnCopy', value: true },
  { rule: 'copies snapshots shared by another account', key: 'crossAccountCopy', value: true },
  { rule: 'no native idempotency token on CopySnapshot', key: 'nativeIdempotencyToken', value: false },
  { rule: '20 copies in progress per destination region', key: 'maxConcurrentCopiesPerRegion', value: 20 },
  { rule: '200 ids per status call (snapshot-id filter)', key: 'maxIdsPerStatusCall', value: 200 },
  {
    rule: '50 tags per snapshot minus snapcopy lineage tags',
    key: 'maxUserTags',
    value: 50 - LINEAGE_TAG_COUNT,
  },
  {
    rule: 'EC2 API eventual consistency: back off up to about five minutes',
    key: 'consistencyWindowMs',
    value: 300_000,
  },
  { rule: 'DescribeSnapshots pages a listing', key: 'listSnapshots', value: true },
  {
    rule: 'Owner=<account> with RestorableBy=self lists what an account shared with you',
    key: 'listSharedWithCaller',
    value: true,
  },
  { rule: 'EC2 multi-volume sets have no group id (list them by tag)', key: 'listByGroup', value: false },
  {
    rule: "the description filter has wildcards, not regexes: snapcopy's",
    key: 'listDescriptionRegex',
    value: 'client',
  },
  { rule: 'DescribeSnapshots MaxResults is at most 1000', key: 'listMaxPageSize', value: 1000 },
  { rule: 'ModifySnapshotAttribute shares a snapshot', key: 'shareSnapshot', value: true },
  { rule: 'KMS DescribeKey tells whether a key is usable', key: 'keyAccessCheck', value: true },
];

describe('AWS_EBS_CAPABILITIES', () => {
  it.each(TABLE.map((row) => [`${row.rule}: ${row.key} = ${JSON.stringify(row.value)}`, row] as const))(
    '%s',
    (_rule, { key, value }) => {
      expect(AWS_EBS_CAPABILITIES[key]).toEqual(value);
    },
  );

  it("has exactly core's capability keys, and the table checks each of them", () => {
    expect(Object.keys(AWS_EBS_CAPABILITIES).sort()).toEqual([...CAPABILITY_KEYS].sort());
    expect(TABLE.map((row) => row.key).sort()).toEqual([...CAPABILITY_KEYS].sort());
  });

  it('is frozen, nested values included', () => {
    expect(Object.isFrozen(AWS_EBS_CAPABILITIES)).toBe(true);
    expect(Object.isFrozen(AWS_EBS_CAPABILITIES.completionDurationMinutes)).toBe(true);
  });

  it('survives a JSON round trip unchanged and still passes the schema', () => {
    const copy = JSON.parse(JSON.stringify(AWS_EBS_CAPABILITIES)) as unknown;
    expect(copy).toEqual(AWS_EBS_CAPABILITIES);
    expect(CapabilitiesSchema.parse(copy)).toEqual(AWS_EBS_CAPABILITIES);
  });
});
