import type { SimKey } from '../../sim/world.js';
import { newEcsImageId } from '../ids.js';
import type { EcsOperationContext } from '../operation-context.js';
import { EcsApiError, ecsErrors } from '../rpc-errors.js';
import type { EcsParams } from '../rpc-params.js';
import { isValidClientToken, isValidDescription, readTags } from '../validation.js';
import { type EcsDiskCopyPlan, type EcsImage, imageVisibleTo, isCopying } from './ecs-image-model.js';
import { decideEcsImageCopy } from './image-copy-rules.js';
import { isValidImageName, RESOURCE_GROUP_RE } from './image-validation.js';

/** Parameters that are not part of what a reused ClientToken must repeat (signing and common ones). */
const NOT_COMPARED: ReadonlySet<string> = new Set([
  'ClientToken',
  'DryRun',
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'SecurityToken',
]);

function requestFingerprint(p: EcsParams): string {
  return JSON.stringify(
    [...p.entries()].filter(([k]) => !NOT_COMPARED.has(k)).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

const error = (status: number, code: string, message: string) => new EcsApiError(status, code, message);

/** A customer key named in `KMSKeyId`, checked as ECS checks it for the destination region. */
function checkKey(ctx: EcsOperationContext, region: string, ref: string): SimKey {
  const key = ctx.state.findKey(ctx.account.id, region, ref);
  if (!key) throw error(404, 'InvalidParameter.KMSKeyId.NotFound', 'The specified KMSKeyId does not exist.');
  if (key.account !== ctx.account.id && !key.usableBy.has(ctx.account.id)) {
    throw error(
      403,
      'InvalidParameter.KMSKeyId.CMKUnauthorized',
      'The CMK is not authorized for this account.',
    );
  }
  if (!key.enabled) {
    throw error(
      403,
      'InvalidParameter.KMSKeyId.CMKNotEnabled',
      'The CMK (Customer Master Key) must be in an active state.',
    );
  }
  if (!key.accessible) {
    throw error(
      403,
      'InvalidParameter.KMSKeyId.KMSUnauthorized',
      'ECS service have no right to access your KMS.',
    );
  }
  return key;
}

/**
 * CopyImage, sent with `RegionId` = the source image's region and `DestinationRegionId`
 * (default: the same region). Validates like ECS, honours `ClientToken`, decides each
 * disk's encryption at once, then queues the copy task: it runs at once when the
 * destination has a free slot (`Creating`), else waits (`Waiting`).
 */
export function copyImage(ctx: EcsOperationContext): Record<string, unknown> {
  const { params: p, state, account } = ctx;
  const { world, images } = state;
  const region = p.require('RegionId');
  const imageId = p.require('ImageId');
  const token = p.get('ClientToken') || undefined;
  if (token !== undefined) {
    if (!isValidClientToken(token))
      throw ecsErrors.invalid('ClientToken', 'must be at most 64 ASCII characters');
    const earlier = images.tokenUse(account.id, token);
    if (earlier) {
      if (earlier.request !== requestFingerprint(p)) {
        throw error(
          400,
          'IdempotentParameterMismatch',
          'The specified ClientToken is in use with different request parameters.',
        );
      }
      return { ImageId: earlier.imageId };
    }
  }
  if (!world.regions.has(region)) throw error(400, 'SourceRegion.NotFound', 'The source region not found.');
  const destination = p.get('DestinationRegionId') || region;
  if (!world.regions.has(destination))
    throw error(400, 'DestinationRegion.NotFound', 'The destination region not found.');
  const name = p.get('DestinationImageName') || undefined;
  if (name !== undefined && !isValidImageName(name)) {
    throw error(400, 'InvalidImageName.Malformed', 'The specified destination image name is wrongly formed.');
  }
  const description = p.get('DestinationDescription') || undefined;
  if (description !== undefined && !isValidDescription(description)) {
    throw error(
      400,
      'InvalidDescription.Malformed',
      'The specified destination description is wrongly formed.',
    );
  }
  const encryptedParam = p.bool('Encrypted');
  const keyRef = p.get('KMSKeyId') || undefined;
  const tags = readTags(p, {
    status: 400,
    tooMany: () => error(400, 'InvalidTagCount', 'The specified tags are beyond the permitted range.'),
  });
  const resourceGroupId = p.get('ResourceGroupId') || undefined;
  if (resourceGroupId !== undefined && !RESOURCE_GROUP_RE.test(resourceGroupId)) {
    throw error(
      404,
      'InvalidResourceGroup.NotFound',
      'The ResourceGroup provided does not exist in our records.',
    );
  }

  const source = images.images.get(imageId);
  if (!source || source.region !== region || !imageVisibleTo(source, account.id)) {
    throw error(404, 'InvalidImageId.NotFound', 'The specified ImageId does not exist.');
  }
  const sourceDisks = source.disks.map((d) => {
    const s = d.snapshotId === undefined ? undefined : world.snapshots.get(d.snapshotId);
    if (!s) throw error(400, 'InvalidSnapshotId.NotFound', 'The specified SnapshotId does not exist.');
    return s;
  });
  const decision = decideEcsImageCopy({
    ownedByCaller: source.account === account.id,
    sameRegion: destination === region,
    communityImage: source.isPublic,
    encryptedParam,
    kmsKeyGiven: keyRef !== undefined,
    disks: sourceDisks.map((s) => ({ encrypted: s.encrypted })),
  });
  if (decision.kind === 'refused') throw error(decision.status, decision.code, decision.message);
  if (source.status !== 'Available') throw error(400, 'IncorrectImageStatus', 'The image not available.');
  for (const other of images.images.values()) {
    if (other.copy?.sourceImageId === source.id && isCopying(other)) {
      throw error(
        400,
        'OperationDenied.ImageCopyConflict',
        'The same image cannot be copied concurrently. Please wait until the last copy is completed before performing the next operation.',
      );
    }
  }
  if (name !== undefined) {
    for (const other of images.images.values()) {
      if (other.account === account.id && other.region === destination && other.name === name) {
        throw error(
          400,
          'InvalidImageName.Duplicated',
          'The specified image name is already in use in the target region. Please try a different one.',
        );
      }
    }
  }
  if (encryptedParam === true && !state.kmsEnabled(account.id)) {
    throw error(400, 'InvalidParameter.KmsNotEnabled', 'The specified operation need enable KMS.');
  }
  const givenKey = keyRef !== undefined ? checkKey(ctx, destination, keyRef) : undefined;
  const plans = decision.disks.map((d, i): EcsDiskCopyPlan => {
    const s = sourceDisks[i]!;
    if (s.encrypted && s.account !== account.id) {
      const sourceKey = s.kmsKeyId === undefined ? undefined : world.keys.get(s.kmsKeyId);
      if (sourceKey && sourceKey.account !== account.id && !sourceKey.usableBy.has(account.id)) {
        throw error(
          403,
          'InvalidParameter.KMSKeyId.CMKUnauthorized',
          'The CMK of the shared image is not authorized for this account.',
        );
      }
    }
    if (!d.encrypted) return { sourceSnapshotId: s.id, encrypted: false };
    const keyId =
      d.key === 'given'
        ? givenKey!.id
        : d.key === 'source'
          ? s.kmsKeyId!
          : state.serviceKey(account.id, destination).id;
    return { sourceSnapshotId: s.id, encrypted: true, keyId };
  });
  if (p.bool('DryRun') === true) {
    throw error(400, 'DryRunOperation', 'Request validation has been passed with DryRun flag set.');
  }

  const now = world.clock.now();
  const id = newEcsImageId();
  const image: EcsImage = {
    id,
    region: destination,
    account: account.id,
    name: name ?? `${source.name}-copy`,
    ...(description !== undefined ? { description } : {}),
    status: 'Waiting',
    createdAt: now,
    disks: source.disks.map((d) => ({ device: d.device, type: d.type, sizeGiB: d.sizeGiB })),
    tags: new Map(tags),
    sharedWith: new Map(),
    isPublic: false,
    ...(resourceGroupId !== undefined ? { resourceGroupId } : {}),
    architecture: source.architecture,
    osType: source.osType,
    platform: source.platform,
    osName: source.osName,
    copy: {
      sourceImageId: source.id,
      sourceRegion: region,
      queuedAt: now,
      plans,
      ...(token !== undefined ? { clientToken: token } : {}),
    },
  };
  images.add(image);
  images.advance();
  if (token !== undefined) images.rememberToken(account.id, token, id, requestFingerprint(p));
  return { ImageId: id };
}
