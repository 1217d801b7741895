import { is, isSnapcopyError, type SnapcopyError } from '@snapcopy/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALIBABA_DEFAULT_SERVICE_KEY, resolveAlibabaEncryption } from '../../src/rules/encryption.js';

const HZ = 'cn-hangzhou';
const SH = 'cn-shanghai';
const CMK = '0e478b7a-4262-4802-b8cb-00d3fb400001';
const SH_ARN = `acs:kms:${SH}:1234567890:key/${CMK}`;
const HZ_ARN = `acs:kms:${HZ}:1234567890:key/${CMK}`;

type Ok = {
  encrypted: boolean;
  kmsKeyId?: string;
  keySource: string;
  wire: Record<string, unknown>;
  cmk: boolean;
  serviceKey: boolean;
};
type Err = { code: string; mirrors?: string };
interface Row {
  rule: string;
  case: string;
  from: string;
  to: string;
  sourceEncrypted: boolean;
  requested?: { encrypted?: boolean; kmsKeyId?: string };
  ok?: Ok;
  err?: Err;
}

const standard: Ok = { encrypted: false, keySource: 'none', wire: {}, cmk: false, serviceKey: false };
const serviceKey: Ok = {
  encrypted: true,
  kmsKeyId: ALIBABA_DEFAULT_SERVICE_KEY,
  keySource: 'default-key',
  wire: { Encrypted: true },
  cmk: false,
  serviceKey: true,
};
const givenCmk = (key: string): Ok => ({
  encrypted: true,
  kmsKeyId: key,
  keySource: 'given-key',
  wire: { Encrypted: true, KMSKeyId: key },
  cmk: true,
  serviceKey: false,
});

const rows: Row[] = [
  // A standard (unencrypted) copy must go to a different region.
  {
    rule: 'same-region-standard-copy',
    case: 'unencrypted source, same region, no flag',
    from: HZ,
    to: HZ,
    sourceEncrypted: false,
    err: { code: 'UNSUPPORTED', mirrors: 'InvalidOperation.NotSupportCopyInSameRegion' },
  },
  {
    rule: 'same-region-standard-copy',
    case: 'unencrypted source, same region, encrypted:false',
    from: HZ,
    to: HZ,
    sourceEncrypted: false,
    requested: { encrypted: false },
    err: { code: 'UNSUPPORTED', mirrors: 'InvalidOperation.NotSupportCopyInSameRegion' },
  },
  {
    rule: 'cross-region-standard-copy',
    case: 'unencrypted source, other region, no flag',
    from: HZ,
    to: SH,
    sourceEncrypted: false,
    ok: standard,
  },
  {
    rule: 'cross-region-standard-copy',
    case: 'unencrypted source, other region, encrypted:false',
    from: HZ,
    to: SH,
    sourceEncrypted: false,
    requested: { encrypted: false },
    ok: standard,
  },
  // An encrypted copy may stay in the region or cross it; no key → free service key.
  {
    rule: 'same-region-encrypted-copy',
    case: 'unencrypted source, same region, encrypted, no key',
    from: HZ,
    to: HZ,
    sourceEncrypted: false,
    requested: { encrypted: true },
    ok: serviceKey,
  },
  {
    rule: 'encrypt-on-copy-default-key',
    case: 'unencrypted source, other region, encrypted, no key',
    from: HZ,
    to: SH,
    sourceEncrypted: false,
    requested: { encrypted: true },
    ok: serviceKey,
  },
  {
    rule: 'encrypt-on-copy-given-key',
    case: 'unencrypted source, other region, key given',
    from: HZ,
    to: SH,
    sourceEncrypted: false,
    requested: { encrypted: true, kmsKeyId: CMK },
    ok: givenCmk(CMK),
  },
  {
    rule: 'encrypt-on-copy-given-key',
    case: 'unencrypted source, same region, key given',
    from: HZ,
    to: HZ,
    sourceEncrypted: false,
    requested: { encrypted: true, kmsKeyId: CMK },
    ok: givenCmk(CMK),
  },
  // Snapshots of encrypted disks must be copied encrypted.
  {
    rule: 'encrypted-source-stays-encrypted',
    case: 'encrypted source, other region, encrypted:false',
    from: HZ,
    to: SH,
    sourceEncrypted: true,
    requested: { encrypted: false },
    err: { code: 'ENCRYPTION_RULE', mirrors: 'InvalidEncrypted.NotSupportDecrypt' },
  },
  {
    rule: 'encrypted-source-stays-encrypted',
    case: 'encrypted source, same region, encrypted:false',
    from: HZ,
    to: HZ,
    sourceEncrypted: true,
    requested: { encrypted: false },
    err: { code: 'ENCRYPTION_RULE', mirrors: 'InvalidEncrypted.NotSupportDecrypt' },
  },
  {
    rule: 'encrypted-source-absent-flag',
    case: 'encrypted source, other region, no flag → Encrypted=true sent',
    from: HZ,
    to: SH,
    sourceEncrypted: true,
    ok: serviceKey,
  },
  {
    rule: 'encrypted-source-absent-flag',
    case: 'encrypted source, same region, no flag → Encrypted=true sent',
    from: HZ,
    to: HZ,
    sourceEncrypted: true,
    ok: serviceKey,
  },
  {
    rule: 'encrypted-source-default-key',
    case: 'encrypted source, other region, encrypted, no key',
    from: HZ,
    to: SH,
    sourceEncrypted: true,
    requested: { encrypted: true },
    ok: serviceKey,
  },
  {
    rule: 'change-key-on-copy',
    case: 'encrypted source, other region, key given',
    from: HZ,
    to: SH,
    sourceEncrypted: true,
    requested: { encrypted: true, kmsKeyId: CMK },
    ok: givenCmk(CMK),
  },
  {
    rule: 'change-key-on-copy',
    case: 'encrypted source, same region, key given (rotation)',
    from: HZ,
    to: HZ,
    sourceEncrypted: true,
    requested: { encrypted: true, kmsKeyId: CMK },
    ok: givenCmk(CMK),
  },
  // KMSKeyId needs Encrypted=true.
  {
    rule: 'key-needs-encrypted',
    case: 'key without flag, unencrypted source',
    from: HZ,
    to: SH,
    sourceEncrypted: false,
    requested: { kmsKeyId: CMK },
    err: { code: 'INVALID_REQUEST', mirrors: 'InvalidEncrypted.NotMatchKmsKeyId' },
  },
  {
    rule: 'key-needs-encrypted',
    case: 'key with encrypted:false',
    from: HZ,
    to: SH,
    sourceEncrypted: false,
    requested: { encrypted: false, kmsKeyId: CMK },
    err: { code: 'INVALID_REQUEST', mirrors: 'InvalidEncrypted.NotMatchKmsKeyId' },
  },
  {
    rule: 'key-needs-encrypted',
    case: 'key without flag, encrypted source',
    from: HZ,
    to: SH,
    sourceEncrypted: true,
    requested: { kmsKeyId: CMK },
    err: { code: 'INVALID_REQUEST', mirrors: 'InvalidEncrypted.NotMatchKmsKeyId' },
  },
  // The key is a KMS key in the destination region.
  {
    rule: 'key-in-destination-region',
    case: 'key ARN in the source region',
    from: HZ,
    to: SH,
    sourceEncrypted: true,
    requested: { encrypted: true, kmsKeyId: HZ_ARN },
    err: { code: 'ENCRYPTION_RULE', mirrors: 'InvalidParameter.KMSKeyId.NotFound' },
  },
  {
    rule: 'key-in-destination-region',
    case: 'key ARN in the destination region',
    from: HZ,
    to: SH,
    sourceEncrypted: true,
    requested: { encrypted: true, kmsKeyId: SH_ARN },
    ok: givenCmk(SH_ARN),
  },
  {
    rule: 'service-key-is-free',
    case: 'service key named explicitly',
    from: HZ,
    to: SH,
    sourceEncrypted: false,
    requested: { encrypted: true, kmsKeyId: ALIBABA_DEFAULT_SERVICE_KEY },
    ok: {
      ...serviceKey,
      keySource: 'given-key',
      wire: { Encrypted: true, KMSKeyId: ALIBABA_DEFAULT_SERVICE_KEY },
    },
  },
];

function caught(fn: () => unknown): SnapcopyError {
  try {
    fn();
  } catch (err) {
    if (isSnapcopyError(err)) return err;
    throw err;
  }
  throw new Error('expected a SnapcopyError');
}

describe('resolveAlibabaEncryption', () => {
  it.each(rows)('[$rule] $case', ({ from, to, sourceEncrypted, requested, ok, err }) => {
    const input = {
      sourceRegion: from,
      destinationRegion: to,
      sourceEncrypted,
      ...(requested ? { requested } : {}),
    };
    if (err) {
      const e = caught(() => resolveAlibabaEncryption(input));
      expect(e.code).toBe(err.code);
      expect(e.provider).toBe('alibaba');
      expect(e.details?.scope).toBe('request');
      expect(e.details?.mirrorsProviderCode).toBe(err.mirrors);
      if (err.code === 'INVALID_REQUEST')
        expect(e.issues.map((i) => i.path)).toEqual(['encryption.kmsKeyId']);
      return;
    }
    const out = resolveAlibabaEncryption(input);
    expect(out.encryption.encrypted).toBe(ok?.encrypted);
    expect(out.encryption.kmsKeyId).toBe(ok?.kmsKeyId);
    expect(out.encryption.keySource).toBe(ok?.keySource);
    expect(out.wire).toEqual(ok?.wire);
    expect(out.kms).toEqual({ customerManagedKey: ok?.cmk, serviceKey: ok?.serviceKey });
    expect(out.reasons.length).toBeGreaterThan(0);
  });

  it('same-region standard refusal names the capability so callers can fall back to an encrypted copy', () => {
    const e = caught(() =>
      resolveAlibabaEncryption({ sourceRegion: HZ, destinationRegion: HZ, sourceEncrypted: false }),
    );
    expect(is(e, 'UNSUPPORTED')).toBe(true);
    expect(e.details).toMatchObject({ scope: 'request', capability: 'sameRegionStandardCopy' });
    const retry = resolveAlibabaEncryption({
      sourceRegion: HZ,
      destinationRegion: HZ,
      sourceEncrypted: false,
      requested: { encrypted: true },
    });
    expect(retry.encryption.encrypted).toBe(true);
  });

  it('a customer key is flagged as possibly charged, the service key as free', () => {
    const cmk = resolveAlibabaEncryption({
      sourceRegion: HZ,
      destinationRegion: SH,
      sourceEncrypted: false,
      requested: { encrypted: true, kmsKeyId: CMK },
    });
    expect(cmk.reasons.join(' ')).toMatch(/may charge/);
    const svc = resolveAlibabaEncryption({
      sourceRegion: HZ,
      destinationRegion: SH,
      sourceEncrypted: false,
      requested: { encrypted: true },
    });
    expect(svc.reasons.join(' ')).toMatch(/alias\/acs\/ecs.*free/);
  });

  it('property: never an unencrypted copy of an encrypted source; only typed errors', () => {
    const region = fc.constantFrom(HZ, SH, 'ap-southeast-1');
    const key = fc.oneof(
      fc.constant(CMK),
      fc.constant(ALIBABA_DEFAULT_SERVICE_KEY),
      fc.constantFrom(SH_ARN, HZ_ARN, 'acs:kms::1:key/x'),
      fc.string({ minLength: 1, maxLength: 40 }),
    );
    const requested = fc.option(
      fc.record({
        encrypted: fc.option(fc.boolean(), { nil: undefined }),
        kmsKeyId: fc.option(key, { nil: undefined }),
      }),
      { nil: undefined },
    );
    fc.assert(
      fc.property(region, region, fc.boolean(), requested, (from, to, sourceEncrypted, req) => {
        let out: ReturnType<typeof resolveAlibabaEncryption>;
        try {
          out = resolveAlibabaEncryption({
            sourceRegion: from,
            destinationRegion: to,
            sourceEncrypted,
            ...(req ? { requested: req } : {}),
          });
        } catch (err) {
          expect(isSnapcopyError(err)).toBe(true);
          expect(['INVALID_REQUEST', 'ENCRYPTION_RULE', 'UNSUPPORTED']).toContain(
            (err as SnapcopyError).code,
          );
          return;
        }
        if (sourceEncrypted) expect(out.encryption.encrypted).toBe(true);
        if (out.encryption.encrypted) {
          expect(out.wire.Encrypted).toBe(true);
          expect(out.encryption.kmsKeyId).toBeDefined();
          expect(out.kms.customerManagedKey !== out.kms.serviceKey).toBe(true);
        } else {
          expect(out.wire).toEqual({});
          expect(from).not.toBe(to);
        }
      }),
      { numRuns: 500 },
    );
  });
});
