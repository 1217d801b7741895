import { type CopyBilling, computeCopyBilling } from '../copy-billing.js';
import { readEncryptionParams, resolveCopyEncryption } from '../copy-encryption.js';
import { Ec2ApiError, ec2Errors } from '../errors.js';
import { newDataKeyId, SNAPSHOT_ID_RE } from '../ids.js';
import { defaultEbsKey, keyUsableBy, resolveKmsKey } from '../kms.js';
import type { QueryParams } from '../query-params.js';
import { canCreateVolume } from '../snapshot-permissions.js';
import { ec2Extra } from '../snapshot-view.js';
import type { Ec2RequestContext } from '../state.js';
import { parseCompletionDuration, parseTagSpecificationsOf } from '../tag-rules.js';
import { xmlElement, xmlTagSet } from '../xml.js';

/** The message EC2 puts on a copy whose key it cannot use (seen on real copies). */
export const KEY_NOT_ACCESSIBLE = 'Given key ID is not accessible';
/** The message for a shared source whose key the caller was not granted [inferred wording]. */
export const SOURCE_KEY_NOT_ACCESSIBLE = 'The KMS key of the source snapshot is not accessible';

/** `TagSpecification.N` (resource type `snapshot` only): the tags to put on new snapshots. */
export function parseTagSpecifications(p: QueryParams): Map<string, string> {
  return parseTagSpecificationsOf(p, ['snapshot'], 'snapshot').snapshot;
}

/**
 * CopySnapshot, served in the destination region (the region of the credential scope).
 * Everything EC2 checks synchronously is checked here; a key it cannot use shows up later,
 * as the copy turning to `error`. `PresignedUrl` and `DestinationRegion` are accepted and
 * ignored: the URL is never fetched.
 */
export function copySnapshot(ctx: Ec2RequestContext, p: QueryParams): string {
  const { state, account, region } = ctx;
  const { world } = state;
  const sourceRegion = p.required('SourceRegion');
  const sourceId = p.required('SourceSnapshotId');
  const { encryptedFlag, kmsKeyId } = readEncryptionParams(p);
  const completionDurationMinutes = parseCompletionDuration(p, 'CompletionDurationMinutes');
  if (p.get('DestinationOutpostArn') !== undefined || p.get('DestinationAvailabilityZone') !== undefined) {
    throw new Ec2ApiError('UnsupportedOperation', 'Copies to Outposts and Local Zones are not simulated.');
  }
  const tags = parseTagSpecifications(p);
  if (!world.regions.has(sourceRegion)) {
    throw new Ec2ApiError('InvalidRegion', `Invalid region: ${sourceRegion}`);
  }
  if (!SNAPSHOT_ID_RE.test(sourceId)) throw ec2Errors.snapshotMalformed(sourceId);
  const candidate = world.snapshots.get(sourceId);
  // Owned, shared with the caller, or public: any create-volume permission allows a copy.
  const source =
    candidate && candidate.region === sourceRegion && canCreateVolume(candidate, account)
      ? candidate
      : undefined;
  if (!source) throw ec2Errors.snapshotNotFound([sourceId]);
  if (source.state !== 'completed') {
    throw new Ec2ApiError('IncorrectState', `Snapshot '${sourceId}' is not in the 'completed' state.`);
  }
  if (source.category === 'archive') {
    throw new Ec2ApiError('IncorrectState', `Snapshot '${sourceId}' is archived; restore it before copying.`);
  }

  const defaultKey = defaultEbsKey(world, account, region);
  const outcome = resolveCopyEncryption({
    sourceEncrypted: source.encrypted,
    ...(source.kmsKeyId !== undefined ? { sourceKeyArn: source.kmsKeyId } : {}),
    sourceOwnedByCaller: source.account === account,
    sameRegion: sourceRegion === region,
    ...(encryptedFlag !== undefined ? { encryptedFlag } : {}),
    ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
    encryptionByDefault: world.isEncryptionByDefault(account, region),
    defaultKeyArn: defaultKey?.arn ?? 'alias/aws/ebs',
  });

  if (state.pendingCopies(account, region) >= state.copyLimitPerRegion) {
    throw new Ec2ApiError(
      'ResourceLimitExceeded',
      `You have reached the limit of ${state.copyLimitPerRegion} concurrent snapshot copies to ${region}. Wait for a copy to complete and try again.`,
    );
  }

  let destinationKeyArn: string | undefined;
  let failMessage: string | undefined;
  if (outcome.encrypted) {
    if (source.encrypted) {
      const sourceKey = resolveKmsKey(world, source.kmsKeyId ?? '', account, source.region);
      if (!keyUsableBy(sourceKey, account)) failMessage = SOURCE_KEY_NOT_ACCESSIBLE;
    }
    const key = resolveKmsKey(world, outcome.keyRef, account, region);
    destinationKeyArn = key?.arn ?? outcome.keyRef;
    if (!keyUsableBy(key, account)) failMessage = KEY_NOT_ACCESSIBLE;
  }
  const destination = {
    encrypted: outcome.encrypted,
    ...(destinationKeyArn ? { kmsKeyArn: destinationKeyArn } : {}),
  };
  const {
    movedGiB,
    waitMs,
    decision: _decision,
    ...billing
  }: CopyBilling = computeCopyBilling({
    account,
    source: {
      id: source.id,
      region: source.region,
      account: source.account,
      sizeGiB: source.sizeGiB,
      encrypted: source.encrypted,
      ...(source.kmsKeyId !== undefined ? { kmsKeyArn: source.kmsKeyId } : {}),
    },
    destinationRegion: region,
    destination,
    destinationLineage: state.lineageIn(account, region, source.volumeId),
    now: world.clock.now(),
    changedGiBSince: (blocksOf) => world.blocks.changedGiBBetween(source.id, blocksOf),
    ...(completionDurationMinutes !== undefined ? { completionDurationMinutes } : {}),
  });
  const metadataOnly = billing.transfer === 'none';
  const copy = world.startCopy({
    source,
    account,
    region,
    encrypted: outcome.encrypted,
    ...(destinationKeyArn !== undefined ? { kmsKeyId: destinationKeyArn } : {}),
    description: p.get('Description') ?? `[Copied ${sourceId} from ${sourceRegion}]`,
    tags,
    movedGiB,
    ...(waitMs > 0 ? { waitMs } : {}),
    ...(completionDurationMinutes !== undefined ? { completionDurationMinutes } : {}),
    ...(failMessage !== undefined ? { failMessage } : {}),
    billing,
    extra: outcome.encrypted
      ? {
          dataEncryptionKeyId:
            metadataOnly && ec2Extra(source).dataEncryptionKeyId
              ? ec2Extra(source).dataEncryptionKeyId
              : newDataKeyId(),
        }
      : {},
  });
  state.pendingCopyIds.add(copy.id);
  state.rememberCopy(copy);
  return xmlElement('snapshotId', copy.id) + (copy.tags.size > 0 ? xmlTagSet(copy.tags) : '');
}
