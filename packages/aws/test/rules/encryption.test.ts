import { isSnapcopyError, type KeySource } from '@snapcopy/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AWS_EBS_MANAGED_KEY_ALIAS,
  type AwsEncryptionInput,
  resolveAwsEncryption,
} from '../../src/rules/encryption.js';

const SOURCE_KEY = 'arn:aws:kms:us-east-1:111122223333:key/11111111-1111-1111-1111-111111111111';
const DEST_DEFAULT_KEY = 'arn:aws:kms:us-east-1:111122223333:key/dddddddd-dddd-dddd-dddd-dddddddddddd';
const WEST_DEFAULT_KEY = 'arn:aws:kms:us-west-2:111122223333:key/eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee';
const GIVEN_KEY = 'alias/backup-key';

type Flag = 'flag=true' | 'flag=false' | 'no flag';
type Ebd = 'EBD on' | 'EBD off';
type Src = 'unencrypted' | 'encrypted';
type Own = 'owned' | 'shared';
type Key = 'key' | 'no key';
type Region = 'same region' | 'cross region';
type Expect = Exclude<KeySource, 'none'> | 'unencrypted' | 'INVALID_REQUEST' | 'ENCRYPTION_RULE';
/** Wire parameters expected: `E+K` = Encrypted=true and KmsKeyId, `E` = Encrypted=true only, `-` = neither. */
type Wire = 'E+K' | 'E' | '-';

interface Row {
  rule: string;
  flag: Flag;
  ebd: Ebd;
  src: Src;
  own: Own;
  key: Key;
  region: Region;
  expect: Expect;
  wire: Wire;
}

function r(rule: string, dims: [Flag, Ebd, Src, Own, Key], expect: Expect, wire: Wire = '-'): Row {
  const [flag, ebd, src, own, key] = dims;
  return { rule, flag, ebd, src, own, key, region: 'same region', expect, wire };
}

function buildInput(row: Omit<Row, 'rule' | 'expect' | 'wire'>): AwsEncryptionInput {
  const crossRegion = row.region === 'cross region';
  return {
    request: {
      ...(row.flag === 'no flag' ? {} : { encrypted: row.flag === 'flag=true' }),
      ...(row.key === 'key' ? { kmsKeyId: GIVEN_KEY } : {}),
    },
    source: {
      region: 'us-east-1',
      encrypted: row.src === 'encrypted',
      ...(row.src === 'encrypted' ? { kmsKeyId: SOURCE_KEY } : {}),
      ownership: row.own,
    },
    destination: {
      region: crossRegion ? 'us-west-2' : 'us-east-1',
      encryptionByDefault: row.ebd === 'EBD on',
      defaultKmsKeyId: crossRegion ? WEST_DEFAULT_KEY : DEST_DEFAULT_KEY,
    },
  };
}

const KEY_OF: Record<Exclude<KeySource, 'none'>, (row: Row) => string> = {
  'source-key': () => SOURCE_KEY,
  'default-key': (row) => (row.region === 'cross region' ? WEST_DEFAULT_KEY : DEST_DEFAULT_KEY),
  'given-key': () => GIVEN_KEY,
};

// The outcome table of the EBS User Guide ("Copy an Amazon EBS snapshot" → "Encryption and
// snapshot copying") and the CopySnapshot API reference, one row per combination of the five
// dimensions, all in one region.
// biome-ignore format: one row per line keeps the table readable
const SAME_REGION: Row[] = [
  // No Encrypted flag.
  r('no flag, key given → KmsKeyId needs Encrypted=true', ['no flag', 'EBD off', 'unencrypted', 'owned', 'key'], 'INVALID_REQUEST'),
  r('no flag, key given → KmsKeyId needs Encrypted=true', ['no flag', 'EBD off', 'unencrypted', 'shared', 'key'], 'INVALID_REQUEST'),
  r('no flag, key given → KmsKeyId needs Encrypted=true', ['no flag', 'EBD off', 'encrypted', 'owned', 'key'], 'INVALID_REQUEST'),
  r('no flag, key given → KmsKeyId needs Encrypted=true', ['no flag', 'EBD off', 'encrypted', 'shared', 'key'], 'INVALID_REQUEST'),
  r('no flag, key given → KmsKeyId needs Encrypted=true even under EBD', ['no flag', 'EBD on', 'unencrypted', 'owned', 'key'], 'INVALID_REQUEST'),
  r('no flag, key given → KmsKeyId needs Encrypted=true even under EBD', ['no flag', 'EBD on', 'unencrypted', 'shared', 'key'], 'INVALID_REQUEST'),
  r('no flag, key given → KmsKeyId needs Encrypted=true even under EBD', ['no flag', 'EBD on', 'encrypted', 'owned', 'key'], 'INVALID_REQUEST'),
  r('no flag, key given → KmsKeyId needs Encrypted=true even under EBD', ['no flag', 'EBD on', 'encrypted', 'shared', 'key'], 'INVALID_REQUEST'),
  r('unencrypted source, no flag, EBD off → unencrypted copy', ['no flag', 'EBD off', 'unencrypted', 'owned', 'no key'], 'unencrypted'),
  r('unencrypted shared source, no flag, EBD off → unencrypted copy', ['no flag', 'EBD off', 'unencrypted', 'shared', 'no key'], 'unencrypted'),
  r('owned encrypted source, no key → same key as the source', ['no flag', 'EBD off', 'encrypted', 'owned', 'no key'], 'source-key'),
  r('shared encrypted source, no key → default EBS key', ['no flag', 'EBD off', 'encrypted', 'shared', 'no key'], 'default-key'),
  r('unencrypted source, no flag, EBD on → default key', ['no flag', 'EBD on', 'unencrypted', 'owned', 'no key'], 'default-key'),
  r('unencrypted shared source, no flag, EBD on → default key', ['no flag', 'EBD on', 'unencrypted', 'shared', 'no key'], 'default-key'),
  r('owned encrypted source, no key, EBD on → still the source key', ['no flag', 'EBD on', 'encrypted', 'owned', 'no key'], 'source-key'),
  r('shared encrypted source, no key, EBD on → default EBS key', ['no flag', 'EBD on', 'encrypted', 'shared', 'no key'], 'default-key'),
  // Encrypted=true.
  r('flag=true, key given → that key', ['flag=true', 'EBD off', 'unencrypted', 'owned', 'key'], 'given-key', 'E+K'),
  r('flag=true, key given → that key', ['flag=true', 'EBD off', 'unencrypted', 'shared', 'key'], 'given-key', 'E+K'),
  r('flag=true, key given → re-encrypted under that key', ['flag=true', 'EBD off', 'encrypted', 'owned', 'key'], 'given-key', 'E+K'),
  r('flag=true, key given → re-encrypted under that key', ['flag=true', 'EBD off', 'encrypted', 'shared', 'key'], 'given-key', 'E+K'),
  r('flag=true, key given, EBD on → that key, Encrypted still sent', ['flag=true', 'EBD on', 'unencrypted', 'owned', 'key'], 'given-key', 'E+K'),
  r('flag=true, key given, EBD on → that key, Encrypted still sent', ['flag=true', 'EBD on', 'unencrypted', 'shared', 'key'], 'given-key', 'E+K'),
  r('flag=true, key given, EBD on → re-encrypted under that key', ['flag=true', 'EBD on', 'encrypted', 'owned', 'key'], 'given-key', 'E+K'),
  r('flag=true, key given, EBD on → re-encrypted under that key', ['flag=true', 'EBD on', 'encrypted', 'shared', 'key'], 'given-key', 'E+K'),
  r('unencrypted source, flag=true, no key → default key', ['flag=true', 'EBD off', 'unencrypted', 'owned', 'no key'], 'default-key', 'E'),
  r('unencrypted shared source, flag=true, no key → default key', ['flag=true', 'EBD off', 'unencrypted', 'shared', 'no key'], 'default-key', 'E'),
  r('owned encrypted source, flag=true, no key → source key, flag not needed', ['flag=true', 'EBD off', 'encrypted', 'owned', 'no key'], 'source-key'),
  r('shared encrypted source, flag=true, no key → default key, flag not needed', ['flag=true', 'EBD off', 'encrypted', 'shared', 'no key'], 'default-key'),
  r('unencrypted source, flag=true, EBD on → default key, Encrypted still sent', ['flag=true', 'EBD on', 'unencrypted', 'owned', 'no key'], 'default-key', 'E'),
  r('unencrypted shared source, flag=true, EBD on → default key, Encrypted sent', ['flag=true', 'EBD on', 'unencrypted', 'shared', 'no key'], 'default-key', 'E'),
  r('owned encrypted source, flag=true, EBD on, no key → source key', ['flag=true', 'EBD on', 'encrypted', 'owned', 'no key'], 'source-key'),
  r('shared encrypted source, flag=true, EBD on, no key → default key', ['flag=true', 'EBD on', 'encrypted', 'shared', 'no key'], 'default-key'),
  // Encrypted=false.
  r('flag=false, key given → KmsKeyId needs Encrypted=true', ['flag=false', 'EBD off', 'unencrypted', 'owned', 'key'], 'INVALID_REQUEST'),
  r('flag=false, key given → KmsKeyId needs Encrypted=true', ['flag=false', 'EBD off', 'unencrypted', 'shared', 'key'], 'INVALID_REQUEST'),
  r('flag=false, key given → key error before the decrypt error', ['flag=false', 'EBD off', 'encrypted', 'owned', 'key'], 'INVALID_REQUEST'),
  r('flag=false, key given → key error before the decrypt error', ['flag=false', 'EBD off', 'encrypted', 'shared', 'key'], 'INVALID_REQUEST'),
  r('flag=false, key given, EBD on → KmsKeyId needs Encrypted=true', ['flag=false', 'EBD on', 'unencrypted', 'owned', 'key'], 'INVALID_REQUEST'),
  r('flag=false, key given, EBD on → KmsKeyId needs Encrypted=true', ['flag=false', 'EBD on', 'unencrypted', 'shared', 'key'], 'INVALID_REQUEST'),
  r('flag=false, key given, EBD on → KmsKeyId needs Encrypted=true', ['flag=false', 'EBD on', 'encrypted', 'owned', 'key'], 'INVALID_REQUEST'),
  r('flag=false, key given, EBD on → KmsKeyId needs Encrypted=true', ['flag=false', 'EBD on', 'encrypted', 'shared', 'key'], 'INVALID_REQUEST'),
  r('unencrypted source, flag=false, EBD off → unencrypted, false not sent', ['flag=false', 'EBD off', 'unencrypted', 'owned', 'no key'], 'unencrypted'),
  r('unencrypted shared source, flag=false, EBD off → unencrypted', ['flag=false', 'EBD off', 'unencrypted', 'shared', 'no key'], 'unencrypted'),
  r('encrypted source, flag=false → AWS cannot decrypt on copy', ['flag=false', 'EBD off', 'encrypted', 'owned', 'no key'], 'ENCRYPTION_RULE'),
  r('encrypted shared source, flag=false → AWS cannot decrypt on copy', ['flag=false', 'EBD off', 'encrypted', 'shared', 'no key'], 'ENCRYPTION_RULE'),
  r('unencrypted source, flag=false, EBD on → EBD forbids unencrypted copies', ['flag=false', 'EBD on', 'unencrypted', 'owned', 'no key'], 'ENCRYPTION_RULE'),
  r('unencrypted shared source, flag=false, EBD on → EBD forbids it', ['flag=false', 'EBD on', 'unencrypted', 'shared', 'no key'], 'ENCRYPTION_RULE'),
  r('encrypted source, flag=false, EBD on → AWS cannot decrypt on copy', ['flag=false', 'EBD on', 'encrypted', 'owned', 'no key'], 'ENCRYPTION_RULE'),
  r('encrypted shared source, flag=false, EBD on → cannot decrypt', ['flag=false', 'EBD on', 'encrypted', 'shared', 'no key'], 'ENCRYPTION_RULE'),
];

// KMS keys are regional: an owned encrypted source copied to another region with no key
// cannot keep its key and gets the destination region's default EBS key.
// biome-ignore format: one row per line keeps the table readable
const CROSS_REGION: Row[] = [
  { ...r('owned encrypted source to another region, no flag, no key → destination default key', ['no flag', 'EBD off', 'encrypted', 'owned', 'no key'], 'default-key'), region: 'cross region' },
  { ...r('owned encrypted source to another region, no flag, EBD on → destination default key', ['no flag', 'EBD on', 'encrypted', 'owned', 'no key'], 'default-key'), region: 'cross region' },
  { ...r('owned encrypted source to another region, flag=true, no key → destination default key', ['flag=true', 'EBD off', 'encrypted', 'owned', 'no key'], 'default-key'), region: 'cross region' },
  { ...r('owned encrypted source to another region, flag=true, EBD on → destination default key', ['flag=true', 'EBD on', 'encrypted', 'owned', 'no key'], 'default-key'), region: 'cross region' },
  { ...r('owned encrypted source to another region, flag=false → cannot decrypt', ['flag=false', 'EBD off', 'encrypted', 'owned', 'no key'], 'ENCRYPTION_RULE'), region: 'cross region' },
  { ...r('owned encrypted source to another region, key given → that key', ['flag=true', 'EBD off', 'encrypted', 'owned', 'key'], 'given-key', 'E+K'), region: 'cross region' },
  { ...r('shared encrypted source to another region, no key → destination default key', ['no flag', 'EBD off', 'encrypted', 'shared', 'no key'], 'default-key'), region: 'cross region' },
  { ...r('unencrypted source to another region, no flag, EBD off → unencrypted', ['no flag', 'EBD off', 'unencrypted', 'owned', 'no key'], 'unencrypted'), region: 'cross region' },
  { ...r('unencrypted source to another region, no flag, EBD on → destination default key', ['no flag', 'EBD on', 'unencrypted', 'owned', 'no key'], 'default-key'), region: 'cross region' },
];

/** vitest truncates `$field` names; `%s` on a plain string keeps the whole rule readable. */
const named = (rows: Row[]) =>
  rows.map(
    (row) =>
      [
        `${row.rule} [${row.flag}, ${row.ebd}, ${row.src}, ${row.own}, ${row.key}, ${row.region}]`,
        row,
      ] as const,
  );

function check(_name: string, row: Row): void {
  const run = () => resolveAwsEncryption(buildInput(row));
  if (row.expect === 'INVALID_REQUEST' || row.expect === 'ENCRYPTION_RULE') {
    let caught: unknown;
    try {
      run();
    } catch (err) {
      caught = err;
    }
    expect(isSnapcopyError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: row.expect, provider: 'aws' });
    if (row.expect === 'INVALID_REQUEST') {
      expect(caught).toMatchObject({ issues: [{ path: 'encryption.kmsKeyId' }] });
    }
    return;
  }
  const out = run();
  if (row.expect === 'unencrypted') {
    expect(out.encryption).toEqual({ encrypted: false, keySource: 'none' });
  } else {
    expect(out.encryption).toEqual({
      encrypted: true,
      kmsKeyId: KEY_OF[row.expect](row),
      keySource: row.expect,
    });
  }
  const wire =
    row.wire === 'E+K'
      ? { Encrypted: true, KmsKeyId: GIVEN_KEY }
      : row.wire === 'E'
        ? { Encrypted: true }
        : {};
  expect(out.wire).toStrictEqual(wire);
  expect(out.reasons.length).toBeGreaterThan(0);
}

describe('resolveAwsEncryption', () => {
  it.each(named(SAME_REGION))('%s', check);
  it.each(named(CROSS_REGION))('%s', check);

  it('the same-region table covers every combination of the five dimensions exactly once', () => {
    const seen = SAME_REGION.map((row) => [row.flag, row.ebd, row.src, row.own, row.key].join('|'));
    expect(new Set(seen).size).toBe(SAME_REGION.length);
    expect(SAME_REGION).toHaveLength(3 * 2 * 2 * 2 * 2);
  });

  // Region changes nothing except where the source's key cannot follow the copy.
  const REGION_INVARIANT = SAME_REGION.filter(
    (row) =>
      !(
        row.src === 'encrypted' &&
        row.own === 'owned' &&
        row.key === 'no key' &&
        row.expect === 'source-key'
      ),
  ).map((row) => ({
    ...row,
    rule: `cross region as same region: ${row.rule}`,
    region: 'cross region' as const,
  }));
  it.each(named(REGION_INVARIANT))('%s', check);

  it('uses alias/aws/ebs when the destination default key is not known', () => {
    const out = resolveAwsEncryption({
      request: { encrypted: true },
      source: { region: 'us-east-1', encrypted: false, ownership: 'owned' },
      destination: { region: 'us-east-1', encryptionByDefault: false },
    });
    expect(out.encryption).toEqual({
      encrypted: true,
      kmsKeyId: AWS_EBS_MANAGED_KEY_ALIAS,
      keySource: 'default-key',
    });
  });

  it('rejects an empty key as INVALID_REQUEST', () => {
    expect(() =>
      resolveAwsEncryption({
        request: { encrypted: true, kmsKeyId: '' },
        source: { region: 'us-east-1', encrypted: false, ownership: 'owned' },
        destination: { region: 'us-east-1', encryptionByDefault: false },
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it('property: never an unencrypted copy of an encrypted source, only SnapcopyErrors thrown', () => {
    const region = fc.constantFrom('us-east-1', 'us-west-2', 'eu-central-1');
    const key = fc.option(fc.oneof(fc.constantFrom(SOURCE_KEY, GIVEN_KEY, ''), fc.string()), {
      nil: undefined,
    });
    const input = fc.record({
      request: fc.option(
        fc.record(
          { encrypted: fc.option(fc.boolean(), { nil: undefined }), kmsKeyId: key },
          { requiredKeys: [] },
        ),
        { nil: undefined },
      ),
      source: fc.record({
        region,
        encrypted: fc.boolean(),
        kmsKeyId: key,
        ownership: fc.constantFrom('owned' as const, 'shared' as const),
      }),
      destination: fc.record({ region, encryptionByDefault: fc.boolean(), defaultKmsKeyId: key }),
    });
    fc.assert(
      fc.property(input, (generated) => {
        let out: ReturnType<typeof resolveAwsEncryption>;
        try {
          out = resolveAwsEncryption(generated);
        } catch (err) {
          return isSnapcopyError(err) && (err.code === 'INVALID_REQUEST' || err.code === 'ENCRYPTION_RULE');
        }
        if (generated.source.encrypted && !out.encryption.encrypted) return false;
        if (generated.destination.encryptionByDefault && !out.encryption.encrypted) return false;
        if ((out.wire.KmsKeyId !== undefined) !== (out.encryption.keySource === 'given-key')) return false;
        if (out.wire.KmsKeyId !== undefined && out.wire.Encrypted !== true) return false;
        return out.encryption.encrypted !== (out.encryption.keySource === 'none');
      }),
      { numRuns: 2000 },
    );
  });
});
