import { isSnapcopyError, type SnapcopyError } from '@snapcopy/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALIBABA_DEFAULT_SERVICE_KEY } from '../../src/rules/encryption.js';
import {
  type AlibabaEarlierCopy,
  type AlibabaTransferInput,
  resolveAlibabaTransfer,
} from '../../src/rules/transfer.js';

const HZ = 'cn-hangzhou';
const SH = 'cn-shanghai';
const KEY_A = 'key-a';
const KEY_B = 'key-b';

// Source facts: a 30 GiB snapshot of a 100 GiB disk. Alibaba cannot say how much of it
// changed since an earlier copy: an incremental copy is billed on the 30 GiB as a ceiling.
const UNENC = { encrypted: false, sizeGiB: 30, diskSizeGiB: 100 };
const ENC = { encrypted: true, sizeGiB: 30, diskSizeGiB: 100 };
const STANDARD = { encrypted: false };
const SERVICE_KEY = { encrypted: true, kmsKeyId: ALIBABA_DEFAULT_SERVICE_KEY };
const CMK_A = { encrypted: true, kmsKeyId: KEY_A };
const CMK_B = { encrypted: true, kmsKeyId: KEY_B };
const earlier = (
  c: { encrypted: boolean; kmsKeyId?: string },
  creationTime?: string,
): AlibabaEarlierCopy => ({
  ...c,
  ...(creationTime === undefined ? {} : { creationTime }),
});

interface Row {
  rule: string;
  case: string;
  input: AlibabaTransferInput;
  transfer: 'full' | 'incremental';
  sizeBasis: 'snapshot' | 'disk' | 'delta';
  billable: { transfer: number; storage: number };
  reason: RegExp;
}

const row = (
  rule: string,
  name: string,
  from: string,
  to: string,
  source: AlibabaTransferInput['source'],
  copy: AlibabaTransferInput['copy'],
  earlierCopies: AlibabaEarlierCopy[],
  transfer: Row['transfer'],
  sizeBasis: Row['sizeBasis'],
  billable: Row['billable'],
  reason: RegExp,
): Row => ({
  rule,
  case: name,
  input: { sourceRegion: from, destinationRegion: to, source, copy, earlierCopies },
  transfer,
  sizeBasis,
  billable,
  reason,
});

const rows: Row[] = [
  // Standard copy of an unencrypted snapshot (cross-region only).
  row(
    'first-standard-copy-full-snapshot',
    'first standard copy to another region',
    HZ,
    SH,
    UNENC,
    STANDARD,
    [],
    'full',
    'snapshot',
    { transfer: 30, storage: 30 },
    /first, full copy/,
  ),
  row(
    'later-standard-copy-incremental',
    'earlier standard copy of the lineage present',
    HZ,
    SH,
    UNENC,
    STANDARD,
    [earlier(STANDARD)],
    'incremental',
    'delta',
    { transfer: 30, storage: 30 },
    /only what changed/,
  ),
  row(
    'delta-upper-bound',
    'later standard copy: the change cannot be measured, the snapshot size is its ceiling',
    HZ,
    SH,
    UNENC,
    STANDARD,
    [earlier(STANDARD)],
    'incremental',
    'delta',
    { transfer: 30, storage: 30 },
    /cannot be measured.*upper bound/,
  ),
  // Encrypted copy of an unencrypted snapshot: source disk size.
  row(
    'first-encrypted-copy-of-unencrypted-disk-size',
    'same region, service key',
    HZ,
    HZ,
    UNENC,
    SERVICE_KEY,
    [],
    'full',
    'disk',
    { transfer: 0, storage: 100 },
    /source disk size \(100 GiB\)/,
  ),
  row(
    'first-encrypted-copy-of-unencrypted-disk-size',
    'same region, customer key',
    HZ,
    HZ,
    UNENC,
    CMK_A,
    [],
    'full',
    'disk',
    { transfer: 0, storage: 100 },
    /source disk size/,
  ),
  row(
    'first-encrypted-copy-of-unencrypted-disk-size',
    'cross region (docs silent: larger basis)',
    HZ,
    SH,
    UNENC,
    CMK_A,
    [],
    'full',
    'disk',
    { transfer: 100, storage: 100 },
    /silent on a cross-region one/,
  ),
  row(
    'disk-size-unknown-says-so',
    'first encrypted copy, disk size unknown',
    HZ,
    SH,
    { ...UNENC, diskSizeGiB: undefined },
    CMK_A,
    [],
    'full',
    'snapshot',
    { transfer: 30, storage: 30 },
    /disk size, which is unknown/,
  ),
  row(
    'later-encrypted-copy-same-key-delta',
    'same region, same customer key',
    HZ,
    HZ,
    UNENC,
    CMK_A,
    [earlier(CMK_A)],
    'incremental',
    'delta',
    { transfer: 0, storage: 30 },
    /only what changed/,
  ),
  row(
    'later-encrypted-copy-same-key-delta',
    'cross region, service key (earlier copy recorded without a key id)',
    HZ,
    SH,
    UNENC,
    SERVICE_KEY,
    [earlier({ encrypted: true })],
    'incremental',
    'delta',
    { transfer: 30, storage: 30 },
    /only what changed/,
  ),
  row(
    'delta-upper-bound',
    'later encrypted copy under the same key: delta, the snapshot size as its ceiling',
    HZ,
    SH,
    UNENC,
    CMK_A,
    [earlier(CMK_A)],
    'incremental',
    'delta',
    { transfer: 30, storage: 30 },
    /upper bound/,
  ),
  // A key change starts a new full copy.
  row(
    'key-change-full-copy',
    'earlier copy under another customer key',
    HZ,
    SH,
    UNENC,
    CMK_B,
    [earlier(CMK_A)],
    'full',
    'disk',
    { transfer: 100, storage: 100 },
    /key change starts a new full copy/,
  ),
  row(
    'key-change-full-copy',
    'earlier copy under the service key, now a customer key',
    HZ,
    HZ,
    UNENC,
    CMK_A,
    [earlier(SERVICE_KEY)],
    'full',
    'disk',
    { transfer: 0, storage: 100 },
    /key change/,
  ),
  row(
    'key-change-full-copy',
    'earlier standard copy, now encrypted',
    HZ,
    SH,
    UNENC,
    SERVICE_KEY,
    [earlier(STANDARD)],
    'full',
    'disk',
    { transfer: 100, storage: 100 },
    /unencrypted, this copy is encrypted/,
  ),
  row(
    'key-change-full-copy',
    'earlier encrypted copy, now standard',
    HZ,
    SH,
    UNENC,
    STANDARD,
    [earlier(CMK_A)],
    'full',
    'snapshot',
    { transfer: 30, storage: 30 },
    /this copy is unencrypted: a key change/,
  ),
  // Encrypted copy of an encrypted snapshot: full snapshot size.
  row(
    'encrypted-copy-of-encrypted-full-snapshot',
    'cross region, service key',
    HZ,
    SH,
    ENC,
    SERVICE_KEY,
    [],
    'full',
    'snapshot',
    { transfer: 30, storage: 30 },
    /encrypted copy of an encrypted snapshot.*full snapshot size/,
  ),
  row(
    'encrypted-copy-of-encrypted-full-snapshot',
    'same region key rotation',
    HZ,
    HZ,
    ENC,
    CMK_B,
    [],
    'full',
    'snapshot',
    { transfer: 0, storage: 30 },
    /full snapshot size/,
  ),
  row(
    'later-encrypted-copy-same-key-delta',
    'encrypted source, earlier copy under the same key',
    HZ,
    SH,
    ENC,
    CMK_A,
    [earlier(CMK_A)],
    'incremental',
    'delta',
    { transfer: 30, storage: 30 },
    /only what changed/,
  ),
  row(
    'key-change-full-copy',
    'encrypted source, earlier copy under another key',
    HZ,
    SH,
    ENC,
    CMK_B,
    [earlier(CMK_A)],
    'full',
    'snapshot',
    { transfer: 30, storage: 30 },
    /key change/,
  ),
  // Which earlier copy decides (docs silent: the latest one; unordered → all must match).
  row(
    'latest-earlier-copy-decides',
    'latest earlier copy has another key',
    HZ,
    SH,
    UNENC,
    CMK_A,
    [earlier(CMK_A, '2026-01-01T00:00:00Z'), earlier(CMK_B, '2026-02-01T00:00:00Z')],
    'full',
    'disk',
    { transfer: 100, storage: 100 },
    /latest earlier copy.*key-b/,
  ),
  row(
    'latest-earlier-copy-decides',
    'latest earlier copy has this key',
    HZ,
    SH,
    UNENC,
    CMK_A,
    [earlier(CMK_B, '2026-01-01T00:00:00Z'), earlier(CMK_A, '2026-02-01T00:00:00Z')],
    'incremental',
    'delta',
    { transfer: 30, storage: 30 },
    /only what changed/,
  ),
  row(
    'unordered-earlier-copies-all-must-match',
    'no creation times, mixed keys',
    HZ,
    SH,
    UNENC,
    CMK_A,
    [earlier(CMK_A), earlier(CMK_B)],
    'full',
    'disk',
    { transfer: 100, storage: 100 },
    /no creation time/,
  ),
  row(
    'unordered-earlier-copies-all-must-match',
    'no creation times, all this key',
    HZ,
    SH,
    UNENC,
    CMK_A,
    [earlier(CMK_A), earlier(CMK_A)],
    'incremental',
    'delta',
    { transfer: 30, storage: 30 },
    /no creation time/,
  ),
  // Transfer is charged across regions only.
  row(
    'transfer-cross-region-only',
    'cross-region copy bills transfer on the basis',
    HZ,
    SH,
    ENC,
    CMK_A,
    [],
    'full',
    'snapshot',
    { transfer: 30, storage: 30 },
    /Data transfer from cn-hangzhou to cn-shanghai is charged per GiB/,
  ),
  row(
    'transfer-cross-region-only',
    'same-region copy bills no transfer, stores the basis',
    HZ,
    HZ,
    ENC,
    CMK_A,
    [],
    'full',
    'snapshot',
    { transfer: 0, storage: 30 },
    /no transfer is charged/,
  ),
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

describe('resolveAlibabaTransfer', () => {
  it.each(rows)('[$rule] $case', ({ input, transfer, sizeBasis, billable, reason }) => {
    const out = resolveAlibabaTransfer(input);
    expect(out.transfer).toBe(transfer);
    expect(out.sizeBasis).toBe(sizeBasis);
    expect(out.billableGiB).toEqual({ ...billable, timeBased: 0 });
    expect(out.reasons.join(' ')).toMatch(reason);
    // Every incremental copy states that its delta is an upper bound, never measured.
    expect(out.delta?.measured).toBe(transfer === 'incremental' ? 'upper-bound' : undefined);
  });

  const refusals: { rule: string; case: string; input: AlibabaTransferInput; code: string }[] = [
    {
      rule: 'same-region-standard-copy',
      case: 'standard copy into the source region',
      input: { sourceRegion: HZ, destinationRegion: HZ, source: UNENC, copy: STANDARD },
      code: 'UNSUPPORTED',
    },
    {
      rule: 'encrypted-source-stays-encrypted',
      case: 'unencrypted copy of an encrypted source',
      input: { sourceRegion: HZ, destinationRegion: SH, source: ENC, copy: STANDARD },
      code: 'ENCRYPTION_RULE',
    },
    {
      rule: 'size-facts',
      case: 'negative snapshot size',
      input: { sourceRegion: HZ, destinationRegion: SH, source: { ...UNENC, sizeGiB: -1 }, copy: STANDARD },
      code: 'INVALID_REQUEST',
    },
    {
      rule: 'size-facts',
      case: 'non-finite disk size',
      input: {
        sourceRegion: HZ,
        destinationRegion: SH,
        source: { ...UNENC, diskSizeGiB: Number.POSITIVE_INFINITY },
        copy: { encrypted: true },
      },
      code: 'INVALID_REQUEST',
    },
  ];

  it.each(refusals)('[$rule] refuses: $case', ({ input, code }) => {
    const e = caught(() => resolveAlibabaTransfer(input));
    expect(e.code).toBe(code);
    expect(e.details?.scope).toBe('request');
  });

  it('property: billed GiB are never below the full basis unless an earlier copy has the same key', () => {
    const key = fc.constantFrom<{ encrypted: boolean; kmsKeyId?: string }>(
      STANDARD,
      SERVICE_KEY,
      CMK_A,
      CMK_B,
    );
    fc.assert(
      fc.property(
        fc.constantFrom(HZ, SH),
        fc.boolean(),
        fc.nat(2000),
        fc.nat(2000),
        key,
        fc.array(key, { maxLength: 3 }),
        (to, srcEnc, size, extra, copy, prior) => {
          const source = { encrypted: srcEnc, sizeGiB: size, diskSizeGiB: size + extra };
          const input = { sourceRegion: HZ, destinationRegion: to, source, copy, earlierCopies: prior };
          let out: ReturnType<typeof resolveAlibabaTransfer>;
          try {
            out = resolveAlibabaTransfer(input);
          } catch (err) {
            expect(isSnapcopyError(err)).toBe(true);
            expect((srcEnc && !copy.encrypted) || (to === HZ && !copy.encrypted)).toBe(true);
            return;
          }
          expect(out.billableGiB.timeBased).toBe(0);
          expect(out.billableGiB.transfer).toBe(to === HZ ? 0 : out.billableGiB.storage);
          if (out.transfer === 'full') {
            const basis = copy.encrypted && !srcEnc ? size + extra : size;
            expect(out.billableGiB.storage).toBe(basis);
          } else {
            const k = (c: { encrypted: boolean; kmsKeyId?: string }) =>
              c.encrypted ? (c.kmsKeyId ?? ALIBABA_DEFAULT_SERVICE_KEY) : 'none';
            // No creation times here, so incremental needs every earlier copy under this key.
            expect(prior.length).toBeGreaterThan(0);
            expect(prior.every((p) => k(p) === k(copy))).toBe(true);
            expect(out.billableGiB.storage).toBe(size);
            expect(out.delta).toMatchObject({ measured: 'upper-bound', gib: size });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
