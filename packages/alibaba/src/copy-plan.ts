import type { CopyPlan, CopyRequest, NormalizedCopyRequest, SourceSnapshotFacts } from '@snapcopy/core';
import { type AlibabaEncryptionResolution, resolveAlibabaEncryption } from './rules/encryption.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';
import { resolveAlibabaTransfer } from './rules/transfer.js';
import { checkAlibabaSourceCopyable } from './rules/validation.js';
import { diskSizeGiB, type EcsSnapshot, fullSnapshotSizeGiB, toEarlierCopy } from './snapshot-view.js';

/** What ECS said about the source snapshot, reduced to the facts a plan needs. */
export function sourceFacts(
  req: CopyRequest,
  s: EcsSnapshot,
): { facts: SourceSnapshotFacts; notes: string[] } {
  const notes: string[] = [];
  const disk = diskSizeGiB(s);
  const full = fullSnapshotSizeGiB(s);
  let sizeGiB: number;
  if (full !== undefined) sizeGiB = full;
  else if (disk !== undefined) {
    sizeGiB = disk;
    notes.push(
      `ECS did not report the snapshot's data size; the estimate uses its source disk size (${disk} GiB), an upper bound.`,
    );
  } else {
    sizeGiB = 0;
    notes.push('ECS reported neither the snapshot size nor its disk size; the size estimate is 0 GiB.');
  }
  const encrypted = s.encrypted === true;
  return {
    facts: {
      region: req.source.region,
      snapshotId: req.source.snapshotId,
      ownership: 'owned',
      encrypted,
      ...(encrypted && s.KMSKeyId ? { kmsKeyId: s.KMSKeyId } : {}),
      ...(s.sourceDiskId ? { volumeId: s.sourceDiskId } : {}),
      sizeGiB,
      ...(disk === undefined ? {} : { diskSizeGiB: disk }),
    },
    notes,
  };
}

/**
 * Refuses a source ECS cannot copy (archived, local, not accomplished), then resolves
 * the copy's encryption (refusing a decrypting copy or a standard copy in the same region).
 */
export function checkSourceAndEncryption(req: CopyRequest, source: EcsSnapshot): AlibabaEncryptionResolution {
  const refused = checkAlibabaSourceCopyable({
    ...(source.category === undefined ? {} : { category: source.category }),
    status: source.status ?? 'unknown',
  });
  if (refused) throw refused;
  return resolveAlibabaEncryption({
    sourceRegion: req.source.region,
    destinationRegion: req.destination.region,
    sourceEncrypted: source.encrypted === true,
    ...(req.encryption ? { requested: req.encryption } : {}),
  });
}

/**
 * Applies the ECS rules to what the plan read: the source must be copyable (not archived,
 * not local, accomplished), then the encryption rule, then the transfer rule over the
 * earlier copies of the same lineage in the destination. Pure; throws the rules' errors.
 */
export function buildAlibabaPlan(
  req: NormalizedCopyRequest,
  source: EcsSnapshot,
  earlierCopies: readonly EcsSnapshot[],
  /** The result of {@link checkSourceAndEncryption} when the caller already has it. */
  enc: AlibabaEncryptionResolution = checkSourceAndEncryption(req, source),
): CopyPlan {
  const { facts, notes } = sourceFacts(req, source);
  const transfer = resolveAlibabaTransfer({
    sourceRegion: req.source.region,
    destinationRegion: req.destination.region,
    source: facts,
    copy: enc.encryption,
    earlierCopies: earlierCopies.map(toEarlierCopy),
  });
  const lineage =
    facts.volumeId === undefined
      ? [
          'ECS did not report the source disk, so earlier copies of its lineage could not be looked up; the copy is assumed full.',
        ]
      : [];
  return {
    provider: ALIBABA_PROVIDER,
    request: req,
    source: facts,
    destination: { region: req.destination.region },
    encryption: enc.encryption,
    transfer: transfer.transfer,
    sizeBasis: transfer.sizeBasis,
    billableGiB: transfer.billableGiB,
    kms: enc.kms,
    reasons: [...enc.reasons, ...notes, ...lineage, ...transfer.reasons],
  };
}
