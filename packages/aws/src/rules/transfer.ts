import type { BillableGiB, DeltaEstimate, FieldIssue, ResolvedEncryption } from '@snapcopy/core';
import { throwIfIssues } from '@snapcopy/core/driver';
import { keyIdentity } from './keys.js';
import type { AwsLineageCopy, AwsMostRecentCopy } from './lineage.js';

const GIB = 1024 ** 3;

/** Earlier copies of the source volume's lineage in the destination (found by lineage tags). */
export interface AwsDestinationLineage {
  /** The most recent copy there (see `mostRecentAwsCopy`). */
  readonly mostRecent: AwsMostRecentCopy;
  /**
   * The key of every copy of the lineage present there (completed or pending, not failed,
   * not being deleted), one spelling each (`keyIdentity`); `none` for an unencrypted copy.
   */
  readonly copyKeys: readonly string[];
}

/** What ListChangedBlocks said about the change since the snapshot the most recent copy was made from. */
export type AwsDeltaRead =
  | {
      readonly kind: 'counted';
      readonly blocks: number;
      readonly blockSizeBytes: number;
      readonly baseSnapshotId: string;
    }
  | { readonly kind: 'unmeasured'; readonly why: string; readonly baseSnapshotId?: string };

/** Everything the transfer kind and billable size of one EBS copy depend on. */
export interface AwsTransferInput {
  readonly source: {
    readonly region: string;
    /** `shared` means another account owns the source: the copy crosses accounts. */
    readonly ownership: 'owned' | 'shared';
    readonly ownerAccount?: string;
    readonly encrypted: boolean;
    readonly kmsKeyId?: string;
    /** Full size of the source snapshot, GiB. */
    readonly sizeGiB: number;
  };
  readonly destination: { readonly region: string; readonly account?: string };
  /** The copy's encryption, its key resolved through KMS when it could be read. */
  readonly encryption: ResolvedEncryption;
  /** Earlier copies of the lineage in the destination; absent when none were looked up. */
  readonly lineage?: AwsDestinationLineage;
  /** The changed blocks, when the copy is incremental and they were counted (or could not be). */
  readonly delta?: AwsDeltaRead;
  /** True when the copy is time-based (`completionDurationMinutes` given). */
  readonly timeBased?: boolean;
}

/** How much data an EBS copy moves and which GiB are billed. */
export interface AwsTransferOutcome {
  readonly transfer: 'none' | 'incremental' | 'full';
  readonly sizeBasis: 'none' | 'delta' | 'snapshot';
  /** For an incremental copy: its size and how it was found. */
  readonly delta?: DeltaEstimate;
  readonly billableGiB: BillableGiB;
  readonly reasons: readonly string[];
}

/** Whether the copy moves no data, a delta on top of an earlier copy, or everything. */
export type AwsTransferKind =
  | { readonly transfer: 'none'; readonly reason: string }
  | { readonly transfer: 'full'; readonly reason: string }
  | { readonly transfer: 'incremental'; readonly base: AwsLineageCopy; readonly reason: string };

function copyKeyOf(encryption: ResolvedEncryption): string | undefined {
  if (!encryption.encrypted) return 'none';
  return encryption.kmsKeyId === undefined ? undefined : keyIdentity(encryption.kmsKeyId);
}

function checkSizes(source: AwsTransferInput['source'], delta: AwsDeltaRead | undefined): void {
  const issues: FieldIssue[] = [];
  if (!Number.isFinite(source.sizeGiB) || source.sizeGiB < 0) {
    issues.push({ path: 'source.sizeGiB', message: 'must be a finite number of GiB, 0 or more' });
  }
  if (
    delta?.kind === 'counted' &&
    !(Number.isInteger(delta.blocks) && delta.blocks >= 0 && delta.blockSizeBytes > 0)
  ) {
    issues.push({ path: 'delta', message: 'must be a whole number of blocks of a positive size' });
  }
  throwIfIssues(issues, 'aws');
}

function crossesAccounts(input: AwsTransferInput): boolean {
  const { source, destination } = input;
  return (
    source.ownership === 'shared' ||
    (source.ownerAccount !== undefined &&
      destination.account !== undefined &&
      source.ownerAccount !== destination.account)
  );
}

/**
 * Whether an EBS copy moves no data, only the blocks changed since the most recent copy in
 * the destination, or the whole snapshot (EBS User Guide, "Copy an Amazon EBS snapshot"):
 * - within one account and region, a copy that keeps the encryption status and key copies
 *   no data; any other copy there is full;
 * - a copy to another region or account is incremental only when the snapshot's lineage was
 *   copied there before, the most recent copy still exists (a pending one counts: the new
 *   copy builds on it) and is not archived, and every copy there is unencrypted or under
 *   the new copy's key; otherwise (never copied, the most recent deleted, keys mixed or new)
 *   it is full.
 * Keys compare as KMS resolved them; a key KMS could not resolve compares by its spelling.
 * Pure.
 */
export function classifyAwsTransfer(input: AwsTransferInput): AwsTransferKind {
  const { source, destination, encryption, lineage } = input;
  const crossRegion = source.region !== destination.region;
  const crossAccount = crossesAccounts(input);
  const copyKey = copyKeyOf(encryption);
  if (!crossRegion && !crossAccount) {
    const keyUnchanged =
      encryption.keySource === 'source-key' ||
      (!source.encrypted && !encryption.encrypted) ||
      (source.encrypted &&
        encryption.encrypted &&
        source.kmsKeyId !== undefined &&
        copyKey !== undefined &&
        keyIdentity(source.kmsKeyId) === copyKey);
    if (keyUnchanged) {
      return {
        transfer: 'none',
        reason:
          'same account and region with the encryption unchanged: AWS copies no data and charges nothing for the copy',
      };
    }
    return {
      transfer: 'full',
      reason:
        encryption.encrypted && !source.encrypted
          ? 'the copy encrypts an unencrypted snapshot: AWS makes a full copy'
          : 'the copy is re-encrypted under a new key: AWS makes a full copy',
    };
  }
  const where = [crossRegion ? destination.region : undefined, crossAccount ? 'your account' : undefined]
    .filter((w) => w !== undefined)
    .join(' in ');
  const full = (cause: string): AwsTransferKind => ({ transfer: 'full', reason: `full copy: ${cause}` });
  const recent = lineage?.mostRecent ?? { kind: 'none' };
  if (recent.kind === 'none') return full(`this volume's snapshots were never copied to ${where}`);
  if (recent.kind === 'deleted') {
    return full(`the most recent copy of this volume's snapshots in ${where} (${recent.copy}) was deleted`);
  }
  if (recent.copy.archived) {
    return full(`the most recent copy in ${where} (${recent.copy.id}) is in the archive tier`);
  }
  if (copyKey === undefined) {
    return full('the key of this copy is unknown, so it cannot be matched with the earlier copies');
  }
  const others = [...new Set(lineage?.copyKeys ?? [])].filter((k) => k !== copyKey);
  if (others.length > 0) {
    const mine = copyKey === 'none' ? 'lack of encryption' : `key ${copyKey}`;
    return full(
      `copies in ${where} use ${others.map((k) => (k === 'none' ? 'no encryption' : k)).join(', ')}, not this copy's ${mine}; AWS copies incrementally only when all of them share one key (or none)`,
    );
  }
  const base = recent.copy;
  return {
    transfer: 'incremental',
    base,
    reason:
      base.state === 'pending'
        ? `the most recent copy in ${where} (${base.id}) is still pending and every copy there shares this copy's key: the copy waits for it and moves only the blocks changed since its source`
        : `the most recent copy in ${where} (${base.id}) is still there and every copy there shares this copy's key: AWS copies only the changed blocks`,
  };
}

/**
 * The snapshot whose blocks the copy's delta is measured against: the source of the most
 * recent copy, when it is known and in the source's region (ListChangedBlocks compares two
 * snapshots of one region). `undefined` when the copy is not incremental.
 */
export function awsDeltaBase(
  kind: AwsTransferKind,
  sourceRegion: string,
): { readonly snapshotId?: string; readonly unmeasurable?: string } | undefined {
  if (kind.transfer !== 'incremental') return undefined;
  const { sourceSnapshotId, sourceRegion: baseRegion, id } = kind.base;
  if (sourceSnapshotId === undefined) {
    return { unmeasurable: `the most recent copy ${id} does not say which snapshot it was made from` };
  }
  if (baseRegion !== undefined && baseRegion !== sourceRegion) {
    return {
      unmeasurable: `the most recent copy ${id} was made from ${sourceSnapshotId} in ${baseRegion}, and ListChangedBlocks compares snapshots of one region only`,
    };
  }
  return { snapshotId: sourceSnapshotId };
}

/**
 * Decides whether an AWS EBS copy moves no data, a delta or the whole snapshot
 * ({@link classifyAwsTransfer}), and the GiB billed for transfer (between regions only),
 * storage in the destination and the time-based copy fee. An incremental copy is billed on
 * its changed blocks × block size, counted with the EBS direct APIs' ListChangedBlocks
 * between the source and the snapshot the most recent copy was made from (the EBS direct
 * APIs reference; the blocks that differ are exactly what the copy moves); when they could
 * not be counted, on the full snapshot size as an upper bound, said so. Pure.
 */
export function resolveAwsTransfer(input: AwsTransferInput): AwsTransferOutcome {
  const { source, destination } = input;
  checkSizes(source, input.delta);
  const crossRegion = source.region !== destination.region;
  const kind = classifyAwsTransfer(input);
  const reasons: string[] = [kind.reason];

  let sizeBasis: AwsTransferOutcome['sizeBasis'];
  let basisGiB: number;
  let delta: DeltaEstimate | undefined;
  if (kind.transfer === 'none') {
    sizeBasis = 'none';
    basisGiB = 0;
  } else if (kind.transfer === 'full') {
    sizeBasis = 'snapshot';
    basisGiB = source.sizeGiB;
    reasons.push(`billed on the full snapshot size (${basisGiB} GiB)`);
  } else {
    sizeBasis = 'delta';
    const read = input.delta;
    if (read?.kind === 'counted') {
      basisGiB = (read.blocks * read.blockSizeBytes) / GIB;
      delta = {
        measured: 'changed-blocks',
        gib: basisGiB,
        baseSnapshotId: read.baseSnapshotId,
        changedBlocks: read.blocks,
        blockSizeBytes: read.blockSizeBytes,
      };
      reasons.push(
        `measured with the EBS direct APIs: ${read.blocks} blocks of ${read.blockSizeBytes / 1024} KiB differ between ${read.baseSnapshotId} and the source, ${basisGiB} GiB`,
      );
    } else {
      basisGiB = source.sizeGiB;
      const why = read?.why ?? 'the changed blocks were not counted';
      delta = {
        measured: 'upper-bound',
        gib: basisGiB,
        ...(read?.baseSnapshotId === undefined ? {} : { baseSnapshotId: read.baseSnapshotId }),
        why,
      };
      reasons.push(
        `the change could not be measured (${why}): billed on the full snapshot size (${basisGiB} GiB) as an upper bound; the copy moves only the changed blocks`,
      );
    }
  }

  const billableGiB: BillableGiB = {
    transfer: crossRegion ? basisGiB : 0,
    storage: basisGiB,
    timeBased: input.timeBased === true ? basisGiB : 0,
  };
  if (crossRegion && basisGiB > 0)
    reasons.push(`data transfer from ${source.region} to ${destination.region} is charged per GiB`);
  if (!crossRegion && kind.transfer !== 'none')
    reasons.push('no data transfer charge: the copy stays in one region');
  if (input.timeBased === true && basisGiB > 0)
    reasons.push('a time-based copy adds a per-GiB fee on the GiB copied');
  return {
    transfer: kind.transfer,
    sizeBasis,
    ...(delta === undefined ? {} : { delta }),
    billableGiB,
    reasons,
  };
}
