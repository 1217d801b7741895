import { describe, expect, it } from 'vitest';
import {
  type EcsBillingInput,
  ecsCopyBilling,
  mostRecentCompletedCopy,
  resolveEcsCopyEncryption,
} from '../../src/ecs/index.js';

describe('resolveEcsCopyEncryption', () => {
  const rows: Array<{
    rule: string;
    sourceEncrypted: boolean;
    encryptedParam: boolean | undefined;
    kmsKeyGiven: boolean;
    sameRegion: boolean;
    expected: string;
  }> = [
    {
      rule: 'standard cross-region copy stays unencrypted',
      sourceEncrypted: false,
      encryptedParam: undefined,
      kmsKeyGiven: false,
      sameRegion: false,
      expected: 'plain',
    },
    {
      rule: 'Encrypted=false on an unencrypted source is a standard copy',
      sourceEncrypted: false,
      encryptedParam: false,
      kmsKeyGiven: false,
      sameRegion: false,
      expected: 'plain',
    },
    {
      rule: 'standard copy in the same region is refused',
      sourceEncrypted: false,
      encryptedParam: undefined,
      kmsKeyGiven: false,
      sameRegion: true,
      expected: 'InvalidOperation.NotSupportCopyInSameRegion',
    },
    {
      rule: 'Encrypted=true without a key uses the service key',
      sourceEncrypted: false,
      encryptedParam: true,
      kmsKeyGiven: false,
      sameRegion: false,
      expected: 'service',
    },
    {
      rule: 'Encrypted=true with a key uses that key',
      sourceEncrypted: false,
      encryptedParam: true,
      kmsKeyGiven: true,
      sameRegion: false,
      expected: 'given',
    },
    {
      rule: 'encrypted copy in the same region is allowed',
      sourceEncrypted: false,
      encryptedParam: true,
      kmsKeyGiven: true,
      sameRegion: true,
      expected: 'given',
    },
    {
      rule: 'KMSKeyId without Encrypted is refused',
      sourceEncrypted: false,
      encryptedParam: undefined,
      kmsKeyGiven: true,
      sameRegion: false,
      expected: 'InvalidEncrypted.NotMatchKmsKeyId',
    },
    {
      rule: 'KMSKeyId with Encrypted=false is refused',
      sourceEncrypted: true,
      encryptedParam: false,
      kmsKeyGiven: true,
      sameRegion: false,
      expected: 'InvalidEncrypted.NotMatchKmsKeyId',
    },
    {
      rule: 'an encrypted source cannot be decrypted by Encrypted=false',
      sourceEncrypted: true,
      encryptedParam: false,
      kmsKeyGiven: false,
      sameRegion: false,
      expected: 'InvalidEncrypted.NotSupportDecrypt',
    },
    {
      rule: 'an encrypted source without Encrypted stays encrypted (service key)',
      sourceEncrypted: true,
      encryptedParam: undefined,
      kmsKeyGiven: false,
      sameRegion: false,
      expected: 'service',
    },
    {
      rule: 'an encrypted source re-keyed in the same region is allowed',
      sourceEncrypted: true,
      encryptedParam: true,
      kmsKeyGiven: true,
      sameRegion: true,
      expected: 'given',
    },
  ];
  it.each(rows)('$rule', ({ expected, rule: _rule, ...input }) => {
    const out = resolveEcsCopyEncryption(input);
    const got = out.kind === 'refused' ? out.code : out.encrypted ? out.key : 'plain';
    expect(got).toBe(expected);
  });
});

describe('ecsCopyBilling ("Copy a snapshot" billing table)', () => {
  const base: EcsBillingInput = {
    sourceEncrypted: false,
    copyEncrypted: false,
    snapshotSizeGiB: 60,
    diskSizeGiB: 100,
  };
  const prior = (encrypted: boolean, keyId?: string) => ({
    mostRecentCopy: { encrypted, ...(keyId !== undefined ? { keyId } : {}), deltaGiB: 5 },
  });
  const rows: Array<{
    rule: string;
    input: Partial<EcsBillingInput>;
    basis: string;
    transfer: string;
    gib: number;
  }> = [
    {
      rule: 'first standard copy: full snapshot size',
      input: {},
      basis: 'snapshot',
      transfer: 'full',
      gib: 60,
    },
    {
      rule: 'later standard copy, the most recent copy there is standard: delta since its source',
      input: prior(false),
      basis: 'delta',
      transfer: 'incremental',
      gib: 5,
    },
    {
      rule: 'first encrypted copy of an unencrypted snapshot: source disk size',
      input: { copyEncrypted: true, copyKeyId: 'svc' },
      basis: 'disk',
      transfer: 'full',
      gib: 100,
    },
    {
      rule: 'encrypted copy of an encrypted snapshot: full snapshot size',
      input: { sourceEncrypted: true, copyEncrypted: true, copyKeyId: 'svc' },
      basis: 'snapshot',
      transfer: 'full',
      gib: 60,
    },
    {
      rule: 'later encrypted copy, the most recent copy under the same key: delta',
      input: { copyEncrypted: true, copyKeyId: 'svc', ...prior(true, 'svc') },
      basis: 'delta',
      transfer: 'incremental',
      gib: 5,
    },
    {
      rule: 'key change on an unencrypted source: a new full copy, the disk size',
      input: { copyEncrypted: true, copyKeyId: 'cmk', ...prior(true, 'svc') },
      basis: 'disk',
      transfer: 'full',
      gib: 100,
    },
    {
      rule: 'key change on an encrypted source: a new full copy, the snapshot size',
      input: { sourceEncrypted: true, copyEncrypted: true, copyKeyId: 'cmk', ...prior(true, 'svc') },
      basis: 'snapshot',
      transfer: 'full',
      gib: 60,
    },
    {
      rule: 'encrypted copy after standard copies: the first encrypted copy, the disk size',
      input: { copyEncrypted: true, copyKeyId: 'svc', ...prior(false) },
      basis: 'disk',
      transfer: 'full',
      gib: 100,
    },
    {
      rule: 'standard copy after an encrypted copy: full snapshot size',
      input: prior(true, 'svc'),
      basis: 'snapshot',
      transfer: 'full',
      gib: 60,
    },
  ];
  it.each(rows)('$rule', ({ input, basis, transfer, gib }) => {
    expect(ecsCopyBilling({ ...base, ...input })).toEqual({ sizeBasis: basis, transfer, gib });
  });

  it('the most recent completed copy is the base; pending and failed ones are not', () => {
    const copies = [
      { id: 'a', state: 'completed', completedAt: 10 },
      { id: 'b', state: 'completed', completedAt: 30 },
      { id: 'c', state: 'pending' },
      { id: 'd', state: 'error' },
    ];
    expect(mostRecentCompletedCopy(copies)?.id).toBe('b');
    expect(mostRecentCompletedCopy([])).toBeUndefined();
  });
});
