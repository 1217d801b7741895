import { isSnapcopyError } from '@snapcopy/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsEbsCopier } from '../src/index.js';
import {
  fakeEc2,
  OTHER_ACCOUNT,
  OWN_ACCOUNT,
  type RecordedCall,
  TEST_CREDENTIALS,
} from './support/ec2-nock.js';
import { copyCalls, fakeAccount } from './support/fake-account.js';
import { fakeKms } from './support/kms-ebs-nock.js';

const SRC = 'snap-0123456789abcdef0';
const SOURCE_KEY = `arn:aws:kms:us-east-1:${OWN_ACCOUNT}:key/11111111-1111-1111-1111-111111111111`;
const EAST_DEFAULT = `arn:aws:kms:us-east-1:${OWN_ACCOUNT}:key/dddddddd-dddd-dddd-dddd-dddddddddddd`;
const WEST_DEFAULT = `arn:aws:kms:us-west-2:${OWN_ACCOUNT}:key/eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee`;
const GIVEN = 'alias/backup-key';
const GIVEN_IN = (region: string) =>
  `arn:aws:kms:${region}:${OWN_ACCOUNT}:key/${region === 'us-west-2' ? 'bbbbbbbb-2222' : 'bbbbbbbb-1111'}-bbbb-bbbb-bbbbbbbbbbbb`;
/** KMS as the account sees it: the source's key, each region's default key and the given key. */
const KEYS = [
  { arn: SOURCE_KEY },
  { arn: EAST_DEFAULT },
  { arn: WEST_DEFAULT },
  { arn: GIVEN_IN('us-east-1'), aliases: [GIVEN] },
  { arn: GIVEN_IN('us-west-2'), aliases: [GIVEN] },
];

type Flag = 'flag=true' | 'flag=false' | 'no flag';
type Ebd = 'EBD on' | 'EBD off';
type Src = 'unencrypted' | 'encrypted';
type Own = 'owned' | 'shared';
type Key = 'key' | 'no key';
type Region = 'same' | 'cross';
type Expect =
  | 'unencrypted'
  | 'source-key'
  | 'default-key'
  | 'given-key'
  | 'INVALID_REQUEST'
  | 'ENCRYPTION_RULE';
/** On the wire: `E+K` Encrypted=true and KmsKeyId, `E` Encrypted=true only, `-` neither. */
type Wire = 'E+K' | 'E' | '-';
type Row = [rule: string, dims: [Flag, Ebd, Src, Own, Key, Region], expect: Expect, wire: Wire];

// The encryption outcome table (docs/aws-ebs-rules.md, "Encryption outcome of CopySnapshot"; EBS
// User Guide "Encryption and snapshot copying"), one row per combination, checked on the
// exact CopySnapshot parameters the real SDK puts on the wire.
// biome-ignore format: one row per line keeps the table readable
const ROWS: Row[] = [
  ['KmsKeyId needs Encrypted=true', ['no flag', 'EBD off', 'unencrypted', 'owned', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['KmsKeyId needs Encrypted=true', ['no flag', 'EBD off', 'unencrypted', 'shared', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['KmsKeyId needs Encrypted=true', ['no flag', 'EBD off', 'encrypted', 'owned', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['KmsKeyId needs Encrypted=true', ['no flag', 'EBD off', 'encrypted', 'shared', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['KmsKeyId needs Encrypted=true even under EBD', ['no flag', 'EBD on', 'unencrypted', 'owned', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['KmsKeyId needs Encrypted=true even under EBD', ['no flag', 'EBD on', 'unencrypted', 'shared', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['KmsKeyId needs Encrypted=true even under EBD', ['no flag', 'EBD on', 'encrypted', 'owned', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['KmsKeyId needs Encrypted=true even under EBD', ['no flag', 'EBD on', 'encrypted', 'shared', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['unencrypted source, no flag, EBD off → unencrypted, nothing sent', ['no flag', 'EBD off', 'unencrypted', 'owned', 'no key', 'same'], 'unencrypted', '-'],
  ['unencrypted shared source, no flag, EBD off → unencrypted', ['no flag', 'EBD off', 'unencrypted', 'shared', 'no key', 'same'], 'unencrypted', '-'],
  ['owned encrypted source, no key → source key, nothing sent', ['no flag', 'EBD off', 'encrypted', 'owned', 'no key', 'same'], 'source-key', '-'],
  ['shared encrypted source, no key → default key, nothing sent', ['no flag', 'EBD off', 'encrypted', 'shared', 'no key', 'same'], 'default-key', '-'],
  ['unencrypted source, no flag, EBD on → default key, nothing sent', ['no flag', 'EBD on', 'unencrypted', 'owned', 'no key', 'same'], 'default-key', '-'],
  ['unencrypted shared source, no flag, EBD on → default key', ['no flag', 'EBD on', 'unencrypted', 'shared', 'no key', 'same'], 'default-key', '-'],
  ['owned encrypted source, EBD on → still the source key', ['no flag', 'EBD on', 'encrypted', 'owned', 'no key', 'same'], 'source-key', '-'],
  ['shared encrypted source, EBD on → default key', ['no flag', 'EBD on', 'encrypted', 'shared', 'no key', 'same'], 'default-key', '-'],
  ['flag=true + key → Encrypted and KmsKeyId sent', ['flag=true', 'EBD off', 'unencrypted', 'owned', 'key', 'same'], 'given-key', 'E+K'],
  ['flag=true + key → Encrypted and KmsKeyId sent', ['flag=true', 'EBD off', 'unencrypted', 'shared', 'key', 'same'], 'given-key', 'E+K'],
  ['flag=true + key → re-encrypted under that key', ['flag=true', 'EBD off', 'encrypted', 'owned', 'key', 'same'], 'given-key', 'E+K'],
  ['flag=true + key → re-encrypted under that key', ['flag=true', 'EBD off', 'encrypted', 'shared', 'key', 'same'], 'given-key', 'E+K'],
  ['flag=true + key, EBD on → both still sent', ['flag=true', 'EBD on', 'unencrypted', 'owned', 'key', 'same'], 'given-key', 'E+K'],
  ['flag=true + key, EBD on → both still sent', ['flag=true', 'EBD on', 'unencrypted', 'shared', 'key', 'same'], 'given-key', 'E+K'],
  ['flag=true + key, EBD on → re-encrypted', ['flag=true', 'EBD on', 'encrypted', 'owned', 'key', 'same'], 'given-key', 'E+K'],
  ['flag=true + key, EBD on → re-encrypted', ['flag=true', 'EBD on', 'encrypted', 'shared', 'key', 'same'], 'given-key', 'E+K'],
  ['unencrypted source, flag=true → default key, Encrypted sent', ['flag=true', 'EBD off', 'unencrypted', 'owned', 'no key', 'same'], 'default-key', 'E'],
  ['unencrypted shared source, flag=true → default key, Encrypted sent', ['flag=true', 'EBD off', 'unencrypted', 'shared', 'no key', 'same'], 'default-key', 'E'],
  ['owned encrypted source, flag=true → source key, flag not sent', ['flag=true', 'EBD off', 'encrypted', 'owned', 'no key', 'same'], 'source-key', '-'],
  ['shared encrypted source, flag=true → default key, flag not sent', ['flag=true', 'EBD off', 'encrypted', 'shared', 'no key', 'same'], 'default-key', '-'],
  ['unencrypted source, flag=true, EBD on → Encrypted still sent', ['flag=true', 'EBD on', 'unencrypted', 'owned', 'no key', 'same'], 'default-key', 'E'],
  ['unencrypted shared source, flag=true, EBD on → Encrypted sent', ['flag=true', 'EBD on', 'unencrypted', 'shared', 'no key', 'same'], 'default-key', 'E'],
  ['owned encrypted source, flag=true, EBD on → source key', ['flag=true', 'EBD on', 'encrypted', 'owned', 'no key', 'same'], 'source-key', '-'],
  ['shared encrypted source, flag=true, EBD on → default key', ['flag=true', 'EBD on', 'encrypted', 'shared', 'no key', 'same'], 'default-key', '-'],
  ['flag=false + key → KmsKeyId needs Encrypted=true', ['flag=false', 'EBD off', 'unencrypted', 'owned', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['flag=false + key → KmsKeyId needs Encrypted=true', ['flag=false', 'EBD off', 'unencrypted', 'shared', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['flag=false + key → key error first', ['flag=false', 'EBD off', 'encrypted', 'owned', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['flag=false + key → key error first', ['flag=false', 'EBD off', 'encrypted', 'shared', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['flag=false + key, EBD on → KmsKeyId needs Encrypted=true', ['flag=false', 'EBD on', 'unencrypted', 'owned', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['flag=false + key, EBD on → KmsKeyId needs Encrypted=true', ['flag=false', 'EBD on', 'unencrypted', 'shared', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['flag=false + key, EBD on → KmsKeyId needs Encrypted=true', ['flag=false', 'EBD on', 'encrypted', 'owned', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['flag=false + key, EBD on → KmsKeyId needs Encrypted=true', ['flag=false', 'EBD on', 'encrypted', 'shared', 'key', 'same'], 'INVALID_REQUEST', '-'],
  ['unencrypted source, flag=false → unencrypted, no Encrypted=false sent', ['flag=false', 'EBD off', 'unencrypted', 'owned', 'no key', 'same'], 'unencrypted', '-'],
  ['unencrypted shared source, flag=false → unencrypted', ['flag=false', 'EBD off', 'unencrypted', 'shared', 'no key', 'same'], 'unencrypted', '-'],
  ['encrypted source, flag=false → cannot decrypt on copy', ['flag=false', 'EBD off', 'encrypted', 'owned', 'no key', 'same'], 'ENCRYPTION_RULE', '-'],
  ['encrypted shared source, flag=false → cannot decrypt on copy', ['flag=false', 'EBD off', 'encrypted', 'shared', 'no key', 'same'], 'ENCRYPTION_RULE', '-'],
  ['unencrypted source, flag=false, EBD on → EBD forbids it', ['flag=false', 'EBD on', 'unencrypted', 'owned', 'no key', 'same'], 'ENCRYPTION_RULE', '-'],
  ['unencrypted shared source, flag=false, EBD on → EBD forbids it', ['flag=false', 'EBD on', 'unencrypted', 'shared', 'no key', 'same'], 'ENCRYPTION_RULE', '-'],
  ['encrypted source, flag=false, EBD on → cannot decrypt', ['flag=false', 'EBD on', 'encrypted', 'owned', 'no key', 'same'], 'ENCRYPTION_RULE', '-'],
  ['encrypted shared source, flag=false, EBD on → cannot decrypt', ['flag=false', 'EBD on', 'encrypted', 'shared', 'no key', 'same'], 'ENCRYPTION_RULE', '-'],
  // Across regions KMS keys cannot follow: an owned encrypted source gets the destination's default key.
  ['owned encrypted source to another region → destination default key', ['no flag', 'EBD off', 'encrypted', 'owned', 'no key', 'cross'], 'default-key', '-'],
  ['owned encrypted source to another region, EBD on → destination default key', ['no flag', 'EBD on', 'encrypted', 'owned', 'no key', 'cross'], 'default-key', '-'],
  ['owned encrypted source to another region, flag=true → default key, flag not sent', ['flag=true', 'EBD off', 'encrypted', 'owned', 'no key', 'cross'], 'default-key', '-'],
  ['owned encrypted source to another region, flag=true, EBD on → default key', ['flag=true', 'EBD on', 'encrypted', 'owned', 'no key', 'cross'], 'default-key', '-'],
  ['owned encrypted source to another region, flag=false → cannot decrypt', ['flag=false', 'EBD off', 'encrypted', 'owned', 'no key', 'cross'], 'ENCRYPTION_RULE', '-'],
  ['owned encrypted source to another region + key → that key', ['flag=true', 'EBD off', 'encrypted', 'owned', 'key', 'cross'], 'given-key', 'E+K'],
  ['shared encrypted source to another region → destination default key', ['no flag', 'EBD off', 'encrypted', 'shared', 'no key', 'cross'], 'default-key', '-'],
  ['unencrypted source to another region, EBD off → unencrypted', ['no flag', 'EBD off', 'unencrypted', 'owned', 'no key', 'cross'], 'unencrypted', '-'],
  ['unencrypted source to another region, EBD on → destination default key', ['no flag', 'EBD on', 'unencrypted', 'owned', 'no key', 'cross'], 'default-key', '-'],
  ['unencrypted source to another region, flag=true → Encrypted sent', ['flag=true', 'EBD off', 'unencrypted', 'owned', 'no key', 'cross'], 'default-key', 'E'],
];

let done: (() => void) | undefined;
afterEach(() => {
  done?.();
  done = undefined;
});

async function run(row: Row) {
  const [, [flag, ebd, src, own, key, region], expected, wire] = row;
  const destination = region === 'cross' ? 'us-west-2' : 'us-east-1';
  const fake = fakeEc2(
    fakeAccount({
      snapshots: {
        'us-east-1': [
          {
            id: SRC,
            ownerId: own === 'owned' ? OWN_ACCOUNT : OTHER_ACCOUNT,
            encrypted: src === 'encrypted',
            ...(src === 'encrypted' ? { kmsKeyId: SOURCE_KEY } : {}),
          },
        ],
      },
      encryptionByDefault: ebd === 'EBD on',
      defaultKmsKeyId: region === 'cross' ? WEST_DEFAULT : EAST_DEFAULT,
    }),
  );
  const kms = fakeKms(KEYS);
  done = () => {
    kms.done();
    fake.done();
  };
  const copier = createAwsEbsCopier({
    credentials: TEST_CREDENTIALS,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  const request = {
    source: { region: 'us-east-1', snapshotId: SRC },
    destination: { region: destination },
    clientToken: 'token-encryption-table',
    ...(flag === 'no flag' && key === 'no key'
      ? {}
      : {
          encryption: {
            ...(flag === 'no flag' ? {} : { encrypted: flag === 'flag=true' }),
            ...(key === 'key' ? { kmsKeyId: GIVEN } : {}),
          },
        }),
  };
  return { fake, copier, request, expected, wire, destination };
}

const defaultKeyOf = (destination: string) => (destination === 'us-west-2' ? WEST_DEFAULT : EAST_DEFAULT);

describe('CopySnapshot encryption parameters on the wire (nock, real SDK)', () => {
  it.each(ROWS.map((row) => [`${row[0]} [${row[1].join(', ')}]`, row] as const))('%s', async (_name, row) => {
    const { fake, copier, request, expected, wire, destination } = await run(row);
    if (expected === 'INVALID_REQUEST' || expected === 'ENCRYPTION_RULE') {
      const err = await copier.copy(request).catch((e: unknown) => e);
      expect(isSnapcopyError(err)).toBe(true);
      expect(err).toMatchObject({ code: expected });
      expect(copyCalls(fake.calls)).toHaveLength(0);
      // A key without encryption is refused before any request at all.
      if (expected === 'INVALID_REQUEST') expect(fake.calls).toHaveLength(0);
      return;
    }
    const plan = await copier.plan(request);
    const handle = await copier.copy(request, { plan });
    expect(handle.region).toBe(destination);

    const [copy, ...more] = copyCalls(fake.calls);
    expect(more).toHaveLength(0);
    const params = copy!.params;
    // CopySnapshot goes to the destination region's client; the SDK adds DestinationRegion + PresignedUrl.
    expect(copy!.region).toBe(destination);
    expect(copy!.host).toBe(`ec2.${destination}.amazonaws.com`);
    expect(params.DestinationRegion).toBe(destination);
    expect(params.PresignedUrl).toMatch(/^https:\/\/ec2\.us-east-1\.amazonaws\.com\/\?/);
    expect(params.SourceRegion).toBe('us-east-1');
    expect(params.SourceSnapshotId).toBe(SRC);

    const encryptionParams = Object.fromEntries(
      Object.entries(params).filter(([k]) => k === 'Encrypted' || k === 'KmsKeyId'),
    );
    expect(encryptionParams).toStrictEqual(
      wire === 'E+K' ? { Encrypted: 'true', KmsKeyId: GIVEN } : wire === 'E' ? { Encrypted: 'true' } : {},
    );

    const resolved =
      expected === 'unencrypted'
        ? { encrypted: false, keySource: 'none' }
        : {
            encrypted: true,
            keySource: expected,
            kmsKeyId:
              expected === 'given-key'
                ? GIVEN_IN(destination)
                : expected === 'source-key'
                  ? SOURCE_KEY
                  : defaultKeyOf(destination),
          };
    const { key, ...encryption } = plan.encryption;
    expect(encryption).toStrictEqual(resolved);
    // Every key reference is resolved through KMS: the plan names the key by its ARN.
    if (resolved.encrypted)
      expect(key).toMatchObject({ checkedBy: 'kms', keyArn: resolved.kmsKeyId, state: 'Enabled' });
    // The key the copy is tagged with is the resolved one, spelled as the plan shows it.
    const keyTag = Object.entries(params).find(([k, v]) => k.endsWith('.Key') && v === 'snapcopy:key')?.[0];
    expect(params[keyTag!.replace(/Key$/, 'Value')]).toBe(resolved.kmsKeyId ?? 'none');
    if (request.encryption?.kmsKeyId !== undefined) {
      expect(fake.calls.filter((c: RecordedCall) => c.action.startsWith('GetEbs'))).toHaveLength(0);
    }
  });

  it('the table has one row per same-region combination and covers the cross-region rows', () => {
    const same = ROWS.filter((r) => r[1][5] === 'same').map((r) => r[1].slice(0, 5).join('|'));
    expect(new Set(same).size).toBe(48);
    expect(ROWS.filter((r) => r[1][5] === 'cross')).toHaveLength(10);
  });
});
