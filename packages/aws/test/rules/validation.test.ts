import { isSnapcopyError } from '@snapcopy/core';
import { LINEAGE_TAG_COUNT } from '@snapcopy/core/driver';
import { describe, expect, it } from 'vitest';
import { AWS_TAG_LIMITS, validateAwsSnapshotId, validateAwsTags } from '../../src/rules/validation.js';

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}

const tagsOf = (count: number, prefix = 'k'): Record<string, string> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, 'v']));

const SNAPSHOT_IDS: { rule: string; id: string; valid: boolean }[] = [
  { rule: '17 lowercase hex digits (current ids)', id: 'snap-0123456789abcdef0', valid: true },
  { rule: '8 lowercase hex digits (older ids)', id: 'snap-1234abcd', valid: true },
  { rule: 'uppercase hex is not an EBS id', id: 'snap-0123456789ABCDEF0', valid: false },
  { rule: '9 hex digits is neither length', id: 'snap-1234abcde', valid: false },
  { rule: '16 hex digits is neither length', id: 'snap-0123456789abcdef', valid: false },
  { rule: '18 hex digits is neither length', id: 'snap-0123456789abcdef01', valid: false },
  { rule: 'a non-hex letter', id: 'snap-0123456789abcdefg', valid: false },
  { rule: 'another resource type', id: 'vol-0123456789abcdef0', valid: false },
  { rule: 'uppercase prefix', id: 'SNAP-0123456789abcdef0', valid: false },
  { rule: 'surrounding whitespace', id: ' snap-0123456789abcdef0', valid: false },
  { rule: 'an Alibaba snapshot id', id: 's-bp67acfmxazb4p1234', valid: false },
  { rule: 'empty', id: '', valid: false },
];

const TAGS: { rule: string; tags: Record<string, string>; bad: string[] }[] = [
  { rule: 'no tags', tags: {}, bad: [] },
  {
    rule: `${AWS_TAG_LIMITS.maxUserTags} tags fill the 50 with snapcopy's ${LINEAGE_TAG_COUNT}`,
    tags: tagsOf(45),
    bad: [],
  },
  { rule: 'one tag more than 50 minus the lineage tags', tags: tagsOf(46), bad: ['tags'] },
  { rule: 'key of 127 characters', tags: { ['k'.repeat(127)]: 'v' }, bad: [] },
  {
    rule: 'key of 128 characters (EC2 allows 127)',
    tags: { ['k'.repeat(128)]: 'v' },
    bad: [`tags.${'k'.repeat(128)}`],
  },
  {
    rule: 'key of 127 astral characters counts characters, not UTF-16 units',
    tags: { ['🙂'.repeat(127)]: 'v' },
    bad: [],
  },
  { rule: 'empty key', tags: { '': 'v' }, bad: ['tags.'] },
  { rule: 'value of 256 characters', tags: { team: 'v'.repeat(256) }, bad: [] },
  { rule: 'value of 257 characters', tags: { team: 'v'.repeat(257) }, bad: ['tags.team'] },
  { rule: 'empty value is allowed', tags: { team: '' }, bad: [] },
  { rule: 'aws: prefix is reserved', tags: { 'aws:createdBy': 'me' }, bad: ['tags.aws:createdBy'] },
  {
    rule: 'AWS: prefix is reserved in any case',
    tags: { 'AWS:createdBy': 'me' },
    bad: ['tags.AWS:createdBy'],
  },
  { rule: 'Aws: prefix is reserved in any case', tags: { 'Aws:x': 'me' }, bad: ['tags.Aws:x'] },
  { rule: '"aws" without the colon is an ordinary key', tags: { awsAccount: 'me' }, bad: [] },
  { rule: 'aws: inside a key is not a prefix', tags: { 'team:aws:x': 'me' }, bad: [] },
  { rule: 'aws: in a value is allowed', tags: { origin: 'aws:backup' }, bad: [] },
  {
    rule: "snapcopy: prefix is reserved for snapcopy's lineage tags",
    tags: { 'snapcopy:source': 'x' },
    bad: ['tags.snapcopy:source'],
  },
  { rule: 'keys are case-sensitive: Team and team are two tags', tags: { Team: 'a', team: 'b' }, bad: [] },
  {
    rule: 'case-different keys still count: 46 of them exceed the limit',
    tags: { ...tagsOf(23, 'k'), ...tagsOf(23, 'K') },
    bad: ['tags'],
  },
  {
    rule: 'every bad tag is reported, each under its own path',
    tags: { 'aws:x': 'v', team: 'v'.repeat(300), ok: 'fine' },
    bad: ['tags.aws:x', 'tags.team'],
  },
];

describe('validateAwsSnapshotId', () => {
  it.each(
    SNAPSHOT_IDS.map(
      (row) => [`${row.rule}: "${row.id}" → ${row.valid ? 'valid' : 'INVALID_REQUEST'}`, row] as const,
    ),
  )('%s', (_rule, { id, valid }) => {
    if (valid) {
      expect(validateAwsSnapshotId(id)).toBe(id);
      return;
    }
    const err = caught(() => validateAwsSnapshotId(id));
    expect(isSnapcopyError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', issues: [{ path: 'source.snapshotId' }] });
  });
});

describe('validateAwsTags', () => {
  it.each(TAGS.map((row) => [row.rule, row] as const))('%s', (_rule, { tags, bad }) => {
    const err = caught(() => validateAwsTags(tags));
    if (bad.length === 0) {
      expect(err).toBeUndefined();
      return;
    }
    expect(isSnapcopyError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', provider: 'aws' });
    const paths = (err as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect([...new Set(paths)].sort()).toEqual([...bad].sort());
  });
});
