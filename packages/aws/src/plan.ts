import type { CopyPlan, KmsCharges, NormalizedCopyRequest, ResolvedEncryption } from '@snapcopy/core';
import { type AwsPlanFacts, encryptionInput } from './plan-facts.js';
import {
  AWS_EBS_MANAGED_KEY_ALIAS,
  checkAwsSourceCopyable,
  resolveAwsEncryption,
  resolveAwsTransfer,
  validateAwsTimeBasedCopy,
} from './rules/index.js';

/** `alias/aws/ebs`, by alias or alias ARN: the free AWS managed key. */
function isAwsManagedKey(key: string | undefined): boolean {
  return key === AWS_EBS_MANAGED_KEY_ALIAS || (key?.endsWith(`:${AWS_EBS_MANAGED_KEY_ALIAS}`) ?? false);
}

/** The key service charges of a copy under `encryption`. */
export function kmsCharges(encryption: ResolvedEncryption): KmsCharges {
  if (!encryption.encrypted) return { customerManagedKey: false, serviceKey: false };
  // A key AWS names only by its key ARN may still be the managed one; counting it as a
  // customer key can only over-estimate.
  const managed = isAwsManagedKey(encryption.kmsKeyId);
  return { customerManagedKey: !managed, serviceKey: managed };
}

/**
 * Decides one EBS copy from the facts read first ({@link AwsPlanFacts}): the source must
 * be copyable, then the encryption rule, the time-based limits for the source's size, and
 * the transfer rule over the destination's lineage. Pure; throws the rules' errors.
 */
export function decideAwsPlan(request: NormalizedCopyRequest, facts: AwsPlanFacts): CopyPlan {
  const { source, ownership, snapshot } = facts;
  checkAwsSourceCopyable({
    snapshotId: request.source.snapshotId,
    region: request.source.region,
    ...(snapshot.State === undefined ? {} : { state: snapshot.State }),
    ...(snapshot.StorageTier === undefined ? {} : { storageTier: snapshot.StorageTier }),
    restoring: snapshot.RestoreExpiryTime !== undefined,
  });
  const destinationRegion = request.destination.region;
  const timeBased =
    request.completionDurationMinutes === undefined
      ? undefined
      : validateAwsTimeBasedCopy(request.completionDurationMinutes, source.sizeGiB);
  const resolved = resolveAwsEncryption(encryptionInput(request, source, facts.defaults));
  const destinationAccount =
    request.destination.account ?? (ownership === 'owned' ? source.ownerAccount : undefined);
  const transfer = resolveAwsTransfer({
    source: {
      region: source.region,
      ownership,
      encrypted: source.encrypted,
      sizeGiB: source.sizeGiB,
      ...(source.ownerAccount === undefined ? {} : { ownerAccount: source.ownerAccount }),
      ...(source.kmsKeyId === undefined ? {} : { kmsKeyId: source.kmsKeyId }),
      ...(source.changedGiB === undefined ? {} : { changedGiB: source.changedGiB }),
    },
    destination: {
      region: destinationRegion,
      ...(destinationAccount === undefined ? {} : { account: destinationAccount }),
    },
    encryption: resolved.encryption,
    ...(facts.lineage === undefined ? {} : { lineage: facts.lineage }),
    timeBased: timeBased !== undefined,
  });

  const reasons = [
    ownership === 'shared'
      ? `the source is shared with you by account ${source.ownerAccount ?? request.source.account ?? '(unknown)'}: a cross-account copy`
      : 'the source is your own snapshot',
    ...resolved.reasons,
    ...transfer.reasons,
  ];
  if (timeBased) {
    reasons.push(
      `time-based copy: asked to finish within ${timeBased.completionDurationMinutes} minutes (at least ${timeBased.minimumMinutes} for ${source.sizeGiB} GiB)`,
    );
  }

  return {
    provider: 'aws',
    request,
    source,
    destination: {
      region: destinationRegion,
      ...(destinationAccount === undefined ? {} : { account: destinationAccount }),
    },
    encryption: resolved.encryption,
    transfer: transfer.transfer,
    sizeBasis: transfer.sizeBasis,
    billableGiB: transfer.billableGiB,
    kms: kmsCharges(resolved.encryption),
    ...(timeBased === undefined ? {} : { timeBased }),
    reasons,
  };
}
