import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { is, isSnapcopyError, parseCopyRequest, SnapcopyError } from '../src/index.js';

const base = {
  source: { region: 'us-east-1', snapshotId: 'snap-0123456789abcdef0' },
  destination: { region: 'us-west-2' },
};

describe('parseCopyRequest: accepted requests', () => {
  it.each([
    { rule: 'minimal cross-region request', req: base },
    {
      rule: 'encryption with a key',
      req: { ...base, encryption: { encrypted: true, kmsKeyId: 'alias/backup' } },
    },
    { rule: 'encryption flag alone', req: { ...base, encryption: { encrypted: true } } },
    { rule: 'explicit unencrypted copy', req: { ...base, encryption: { encrypted: false } } },
    { rule: 'retention at the lower bound', req: { ...base, retentionDays: 1 } },
    { rule: 'retention at the upper bound', req: { ...base, retentionDays: 65536 } },
    { rule: 'completion duration at 15 min', req: { ...base, completionDurationMinutes: 15 } },
    { rule: 'completion duration at 2880 min', req: { ...base, completionDurationMinutes: 2880 } },
    { rule: 'tags with an empty value', req: { ...base, tags: { team: 'storage', empty: '' } } },
    { rule: 'client token of 64 characters', req: { ...base, clientToken: 'a'.repeat(64) } },
    {
      rule: 'shared source names its owner account',
      req: { ...base, source: { ...base.source, account: '222222222222' } },
    },
    {
      rule: 'Alibaba-style ids and regions',
      req: {
        source: { region: 'cn-hangzhou', snapshotId: 's-bp1abc' },
        destination: { region: 'cn-shanghai' },
      },
    },
  ])('$rule', ({ req }) => {
    expect(parseCopyRequest(req)).toEqual(req);
  });
});

describe('parseCopyRequest: rejected requests name each bad field', () => {
  it.each([
    {
      rule: 'a key needs encryption (flag absent)',
      req: { ...base, encryption: { kmsKeyId: 'k' } },
      fields: ['encryption.kmsKeyId'],
    },
    {
      rule: 'a key needs encryption (flag false)',
      req: { ...base, encryption: { encrypted: false, kmsKeyId: 'k' } },
      fields: ['encryption.kmsKeyId'],
    },
    { rule: 'retention below 1', req: { ...base, retentionDays: 0 }, fields: ['retentionDays'] },
    { rule: 'retention must be whole days', req: { ...base, retentionDays: 1.5 }, fields: ['retentionDays'] },
    {
      rule: "completion duration of 0 minutes (the range and step are the provider manifest's)",
      req: { ...base, completionDurationMinutes: 0 },
      fields: ['completionDurationMinutes'],
    },
    {
      rule: 'completion duration must be whole minutes',
      req: { ...base, completionDurationMinutes: 15.5 },
      fields: ['completionDurationMinutes'],
    },
    {
      rule: 'more than 50 tags',
      req: { ...base, tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
      fields: ['tags'],
    },
    {
      rule: 'tag key too long',
      req: { ...base, tags: { ['k'.repeat(129)]: 'v' } },
      fields: [`tags.${'k'.repeat(129)}`],
    },
    { rule: 'empty tag key', req: { ...base, tags: { '': 'v' } }, fields: ['tags.'] },
    { rule: 'tag value too long', req: { ...base, tags: { k: 'v'.repeat(257) } }, fields: ['tags.k'] },
    {
      rule: 'reserved snapcopy: tag prefix',
      req: { ...base, tags: { 'snapcopy:client-token': 'x' } },
      fields: ['tags.snapcopy:client-token'],
    },
    {
      rule: 'client token over 64 characters',
      req: { ...base, clientToken: 'a'.repeat(65) },
      fields: ['clientToken'],
    },
    { rule: 'client token not ASCII', req: { ...base, clientToken: 'jeton-é' }, fields: ['clientToken'] },
    { rule: 'client token with a space', req: { ...base, clientToken: 'a b' }, fields: ['clientToken'] },
    { rule: 'missing source', req: { destination: { region: 'us-west-2' } }, fields: ['source'] },
    {
      rule: 'bad region id',
      req: { ...base, destination: { region: 'US East' } },
      fields: ['destination.region'],
    },
    {
      rule: 'empty snapshot id',
      req: { ...base, source: { region: 'us-east-1', snapshotId: '' } },
      fields: ['source.snapshotId'],
    },
    { rule: 'unknown field', req: { ...base, colour: 'blue' }, fields: [''] },
    // A key that is a property of every object would be lost (`__proto__`, as JSON.parse
    // makes it an own key) or shadow a built-in: refused, never silently dropped.
    {
      rule: 'tag key __proto__ (as JSON.parse makes it)',
      req: { ...base, tags: JSON.parse('{"__proto__":"x","team":"dr"}') },
      fields: ['tags.__proto__'],
    },
    {
      rule: 'tag key constructor',
      req: { ...base, tags: { constructor: 'x' } },
      fields: ['tags.constructor'],
    },
    { rule: 'tag key prototype', req: { ...base, tags: { prototype: 'x' } }, fields: ['tags.prototype'] },
    {
      rule: 'several bad fields at once',
      req: { ...base, retentionDays: -1, completionDurationMinutes: -7 },
      fields: ['retentionDays', 'completionDurationMinutes'],
    },
  ])('$rule', ({ req, fields }) => {
    let caught: unknown;
    try {
      parseCopyRequest(req);
    } catch (err) {
      caught = err;
    }
    expect(is(caught, 'INVALID_REQUEST')).toBe(true);
    const err = caught as SnapcopyError;
    expect([...new Set(err.issues.map((i) => i.path))].sort()).toEqual([...fields].sort());
    for (const f of fields.filter((f) => f !== '')) expect(err.message).toContain(f);
  });

  it.each([null, undefined, 42, 'snap-1', [], true])('non-object input %j is INVALID_REQUEST', (input) => {
    expect(() => parseCopyRequest(input)).toThrow(SnapcopyError);
  });

  it('a Proxy whose traps throw still yields INVALID_REQUEST', () => {
    const evil = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
        get() {
          throw new Error('trap');
        },
      },
    );
    expect(() => parseCopyRequest(evil)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it('a hostile getter still yields INVALID_REQUEST', () => {
    const evil = Object.defineProperty({}, 'source', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(() => parseCopyRequest(evil)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});

describe('parseCopyRequest properties', () => {
  fcTest.prop([
    fc.anything({ withObjectString: true, withNullPrototype: true, withMap: true, withSet: true }),
  ])('any value either parses or fails with INVALID_REQUEST, never another exception', (input) => {
    try {
      parseCopyRequest(input);
    } catch (err) {
      expect(isSnapcopyError(err) && err.code === 'INVALID_REQUEST').toBe(true);
    }
  });

  const region = fc.constantFrom('us-east-1', 'us-west-2', 'cn-hangzhou', 'bad region', '');
  const shaped = fc.record(
    {
      source: fc.record(
        {
          region,
          snapshotId: fc.string({ maxLength: 140 }),
          account: fc.option(fc.string(), { nil: undefined }),
        },
        { requiredKeys: ['region'] },
      ),
      destination: fc.record({ region }),
      encryption: fc.record({
        encrypted: fc.option(fc.boolean(), { nil: undefined }),
        kmsKeyId: fc.option(fc.string(), { nil: undefined }),
      }),
      tags: fc.dictionary(fc.string({ maxLength: 140 }), fc.string({ maxLength: 300 }), { maxKeys: 60 }),
      retentionDays: fc.integer({ min: -5, max: 70000 }),
      completionDurationMinutes: fc.integer({ min: -5, max: 3000 }),
      clientToken: fc.string({ maxLength: 70 }),
    },
    { requiredKeys: [] },
  );
  fcTest.prop([shaped])(
    'request-shaped values either parse or fail with INVALID_REQUEST listing issues',
    (input) => {
      try {
        const parsed = parseCopyRequest(input);
        if (parsed.encryption?.kmsKeyId !== undefined) expect(parsed.encryption.encrypted).toBe(true);
      } catch (err) {
        expect(isSnapcopyError(err) && err.code === 'INVALID_REQUEST' && err.issues.length > 0).toBe(true);
      }
    },
  );
});
