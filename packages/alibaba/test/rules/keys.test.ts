import { isSnapcopyError } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { type AlibabaKeyRead, checkAlibabaKey } from '../../src/rules/keys.js';

const SH = 'cn-shanghai';
const found = (over: Partial<Extract<AlibabaKeyRead, { kind: 'found' }>> = {}): AlibabaKeyRead => ({
  kind: 'found',
  keyId: 'key-sh-0001',
  arn: 'acs:kms:cn-shanghai:1234567890123456:key/key-sh-0001',
  state: 'Enabled',
  keySpec: 'Aliyun_AES_256',
  keyUsage: 'ENCRYPT/DECRYPT',
  creator: '1234567890123456',
  ...over,
});

interface Row {
  rule: string;
  case: string;
  reference: string;
  read: AlibabaKeyRead;
  kmsReadable?: boolean;
  /** `kms`/`unread`: accepted so; else the refusal's ECS code it mirrors. */
  expect: 'kms' | 'unread' | string;
}

// KMS API reference (DescribeKey: id, alias or ARN; public error codes), "Impact of CMK
// status on API operations", ECS CopySnapshot API reference (InvalidParameter.KMSKeyId.*).
const ROWS: Row[] = [
  {
    rule: 'one-key-whatever-its-name',
    case: 'key id',
    reference: 'key-sh-0001',
    read: found(),
    expect: 'kms',
  },
  {
    rule: 'one-key-whatever-its-name',
    case: 'alias',
    reference: 'alias/backup',
    read: found(),
    expect: 'kms',
  },
  {
    rule: 'one-key-whatever-its-name',
    case: 'key ARN',
    reference: 'acs:kms:cn-shanghai:1234567890123456:key/key-sh-0001',
    read: found(),
    expect: 'kms',
  },
  {
    rule: 'key-exists',
    case: 'no such key',
    reference: 'key-missing',
    read: { kind: 'not-found', message: 'Forbidden.KeyNotFound' },
    expect: 'InvalidParameter.KMSKeyId.NotFound',
  },
  {
    rule: 'key-exists',
    case: 'no such alias',
    reference: 'alias/missing',
    read: { kind: 'not-found', message: 'Forbidden.AliasNotFound' },
    expect: 'InvalidParameter.KMSKeyId.NotFound',
  },
  {
    rule: 'service-key-made-on-first-use',
    case: 'the ECS service key not created yet in the region',
    reference: 'alias/acs/ecs',
    read: { kind: 'not-found', message: 'Forbidden.AliasNotFound' },
    expect: 'kms',
  },
  {
    rule: 'key-enabled',
    case: 'disabled',
    reference: 'alias/off',
    read: found({ state: 'Disabled' }),
    expect: 'InvalidParameter.KMSKeyId.CMKNotEnabled',
  },
  {
    rule: 'key-enabled',
    case: 'pending deletion',
    reference: 'alias/going',
    read: found({ state: 'PendingDeletion' }),
    expect: 'InvalidParameter.KMSKeyId.CMKNotEnabled',
  },
  {
    rule: 'key-enabled',
    case: 'pending import',
    reference: 'alias/byok',
    read: found({ state: 'PendingImport' }),
    expect: 'InvalidParameter.KMSKeyId.CMKNotEnabled',
  },
  {
    rule: 'key-symmetric',
    case: 'an asymmetric signing key',
    reference: 'alias/sign',
    read: found({ keySpec: 'RSA_2048', keyUsage: 'SIGN/VERIFY' }),
    expect: 'InvalidKMSKeyId.NotSymmetric',
  },
  {
    rule: 'key-usable-by-account',
    case: "another account's key refused while KMS answers this account",
    reference: 'acs:kms:cn-shanghai:6543210987654321:key/key-theirs',
    read: { kind: 'denied', message: 'Forbidden.NoPermission' },
    kmsReadable: true,
    expect: 'InvalidParameter.KMSKeyId.CMKUnauthorized',
  },
  {
    rule: 'kms-unreadable-falls-back',
    case: 'every DescribeKey refused: not resolved, not checked, said so',
    reference: 'alias/backup',
    read: { kind: 'denied', message: 'Forbidden.NoPermission' },
    kmsReadable: false,
    expect: 'unread',
  },
];

describe('checkAlibabaKey', () => {
  it.each(ROWS.map((r) => [`[${r.rule}] ${r.case}`, r] as const))('%s', (_name, row) => {
    let out: ReturnType<typeof checkAlibabaKey> | undefined;
    let caught: unknown;
    try {
      out = checkAlibabaKey({
        reference: row.reference,
        region: SH,
        read: row.read,
        ...(row.kmsReadable === undefined ? {} : { kmsReadable: row.kmsReadable }),
      });
    } catch (err) {
      caught = err;
    }
    if (row.expect === 'kms' || row.expect === 'unread') {
      expect(caught).toBeUndefined();
      expect(out?.key).toMatchObject({ reference: row.reference, checkedBy: row.expect });
      if (row.expect === 'unread') expect(out?.reasons.join(' ')).toMatch(/could not be read/);
      if (row.expect === 'kms' && row.read.kind === 'found') expect(out?.key.keyId).toBe('key-sh-0001');
      return;
    }
    expect(isSnapcopyError(caught)).toBe(true);
    expect(caught).toMatchObject({
      code: 'ENCRYPTION_RULE',
      details: { scope: 'request', rule: row.rule, mirrorsProviderCode: row.expect },
    });
  });
});
