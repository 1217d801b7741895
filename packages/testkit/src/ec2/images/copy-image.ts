import { sourceTagsCarried } from '../../sim/image-tags.js';
import type { SimSnapshot } from '../../sim/world.js';
import { type CopyBilling, computeCopyBilling } from '../copy-billing.js';
import { readEncryptionParams, resolveCopyEncryption } from '../copy-encryption.js';
import { Ec2ApiError, ec2Errors } from '../errors.js';
import { IMAGE_ID_RE, newDataKeyId, newImageId } from '../ids.js';
import { defaultEbsKey, keyUsableBy, resolveKmsKey } from '../kms.js';
import { KEY_NOT_ACCESSIBLE, SOURCE_KEY_NOT_ACCESSIBLE } from '../operations/copy-snapshot.js';
import type { QueryParams } from '../query-params.js';
import { ec2Extra } from '../snapshot-view.js';
import type { Ec2RequestContext } from '../state.js';
import { checkTagLimit, parseCompletionDuration, parseTagSpecificationsOf } from '../tag-rules.js';
import { xmlElement } from '../xml.js';
import { imageCopyRefusal } from './copy-image-rules.js';
import { IMAGE_DESCRIPTION_MAX, IMAGE_NAME_RE, imageErrors } from './image-errors.js';
import { type Ec2BlockDevice, type Ec2Image, canLaunch } from './image-model.js';
import { planTimeBasedCopy, usedTimeBasedMiBps } from './time-based-quota.js';

/** The tag prefix EC2 lets CopyImageTags carry from an AMI another account shared. */
export const SHARED_TAG_PREFIX = 'ec2:SharedTag/';
/** `ClientToken` of CopyImage: at most 128 characters (the service model's constraint). */
export const COPY_IMAGE_TOKEN_MAX = 128;

/** Parameters that do not take part in the idempotency comparison of a retried request. */
const NOT_COMPARED: ReadonlySet<string> = new Set(['ClientToken', 'DryRun', 'Action', 'Version']);

function requestFingerprint(p: QueryParams): string {
  const record = p.toRecord(NOT_COMPARED);
  return JSON.stringify(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]]),
  );
}

/** The AMI's own user tags that `CopyImageTags` carries over (see {@link sourceTagsCarried}). */
export function tagsCopiedFrom(image: Ec2Image, caller: string): Map<string, string> {
  return sourceTagsCarried(image, caller, SHARED_TAG_PREFIX);
}

/** One backing snapshot copy, decided before anything is created. */
interface SnapshotCopyPlan {
  readonly source: SimSnapshot;
  readonly encrypted: boolean;
  readonly keyArn?: string;
  readonly failMessage?: string;
  readonly billing: CopyBilling;
  readonly durationMs?: number;
}

const readable = (s: SimSnapshot, account: string) =>
  s.account === account || s.sharedWith.has(account) || ec2Extra(s).public === true;

/**
 * CopyImage, served in the destination region: checks what EC2 checks synchronously,
 * then creates the AMI `pending` with one snapshot copy per EBS mapping, each with the
 * CopySnapshot encryption outcome and billing (the snapshot engine's lineage decides full
 * or incremental). Keys it cannot use fail the copy later, as for snapshots.
 */
export function copyImage(ctx: Ec2RequestContext, p: QueryParams): string {
  const { state, account, region } = ctx;
  const { world, images } = state;
  const sourceRegion = p.required('SourceRegion');
  const sourceImageId = p.required('SourceImageId');
  const name = p.required('Name');
  const token = p.get('ClientToken');
  if (token !== undefined && token !== '') {
    if (token.length > COPY_IMAGE_TOKEN_MAX) {
      throw ec2Errors.invalidParameterValue(
        `Value for parameter ClientToken is invalid: it exceeds ${COPY_IMAGE_TOKEN_MAX} characters.`,
      );
    }
    const earlier = images.tokenUse(account, region, token);
    if (earlier) {
      if (earlier.request !== requestFingerprint(p)) throw imageErrors.idempotentMismatch();
      return xmlElement('imageId', earlier.imageId);
    }
  }
  if (!IMAGE_NAME_RE.test(name)) throw imageErrors.nameMalformed();
  const description = p.get('Description');
  if (description !== undefined && description.length > IMAGE_DESCRIPTION_MAX) {
    throw ec2Errors.invalidParameterValue(
      `Value for parameter Description is invalid: it exceeds ${IMAGE_DESCRIPTION_MAX} characters.`,
    );
  }
  const { encryptedFlag, kmsKeyId } = readEncryptionParams(p);
  const minutes = parseCompletionDuration(p, 'SnapshotCopyCompletionDurationMinutes');
  const copyTags = p.bool('CopyImageTags') === true;
  const tagSpecs = parseTagSpecificationsOf(p, ['image', 'snapshot']);
  for (const where of [
    'DestinationOutpostArn',
    'DestinationAvailabilityZone',
    'DestinationAvailabilityZoneId',
  ]) {
    if (p.get(where) !== undefined) {
      throw new Ec2ApiError('UnsupportedOperation', 'Copies to Outposts and Local Zones are not simulated.');
    }
  }
  if (!world.regions.has(sourceRegion))
    throw new Ec2ApiError('InvalidRegion', `Invalid region: ${sourceRegion}`);
  if (!IMAGE_ID_RE.test(sourceImageId)) throw imageErrors.malformed(sourceImageId);
  const source = images.images.get(sourceImageId);
  if (!source || source.region !== sourceRegion || !canLaunch(source, account)) {
    throw imageErrors.notFound([sourceImageId]);
  }
  if (source.state !== 'available') throw imageErrors.unavailable(sourceImageId);
  for (const other of images.images.values()) {
    if (
      other.account === account &&
      other.region === region &&
      other.name === name &&
      other.state !== 'deregistered'
    )
      throw imageErrors.nameDuplicate(name);
  }

  const backing: { device: Ec2BlockDevice; snapshot: SimSnapshot }[] = [];
  for (const device of source.blockDevices) {
    if (device.snapshotId === undefined) continue;
    const snapshot = world.snapshots.get(device.snapshotId);
    if (!snapshot) throw ec2Errors.snapshotNotFound([device.snapshotId]);
    backing.push({ device, snapshot });
  }
  const refusal = imageCopyRefusal({
    rootDeviceType: source.rootDeviceType,
    onOutpost: source.outpostArn !== undefined,
    ownedByCaller: source.account === account,
    ...(encryptedFlag !== undefined ? { encryptedFlag } : {}),
    kmsKeyGiven: kmsKeyId !== undefined,
    backingSnapshots: backing.map(({ snapshot }) => ({
      encrypted: snapshot.encrypted,
      readableByCaller: readable(snapshot, account),
    })),
  });
  if (refusal) throw new Ec2ApiError(refusal.code, refusal.message);
  if (images.pendingCopies(account, region) >= images.limits.copyLimitPerRegion) {
    throw new Ec2ApiError(
      'ResourceLimitExceeded',
      `You have reached the limit of ${images.limits.copyLimitPerRegion} concurrent AMI copies to ${region}. Wait for a copy to complete and try again.`,
    );
  }

  const tags = copyTags ? tagsCopiedFrom(source, account) : new Map<string, string>();
  for (const [k, v] of tagSpecs.image) tags.set(k, v);
  checkTagLimit(tags.size);
  const plans = planSnapshotCopies(
    ctx,
    backing.map((b) => b.snapshot),
    {
      sourceRegion,
      ...(encryptedFlag !== undefined ? { encryptedFlag } : {}),
      ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
      ...(minutes !== undefined ? { minutes } : {}),
    },
  );

  const now = world.clock.now();
  const imageId = newImageId();
  const copies = new Map<string, string>();
  for (const plan of plans) {
    const { movedGiB, waitMs, decision: _decision, ...billing } = plan.billing;
    const s = plan.source;
    const copy = world.startCopy({
      source: s,
      account,
      region,
      encrypted: plan.encrypted,
      ...(plan.keyArn !== undefined ? { kmsKeyId: plan.keyArn } : {}),
      description: `Copied for DestinationAmi ${imageId} from SourceAmi ${sourceImageId} for SourceSnapshot ${s.id}. Task created on ${now}.`,
      tags: tagSpecs.snapshot,
      movedGiB,
      ...(waitMs > 0 ? { waitMs } : {}),
      ...(minutes !== undefined ? { completionDurationMinutes: minutes } : {}),
      ...(plan.durationMs !== undefined ? { durationMs: plan.durationMs } : {}),
      ...(plan.failMessage !== undefined ? { failMessage: plan.failMessage } : {}),
      billing,
      extra: plan.encrypted
        ? {
            dataEncryptionKeyId:
              billing.transfer === 'none' && ec2Extra(s).dataEncryptionKeyId
                ? ec2Extra(s).dataEncryptionKeyId
                : newDataKeyId(),
          }
        : {},
    });
    images.snapshotCopyIds.add(copy.id);
    state.rememberCopy(copy);
    copies.set(s.id, copy.id);
  }
  images.add({
    id: imageId,
    region,
    account,
    name,
    ...(description !== undefined ? { description } : {}),
    rootDeviceType: source.rootDeviceType,
    rootDeviceName: source.rootDeviceName,
    architecture: source.architecture,
    state: 'pending',
    createdAt: now,
    blockDevices: source.blockDevices.map((d) =>
      d.snapshotId === undefined ? d : { ...d, snapshotId: copies.get(d.snapshotId) ?? d.snapshotId },
    ),
    tags,
    launchPermissions: new Set(),
    public: false,
    ...(source.manifestLocation !== undefined
      ? { manifestLocation: `amis-for-${account}-in-${region}/${name}.manifest.xml` }
      : {}),
    copy: {
      sourceImageId,
      sourceRegion,
      startedAt: now,
      readyAt: now + world.minCopyMs,
      ...(token ? { clientToken: token } : {}),
      ...(minutes !== undefined ? { snapshotCopyCompletionDurationMinutes: minutes } : {}),
    },
  });
  if (token) images.rememberToken(account, region, token, imageId, requestFingerprint(p));
  return xmlElement('imageId', imageId);
}

/**
 * Decides every backing snapshot copy without creating anything: the CopySnapshot
 * encryption outcome and key checks, the billing of the snapshot engine (lineage in the
 * destination), and the time-based quotas, where every snapshot counts as one copy.
 */
function planSnapshotCopies(
  ctx: Ec2RequestContext,
  sources: readonly SimSnapshot[],
  options: { sourceRegion: string; encryptedFlag?: boolean; kmsKeyId?: string; minutes?: number },
): SnapshotCopyPlan[] {
  const { state, account, region } = ctx;
  const { world, images } = state;
  const defaultKey = defaultEbsKey(world, account, region);
  let used =
    options.minutes === undefined
      ? 0
      : usedTimeBasedMiBps(
          [...state.pendingCopyIds, ...images.snapshotCopyIds].flatMap((id) => world.snapshots.get(id) ?? []),
          account,
          options.sourceRegion,
          region,
        );
  return sources.map((s): SnapshotCopyPlan => {
    const outcome = resolveCopyEncryption({
      sourceEncrypted: s.encrypted,
      ...(s.kmsKeyId !== undefined ? { sourceKeyArn: s.kmsKeyId } : {}),
      sourceOwnedByCaller: s.account === account,
      sameRegion: s.region === region,
      ...(options.encryptedFlag !== undefined ? { encryptedFlag: options.encryptedFlag } : {}),
      ...(options.kmsKeyId !== undefined ? { kmsKeyId: options.kmsKeyId } : {}),
      encryptionByDefault: world.isEncryptionByDefault(account, region),
      defaultKeyArn: defaultKey?.arn ?? 'alias/aws/ebs',
    });
    let keyArn: string | undefined;
    let failMessage: string | undefined;
    if (outcome.encrypted) {
      if (s.encrypted && !keyUsableBy(resolveKmsKey(world, s.kmsKeyId ?? '', account, s.region), account)) {
        failMessage = SOURCE_KEY_NOT_ACCESSIBLE;
      }
      const key = resolveKmsKey(world, outcome.keyRef, account, region);
      keyArn = key?.arn ?? outcome.keyRef;
      if (!keyUsableBy(key, account)) failMessage = KEY_NOT_ACCESSIBLE;
    }
    const billing = computeCopyBilling({
      account,
      source: {
        id: s.id,
        region: s.region,
        account: s.account,
        sizeGiB: s.sizeGiB,
        encrypted: s.encrypted,
        ...(s.kmsKeyId !== undefined ? { kmsKeyArn: s.kmsKeyId } : {}),
      },
      destinationRegion: region,
      destination: { encrypted: outcome.encrypted, ...(keyArn !== undefined ? { kmsKeyArn: keyArn } : {}) },
      destinationLineage: state.lineageIn(account, region, s.volumeId),
      now: world.clock.now(),
      changedGiBSince: (blocksOf) => world.blocks.changedGiBBetween(s.id, blocksOf),
      ...(options.minutes !== undefined ? { completionDurationMinutes: options.minutes } : {}),
    });
    let durationMs: number | undefined;
    if (options.minutes !== undefined) {
      const plan = planTimeBasedCopy({
        movedGiB: billing.movedGiB,
        completionDurationMinutes: options.minutes,
        usedMiBps: used,
        cumulativeQuotaMiBps: images.limits.timeBasedThroughputMiBps,
      });
      if (plan.kind === 'refused') {
        throw new Ec2ApiError(
          'ResourceLimitExceeded',
          `The cumulative time-based copy throughput quota (${images.limits.timeBasedThroughputMiBps} MiB/s) from ${options.sourceRegion} to ${region} is in use. Wait for a time-based copy to complete and try again.`,
        );
      }
      used += plan.mibps;
      durationMs = plan.durationMs;
    }
    return {
      source: s,
      encrypted: outcome.encrypted,
      ...(keyArn !== undefined ? { keyArn } : {}),
      ...(failMessage !== undefined ? { failMessage } : {}),
      billing,
      ...(durationMs !== undefined ? { durationMs } : {}),
    };
  });
}
