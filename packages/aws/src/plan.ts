import type {
  CopyPlan,
  KmsCharges,
  PlanLineage,
  ResolvedEncryption,
  SourceSnapshotFacts,
} from '@snapcopy/core';
import type { NormalizedCopyRequest } from '@snapcopy/core/driver';
import { definedFields } from '@snapcopy/core/driver';
import {
  type AwsPlanDecider,
  type AwsPlanFacts,
  type AwsPlanRequest,
  type AwsSourceAndDefaults,
  encryptionInput,
  type KeysToRead,
} from './plan-facts.js';
import {
  AWS_EBS_MANAGED_KEY_ALIAS,
  type AwsDestinationLineage,
  type AwsTransferInput,
  type AwsTransferKind,
  awsDeltaBase,
  checkAwsKey,
  checkAwsSourceCopyable,
  classifyAwsTransfer,
  latestPresentAwsCopy,
  resolveAwsEncryption,
  resolveAwsTransfer,
  validateAwsTimeBasedCopy,
} from './rules/index.js';
import { destinationLineage } from './snapshot-view.js';

/** `alias/aws/ebs`, by alias or alias ARN: the free AWS managed key. */
function isAwsManagedKey(key: string | undefined): boolean {
  return key === AWS_EBS_MANAGED_KEY_ALIAS || (key?.endsWith(`:${AWS_EBS_MANAGED_KEY_ALIAS}`) ?? false);
}

/** The key service charges of a copy under `encryption`. */
export function kmsCharges(encryption: ResolvedEncryption): KmsCharges {
  if (!encryption.encrypted) return { customerManagedKey: false, serviceKey: false };
  // KMS says whether the key is AWS managed; without KMS, a key named only by its key ARN
  // may still be the managed one, and counting it as a customer key can only over-estimate.
  const managed =
    encryption.key?.managedByProvider ?? isAwsManagedKey(encryption.key?.reference ?? encryption.kmsKeyId);
  return { customerManagedKey: !managed, serviceKey: managed };
}

/** The key references the copy's encryption rests on: the copy's key and the source's key. */
function keysToRead(request: AwsPlanRequest, facts: AwsSourceAndDefaults): KeysToRead {
  const { source } = facts;
  const resolved = resolveAwsEncryption(encryptionInput(request, source, facts.defaults)).encryption;
  const sourceKey =
    source.encrypted && source.kmsKeyId !== undefined
      ? { region: source.region, reference: source.kmsKeyId }
      : undefined;
  const copyKey =
    resolved.encrypted && resolved.kmsKeyId !== undefined
      ? { region: request.destination.region, reference: resolved.kmsKeyId }
      : undefined;
  return { ...(copyKey ? { copy: copyKey } : {}), ...(sourceKey ? { source: sourceKey } : {}) };
}

/**
 * The copy's encryption with its key resolved and checked through KMS: the source's key
 * must be usable (the copy reads the source with it), and so must the copy's own key.
 * Throws the key rule's `ENCRYPTION_RULE`.
 */
export function checkedEncryption(
  request: AwsPlanRequest,
  facts: Pick<AwsPlanFacts, 'source' | 'defaults' | 'keys'>,
): { encryption: ResolvedEncryption; reasons: string[] } {
  const resolved = resolveAwsEncryption(encryptionInput(request, facts.source, facts.defaults));
  const reasons = [...resolved.reasons];
  const { copy, source } = facts.keys;
  if (source !== undefined) {
    reasons.push(...checkAwsKey({ role: 'source', ...source }).reasons);
  }
  if (!resolved.encryption.encrypted || copy === undefined)
    return { encryption: resolved.encryption, reasons };
  // Keeping the source's key within its region: the source's check already covered it.
  const checked = checkAwsKey({ role: 'copy', ...copy });
  const sameAsSource =
    source !== undefined && source.reference === copy.reference && source.region === copy.region;
  if (!sameAsSource) reasons.push(...checked.reasons);
  if (checked.key.checkedBy === 'kms' && checked.key.managedByProvider === false) {
    reasons.push(
      "KMS does not show whether the key's policy lets EBS use the key; if it does not, AWS fails the copy after it has started",
    );
  }
  return {
    encryption: {
      ...resolved.encryption,
      ...(checked.key.keyArn === undefined ? {} : { kmsKeyId: checked.key.keyArn }),
      key: checked.key,
    },
    reasons,
  };
}

/**
 * What the transfer rule reads for one snapshot copy: the source, the destination (its
 * account: the request's, else the owner's for a source the caller owns), the copy's
 * encryption and the lineage of earlier copies there, when it was looked up.
 */
export function awsTransferInput(
  request: Pick<NormalizedCopyRequest, 'destination'>,
  source: SourceSnapshotFacts,
  encryption: ResolvedEncryption,
  lineage: AwsDestinationLineage | undefined,
): AwsTransferInput {
  const account =
    request.destination.account ?? (source.ownership === 'owned' ? source.ownerAccount : undefined);
  return {
    source: {
      region: source.region,
      ownership: source.ownership,
      encrypted: source.encrypted,
      sizeGiB: source.sizeGiB,
      ...definedFields({ ownerAccount: source.ownerAccount, kmsKeyId: source.kmsKeyId }),
    },
    destination: { region: request.destination.region, ...definedFields({ account }) },
    encryption,
    ...definedFields({ lineage }),
  };
}

/** The earlier copies of the lineage, keyed as the plan's key was resolved; undefined when not looked up. */
function lineageOf(facts: Omit<AwsPlanFacts, 'delta'>, encryption: ResolvedEncryption) {
  const keysResolved = !encryption.encrypted || encryption.key?.checkedBy === 'kms';
  return facts.lineage === undefined ? undefined : destinationLineage(facts.lineage, keysResolved);
}

/** The copy's encryption and the kind of transfer it makes, from the facts read before the delta. */
function transferKind(
  request: AwsPlanRequest,
  facts: Omit<AwsPlanFacts, 'delta'>,
): { encryption: ResolvedEncryption; reasons: string[]; kind: AwsTransferKind; destinationAccount?: string } {
  const { encryption, reasons } = checkedEncryption(request, facts);
  const input = awsTransferInput(request, facts.source, encryption, lineageOf(facts, encryption));
  const kind = classifyAwsTransfer(input);
  const destinationAccount = input.destination.account;
  return { encryption, reasons, kind, ...(destinationAccount === undefined ? {} : { destinationAccount }) };
}

/** The decisions the fact reader needs before reading further (see `readAwsPlanFacts`). */
export const AWS_PLAN_DECIDER: AwsPlanDecider = {
  keysToRead,
  deltaBase: (request, facts) => awsDeltaBase(transferKind(request, facts).kind, facts.source.region),
};

/**
 * The decisions on one snapshot copy, whether alone or as a backing snapshot of an AMI: its
 * encryption with the keys checked through KMS (throws the key rules' `ENCRYPTION_RULE`),
 * then full or incremental over the most recent copy in the destination and the measured
 * delta, and the GiB billed. Pure.
 */
export function decideAwsSnapshotCopy(
  request: AwsPlanRequest,
  facts: AwsPlanFacts,
  timeBased: boolean,
): {
  encryption: ResolvedEncryption;
  reasons: string[];
  destinationAccount?: string;
  transfer: ReturnType<typeof resolveAwsTransfer>;
} {
  const { encryption, reasons, destinationAccount } = transferKind(request, facts);
  const transfer = resolveAwsTransfer({
    ...awsTransferInput(request, facts.source, encryption, lineageOf(facts, encryption)),
    ...(facts.delta === undefined ? {} : { delta: facts.delta }),
    timeBased,
  });
  return {
    encryption,
    reasons,
    ...(destinationAccount === undefined ? {} : { destinationAccount }),
    transfer,
  };
}

/**
 * Decides one EBS copy from the facts read first ({@link AwsPlanFacts}): the source must
 * be copyable, then the encryption rule with its keys resolved and checked through KMS,
 * the time-based limits for the source's size, and the transfer rule over the most recent
 * copy in the destination and the measured delta. Pure; throws the rules' errors.
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
  const {
    encryption,
    reasons: encryptionReasons,
    destinationAccount,
    transfer,
  } = decideAwsSnapshotCopy(request, facts, timeBased !== undefined);

  const reasons = [
    ownership === 'shared'
      ? `the source is shared with you by account ${source.ownerAccount ?? request.source.account ?? '(unknown)'}: a cross-account copy`
      : 'the source is your own snapshot',
    ...encryptionReasons,
    ...transfer.reasons,
  ];
  if (timeBased) {
    reasons.push(
      `time-based copy: asked to finish within ${timeBased.completionDurationMinutes} minutes (at least ${timeBased.minimumMinutes} for ${source.sizeGiB} GiB)`,
    );
  }
  const follows = facts.lineage === undefined ? undefined : latestPresentAwsCopy(facts.lineage);
  const lineage: PlanLineage | undefined =
    follows === undefined
      ? undefined
      : {
          mostRecentCopyId: follows.id,
          ...(follows.clientToken === undefined ? {} : { mostRecentCopyToken: follows.clientToken }),
          ...(transfer.delta?.baseSnapshotId === undefined
            ? {}
            : { baseSnapshotId: transfer.delta.baseSnapshotId }),
        };

  return {
    provider: 'aws',
    request,
    source,
    destination: {
      region: destinationRegion,
      ...(destinationAccount === undefined ? {} : { account: destinationAccount }),
    },
    encryption,
    transfer: transfer.transfer,
    sizeBasis: transfer.sizeBasis,
    ...(transfer.delta === undefined ? {} : { delta: transfer.delta }),
    ...(lineage === undefined ? {} : { lineage }),
    billableGiB: transfer.billableGiB,
    kms: kmsCharges(encryption),
    ...(timeBased === undefined ? {} : { timeBased }),
    reasons,
  };
}
