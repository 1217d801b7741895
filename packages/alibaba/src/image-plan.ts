import type { BackingSnapshotPlan, ImageCopyPlan } from '@snapcopy/core';
import {
  imageLineageTags,
  type NormalizedImageCopyRequest,
  totalOfSnapshots,
  sourceImageFacts,
} from '@snapcopy/core/driver';
import { ALIBABA_MAX_CONCURRENT_IMAGE_COPIES_PER_REGION } from './image-capabilities.js';
import type { AlibabaBackingDisk, AlibabaImagePlanFacts } from './image-plan-facts.js';
import { readSourceImage } from './image-view.js';
import { alibabaImageCopyRefusal, resolveAlibabaImageDiskEncryption } from './rules/image-copy.js';
import { checkedCopyKey } from './plan.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';
import { resolveAlibabaTransfer } from './rules/transfer.js';
import { toEarlierCopy } from './snapshot-view.js';

/**
 * One disk with the rules applied: its copy's encryption, its key checked through KMS as a
 * snapshot copy's is (`checkedCopyKey`), then the snapshot transfer rule.
 */
function planDisk(
  request: NormalizedImageCopyRequest,
  ownership: 'owned' | 'shared',
  disk: AlibabaBackingDisk,
): BackingSnapshotPlan {
  const enc = resolveAlibabaImageDiskEncryption({
    sourceRegion: request.source.region,
    destinationRegion: request.destination.region,
    ownership,
    disk: {
      encrypted: disk.source.encrypted,
      ...(disk.source.kmsKeyId === undefined ? {} : { kmsKeyId: disk.source.kmsKeyId }),
    },
    ...(request.encryption === undefined ? {} : { requested: request.encryption }),
  });
  const { encryption, reasons: keyReasons } = checkedCopyKey(enc.encryption, disk.key);
  const keysResolved = !encryption.encrypted || encryption.key?.checkedBy === 'kms';
  const transfer = resolveAlibabaTransfer({
    sourceRegion: request.source.region,
    destinationRegion: request.destination.region,
    source: disk.source,
    copy: encryption,
    earlierCopies: disk.earlierCopies.map((s) => toEarlierCopy(s, keysResolved)),
    allowSameRegionStandardCopy: true,
  });
  return {
    deviceName: disk.deviceName,
    source: disk.source,
    encryption,
    transfer: transfer.transfer,
    sizeBasis: transfer.sizeBasis,
    billableGiB: transfer.billableGiB,
    ...(transfer.delta === undefined ? {} : { delta: transfer.delta }),
    kms: enc.kms,
    reasons: [...enc.reasons, ...keyReasons, ...disk.notes, ...transfer.reasons],
  };
}

/**
 * Decides one ECS image copy from the facts read first ({@link AlibabaImagePlanFacts}): the
 * CopyImage refusals, then for each disk its copy's encryption and the snapshot transfer
 * rule (full or incremental, the size it is billed on). Pure; throws the rules' errors.
 */
export function decideAlibabaImagePlan(
  request: NormalizedImageCopyRequest,
  facts: AlibabaImagePlanFacts,
): ImageCopyPlan {
  const { image, ownership } = facts;
  const sameRegion = request.source.region === request.destination.region;
  const refused = alibabaImageCopyRefusal({
    imageId: request.source.imageId,
    status: image.status ?? 'unknown',
    ownership,
    community: ownership === 'shared' && image.isPublic === true,
    sameRegion,
    ...(request.encryption === undefined ? {} : { requested: request.encryption }),
    disks: facts.disks.map((d) => ({
      ...(d.snapshotId === undefined ? {} : { snapshotId: d.snapshotId }),
      encrypted: d.source.encrypted,
    })),
  });
  if (refused) throw refused;
  const snapshots = facts.disks.map((d) => planDisk(request, ownership, d));
  const source = sourceImageFacts(request.source, ownership, readSourceImage(image));
  const lineage = imageLineageTags(request, snapshots);
  return {
    provider: ALIBABA_PROVIDER,
    request,
    source,
    destination: { region: request.destination.region },
    snapshots,
    ...totalOfSnapshots(snapshots),
    tags: { image: { ...(request.tags ?? {}), ...lineage }, snapshots: {}, carriedFromSource: [] },
    reasons: [
      ownership === 'shared'
        ? `The image is shared with you by account ${source.ownerAccount ?? request.source.account ?? '(unknown)'}: the copy in ${request.source.region} is yours.`
        : 'The image is your own.',
      `${snapshots.length} disk snapshot${snapshots.length === 1 ? '' : 's'}, each copied by the snapshot rules below; the image's tags are not copied.`,
      `ECS runs up to ${ALIBABA_MAX_CONCURRENT_IMAGE_COPIES_PER_REGION} image copies per region at once; more wait in a queue (Waiting), and one image is copied once at a time.`,
    ],
  };
}
