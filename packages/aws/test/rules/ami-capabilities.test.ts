import { IMAGE_CAPABILITY_KEYS, type ImageCapabilities, ImageCapabilitiesSchema } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { AWS_AMI_CAPABILITIES } from '../../src/image-capabilities.js';

// The AMI manifest, one row per flag (docs/aws-ami-rules.md).
const TABLE: { rule: string; key: keyof ImageCapabilities; value: unknown }[] = [
  { rule: 'CopyImage from another Region (sent to the destination)', key: 'crossRegionCopy', value: true },
  { rule: 'CopyImage within a Region (e.g. to encrypt)', key: 'sameRegionCopy', value: true },
  { rule: 'copies an AMI shared with you (cross-account copying)', key: 'crossAccountCopy', value: true },
  { rule: '...into any Region', key: 'crossAccountCopyAcrossRegions', value: true },
  { rule: 'encrypts unencrypted backing snapshots (scenario 3)', key: 'encryptOnCopy', value: true },
  { rule: 're-encrypts under a given key (Encrypted + KmsKeyId)', key: 'changeKeyOnCopy', value: true },
  { rule: 'never encrypted to unencrypted (scenario 4)', key: 'decryptOnCopy', value: false },
  { rule: "CopyImageTags carries the source's user-defined tags", key: 'copySourceTags', value: true },
  { rule: 'TagSpecification tags the new AMI', key: 'tagsOnCopy', value: true },
  { rule: 'TagSpecification tags the new snapshots, separately', key: 'snapshotTagsOnCopy', value: true },
  { rule: 'SnapshotCopyCompletionDurationMinutes', key: 'timeBasedCopy', value: true },
  {
    rule: '15-2880 minutes in steps of 15, per snapshot',
    key: 'completionDurationMinutes',
    value: { min: 15, max: 2880, step: 15 },
  },
  { rule: 'a copy can be stopped', key: 'cancelByDelete', value: true },
  { rule: 'stop a pending AMI copy by deregistering the AMI', key: 'cancelMethod', value: 'deregister' },
  { rule: 'the AMI is deregistered at once', key: 'cancelTakesEffect', value: 'immediate' },
  {
    rule: 'its snapshot copies in progress are deleted when they complete',
    key: 'snapshotsOnCancel',
    value: 'removed-on-completion',
  },
  { rule: 'a pending AMI can be deregistered', key: 'deleteWhileCopying', value: true },
  { rule: 'CopyImage has a ClientToken', key: 'nativeIdempotencyToken', value: true },
  {
    rule: '300 concurrent AMI copies per destination Region',
    key: 'maxConcurrentCopiesPerRegion',
    value: 300,
  },
  { rule: 'beyond it ResourceLimitExceeded, no queue', key: 'queuesBeyondConcurrency', value: false },
  { rule: '200 AMIs per status call (image-id filter)', key: 'maxIdsPerStatusCall', value: 200 },
  { rule: '50 tags per AMI, less snapcopy lineage and the cancel mark', key: 'maxUserTags', value: 45 },
  { rule: '50 tags per snapshot, less snapcopy lineage and one spare', key: 'maxSnapshotTags', value: 45 },
  {
    rule: 'the EC2 API is eventually consistent: five minutes, as for snapshots',
    key: 'consistencyWindowMs',
    value: 300_000,
  },
];

describe('AWS_AMI_CAPABILITIES', () => {
  it.each(TABLE.map((row) => [`${row.rule}: ${row.key} = ${JSON.stringify(row.value)}`, row] as const))(
    '%s',
    (_rule, { key, value }) => {
      expect(AWS_AMI_CAPABILITIES[key]).toEqual(value);
    },
  );

  it("has exactly core's image capability keys, and the table checks each of them", () => {
    expect(Object.keys(AWS_AMI_CAPABILITIES).sort()).toEqual([...IMAGE_CAPABILITY_KEYS].sort());
    expect(TABLE.map((row) => row.key).sort()).toEqual([...IMAGE_CAPABILITY_KEYS].sort());
  });

  it('is frozen and survives a JSON round trip through the schema', () => {
    expect(Object.isFrozen(AWS_AMI_CAPABILITIES)).toBe(true);
    const copy = JSON.parse(JSON.stringify(AWS_AMI_CAPABILITIES)) as unknown;
    expect(ImageCapabilitiesSchema.parse(copy)).toEqual(AWS_AMI_CAPABILITIES);
  });
});
