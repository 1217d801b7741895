import { simKeyState } from '../sim/key-state.js';
import type { SimKey, SimSnapshot } from '../sim/world.js';
import { billDiskCopy, resolveEcsCopyEncryption } from './copy-rules.js';
import type { EcsOperationContext } from './operation-context.js';
import { EcsApiError, ecsErrors } from './rpc-errors.js';
import { isValidClientToken, isValidDescription, isValidSnapshotName, readTags } from './validation.js';

const denied = (code: string, message: string) => new EcsApiError(403, code, message);

/** Checks a customer key for use by ECS on behalf of `account`; throws the documented KMS errors. */
function checkKey(ctx: EcsOperationContext, region: string, ref: string): SimKey {
  const key = ctx.state.findKey(ctx.account.id, region, ref);
  if (!key)
    throw denied(
      'InvalidParameter.KMSKeyId.NotFound',
      'The specified KMSKeyId does not exist in the destination region.',
    );
  if (key.account !== ctx.account.id && !key.usableBy.has(ctx.account.id)) {
    throw denied(
      'InvalidParameter.KMSKeyId.CMKUnauthorized',
      'The specified KMS key is not authorized for this account.',
    );
  }
  // Disabled, pending deletion and pending import keys all refuse cryptographic use.
  if (simKeyState(key) !== 'Enabled')
    throw denied('InvalidParameter.KMSKeyId.CMKNotEnabled', 'The specified KMS key is not enabled.');
  if (!key.accessible) {
    throw denied(
      'InvalidParameter.KMSKeyId.KMSUnauthorized',
      'ECS is not authorized to use the specified KMS key.',
    );
  }
  return key;
}

/** The source snapshot: owned by the caller, in `RegionId`, standard category, accomplished. */
function checkSource(ctx: EcsOperationContext, region: string, snapshotId: string): SimSnapshot {
  const source = ctx.state.world.snapshots.get(snapshotId);
  if (!source || source.region !== region || source.account !== ctx.account.id) {
    throw denied('InvalidSnapshotId.NotFound', 'The specified snapshot is not found.');
  }
  if (source.category === 'archive') {
    throw denied('OperationDenied.SnapshotCategoryNotSupportCopy', 'Archived snapshots cannot be copied.');
  }
  if (source.category === 'flash') {
    throw denied('InvalidSnapshotCategory.NotSupportCopy', 'Local (flash) snapshots cannot be copied.');
  }
  if (source.state !== 'completed') {
    throw denied('InvalidSnapshotId.NotReady', 'The specified snapshot has not completed yet.');
  }
  return source;
}

/** The parameters a reused ClientToken must repeat: what is copied, from where, to where. */
function tokenRequest(p: EcsOperationContext['params']): string {
  return [p.get('RegionId'), p.get('SnapshotId'), p.get('DestinationRegionId')].join('\u0000');
}

/**
 * CopySnapshot, served by the source region (`RegionId`): validates like ECS, answers key
 * problems synchronously, honours `ClientToken`, and starts a progressing copy in
 * `DestinationRegionId` billed on the size basis ECS documents.
 */
export function copySnapshot(ctx: EcsOperationContext): Record<string, unknown> {
  const { params: p, state, account } = ctx;
  const world = state.world;
  const region = p.require('RegionId');
  const snapshotId = p.require('SnapshotId');
  const destination = p.require('DestinationRegionId');
  const token = p.get('ClientToken');
  if (token !== undefined && token !== '') {
    if (!isValidClientToken(token))
      throw ecsErrors.invalid('ClientToken', 'must be at most 64 ASCII characters');
    const earlier = state.tokenCopy(account.id, token);
    if (earlier !== undefined) {
      // ECS answers a token in use with other parameters by refusing, not with the old copy.
      const first = state.tokenRequest(account.id, token);
      if (first !== undefined && first !== tokenRequest(p)) {
        throw new EcsApiError(
          400,
          'IdempotentParameterMismatch',
          'The specified ClientToken is in use with different request parameters.',
        );
      }
      return { SnapshotId: earlier };
    }
  }
  if (!world.regions.has(region)) {
    throw new EcsApiError(400, 'InvalidRegionId.MalFormed', 'The specified RegionId is not valid.');
  }
  if (!world.regions.has(destination)) {
    throw denied('InvalidRegionId.NotExists', 'The specified DestinationRegionId does not exist.');
  }
  const name = p.get('DestinationSnapshotName');
  const description = p.get('DestinationSnapshotDescription');
  if (state.behaviour.requireDestinationNameAndDescription) {
    if (name === undefined || name === '') throw ecsErrors.missing('DestinationSnapshotName');
    if (description === undefined || description === '')
      throw ecsErrors.missing('DestinationSnapshotDescription');
  }
  if (name !== undefined && name !== '' && !isValidSnapshotName(name)) {
    throw denied('InvalidSnapshotName.Malformed', 'The specified DestinationSnapshotName is not valid.');
  }
  if (description !== undefined && description !== '' && !isValidDescription(description)) {
    throw denied(
      'InvalidDescription.Malformed',
      'The specified DestinationSnapshotDescription is not valid.',
    );
  }
  const retentionDays = p.int('RetentionDays', 1, 65536, () =>
    denied('InvalidRetentionDays.Malformed', 'RetentionDays must be an integer from 1 to 65536.'),
  );
  const encryptedParam = p.bool('Encrypted');
  const keyRef = p.get('KMSKeyId') || undefined;
  const tags = readTags(p, {
    status: 400,
    tooMany: () => new EcsApiError(400, 'InvalidTagCount', 'The number of tags exceeds 20.'),
  });

  const source = checkSource(ctx, region, snapshotId);
  const outcome = resolveEcsCopyEncryption({
    sourceEncrypted: source.encrypted,
    encryptedParam,
    kmsKeyGiven: keyRef !== undefined,
    sameRegion: region === destination,
  });
  if (outcome.kind === 'refused') throw denied(outcome.code, outcome.message);
  let key: SimKey | undefined;
  if (outcome.encrypted) {
    if (encryptedParam === true && !state.kmsEnabled(account.id)) {
      throw denied('InvalidParameter.KmsNotEnabled', 'KMS is not activated for this account.');
    }
    key =
      outcome.key === 'given'
        ? checkKey(ctx, destination, keyRef!)
        : state.serviceKey(account.id, destination);
  }

  const siblings = state.copiesOfDisk(account.id, destination, source.volumeId);
  if (state.behaviour.serializeCopiesPerDisk && siblings.some((s) => s.state === 'pending')) {
    throw outcome.encrypted
      ? denied(
          'InvalidOperation.UnfinishedEncryptedSnapshotCopy',
          'An earlier encrypted copy of this disk to the destination region is unfinished.',
        )
      : denied(
          'InvalidOperation.UnfinishedCrossRegionCopy',
          'An earlier copy of this disk to the destination region is unfinished.',
        );
  }
  const billing = billDiskCopy(source, { encrypted: outcome.encrypted, keyId: key?.id }, siblings, (a, b) =>
    world.blocks.changedGiBBetween(a, b),
  );
  const failMessage = state.takeAsyncFailure();
  const copy = world.startCopy({
    source,
    account: account.id,
    region: destination,
    encrypted: outcome.encrypted,
    ...(key ? { kmsKeyId: key.id } : {}),
    ...(name ? { name } : {}),
    ...(description ? { description } : {}),
    tags: new Map(tags),
    ...(retentionDays !== undefined ? { retentionDays } : {}),
    ...(token ? { clientToken: token } : {}),
    movedGiB: billing.gib,
    ...(failMessage !== undefined ? { failMessage } : {}),
    billing: {
      cloud: 'ecs',
      account: account.id,
      sourceSnapshotId: source.id,
      sourceRegion: source.region,
      destinationRegion: destination,
      sizeBasis: billing.sizeBasis,
      transfer: billing.transfer,
      // Alibaba charges data transfer for cross-region copies only; a same-region
      // (encrypted) copy still stores its full size basis in the destination.
      transferGiB: source.region === destination ? 0 : billing.gib,
      storageGiB: billing.gib,
      timeBasedGiB: 0,
    },
  });
  state.register(copy);
  if (token) state.rememberToken(account.id, token, copy.id, tokenRequest(p));
  return { SnapshotId: copy.id };
}
