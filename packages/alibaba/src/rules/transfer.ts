import type {
  BillableGiB,
  DeltaEstimate,
  ResolvedEncryption,
  SizeBasis,
  SourceSnapshotFacts,
  Transfer,
} from '@snapcopy/core';
import {
  ALIBABA_DEFAULT_SERVICE_KEY,
  decryptOnCopyError,
  sameRegionStandardCopyError,
} from './encryption.js';
import { refuse } from './rule-error.js';

// Billing facts, from Alibaba Cloud's ECS documentation:
// - "Copy a snapshot" (alibabacloud.com/help/en/doc-detail/159441.html, updated 2025-11-21),
//   billing table, per copy type / destination / size basis:
//     standard copy of an unencrypted snapshot, cross-region: first copy = full snapshot
//       size, later copies to the same region incremental;
//     encrypted copy of an unencrypted snapshot, same region: first copy = full disk size,
//       later copies incremental; changing the KMS key triggers a new full copy, after
//       which copies are incremental again.
//   (The rest of that table gives "encrypted copy of an encrypted snapshot: full snapshot
//   size"; see docs/alibaba-ecs-rules.md.)
// - "Snapshot billing" (alibabacloud.com/help/en/ecs/snapshots-1): copying to another
//   region incurs a snapshot-replication data transfer fee plus standard snapshot storage
//   in the destination region. No transfer fee is documented for a same-region copy.
// Where these pages are silent (an encrypted cross-region copy of an unencrypted snapshot;
// whether an older copy under the same key still counts after a key change; how keys
// named differently compare), the rule picks the larger estimate and says so in reasons.

/** An earlier copy of the same lineage (same source disk) present in the destination region. */
export interface AlibabaEarlierCopy {
  readonly encrypted: boolean;
  /** Its key, as snapcopy's lineage tag recorded it or ECS reports it. */
  readonly kmsKeyId?: string;
  /** ISO 8601 creation time; the latest earlier copy decides incrementality. */
  readonly creationTime?: string;
}

/** What the transfer rule needs to know about one copy. */
export interface AlibabaTransferInput {
  readonly sourceRegion: string;
  readonly destinationRegion: string;
  readonly source: Pick<SourceSnapshotFacts, 'encrypted' | 'sizeGiB' | 'diskSizeGiB'>;
  /** The copy's encryption, as {@link resolveAlibabaEncryption} resolved it. */
  readonly copy: Pick<ResolvedEncryption, 'encrypted' | 'kmsKeyId'>;
  /** Earlier copies of the same lineage still present in the destination region. */
  readonly earlierCopies?: readonly AlibabaEarlierCopy[];
  /**
   * A disk of an image copy: ECS copies an image unencrypted within its region (for a
   * snapshot it refuses that), so the same-region standard-copy refusal does not apply.
   */
  readonly allowSameRegionStandardCopy?: boolean;
}

/** How much an Alibaba copy moves and stores, and why. */
export interface AlibabaTransferResolution {
  readonly transfer: Exclude<Transfer, 'none'>;
  readonly sizeBasis: Exclude<SizeBasis, 'none'>;
  /** For an incremental copy: its size, always an upper bound on Alibaba (see below). */
  readonly delta?: DeltaEstimate;
  readonly billableGiB: BillableGiB;
  readonly reasons: readonly string[];
}

const keyOf = (c: { encrypted: boolean; kmsKeyId?: string | undefined }): string =>
  c.encrypted ? (c.kmsKeyId ?? ALIBABA_DEFAULT_SERVICE_KEY) : 'none';

const describeKey = (key: string): string => (key === 'none' ? 'unencrypted' : `encrypted with ${key}`);

function checkSize(value: number | undefined, path: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw refuse('INVALID_REQUEST', `${path} must be a finite, non-negative number of GiB`, {
      rule: 'size-facts',
      path,
    });
  }
}

/**
 * Picks the earlier copy that decides whether this one can be incremental: the latest.
 * Without creation times on every copy the order is unknown, so the safe answer is an
 * incremental copy only when every earlier copy has the copy's key.
 */
function deciding(
  earlier: readonly AlibabaEarlierCopy[],
  copyKey: string,
): {
  match: boolean;
  against?: string;
  unordered: boolean;
} {
  const times = earlier.map((c) => (c.creationTime === undefined ? Number.NaN : Date.parse(c.creationTime)));
  if (times.some((t) => Number.isNaN(t))) {
    const other = earlier.map(keyOf).find((k) => k !== copyKey);
    return other === undefined
      ? { match: true, unordered: true }
      : { match: false, against: other, unordered: true };
  }
  let latest = 0;
  for (let i = 1; i < earlier.length; i++) if ((times[i] ?? 0) > (times[latest] ?? 0)) latest = i;
  const key = keyOf(earlier[latest] as AlibabaEarlierCopy);
  return key === copyKey
    ? { match: true, unordered: false }
    : { match: false, against: key, unordered: false };
}

/**
 * Decides whether an ECS snapshot copy is full or incremental, which size it is billed
 * on, and the billable GiB (docs/alibaba-ecs-rules.md). Pure: the adapter looks up the
 * earlier copies of the same lineage in the destination and passes them in.
 *
 * - First standard copy of an unencrypted snapshot → full, on the snapshot size.
 * - First encrypted copy of an unencrypted snapshot → full, on the source **disk** size.
 * - Encrypted copy of an encrypted snapshot → full, on the snapshot size.
 * - A later copy whose latest earlier copy in the destination has the same key (or both
 *   unencrypted) → incremental, size basis `delta`, billed on the full snapshot size as
 *   an upper bound (the change cannot be measured on Alibaba Cloud).
 * - Keys compare as KMS resolved them (key ids); keys KMS could not resolve compare by
 *   their spelling.
 * - A key change (other key, or encrypted vs not) → a new full copy.
 * - Transfer is billed per GiB on that basis across regions only; storage always.
 *
 * @throws SnapcopyError `UNSUPPORTED`/`ENCRYPTION_RULE` for a copy the encryption rule
 *   refuses, `INVALID_REQUEST` for a negative or non-finite size.
 */
export function resolveAlibabaTransfer(input: AlibabaTransferInput): AlibabaTransferResolution {
  const { sourceRegion, destinationRegion, source, copy } = input;
  const sameRegion = sourceRegion === destinationRegion;
  if (source.encrypted && !copy.encrypted) throw decryptOnCopyError();
  if (sameRegion && !copy.encrypted && input.allowSameRegionStandardCopy !== true) {
    throw sameRegionStandardCopyError(sourceRegion);
  }
  checkSize(source.sizeGiB, 'source.sizeGiB');
  checkSize(source.diskSizeGiB, 'source.diskSizeGiB');

  const reasons: string[] = [];
  const copyKey = keyOf(copy);
  const earlier = input.earlierCopies ?? [];
  let transfer: 'full' | 'incremental';
  let sizeBasis: 'snapshot' | 'disk' | 'delta';
  let gib: number;
  let delta: DeltaEstimate | undefined;

  const decision = earlier.length === 0 ? undefined : deciding(earlier, copyKey);
  if (decision?.match === true) {
    transfer = 'incremental';
    reasons.push(
      `An earlier copy of this lineage is in ${destinationRegion}, ${describeKey(copyKey)} like this one: Alibaba copies only what changed.`,
    );
    if (decision.unordered) {
      reasons.push(
        'The earlier copies carry no creation time, so incremental is assumed only because all of them use this key.',
      );
    }
    // Alibaba offers no API that lists the blocks changed between two snapshots, so the
    // change cannot be measured: the delta is billed on the full snapshot size as a ceiling.
    sizeBasis = 'delta';
    gib = source.sizeGiB;
    delta = {
      measured: 'upper-bound',
      gib,
      why: 'Alibaba Cloud has no API that lists the blocks changed between two snapshots',
    };
    reasons.push(
      `How much changed since the earlier copy cannot be measured on Alibaba Cloud: the estimate bills the full snapshot size (${gib} GiB) as an upper bound; the copy moves only what changed.`,
    );
  } else {
    transfer = 'full';
    if (decision !== undefined) {
      reasons.push(
        `The latest earlier copy of this lineage in ${destinationRegion} is ${describeKey(decision.against ?? 'none')}, this copy is ${describeKey(copyKey)}: a key change starts a new full copy.`,
      );
      if (decision.unordered) {
        reasons.push(
          'The earlier copies carry no creation time, so any copy under another key is taken to mean a key change.',
        );
      }
    } else {
      reasons.push(`No earlier copy of this lineage is in ${destinationRegion}: this is a first, full copy.`);
    }
    if (!copy.encrypted) {
      sizeBasis = 'snapshot';
      gib = source.sizeGiB;
      reasons.push(
        `A full standard copy of an unencrypted snapshot is billed on the full snapshot size (${gib} GiB).`,
      );
    } else if (source.encrypted) {
      sizeBasis = 'snapshot';
      gib = source.sizeGiB;
      reasons.push(
        `A full encrypted copy of an encrypted snapshot is billed on the full snapshot size (${gib} GiB).`,
      );
    } else if (source.diskSizeGiB === undefined) {
      sizeBasis = 'snapshot';
      gib = source.sizeGiB;
      reasons.push(
        `A first encrypted copy of an unencrypted snapshot is billed on the source disk size, which is unknown here: the estimate uses the snapshot size (${gib} GiB) and the bill may be higher, up to the disk size.`,
      );
    } else {
      sizeBasis = 'disk';
      gib = source.diskSizeGiB;
      reasons.push(
        `A first encrypted copy of an unencrypted snapshot is billed on the source disk size (${gib} GiB), not the snapshot size (${source.sizeGiB} GiB).`,
      );
      if (!sameRegion) {
        reasons.push(
          'Alibaba documents the disk-size basis for a same-region encrypted copy and is silent on a cross-region one; the estimate uses the larger disk size.',
        );
      }
    }
  }

  if (sameRegion) {
    reasons.push(
      `Same-region copy: no data crosses regions, so no transfer is charged; the copy stores ${gib} GiB in ${destinationRegion}.`,
    );
  } else {
    reasons.push(
      `Data transfer from ${sourceRegion} to ${destinationRegion} is charged per GiB on that size (${gib} GiB), and the copy is stored in ${destinationRegion}.`,
    );
  }
  return {
    transfer,
    sizeBasis,
    ...(delta === undefined ? {} : { delta }),
    billableGiB: { transfer: sameRegion ? 0 : gib, storage: gib, timeBased: 0 },
    reasons,
  };
}
