import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import {
  type CannedReply,
  describeReply,
  type FakeSnapshot,
  filterValues,
  listParam,
  OWN_ACCOUNT,
  type RecordedCall,
  reply,
} from './ec2-nock.js';

/** What the fake EC2 account holds: enough to answer every call the copier makes. */
export interface FakeAccount {
  /** Snapshots by region. */
  readonly snapshots: Record<string, FakeSnapshot[]>;
  encryptionByDefault?: boolean;
  defaultKmsKeyId?: string;
  /** Id the next CopySnapshot returns. */
  nextCopyId?: string;
  /** Overrides for one action, consulted first; return undefined to fall through. */
  override?: (call: RecordedCall) => CannedReply | undefined;
}

function matchesFilters(s: FakeSnapshot, call: RecordedCall): boolean {
  const p = call.params;
  for (let i = 1; p[`Filter.${i}.Name`] !== undefined; i++) {
    const name = p[`Filter.${i}.Name`]!;
    const values = filterValues(p, name) ?? [];
    if (name === 'snapshot-id' && !values.includes(s.id)) return false;
    if (name.startsWith('tag:')) {
      const v = s.tags?.[name.slice(4)];
      if (v === undefined || !values.includes(v)) return false;
    }
  }
  return true;
}

/**
 * A responder that behaves like EC2 for one caller account: DescribeSnapshots honours
 * `Owner.N=self`, `SnapshotId.N` (unknown id → NotFound) and the filters the copier uses;
 * CopySnapshot adds a pending copy with its tags to the destination.
 */
export function fakeAccount(account: FakeAccount): (call: RecordedCall) => CannedReply {
  return (call) => {
    const over = account.override?.(call);
    if (over) return over;
    const p = call.params;
    account.snapshots[call.region] ??= [];
    const here = account.snapshots[call.region]!;
    switch (call.action) {
      case 'DescribeSnapshots': {
        const ids = listParam(p, 'SnapshotId');
        const owners = listParam(p, 'Owner');
        for (const id of ids) {
          if (!here.some((s) => s.id === id)) {
            return {
              status: 400,
              code: 'InvalidSnapshot.NotFound',
              message: `The snapshot '${id}' does not exist.`,
            };
          }
        }
        const found = here.filter(
          (s) =>
            (ids.length === 0 || ids.includes(s.id)) &&
            (!owners.includes('self') || (s.ownerId ?? OWN_ACCOUNT) === OWN_ACCOUNT) &&
            matchesFilters(s, call),
        );
        return describeReply(found);
      }
      case 'GetEbsEncryptionByDefault':
        return reply(
          'GetEbsEncryptionByDefault',
          `<ebsEncryptionByDefault>${account.encryptionByDefault === true}</ebsEncryptionByDefault>`,
        );
      case 'GetEbsDefaultKmsKeyId':
        return reply(
          'GetEbsDefaultKmsKeyId',
          `<kmsKeyId>${account.defaultKmsKeyId ?? `arn:aws:kms:${call.region}:${OWN_ACCOUNT}:alias/aws/ebs`}</kmsKeyId>`,
        );
      case 'CopySnapshot': {
        const id = account.nextCopyId ?? `snap-0c0c0c0c0c0c0c0c${here.length.toString(16)}`;
        const tags: Record<string, string> = {};
        for (let i = 1; p[`TagSpecification.1.Tag.${i}.Key`] !== undefined; i++) {
          tags[p[`TagSpecification.1.Tag.${i}.Key`]!] = p[`TagSpecification.1.Tag.${i}.Value`] ?? '';
        }
        here.push({
          id,
          state: 'pending',
          progress: '0%',
          volumeId: 'vol-ffffffff',
          encrypted: p.Encrypted === 'true',
          ...(p.KmsKeyId ? { kmsKeyId: p.KmsKeyId } : {}),
          tags,
        });
        return reply('CopySnapshot', `<snapshotId>${id}</snapshotId>`);
      }
      case 'CreateTags': {
        for (const id of listParam(p, 'ResourceId')) {
          const s = here.find((x) => x.id === id);
          if (!s) return { status: 400, code: 'InvalidSnapshot.NotFound' };
          const tags = { ...(s.tags ?? {}) };
          for (let i = 1; p[`Tag.${i}.Key`] !== undefined; i++)
            tags[p[`Tag.${i}.Key`]!] = p[`Tag.${i}.Value`] ?? '';
          here.splice(here.indexOf(s), 1, { ...s, tags });
        }
        return reply('CreateTags', '<return>true</return>');
      }
      case 'DeleteSnapshot': {
        const i = here.findIndex((x) => x.id === p.SnapshotId);
        if (i < 0) return { status: 400, code: 'InvalidSnapshot.NotFound' };
        here.splice(i, 1);
        return reply('DeleteSnapshot', '<return>true</return>');
      }
      default:
        return { status: 400, code: 'InvalidAction', message: `fake EC2 has no ${call.action}` };
    }
  };
}

/** The recorded CopySnapshot calls. */
export const copyCalls = (calls: readonly RecordedCall[]) => calls.filter((c) => c.action === 'CopySnapshot');

/** Tags a copy made by snapcopy carries, for fixtures of earlier copies. */
export const lineageFixtureTags = (volumeId: string, key: string, token = 'earlier-token') => ({
  [LINEAGE_TAGS.clientToken]: token,
  [LINEAGE_TAGS.sourceVolume]: volumeId,
  [LINEAGE_TAGS.key]: key,
});
