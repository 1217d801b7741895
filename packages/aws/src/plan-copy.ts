import type { CopyPlan, KmsCharges, NormalizedCopyRequest, ResolvedEncryption } from '@snapcopy/core';
import { callerTags } from './copy-tags.js';
import { encryptionSettingsNeeded, readDestinationDefaults } from './destination-defaults.js';
import { readDestinationLineage } from './destination-lineage.js';
import type { Ec2Calls } from './ec2-calls.js';
import {
  AWS_EBS_MANAGED_KEY_ALIAS,
  resolveAwsEncryption,
  resolveAwsTransfer,
  validateAwsSnapshotId,
  validateAwsTimeBasedCopy,
} from './rules/index.js';
import { checkSourceCopyable, readSourceSnapshot, sourceFacts } from './source-snapshot.js';

/** `alias/aws/ebs`, by alias or alias ARN: the free AWS managed key. */
function isAwsManagedKey(key: string | undefined): boolean {
  return key === AWS_EBS_MANAGED_KEY_ALIAS || (key?.endsWith(`:${AWS_EBS_MANAGED_KEY_ALIAS}`) ?? false);
}

function kmsCharges(encryption: ResolvedEncryption): KmsCharges {
  if (!encryption.encrypted) return { customerManagedKey: false, serviceKey: false };
  // A key AWS names only by its key ARN may still be the managed one; counting it as a
  // customer key can only over-estimate.
  const managed = isAwsManagedKey(encryption.kmsKeyId);
  return { customerManagedKey: !managed, serviceKey: managed };
}

/**
 * Plans one EBS copy: checks what needs no call (snapshot id, tags), reads the source,
 * the destination's encryption settings (only when they decide the outcome) and the
 * lineage of earlier copies (only when the copy could be incremental), then applies the
 * rules. Makes read calls only.
 */
export async function planAwsCopy(
  calls: Ec2Calls,
  request: NormalizedCopyRequest,
  signal?: AbortSignal,
): Promise<CopyPlan> {
  validateAwsSnapshotId(request.source.snapshotId);
  callerTags(request);

  const { snapshot, ownership } = await readSourceSnapshot(calls, request.source, signal);
  checkSourceCopyable(request.source, snapshot);
  const source = sourceFacts(request.source, snapshot, ownership);
  const destinationRegion = request.destination.region;

  const timeBased =
    request.completionDurationMinutes === undefined
      ? undefined
      : validateAwsTimeBasedCopy(request.completionDurationMinutes, source.sizeGiB);

  const defaults = await readDestinationDefaults(
    calls,
    destinationRegion,
    encryptionSettingsNeeded(request.encryption, source, destinationRegion),
    signal,
  );
  const resolved = resolveAwsEncryption({
    ...(request.encryption === undefined ? {} : { request: request.encryption }),
    source: {
      region: source.region,
      encrypted: source.encrypted,
      ownership,
      ...(source.kmsKeyId === undefined ? {} : { kmsKeyId: source.kmsKeyId }),
    },
    destination: {
      region: destinationRegion,
      encryptionByDefault: defaults.encryptionByDefault,
      ...(defaults.defaultKmsKeyId === undefined ? {} : { defaultKmsKeyId: defaults.defaultKmsKeyId }),
    },
  });

  const crossRegion = source.region !== destinationRegion;
  // Encrypting an unencrypted snapshot is always a full copy: no lineage can change that.
  const mayBeIncremental =
    (crossRegion || ownership === 'shared') && !(!source.encrypted && resolved.encryption.encrypted);
  const lineage =
    mayBeIncremental && source.volumeId !== undefined
      ? await readDestinationLineage(calls, destinationRegion, source.volumeId, signal)
      : undefined;

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
    ...(lineage === undefined ? {} : { lineage }),
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
