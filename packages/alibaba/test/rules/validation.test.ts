import { type CopyRequest, isSnapcopyError } from '@snapcopy/core';
import { LINEAGE_TAG_COUNT } from '@snapcopy/core/driver';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkAlibabaSourceCopyable,
  defaultCopyDescription,
  defaultCopyName,
  validateAlibabaRequestFields,
  validateAlibabaSnapshotDescription,
  validateAlibabaSnapshotId,
  validateAlibabaSnapshotName,
  validateAlibabaTags,
} from '../../src/rules/validation.js';
import { createAlibabaEcsCopier } from '../../src/copier.js';

const x = (n: number, c = 'a'): string => c.repeat(n);
const manyTags = (n: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
const ROOM = 20 - LINEAGE_TAG_COUNT;

describe('validateAlibabaSnapshotId', () => {
  const rows = [
    { rule: 'snapshot-id-format', id: 's-bp67acfmxazb4p0001', valid: true },
    { rule: 'snapshot-id-format', id: 's-1', valid: true },
    { rule: 'snapshot-id-format', id: 's-', valid: false },
    { rule: 'snapshot-id-format', id: 'S-BP67ACF', valid: false },
    { rule: 'snapshot-id-format', id: 's-BP67acf', valid: false },
    { rule: 'snapshot-id-format', id: 'snap-0123456789abcdef0', valid: false },
    { rule: 'snapshot-id-format', id: 's-bp67_acf', valid: false },
    { rule: 'snapshot-id-format', id: ' s-bp67acf', valid: false },
  ];
  it.each(rows)('[$rule] $id → valid=$valid', ({ id, valid }) => {
    const issues = validateAlibabaSnapshotId(id);
    expect(issues.length === 0).toBe(valid);
    if (!valid) expect(issues[0]?.path).toBe('source.snapshotId');
  });
});

describe('validateAlibabaTags', () => {
  const rows: { rule: string; case: string; tags: Record<string, string>; paths: string[] }[] = [
    { rule: 'tag-count', case: 'no tags', tags: {}, paths: [] },
    {
      rule: 'tag-count',
      case: `${ROOM} tags fill the room left by lineage tags`,
      tags: manyTags(ROOM),
      paths: [],
    },
    {
      rule: 'tag-count',
      case: `${ROOM + 1} tags exceed 20 with lineage tags`,
      tags: manyTags(ROOM + 1),
      paths: ['tags'],
    },
    { rule: 'tag-key-length', case: 'empty key', tags: { '': 'v' }, paths: ['tags.'] },
    { rule: 'tag-key-length', case: '128-char key', tags: { [x(128)]: 'v' }, paths: [] },
    { rule: 'tag-key-length', case: '129-char key', tags: { [x(129)]: 'v' }, paths: [`tags.${x(129)}`] },
    {
      rule: 'tag-key-prefix',
      case: 'key starting with aliyun',
      tags: { aliyunTeam: 'v' },
      paths: ['tags.aliyunTeam'],
    },
    {
      rule: 'tag-key-prefix',
      case: 'key starting with acs:',
      tags: { 'acs:team': 'v' },
      paths: ['tags.acs:team'],
    },
    { rule: 'tag-key-prefix', case: 'aliyun inside a key is fine', tags: { 'my-aliyun': 'v' }, paths: [] },
    {
      rule: 'tag-key-url',
      case: 'key containing http://',
      tags: { 'see-http://x': 'v' },
      paths: ['tags.see-http://x'],
    },
    {
      rule: 'tag-key-url',
      case: 'key containing https://',
      tags: { 'https://x': 'v' },
      paths: ['tags.https://x'],
    },
    { rule: 'tag-value-length', case: 'empty value', tags: { team: '' }, paths: [] },
    { rule: 'tag-value-length', case: '128-char value', tags: { team: x(128) }, paths: [] },
    { rule: 'tag-value-length', case: '129-char value', tags: { team: x(129) }, paths: ['tags.team'] },
    {
      rule: 'tag-value-url',
      case: 'value containing http://',
      tags: { team: 'at http://x' },
      paths: ['tags.team'],
    },
    {
      rule: 'tag-value-url',
      case: 'value containing https://',
      tags: { team: 'https://x' },
      paths: ['tags.team'],
    },
    {
      rule: 'tag-value-prefix',
      case: 'value starting with acs:',
      tags: { team: 'acs:x' },
      paths: ['tags.team'],
    },
    {
      rule: 'tag-value-prefix',
      case: 'value starting with aliyun',
      tags: { team: 'aliyun-x' },
      paths: ['tags.team'],
    },
  ];
  it.each(rows)('[$rule] $case', ({ tags, paths }) => {
    expect(validateAlibabaTags(tags).map((i) => i.path)).toEqual(paths);
  });
});

describe('RetentionDays: the manifest range, checked by core before any call', () => {
  const copier = createAlibabaEcsCopier({
    credentials: { accessKeyId: 'LTAI-test', accessKeySecret: 'secret-test' },
  });
  const request = {
    source: { region: 'cn-hangzhou', snapshotId: 's-source0001' },
    destination: { region: 'cn-shanghai' },
  };
  const issuesOf = (days: number): { path: string }[] => {
    try {
      copier.validate({ ...request, retentionDays: days });
      return [];
    } catch (err) {
      return isSnapcopyError(err) ? [...err.issues] : [{ path: 'not a SnapcopyError' }];
    }
  };
  const rows = [
    { rule: 'retention-range', days: 1, valid: true },
    { rule: 'retention-range', days: 7, valid: true },
    { rule: 'retention-range', days: 65536, valid: true },
    { rule: 'retention-range', days: 0, valid: false },
    { rule: 'retention-range', days: 65537, valid: false },
    { rule: 'retention-range', days: -3, valid: false },
    { rule: 'retention-whole-days', days: 1.5, valid: false },
    { rule: 'retention-whole-days', days: Number.NaN, valid: false },
  ];
  it.each(rows)('[$rule] $days → valid=$valid', ({ days, valid }) => {
    const issues = issuesOf(days);
    expect(issues.length === 0).toBe(valid);
    if (!valid) expect(issues[0]?.path).toBe('retentionDays');
  });
});

describe('validateAlibabaSnapshotName', () => {
  const rows = [
    { rule: 'name-length', name: 'ab', valid: true },
    { rule: 'name-length', name: 'a', valid: false },
    { rule: 'name-length', name: x(128), valid: true },
    { rule: 'name-length', name: x(129), valid: false },
    { rule: 'name-starts-with-letter', name: '1copy', valid: false },
    { rule: 'name-starts-with-letter', name: '-copy', valid: false },
    { rule: 'name-starts-with-letter', name: '快照copy', valid: true },
    { rule: 'name-not-url', name: 'http://copy', valid: false },
    { rule: 'name-not-url', name: 'https://copy', valid: false },
    { rule: 'name-characters', name: 'a:b_c.d-e9', valid: true },
    { rule: 'name-characters', name: 'copy of s-1', valid: false },
    { rule: 'name-characters', name: 'copy/1', valid: false },
  ];
  it.each(rows)('[$rule] "$name" → valid=$valid', ({ name, valid }) => {
    const issues = validateAlibabaSnapshotName(name);
    expect(issues.length === 0).toBe(valid);
    for (const i of issues) expect(i.path).toBe('name');
  });
});

describe('validateAlibabaSnapshotDescription', () => {
  const rows = [
    { rule: 'description-length', description: 'ok', valid: true },
    { rule: 'description-length', description: 'a', valid: false },
    { rule: 'description-length', description: x(256), valid: true },
    { rule: 'description-length', description: x(257), valid: false },
    { rule: 'description-not-url', description: 'http://x', valid: false },
    { rule: 'description-not-url', description: 'https://x', valid: false },
    { rule: 'description-not-url', description: 'see https://x', valid: true },
    { rule: 'description-characters', description: 'a copy: with spaces & symbols', valid: true },
  ];
  it.each(rows)('[$rule] "$description" → valid=$valid', ({ description, valid }) => {
    const issues = validateAlibabaSnapshotDescription(description);
    expect(issues.length === 0).toBe(valid);
    for (const i of issues) expect(i.path).toBe('description');
  });
});

describe('defaultCopyName / defaultCopyDescription', () => {
  const rows = [
    { rule: 'default-name-and-description-valid', id: 's-bp67acfmxazb4p0001', region: 'cn-hangzhou' },
    { rule: 'default-name-and-description-valid', id: '', region: '' },
    { rule: 'default-name-and-description-valid', id: 'S_/weird id?', region: 'cn-shanghai' },
    { rule: 'default-name-and-description-valid', id: `s-${x(300, 'z')}`, region: 'ap-southeast-1' },
    { rule: 'default-name-and-description-valid', id: 'https://evil', region: 'https://evil' },
  ];
  it.each(rows)('[$rule] id "$id"', ({ id, region }) => {
    const name = defaultCopyName(id);
    const description = defaultCopyDescription({ sourceSnapshotId: id, sourceRegion: region });
    expect(validateAlibabaSnapshotName(name)).toEqual([]);
    expect(validateAlibabaSnapshotDescription(description)).toEqual([]);
  });

  it('names the source snapshot when it is a normal id', () => {
    expect(defaultCopyName('s-bp67acf')).toBe('snapcopy-s-bp67acf');
    expect(defaultCopyDescription({ sourceSnapshotId: 's-bp67acf', sourceRegion: 'cn-hangzhou' })).toContain(
      's-bp67acf from cn-hangzhou',
    );
  });

  it('property: defaults satisfy the API rules for any input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        fc.string({ maxLength: 300 }),
        (id, region) => {
          expect(validateAlibabaSnapshotName(defaultCopyName(id))).toEqual([]);
          expect(
            validateAlibabaSnapshotDescription(
              defaultCopyDescription({ sourceSnapshotId: id, sourceRegion: region }),
            ),
          ).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('checkAlibabaSourceCopyable', () => {
  const rows: { rule: string; category?: string; status: string; code?: string }[] = [
    { rule: 'standard-source-copyable', category: 'standard', status: 'accomplished' },
    { rule: 'standard-source-copyable', category: 'Standard', status: 'accomplished' },
    { rule: 'standard-source-copyable', status: 'accomplished' },
    { rule: 'archived-source', category: 'archive', status: 'accomplished', code: 'UNSUPPORTED' },
    { rule: 'local-source', category: 'flash', status: 'accomplished', code: 'UNSUPPORTED' },
    { rule: 'local-source', category: 'Flash', status: 'accomplished', code: 'UNSUPPORTED' },
    { rule: 'source-not-accomplished', category: 'standard', status: 'progressing', code: 'INVALID_REQUEST' },
    { rule: 'source-not-accomplished', category: 'standard', status: 'failed', code: 'INVALID_REQUEST' },
  ];
  it.each(rows)('[$rule] category=$category status=$status', ({ rule, category, status, code }) => {
    const err = checkAlibabaSourceCopyable({ status, ...(category === undefined ? {} : { category }) });
    if (code === undefined) {
      expect(err).toBeUndefined();
      return;
    }
    expect(isSnapcopyError(err)).toBe(true);
    expect(err?.code).toBe(code);
    expect(err?.details).toMatchObject({ scope: 'request', rule });
  });
});

describe('validateAlibabaRequestFields', () => {
  const base: CopyRequest = {
    source: { region: 'cn-hangzhou', snapshotId: 's-bp67acf' },
    destination: { region: 'cn-shanghai' },
  };
  const rows: { rule: string; case: string; req: CopyRequest; paths: string[] }[] = [
    { rule: 'request-fields', case: 'minimal valid request', req: base, paths: [] },
    {
      rule: 'request-fields',
      case: 'all optional fields valid',
      req: { ...base, name: 'copy-1', description: 'nightly', tags: { team: 'ops' }, retentionDays: 30 },
      paths: [],
    },
    {
      rule: 'request-fields',
      case: 'each bad field named',
      req: {
        ...base,
        source: { region: 'cn-hangzhou', snapshotId: 'snap-1' },
        name: 'x',
        description: 'http://x',
        tags: { 'acs:x': 'v' },
      },
      paths: ['source.snapshotId', 'name', 'description', 'tags.acs:x'],
    },
  ];
  it.each(rows)('[$rule] $case', ({ req, paths }) => {
    const err = validateAlibabaRequestFields(req);
    if (paths.length === 0) {
      expect(err).toBeUndefined();
      return;
    }
    expect(err?.code).toBe('INVALID_REQUEST');
    expect(err?.issues.map((i) => i.path)).toEqual(paths);
  });
});
