import { isSnapcopyError, type ResolvedEncryption } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import type { AwsLineageCopy } from '../../src/rules/lineage.js';
import {
  type AwsDeltaRead,
  type AwsDestinationLineage,
  type AwsTransferInput,
  type AwsTransferOutcome,
  resolveAwsTransfer,
} from '../../src/rules/transfer.js';

const KEY_A = 'arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
const KEY_B = 'arn:aws:kms:us-east-1:111122223333:key/bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb';
const WEST_KEY = 'arn:aws:kms:us-west-2:111122223333:key/cccccccc-cccc-cccc-cccc-cccccccccccc';
const WEST_OTHER = 'arn:aws:kms:us-west-2:111122223333:key/99999999-9999-9999-9999-999999999999';
const id = (arn: string) => `key/${arn.split('/').at(-1)}`;

const PLAIN: ResolvedEncryption = { encrypted: false, keySource: 'none' };
const SAME_KEY_A: ResolvedEncryption = { encrypted: true, kmsKeyId: KEY_A, keySource: 'source-key' };
const UNDER_WEST: ResolvedEncryption = { encrypted: true, kmsKeyId: WEST_KEY, keySource: 'given-key' };

/** 16,384 blocks of 512 KiB: 8 GiB changed since the most recent copy's source. */
const EIGHT_GIB: AwsDeltaRead = {
  kind: 'counted',
  blocks: 16_384,
  blockSizeBytes: 524_288,
  baseSnapshotId: 'snap-base',
};

const recentCopy = (over: Partial<AwsLineageCopy> = {}): AwsLineageCopy => ({
  id: 'snap-recent',
  state: 'completed',
  deleting: false,
  archived: false,
  encrypted: false,
  sourceSnapshotId: 'snap-base',
  sourceRegion: 'us-east-1',
  ...over,
});

/** The most recent copy is there; the copies present use `keys`. */
const present = (keys: string[], over: Partial<AwsLineageCopy> = {}): AwsDestinationLineage => ({
  mostRecent: { kind: 'present', copy: recentCopy(over) },
  copyKeys: keys,
});

/** A 100 GiB snapshot, owned, in us-east-1; an incremental copy's delta counted at 8 GiB. */
function input(over: {
  source?: Partial<AwsTransferInput['source']>;
  destination?: Partial<AwsTransferInput['destination']>;
  encryption?: ResolvedEncryption;
  lineage?: AwsTransferInput['lineage'];
  delta?: AwsDeltaRead | null;
  timeBased?: boolean;
}): AwsTransferInput {
  return {
    source: { region: 'us-east-1', ownership: 'owned', encrypted: false, sizeGiB: 100, ...over.source },
    destination: { region: 'us-east-1', ...over.destination },
    encryption: over.encryption ?? PLAIN,
    ...(over.lineage === undefined ? {} : { lineage: over.lineage }),
    ...(over.delta === null ? {} : { delta: over.delta ?? EIGHT_GIB }),
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
  /** How the delta was found, for incremental rows. */
  measured?: 'changed-blocks' | 'upper-bound';
  /** A phrase `reasons` must contain: the explanation is part of the contract. */
  says: RegExp;
}

// EBS User Guide, "Copy an Amazon EBS snapshot" (incremental snapshot copying; pricing):
// https://docs.aws.amazon.com/ebs/latest/userguide/ebs-copy-snapshot.html, and the EBS
// direct APIs reference for ListChangedBlocks.
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
    rule: 'same account and region, given key resolved by KMS to the source key → free',
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
    rule: 'same account and region, given bare key id of the source key ARN (KMS not read) → same key, free',
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
    rule: 'same account and region, the source key named by an alias KMS could not resolve → full (never under-promise)',
    input: input({
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: { encrypted: true, kmsKeyId: 'alias/source-key', keySource: 'given-key' },
    }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(0, 100),
    says: /new key/,
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
      lineage: present([id(KEY_B)]),
    }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(0, 100),
    says: /new key/,
  },
  // Cross region.
  {
    rule: 'first copy to a new region (never copied there) → full, transfer and storage on the snapshot size',
    input: input({ destination: WEST }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /never copied/,
  },
  {
    rule: 'the most recent copy still exists, all unencrypted → incremental, the changed blocks counted',
    input: input({ destination: WEST, lineage: present(['none']) }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(8, 8),
    measured: 'changed-blocks',
    says: /16384 blocks of 512 KiB/,
  },
  {
    rule: "the most recent copy still exists, all under this copy's key → incremental",
    input: input({
      destination: WEST,
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: UNDER_WEST,
      lineage: present([id(WEST_KEY)], { encrypted: true, kmsKeyArn: WEST_KEY }),
    }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(8, 8),
    measured: 'changed-blocks',
    says: /shares this copy's key/,
  },
  {
    rule: 'the most recent copy is still pending → incremental on it (the copy waits for it)',
    input: input({ destination: WEST, lineage: present(['none'], { state: 'pending' }) }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(8, 8),
    measured: 'changed-blocks',
    says: /still pending/,
  },
  {
    rule: 'the most recent copy was deleted, an older one still there → full',
    input: input({
      destination: WEST,
      lineage: { mostRecent: { kind: 'deleted', copy: 'snap-newest' }, copyKeys: ['none'] },
    }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /snap-newest\) was deleted/,
  },
  {
    rule: 'the most recent copy is archived → full',
    input: input({ destination: WEST, lineage: present(['none'], { archived: true }) }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /archive tier/,
  },
  {
    rule: 'earlier copies under another key (a new key) → full',
    input: input({
      destination: WEST,
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: UNDER_WEST,
      lineage: present([id(WEST_OTHER)], { encrypted: true }),
    }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /share one key/,
  },
  {
    rule: 'copies under mixed keys, the most recent matching → full (all must share one key)',
    input: input({
      destination: WEST,
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: UNDER_WEST,
      lineage: present([id(WEST_KEY), id(WEST_OTHER)], { encrypted: true, kmsKeyArn: WEST_KEY }),
    }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /share one key/,
  },
  {
    rule: 'earlier copies encrypted, this one not → full',
    input: input({ destination: WEST, lineage: present([id(WEST_KEY)], { encrypted: true }) }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /lack of encryption/,
  },
  {
    rule: 'earlier copies unencrypted, this one encrypts → full (mixed keys)',
    input: input({ destination: WEST, encryption: UNDER_WEST, lineage: present(['none']) }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /no encryption/,
  },
  {
    rule: 'an unencrypted source copied encrypted again under the key of every earlier copy → incremental',
    input: input({
      destination: WEST,
      encryption: UNDER_WEST,
      lineage: present([id(WEST_KEY)], { encrypted: true, kmsKeyArn: WEST_KEY }),
    }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(8, 8),
    measured: 'changed-blocks',
    says: /changed blocks/,
  },
  {
    rule: 'an alias KMS could not resolve cannot be matched with key ARNs → full (never under-promise)',
    input: input({
      destination: WEST,
      source: { encrypted: true, kmsKeyId: KEY_A },
      encryption: { encrypted: true, kmsKeyId: 'alias/dr-key', keySource: 'given-key' },
      lineage: present([id(WEST_KEY)], { encrypted: true }),
    }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(100, 100),
    says: /share one key/,
  },
  {
    rule: 'incremental, the base snapshot gone (ListChangedBlocks cannot compare) → delta, full size as upper bound',
    input: input({
      destination: WEST,
      lineage: present(['none']),
      delta: {
        kind: 'unmeasured',
        why: 'ResourceNotFoundException SNAPSHOT_NOT_FOUND',
        baseSnapshotId: 'snap-base',
      },
    }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(100, 100),
    measured: 'upper-bound',
    says: /upper bound/,
  },
  {
    rule: 'incremental, the delta not counted at all → delta, full size as upper bound',
    input: input({ destination: WEST, lineage: present(['none']), delta: null }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(100, 100),
    measured: 'upper-bound',
    says: /not counted/,
  },
  {
    rule: 'incremental copy of the very snapshot copied last → 0 blocks changed, nothing billed',
    input: input({
      destination: WEST,
      lineage: present(['none']),
      delta: { kind: 'counted', blocks: 0, blockSizeBytes: 524_288, baseSnapshotId: 'snap-base' },
    }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(0, 0),
    measured: 'changed-blocks',
    says: /0 blocks/,
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
    rule: 'snapshot shared with you, same region, the most recent copy under the same key → incremental',
    input: input({
      source: { ownership: 'shared', ownerAccount: '444455556666' },
      lineage: present(['none']),
    }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(0, 8),
    measured: 'changed-blocks',
    says: /your account/,
  },
  {
    rule: 'source owner differs from the destination account → counts as cross-account',
    input: input({ source: { ownerAccount: '444455556666' }, destination: { account: '111122223333' } }),
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: GiB(0, 100),
    says: /never copied/,
  },
  {
    rule: 'shared snapshot to another region with the most recent copy there → incremental, transfer on the delta',
    input: input({ source: { ownership: 'shared' }, destination: WEST, lineage: present(['none']) }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(8, 8),
    measured: 'changed-blocks',
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
    input: input({ destination: WEST, timeBased: true, lineage: present(['none']) }),
    transfer: 'incremental',
    sizeBasis: 'delta',
    billableGiB: GiB(8, 8, 8),
    measured: 'changed-blocks',
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
    expect(out.delta?.measured).toBe(row.measured);
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
      rule: 'a fractional block count → INVALID_REQUEST',
      input: input({
        destination: WEST,
        lineage: present(['none']),
        delta: { kind: 'counted', blocks: 1.5, blockSizeBytes: 524_288, baseSnapshotId: 'snap-base' },
      }),
      path: 'delta',
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
