import {
  CopySnapshotCommand,
  type CopySnapshotCommandInput,
  DescribeSnapshotsCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import {
  type CopyEncryptionInput,
  type CopyEncryptionOutcome,
  KEY_NOT_ACCESSIBLE,
  resolveCopyEncryption,
  SOURCE_KEY_NOT_ACCESSIBLE,
} from '../../src/ec2/index.js';
import { A, type buildWorld, failure, freshFixture, MOUNTINGS } from './harness.js';

type World = ReturnType<typeof buildWorld>;

interface Row {
  readonly rule: string;
  readonly region: string;
  readonly source: keyof World['snaps'];
  readonly input?: Partial<CopySnapshotCommandInput>;
  readonly setup?: (w: World) => void;
  /** The copy's encryption, its key ARN (undefined: unencrypted), and how it ends. */
  readonly expect:
    | { readonly key: (w: World) => string | undefined; readonly ends: 'completed' }
    | { readonly key: (w: World) => string | undefined; readonly ends: 'error'; readonly message: string }
    | { readonly error: string };
}

const managed = (region: string) => (w: World) => w.sim.defaultKmsKey(A, region).arn;

// One row per documented case of the EBS encryption outcome of CopySnapshot (docs/ec2-simulator.md).
const ROWS: readonly Row[] = [
  {
    rule: 'unencrypted source, no flag, encryption by default off → unencrypted',
    region: 'us-west-2',
    source: 'plain',
    expect: { key: () => undefined, ends: 'completed' },
  },
  {
    rule: 'unencrypted source, no flag, encryption by default on → the default EBS key',
    region: 'us-west-2',
    source: 'plain',
    setup: (w) => w.sim.setEncryptionByDefault(A, 'us-west-2', true),
    expect: { key: managed('us-west-2'), ends: 'completed' },
  },
  {
    rule: 'unencrypted source, encryption by default on with a customer default key → that key',
    region: 'us-west-2',
    source: 'plain',
    setup: (w) => {
      w.sim.setEncryptionByDefault(A, 'us-west-2', true);
      w.sim.setDefaultKmsKey(A, 'us-west-2', 'alias/backup');
    },
    expect: { key: (w) => w.keys.backupWest.arn, ends: 'completed' },
  },
  {
    rule: 'unencrypted source, Encrypted=true, no key → the default EBS key',
    region: 'us-west-2',
    source: 'plain',
    input: { Encrypted: true },
    expect: { key: managed('us-west-2'), ends: 'completed' },
  },
  {
    rule: 'unencrypted source, Encrypted=true + alias → that key, shown as its full ARN',
    region: 'us-west-2',
    source: 'plain',
    input: { Encrypted: true, KmsKeyId: 'alias/backup' },
    expect: { key: (w) => w.keys.backupWest.arn, ends: 'completed' },
  },
  {
    rule: 'a key given by bare id → that key, shown as its full ARN',
    region: 'us-west-2',
    source: 'plain',
    input: { Encrypted: true, KmsKeyId: 'KEYID:backupWest' },
    expect: { key: (w) => w.keys.backupWest.arn, ends: 'completed' },
  },
  {
    rule: 'KmsKeyId without Encrypted → InvalidParameterDependency',
    region: 'us-west-2',
    source: 'plain',
    input: { KmsKeyId: 'alias/backup' },
    expect: { error: 'InvalidParameterDependency' },
  },
  {
    rule: 'KmsKeyId with Encrypted=false → InvalidParameterDependency',
    region: 'us-west-2',
    source: 'plain',
    input: { Encrypted: false, KmsKeyId: 'alias/backup' },
    expect: { error: 'InvalidParameterDependency' },
  },
  {
    rule: 'encrypted owned source, no key, same region → the source key',
    region: 'us-east-1',
    source: 'encrypted',
    expect: { key: (w) => w.keys.backupEast.arn, ends: 'completed' },
  },
  {
    rule: 'encrypted owned source, no key, another region → the destination default EBS key',
    region: 'us-west-2',
    source: 'encrypted',
    expect: { key: managed('us-west-2'), ends: 'completed' },
  },
  {
    rule: 'encrypted source, Encrypted=false is ignored → still encrypted (copies of encrypted snapshots always are)',
    region: 'us-east-1',
    source: 'encrypted',
    input: { Encrypted: false },
    expect: { key: (w) => w.keys.backupEast.arn, ends: 'completed' },
  },
  {
    rule: 'encrypted owned source, a key given → that key',
    region: 'us-west-2',
    source: 'encrypted',
    input: { Encrypted: true, KmsKeyId: 'alias/backup' },
    expect: { key: (w) => w.keys.backupWest.arn, ends: 'completed' },
  },
  {
    rule: 'shared encrypted source, no key → the caller’s default EBS key',
    region: 'us-east-1',
    source: 'sharedEncrypted',
    expect: { key: managed('us-east-1'), ends: 'completed' },
  },
  {
    rule: 'shared encrypted source, a key given → that key',
    region: 'us-east-1',
    source: 'sharedEncrypted',
    input: { Encrypted: true, KmsKeyId: 'alias/backup' },
    expect: { key: (w) => w.keys.backupEast.arn, ends: 'completed' },
  },
  {
    rule: "another account's key granted to the caller, by ARN → that key",
    region: 'us-east-1',
    source: 'plain',
    input: { Encrypted: true, KmsKeyId: 'ARN:partnerEast' },
    expect: { key: (w) => w.keys.partnerEast.arn, ends: 'completed' },
  },
  {
    rule: 'an inaccessible key → the copy is created, pending, then error',
    region: 'us-west-2',
    source: 'plain',
    input: { Encrypted: true, KmsKeyId: 'alias/revoked' },
    expect: { key: (w) => w.keys.revokedWest.arn, ends: 'error', message: KEY_NOT_ACCESSIBLE },
  },
  {
    rule: 'an unknown key → the copy is created, pending, then error',
    region: 'us-west-2',
    source: 'plain',
    input: { Encrypted: true, KmsKeyId: 'alias/no-such-key' },
    expect: { key: () => 'alias/no-such-key', ends: 'error', message: KEY_NOT_ACCESSIBLE },
  },
  {
    rule: 'a key of another region → pending, then error',
    region: 'us-west-2',
    source: 'plain',
    input: { Encrypted: true, KmsKeyId: 'ARN:backupEast' },
    expect: { key: (w) => w.keys.backupEast.arn, ends: 'error', message: KEY_NOT_ACCESSIBLE },
  },
  {
    rule: "another account's key not granted to the caller → pending, then error",
    region: 'us-east-1',
    source: 'plain',
    input: { Encrypted: true, KmsKeyId: 'ARN:privateEast' },
    expect: { key: (w) => w.keys.privateEast.arn, ends: 'error', message: KEY_NOT_ACCESSIBLE },
  },
  {
    rule: 'a disabled key → pending, then error',
    region: 'us-west-2',
    source: 'plain',
    input: { Encrypted: true, KmsKeyId: 'alias/backup' },
    setup: (w) => {
      w.keys.backupWest.enabled = false;
    },
    expect: { key: (w) => w.keys.backupWest.arn, ends: 'error', message: KEY_NOT_ACCESSIBLE },
  },
  {
    rule: 'a shared source whose key was not granted to the caller → pending, then error',
    region: 'us-east-1',
    source: 'sharedPrivateKey',
    expect: { key: managed('us-east-1'), ends: 'error', message: SOURCE_KEY_NOT_ACCESSIBLE },
  },
];

function resolveRef(w: World, ref: string | undefined): string | undefined {
  if (ref?.startsWith('KEYID:')) return w.keys[ref.slice(6) as keyof World['keys']].id;
  if (ref?.startsWith('ARN:')) return w.keys[ref.slice(4) as keyof World['keys']].arn;
  return ref;
}

describe.each(MOUNTINGS)('encryption outcome of CopySnapshot over the wire (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);

  it.each(ROWS.map((r) => [r.rule, r] as const))('%s', async (_rule, row) => {
    const w = f.w;
    row.setup?.(w);
    const ec2 = f.m.client(A, row.region);
    const kmsKeyId = resolveRef(w, row.input?.KmsKeyId);
    const input: CopySnapshotCommandInput = {
      SourceRegion: 'us-east-1',
      SourceSnapshotId: w.snaps[row.source].id,
      ...row.input,
      ...(kmsKeyId !== undefined ? { KmsKeyId: kmsKeyId } : {}),
    };
    if ('error' in row.expect) {
      const before = w.sim.world.snapshots.size;
      expect((await failure(ec2.send(new CopySnapshotCommand(input)))).name).toBe(row.expect.error);
      expect(w.sim.world.snapshots.size).toBe(before);
      return;
    }
    const { SnapshotId } = await ec2.send(new CopySnapshotCommand(input));
    const read = async () =>
      (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [SnapshotId!] }))).Snapshots![0]!;
    const key = row.expect.key(w);
    const first = await read();
    expect(first.State).toBe('pending');
    expect(first.Encrypted).toBe(key !== undefined);
    expect(first.KmsKeyId).toBe(key);
    w.clock.advance(3_600_000);
    const last = await read();
    expect(last.State).toBe(row.expect.ends);
    if (row.expect.ends === 'error') expect(last.StateMessage).toBe(row.expect.message);
    else expect(last.StateMessage).toBeUndefined();
  });
});

describe('resolveCopyEncryption (pure rule table)', () => {
  const base: CopyEncryptionInput = {
    sourceEncrypted: false,
    sourceOwnedByCaller: true,
    sameRegion: false,
    encryptionByDefault: false,
    defaultKeyArn: 'arn:default',
  };
  const rows: [string, Partial<CopyEncryptionInput>, CopyEncryptionOutcome | string][] = [
    ['unencrypted, no flag, EBD off → unencrypted', {}, { encrypted: false }],
    [
      'unencrypted, no flag, EBD on → default key',
      { encryptionByDefault: true },
      { encrypted: true, keyRef: 'arn:default', origin: 'default' },
    ],
    [
      'unencrypted, Encrypted=true → default key',
      { encryptedFlag: true },
      { encrypted: true, keyRef: 'arn:default', origin: 'default' },
    ],
    [
      'unencrypted, Encrypted=false, EBD on → default key (false ignored)',
      { encryptedFlag: false, encryptionByDefault: true },
      { encrypted: true, keyRef: 'arn:default', origin: 'default' },
    ],
    [
      'a key given → that key',
      { encryptedFlag: true, kmsKeyId: 'alias/k' },
      { encrypted: true, keyRef: 'alias/k', origin: 'given' },
    ],
    [
      'key without Encrypted → InvalidParameterDependency',
      { kmsKeyId: 'alias/k' },
      'InvalidParameterDependency',
    ],
    [
      'encrypted owned, same region → source key',
      { sourceEncrypted: true, sourceKeyArn: 'arn:src', sameRegion: true },
      { encrypted: true, keyRef: 'arn:src', origin: 'source' },
    ],
    [
      'encrypted owned, cross region → default key',
      { sourceEncrypted: true, sourceKeyArn: 'arn:src' },
      { encrypted: true, keyRef: 'arn:default', origin: 'default' },
    ],
    [
      'encrypted shared, same region → default key',
      { sourceEncrypted: true, sourceKeyArn: 'arn:src', sameRegion: true, sourceOwnedByCaller: false },
      { encrypted: true, keyRef: 'arn:default', origin: 'default' },
    ],
    [
      'encrypted, Encrypted=false → still encrypted',
      { sourceEncrypted: true, sourceKeyArn: 'arn:src', sameRegion: true, encryptedFlag: false },
      { encrypted: true, keyRef: 'arn:src', origin: 'source' },
    ],
  ];
  it.each(rows)('%s', (_rule, change, expected) => {
    const run = () => resolveCopyEncryption({ ...base, ...change });
    if (typeof expected === 'string') expect(run).toThrow(expect.objectContaining({ code: expected }));
    else expect(run()).toEqual(expected);
  });
});
