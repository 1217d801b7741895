import { isSnapcopyError } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { type AwsKeyRead, type AwsKeyRole, checkAwsKey, keyIdentity } from '../../src/rules/keys.js';

const WEST = 'us-west-2';
const KEY = 'arn:aws:kms:us-west-2:111122223333:key/0d0d0d0d-1111-2222-3333-444444444444';
const found = (over: Partial<Extract<AwsKeyRead, { kind: 'found' }>> = {}): AwsKeyRead => ({
  kind: 'found',
  keyId: '0d0d0d0d-1111-2222-3333-444444444444',
  arn: KEY,
  account: '111122223333',
  state: 'Enabled',
  manager: 'CUSTOMER',
  keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT',
  ...over,
});

interface Row {
  rule: string;
  role?: AwsKeyRole;
  reference: string;
  read: AwsKeyRead;
  /** `kms`/`unread`: the check passes so; a string: the ENCRYPTION_RULE's `details.rule`. */
  expect: 'kms' | 'unread' | string;
  says?: RegExp;
}

// KMS developer guide ("Key identifiers", "Key states of AWS KMS keys"), EBS User Guide
// ("Amazon EBS encryption": symmetric keys only), CopySnapshot API reference (a shared
// snapshot's key must be usable), IAM User Guide ("Troubleshoot access denied error
// messages": the message names the policy type that refused).
const ROWS: Row[] = [
  {
    rule: 'key ARN, enabled, symmetric → resolved and checked',
    reference: KEY,
    read: found(),
    expect: 'kms',
  },
  {
    rule: 'alias name → the key it names (one key, whatever it is called)',
    reference: 'alias/dr-backup',
    read: found(),
    expect: 'kms',
    says: /alias\/dr-backup names arn:aws:kms/,
  },
  {
    rule: 'alias ARN → the key it names',
    reference: 'arn:aws:kms:us-west-2:111122223333:alias/dr-backup',
    read: found(),
    expect: 'kms',
  },
  {
    rule: 'bare key id → the key',
    reference: '0d0d0d0d-1111-2222-3333-444444444444',
    read: found(),
    expect: 'kms',
  },
  {
    rule: 'a key ARN of another region than the destination → refused before any call matters',
    reference: 'arn:aws:kms:eu-west-1:111122223333:key/0d0d0d0d-1111-2222-3333-444444444444',
    read: { kind: 'not-found', message: 'NotFoundException' },
    expect: 'key-in-region',
  },
  {
    rule: 'an alias ARN of another region → refused',
    reference: 'arn:aws:kms:eu-west-1:111122223333:alias/dr-backup',
    read: found(),
    expect: 'key-in-region',
  },
  {
    rule: 'no such key (NotFoundException) → refused',
    reference: 'alias/missing',
    read: { kind: 'not-found', message: "NotFoundException: Alias 'alias/missing' is not found." },
    expect: 'key-exists',
  },
  {
    rule: 'a disabled key → refused',
    reference: KEY,
    read: found({ state: 'Disabled' }),
    expect: 'key-enabled',
  },
  {
    rule: 'a key pending deletion → refused',
    reference: KEY,
    read: found({ state: 'PendingDeletion' }),
    expect: 'key-enabled',
  },
  {
    rule: 'a key waiting for imported material → refused',
    reference: KEY,
    read: found({ state: 'PendingImport' }),
    expect: 'key-enabled',
  },
  {
    rule: 'an asymmetric key → refused (EBS takes symmetric keys only)',
    reference: KEY,
    read: found({ keySpec: 'RSA_2048' }),
    expect: 'key-symmetric',
  },
  {
    rule: "another account's key whose policy keeps this account out → refused",
    reference: 'arn:aws:kms:us-west-2:444455556666:key/0d0d0d0d-1111-2222-3333-444444444444',
    read: {
      kind: 'denied',
      byKeyPolicy: true,
      message: 'because no resource-based policy allows the kms:DescribeKey action',
    },
    expect: 'key-usable-by-account',
  },
  {
    rule: "the source's key of a shared snapshot, not shared with you → refused",
    role: 'source',
    reference: 'arn:aws:kms:us-west-2:444455556666:key/0d0d0d0d-1111-2222-3333-444444444444',
    read: {
      kind: 'denied',
      byKeyPolicy: true,
      message: 'because no resource-based policy allows the kms:DescribeKey action',
    },
    expect: 'key-usable-by-account',
    says: /not shared/,
  },
  {
    rule: "the source's key disabled → refused (AWS could not read the source)",
    role: 'source',
    reference: KEY,
    read: found({ state: 'Disabled' }),
    expect: 'key-enabled',
  },
  {
    rule: 'the AWS managed key alias/aws/ebs not made yet → no refusal (DescribeKey makes it)',
    reference: 'arn:aws:kms:us-west-2:111122223333:alias/aws/ebs',
    read: { kind: 'not-found', message: 'NotFoundException' },
    expect: 'kms',
  },
  {
    rule: 'KMS cannot be read (the caller may not call kms:DescribeKey) → unread, today’s behaviour, said so',
    reference: 'alias/dr-backup',
    read: {
      kind: 'denied',
      byKeyPolicy: false,
      message: 'because no identity-based policy allows the kms:DescribeKey action',
    },
    expect: 'unread',
    says: /could not be read/,
  },
  {
    rule: 'an access-denied message that names no policy → unread, never a guess',
    reference: 'alias/dr-backup',
    read: { kind: 'denied', byKeyPolicy: false, message: 'Access denied' },
    expect: 'unread',
  },
];

describe('checkAwsKey', () => {
  it.each(ROWS.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    let caught: unknown;
    let out: ReturnType<typeof checkAwsKey> | undefined;
    try {
      out = checkAwsKey({ role: row.role ?? 'copy', reference: row.reference, region: WEST, read: row.read });
    } catch (err) {
      caught = err;
    }
    if (row.expect === 'kms' || row.expect === 'unread') {
      expect(caught).toBeUndefined();
      expect(out?.key).toMatchObject({ reference: row.reference, checkedBy: row.expect });
      if (row.expect === 'kms' && row.read.kind === 'found')
        expect(out?.key).toMatchObject({ keyArn: KEY, state: 'Enabled', managedByProvider: false });
      if (row.says) expect(out?.reasons.join('\n')).toMatch(row.says);
      return;
    }
    expect(isSnapcopyError(caught)).toBe(true);
    expect(caught).toMatchObject({
      code: 'ENCRYPTION_RULE',
      details: { scope: 'request', rule: row.expect },
    });
    if (row.says) expect((caught as Error).message).toMatch(row.says);
  });
});

describe('keyIdentity (KMS key identifiers, when KMS could not resolve them)', () => {
  it.each([
    [KEY, 'key/0d0d0d0d-1111-2222-3333-444444444444'],
    ['0d0d0d0d-1111-2222-3333-444444444444', 'key/0d0d0d0d-1111-2222-3333-444444444444'],
    ['arn:aws:kms:us-west-2:111122223333:alias/x', 'alias/x'],
    ['alias/x', 'alias/x'],
    ['mrk-0123456789abcdef0123456789abcdef', 'key/mrk-0123456789abcdef0123456789abcdef'],
  ])('%s → %s', (ref, identity) => {
    expect(keyIdentity(ref)).toBe(identity);
  });
});
