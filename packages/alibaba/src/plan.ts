import type { CopyPlan, CopyRequest, ResolvedEncryption } from '@snapcopy/core';
import type { NormalizedCopyRequest } from '@snapcopy/core/driver';
import type { AlibabaKeyFact, AlibabaPlanFacts } from './plan-facts.js';
import { type AlibabaEncryptionResolution, resolveAlibabaEncryption } from './rules/encryption.js';
import { checkAlibabaKey } from './rules/keys.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';
import { resolveAlibabaTransfer } from './rules/transfer.js';
import { checkAlibabaSourceCopyable } from './rules/validation.js';
import { type EcsSnapshot, sourceFacts, toEarlierCopy } from './snapshot-view.js';

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
 * The copy's encryption with its key resolved and checked through what KMS said (a snapshot
 * copy's, or an image disk's): throws the key rule's `ENCRYPTION_RULE` for a key ECS would
 * refuse; names the key by its id when KMS resolved it. Pure.
 */
export function checkedCopyKey(
  encryption: ResolvedEncryption,
  key: AlibabaKeyFact | undefined,
): { encryption: ResolvedEncryption; reasons: string[] } {
  if (key === undefined || !encryption.encrypted) return { encryption, reasons: [] };
  const checked = checkAlibabaKey(key);
  return {
    encryption: {
      ...encryption,
      ...(checked.key.keyId === undefined ? {} : { kmsKeyId: checked.key.keyId }),
      key: checked.key,
    },
    reasons: [...checked.reasons],
  };
}

/**
 * Decides one ECS copy from the facts read first ({@link AlibabaPlanFacts}): the source
 * was found copyable and the encryption rule resolved while reading; here the copy's key
 * is checked through what KMS said (refusing a key ECS would refuse), and the transfer rule
 * runs over the earlier copies of the same lineage in the destination, keys compared as KMS
 * resolved them. Pure.
 */
export function decideAlibabaPlan(req: NormalizedCopyRequest, read: AlibabaPlanFacts): CopyPlan {
  const { source, earlierCopies, encryption: enc } = read;
  const { facts, notes } = sourceFacts(req, source);
  const { encryption, reasons: keyReasons } = checkedCopyKey(enc.encryption, read.key);
  const keysResolved = !encryption.encrypted || encryption.key?.checkedBy === 'kms';
  const transfer = resolveAlibabaTransfer({
    sourceRegion: req.source.region,
    destinationRegion: req.destination.region,
    source: facts,
    copy: encryption,
    earlierCopies: earlierCopies.map((c) => toEarlierCopy(c, keysResolved)),
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
    encryption,
    transfer: transfer.transfer,
    sizeBasis: transfer.sizeBasis,
    ...(transfer.delta === undefined ? {} : { delta: transfer.delta }),
    billableGiB: transfer.billableGiB,
    kms: enc.kms,
    reasons: [...enc.reasons, ...keyReasons, ...notes, ...lineage, ...transfer.reasons],
  };
}
