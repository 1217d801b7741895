import { type BillableGiB, type FieldIssue, invalidRequest, type ResolvedEncryption } from '@snapcopy/core';

/** Earlier copies of the same source volume found in the destination (by lineage tags). */
export interface AwsDestinationLineage {
  /** The most recent earlier copy of the volume's snapshots still exists in the destination. */
  readonly previousCopyPresent: boolean;
  /** The key of every copy of that lineage in the destination; `none` for an unencrypted one. */
  readonly copyKeys: readonly string[];
}

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
    /** GiB changed since the previous snapshot of the same volume, when known. */
    readonly changedGiB?: number;
  };
  readonly destination: { readonly region: string; readonly account?: string };
  /** The copy's encryption, as {@link resolveAwsEncryption} resolved it. */
  readonly encryption: ResolvedEncryption;
  /** Earlier copies of the lineage in the destination; absent when none were looked up or found. */
  readonly lineage?: AwsDestinationLineage;
  /** True when the copy is time-based (`completionDurationMinutes` given). */
  readonly timeBased?: boolean;
}

/** How much data an EBS copy moves and which GiB are billed. */
export interface AwsTransferOutcome {
  readonly transfer: 'none' | 'incremental' | 'full';
  readonly sizeBasis: 'none' | 'delta' | 'snapshot';
  readonly billableGiB: BillableGiB;
  readonly reasons: readonly string[];
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[^:]*:[^:]*:(key\/.+|alias\/.+)$/;

/** One spelling per key, so that a key ARN and its bare `key/…` form compare equal. */
function keyIdentity(key: string): string {
  const match = KEY_ARN.exec(key);
  return match?.[1] ?? (/^[0-9a-f-]{36}$/i.test(key) || /^mrk-[0-9a-f]{32}$/i.test(key) ? `key/${key}` : key);
}

function copyKeyOf(encryption: ResolvedEncryption): string | undefined {
  if (!encryption.encrypted) return 'none';
  return encryption.kmsKeyId === undefined ? undefined : keyIdentity(encryption.kmsKeyId);
}

function checkSizes(source: AwsTransferInput['source']): void {
  const issues: FieldIssue[] = [];
  if (!Number.isFinite(source.sizeGiB) || source.sizeGiB < 0) {
    issues.push({ path: 'source.sizeGiB', message: 'must be a finite number of GiB, 0 or more' });
  }
  if (source.changedGiB !== undefined && (!Number.isFinite(source.changedGiB) || source.changedGiB < 0)) {
    issues.push({ path: 'source.changedGiB', message: 'must be a finite number of GiB, 0 or more' });
  }
  if (issues.length > 0) throw invalidRequest(issues, 'aws');
}

/** Why a cross-region/account copy cannot be incremental, or `undefined` when it can. */
function fullCopyCause(
  input: AwsTransferInput,
  copyKey: string | undefined,
  where: string,
): string | undefined {
  const { source, encryption, lineage } = input;
  if (!source.encrypted && encryption.encrypted) {
    return 'the copy encrypts an unencrypted snapshot, and changing the encryption status always makes a full copy';
  }
  if (lineage === undefined || !lineage.previousCopyPresent) {
    return `no earlier copy of this volume's snapshots is present in ${where}`;
  }
  if (lineage.copyKeys.length === 0) {
    return `the keys of the earlier copies in ${where} are unknown, so incrementality cannot be confirmed`;
  }
  if (copyKey === undefined) {
    return 'the key of this copy is unknown, so it cannot be matched with the earlier copies';
  }
  const others = [...new Set(lineage.copyKeys.map(keyIdentity))].filter((k) => k !== copyKey);
  if (others.length > 0) {
    return `copies in ${where} use ${others.join(', ')}, not this copy's ${copyKey === 'none' ? 'lack of encryption' : `key ${copyKey}`}; AWS copies incrementally only when all of them share one key (or none)`;
  }
  return undefined;
}

/**
 * Decides whether an AWS EBS copy moves no data, a delta or the whole snapshot, and the GiB
 * billed for transfer (between regions only), storage in the destination and the time-based
 * copy fee. Pure. Follows the EBS User Guide, "Copy an Amazon EBS snapshot": a copy within
 * one account and region that keeps the encryption copies no data and is free; a copy to a
 * new region or a new key is full; a later cross-region/account copy is incremental only if
 * the most recent earlier copy still exists there and all copies there share one key (or none).
 * Never under-promises: when a fact is missing the full size is billed, and `reasons` says so.
 */
export function resolveAwsTransfer(input: AwsTransferInput): AwsTransferOutcome {
  const { source, destination, encryption } = input;
  checkSizes(source);
  const crossRegion = source.region !== destination.region;
  const crossAccount =
    source.ownership === 'shared' ||
    (source.ownerAccount !== undefined &&
      destination.account !== undefined &&
      source.ownerAccount !== destination.account);
  const copyKey = copyKeyOf(encryption);
  const keyUnchanged =
    encryption.keySource === 'source-key' ||
    (!source.encrypted && !encryption.encrypted) ||
    (source.encrypted &&
      encryption.encrypted &&
      source.kmsKeyId !== undefined &&
      copyKey !== undefined &&
      keyIdentity(source.kmsKeyId) === copyKey);

  const reasons: string[] = [];
  let transfer: AwsTransferOutcome['transfer'];
  if (!crossRegion && !crossAccount) {
    if (keyUnchanged) {
      transfer = 'none';
      reasons.push(
        'same account and region with the encryption unchanged: AWS copies no data and charges nothing for the copy',
      );
    } else {
      transfer = 'full';
      reasons.push(
        encryption.encrypted && !source.encrypted
          ? 'the copy encrypts an unencrypted snapshot: AWS makes a full copy'
          : 'the copy is re-encrypted under a new key: AWS makes a full copy',
      );
    }
  } else {
    const where = [crossRegion ? destination.region : undefined, crossAccount ? 'your account' : undefined]
      .filter((w) => w !== undefined)
      .join(' in ');
    const cause = fullCopyCause(input, copyKey, where);
    if (cause === undefined) {
      transfer = 'incremental';
      reasons.push(
        `an earlier copy of this volume's snapshots is still in ${where} and all copies there share this copy's key: AWS copies only the changed blocks`,
      );
    } else {
      transfer = 'full';
      reasons.push(`full copy: ${cause}`);
    }
  }

  let sizeBasis: AwsTransferOutcome['sizeBasis'];
  let basisGiB: number;
  if (transfer === 'none') {
    sizeBasis = 'none';
    basisGiB = 0;
  } else if (transfer === 'incremental' && source.changedGiB !== undefined) {
    sizeBasis = 'delta';
    // A delta larger than the snapshot would be a reporting error; the copy never moves more.
    basisGiB = Math.min(source.changedGiB, source.sizeGiB);
    reasons.push(`billed on the ${basisGiB} GiB changed since the previous snapshot of the volume`);
  } else {
    sizeBasis = 'snapshot';
    basisGiB = source.sizeGiB;
    reasons.push(
      transfer === 'incremental'
        ? `the changed size is unknown, so the estimate bills the full snapshot size (${basisGiB} GiB); the actual copy may move less`
        : `billed on the full snapshot size (${basisGiB} GiB)`,
    );
  }

  const billableGiB: BillableGiB = {
    transfer: crossRegion ? basisGiB : 0,
    storage: basisGiB,
    timeBased: input.timeBased === true ? basisGiB : 0,
  };
  if (crossRegion && basisGiB > 0)
    reasons.push(`data transfer from ${source.region} to ${destination.region} is charged per GiB`);
  if (!crossRegion && transfer !== 'none')
    reasons.push('no data transfer charge: the copy stays in one region');
  if (input.timeBased === true && basisGiB > 0)
    reasons.push('a time-based copy adds a per-GiB fee on the GiB copied');
  return { transfer, sizeBasis, billableGiB, reasons };
}
