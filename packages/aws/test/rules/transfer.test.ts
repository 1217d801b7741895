import { isSnapcopyError, type ResolvedEncryption } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import {
  type AwsTransferInput,
  type AwsTransferOutcome,
  resolveAwsTransfer,
} from '../../src/rules/transfer.js';

const KEY_A = 'arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
const KEY_B = 'arn:aws:kms:us-east-1:111122223333:key/bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb';
const WEST_KEY = 'arn:aws:kms:us-west-2:111122223333:key/cccccccc-cccc-cccc-cccc-cccccccccccc';
const WEST_OTHER = 'arn:aws:kms:us-west-2:111122223333:key/99999999-9999-9999-9999-999999999999';

const PLAIN: ResolvedEncryption = { encrypted: false, keySource: 'none' };
const SAME_KEY_A: ResolvedEncryption = { encrypted: true, kmsKeyId: KEY_A, keySource: 'source-key' };

/** A 100 GiB snapshot of which 8 GiB changed since the previous one, owned, in us-east-1. */
function input(over: {
  source?: Partial<AwsTransferInput['source']>;
  destination?: Partial<AwsTransferInput['destination']>;
  encryption?: ResolvedEncryption;
  lineage?: AwsTransferInput['lineage'];
  timeBased?: boolean;
}): AwsTransferInput {
  return {
    source: {
      region: 'us-east-1',
      ownership: 'owned',
      encrypted: false,
      sizeGiB: 100,
      changedGiB: 8,
      ...over.source,
    },
    destination: { region: 'us-east-1', ...over.destination },
    encryption: over.encryption ?? PLAIN,
    ...(over.lineage === undefined ? {} : { lineage: over.lineage }),
    ...(over.timeBased === undefined ? {} : { timeBased: over.timeBased }),
  };
}

const WEST = { region: 'us-west-2' };
const GiB = (transfer: number, storage: number, timeBased = 0) => ({ transfer, storage, timeBased });

interface Row {
  rule: string;
  input: AwsTransferInput;
  transfer: AwsTransferOutcome['transfer'];
  sizeBasis: AwsTransferOutcome['sizeBasis'];
  billableGiB: AwsTransferOutcome['billableGiB'];
  /** A phrase `reasons` must contain: the explanation is part of the contract. */
  says: RegExp;
}

const ROWS: Row[] = [
  // Same account, same region.
  {
    rule: 'same account and region, unencrypted kept unencrypted → no data copied, free',
    input: input({}),
    transfer: 'none',
    sizeBasis: 'none',
    billableGiB: GiB(0, 0),
    says: /copies no data/,
  },
  {
    rule: 'same account and region, encrypted copy keeps the source key → free',
    input: input({ source: { encrypted: true, kmsKeyId: KEY_A }, encryption: SAME_KEY_A }),
    transfer: 'none',
    sizeBasis: 'none',
    billableGiB: GiB(0, 0),
    says: /charges nothing/,
  },
  {
    rule: 'same account and region, given key equal to the source key → free',
    input: input({
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: { encrypted: true, kmsKeyId: KEY_A, keySource: 'given-key' },
    }),
    transfer: 'none',
    sizeBasis: 'none',
    billableGiB: GiB(0, 0),
    says: /copies no data/,
  },
  {
    rule: 'same account and region, given bare key id of the source key ARN → same key, free',
    input: input({
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: {
        encrypted: true,
        kmsKeyId: 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa',
        keySource: 'given-key',
      },
    }),
    transfer: 'none',
    sizeBasis: 'none',
    billableGiB: GiB(0, 0),
    says: /copies no data/,
  },
  {
    rule: 'same account and region, unencrypted source encrypted on copy → full',
    input: input({ encryption: { encrypted: true, kmsKeyId: KEY_B, keySource: 'default-key' } }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(0, 100),
    says: /encrypts an unencrypted snapshot/,
  },
  {
    rule: 'same account and region, re-encrypted under a new key → full',
    input: input({
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: { encrypted: true, kmsKeyId: KEY_B, keySource: 'given-key' },
    }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(0, 100),
    says: /new key/,
  },
  {
    rule: 'same region, new key, earlier copies with that key present → still full (no same-region incrementality)',
    input: input({
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: { encrypted: true, kmsKeyId: KEY_B, keySource: 'given-key' },
      lineage: { previousCopyPresent: true, copyKeys: [KEY_B] },
    }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(0, 100),
    says: /new key/,
  },
  // Cross region.
  {
    rule: 'first copy to a new region → full, transfer and storage on the snapshot size',
    input: input({ destination: WEST }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /no earlier copy/,
  },
  {
    rule: 'later cross-region copy, earlier copy present, all unencrypted → incremental on the delta',
    input: input({ destination: WEST, lineage: { previousCopyPresent: true, copyKeys: ['none', 'none'] } }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(8, 8),
    says: /changed blocks/,
  },
  {
    rule: "later cross-region copy, earlier copy present, all under this copy's key → incremental",
    input: input({
      destination: WEST,
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: { encrypted: true, kmsKeyId: WEST_KEY, keySource: 'default-key' },
      lineage: { previousCopyPresent: true, copyKeys: [WEST_KEY] },
    }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(8, 8),
    says: /share this copy's key/,
  },
  {
    rule: 'later cross-region copy, most recent earlier copy deleted → full',
    input: input({ destination: WEST, lineage: { previousCopyPresent: false, copyKeys: ['none'] } }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /no earlier copy/,
  },
  {
    rule: 'later cross-region copy, earlier copies under another key → full',
    input: input({
      destination: WEST,
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: { encrypted: true, kmsKeyId: WEST_KEY, keySource: 'given-key' },
      lineage: { previousCopyPresent: true, copyKeys: [WEST_OTHER] },
    }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /share one key/,
  },
  {
    rule: 'later cross-region copy, copies there mix this key and another → full (all must share one key)',
    input: input({
      destination: WEST,
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: { encrypted: true, kmsKeyId: WEST_KEY, keySource: 'given-key' },
      lineage: { previousCopyPresent: true, copyKeys: [WEST_KEY, WEST_OTHER] },
    }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /share one key/,
  },
  {
    rule: 'later cross-region copy, earlier copies encrypted but this one is not → full',
    input: input({ destination: WEST, lineage: { previousCopyPresent: true, copyKeys: [WEST_KEY] } }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /lack of encryption/,
  },
  {
    rule: 'later cross-region copy that encrypts an unencrypted source → full (encryption status changes)',
    input: input({
      destination: WEST,
      encryption: { encrypted: true, kmsKeyId: WEST_KEY, keySource: 'default-key' },
      lineage: { previousCopyPresent: true, copyKeys: [WEST_KEY] },
    }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /changing the encryption status/,
  },
  {
    rule: 'incremental copy with the changed size unknown → bills the full size and says so',
    input: input({
      destination: WEST,
      source: { changedGiB: undefined },
      lineage: { previousCopyPresent: true, copyKeys: ['none'] },
    }),
    transfer: 'incremental',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /changed size is unknown/,
  },
  {
    rule: 'earlier copy present but its keys unknown → full (incrementality unconfirmed)',
    input: input({ destination: WEST, lineage: { previousCopyPresent: true, copyKeys: [] } }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /unknown/,
  },
  {
    rule: 'copy key given as an alias cannot be matched with key ARNs → full (never under-promise)',
    input: input({
      destination: WEST,
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: { encrypted: true, kmsKeyId: 'alias/dr-key', keySource: 'given-key' },
      lineage: { previousCopyPresent: true, copyKeys: [WEST_KEY] },
    }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /share one key/,
  },
  {
    rule: 'changed size above the snapshot size is capped at the snapshot size',
    input: input({
      destination: WEST,
      source: { changedGiB: 250 },
      lineage: { previousCopyPresent: true, copyKeys: ['none'] },
    }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(100, 100),
    says: /100 GiB changed/,
  },
  // Cross account.
  {
    rule: 'snapshot shared with you, same region, first copy → full, no transfer charge',
    input: input({ source: { ownership: 'shared', ownerAccount: '444455556666' } }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(0, 100),
    says: /no data transfer charge/,
  },
  {
    rule: 'snapshot shared with you, same region, earlier copy under the same key → incremental',
    input: input({
      source: { ownership: 'shared', ownerAccount: '444455556666' },
      lineage: { previousCopyPresent: true, copyKeys: ['none'] },
    }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(0, 8),
    says: /your account/,
  },
  {
    rule: 'source owner differs from the destination account → counts as cross-account',
    input: input({ source: { ownerAccount: '444455556666' }, destination: { account: '111122223333' } }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(0, 100),
    says: /no earlier copy/,
  },
  {
    rule: 'shared snapshot to another region with earlier copy → incremental, transfer on the delta',
    input: input({
      source: { ownership: 'shared' },
      destination: WEST,
      lineage: { previousCopyPresent: true, copyKeys: ['none'] },
    }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(8, 8),
    says: /charged per GiB/,
  },
  // Time-based copy fee.
  {
    rule: 'time-based full cross-region copy → fee on every GiB copied',
    input: input({ destination: WEST, timeBased: true }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100, 100),
    says: /time-based copy adds a per-GiB fee/,
  },
  {
    rule: 'time-based incremental copy → fee on the delta only',
    input: input({
      destination: WEST,
      timeBased: true,
      lineage: { previousCopyPresent: true, copyKeys: ['none'] },
    }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(8, 8, 8),
    says: /time-based/,
  },
  {
    rule: 'time-based metadata-only copy → no fee, nothing is copied',
    input: input({ timeBased: true }),
    transfer: 'none',
    sizeBasis: 'none',
    billableGiB: GiB(0, 0, 0),
    says: /copies no data/,
  },
];

describe('resolveAwsTransfer', () => {
  it.each(ROWS.map((row) => [row.rule, row] as const))('%s', (_rule, row) => {
    const out = resolveAwsTransfer(row.input);
    expect({ transfer: out.transfer, sizeBasis: out.sizeBasis, billableGiB: out.billableGiB }).toEqual({
      transfer: row.transfer,
      sizeBasis: row.sizeBasis,
      billableGiB: row.billableGiB,
    });
    expect(out.reasons.join('\n')).toMatch(row.says);
  });

  const BAD: { rule: string; input: AwsTransferInput; path: string }[] = [
    {
      rule: 'negative snapshot size → INVALID_REQUEST',
      input: input({ source: { sizeGiB: -1 } }),
      path: 'source.sizeGiB',
    },
    {
      rule: 'infinite snapshot size → INVALID_REQUEST',
      input: input({ source: { sizeGiB: Infinity } }),
      path: 'source.sizeGiB',
    },
    {
      rule: 'NaN changed size → INVALID_REQUEST',
      input: input({ source: { changedGiB: Number.NaN } }),
      path: 'source.changedGiB',
    },
  ];
  it.each(BAD.map((row) => [row.rule, row] as const))('%s', (_rule, { input: bad, path }) => {
    let caught: unknown;
    try {
      resolveAwsTransfer(bad);
    } catch (err) {
      caught = err;
    }
    expect(isSnapcopyError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'INVALID_REQUEST', issues: [{ path }] });
  });
});
