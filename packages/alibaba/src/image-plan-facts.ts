import { SnapcopyError, type SourceSnapshotFacts } from '@snapcopy/core';
import {
  definedFields,
  findOwnedOrShared,
  IMAGE_LINEAGE_TAGS,
  keyOfImageKeyTag,
  LINEAGE_TAGS,
  type NormalizedImageCopyRequest,
} from '@snapcopy/core/driver';
import type { EcsImageCalls } from './image-calls.js';
import { diskSize, type EcsImage, imageDisks, imageTags } from './image-view.js';
import {
  type AlibabaKeyFact,
  type AlibabaPlanReaders,
  describeCopyKeysOnce,
  snapshotsById,
} from './plan-facts.js';
import { resolveAlibabaImageDiskEncryption } from './rules/image-copy.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';
import { type EcsSnapshot, sourceFacts } from './snapshot-view.js';
import { listByTagValues } from './tag-listing.js';

/** One disk of the source image, with what the snapshot rules need. */
export interface AlibabaBackingDisk {
  readonly deviceName: string;
  readonly snapshotId?: string;
  /** The disk's snapshot, when the caller can read it (its own image). */
  readonly snapshot?: EcsSnapshot;
  /** The snapshot's facts, from the snapshot when read, else from the image's disk mapping. */
  readonly source: SourceSnapshotFacts;
  /** What could not be read and how the estimate deals with it. */
  readonly notes: readonly string[];
  /** Earlier finished copies of the disk's lineage in the destination. */
  readonly earlierCopies: readonly EcsSnapshot[];
  /**
   * KMS DescribeKey of the key the disk's copy is encrypted under (the given key, the service
   * key, or its own key when it keeps it), in the destination; absent when unencrypted or
   * when the encryption rule refuses the copy.
   */
  readonly key?: AlibabaKeyFact;
}

/** Everything an ECS image plan decides from, read before any rule is applied. */
export interface AlibabaImagePlanFacts {
  readonly image: EcsImage;
  readonly ownership: 'owned' | 'shared';
  readonly disks: readonly AlibabaBackingDisk[];
}

/** A disk's facts from the image's mapping alone: its disk size is the only size ECS gives. */
function factsFromMapping(
  region: string,
  snapshotId: string,
  size: number | undefined,
  encrypted: boolean,
): { source: SourceSnapshotFacts; notes: string[] } {
  return {
    source: {
      region,
      snapshotId,
      ownership: 'shared',
      encrypted,
      sizeGiB: size ?? 0,
      ...(size === undefined ? {} : { diskSizeGiB: size }),
    },
    notes: [
      size === undefined
        ? `The snapshot ${snapshotId} of the shared image cannot be read and ECS gives no disk size: the size estimate is 0 GiB.`
        : `The snapshot ${snapshotId} of the shared image cannot be read: the estimate uses its disk size (${size} GiB), an upper bound.`,
    ],
  };
}

/** The key a disk's copy is encrypted under, in the destination; undefined when unencrypted or refused. */
function copyKeyOf(
  request: NormalizedImageCopyRequest,
  ownership: 'owned' | 'shared',
  source: SourceSnapshotFacts,
): { region: string; reference: string } | undefined {
  try {
    const { encryption } = resolveAlibabaImageDiskEncryption({
      sourceRegion: request.source.region,
      destinationRegion: request.destination.region,
      ownership,
      disk: { encrypted: source.encrypted, ...definedFields({ kmsKeyId: source.kmsKeyId }) },
      ...definedFields({ requested: request.encryption }),
    });
    return encryption.encrypted && encryption.kmsKeyId !== undefined
      ? { region: request.destination.region, reference: encryption.kmsKeyId }
      : undefined;
  } catch {
    return undefined; // the decision refuses the copy: it reports that itself.
  }
}

/**
 * The backing snapshots, device by device, of earlier snapcopy copies of the same image in
 * the destination, each marked with the key its copy's lineage tag names (ECS names a key by
 * id where a plan names the service key by alias; the tag spells it as plans do).
 */
async function readEarlierImageCopies(
  calls: AlibabaPlanReaders['ecs'],
  images: EcsImageCalls,
  request: NormalizedImageCopyRequest,
  signal?: AbortSignal,
): Promise<Map<string, EcsSnapshot[]>> {
  const region = request.destination.region;
  const earlier = await images.describeImages(
    region,
    {
      ownerAlias: 'self',
      status: 'Available',
      tags: {
        [IMAGE_LINEAGE_TAGS.sourceImage]: request.source.imageId,
        [IMAGE_LINEAGE_TAGS.sourceRegion]: request.source.region,
      },
    },
    signal,
  );
  const wanted = new Map<string, { device: string; key?: string }>();
  for (const image of earlier) {
    const key = keyOfImageKeyTag(imageTags(image)[IMAGE_LINEAGE_TAGS.key]);
    for (const d of imageDisks(image)) {
      if (d.snapshotId && d.device) {
        wanted.set(d.snapshotId, { device: d.device, ...(key === undefined ? {} : { key }) });
      }
    }
  }
  const byDevice = new Map<string, EcsSnapshot[]>();
  const found = await snapshotsById(
    calls,
    [...wanted.keys()].map((id) => ({ region, id })),
    signal,
  );
  for (const [id, s] of found.get(region) ?? []) {
    const w = wanted.get(id);
    if (!w || s.status !== 'accomplished') continue;
    // Only an encrypted snapshot takes the key: the tag would make an unencrypted one read encrypted.
    const tagged =
      w.key === undefined || s.encrypted !== true
        ? s
        : ({
            ...s,
            tags: { tag: [...(s.tags?.tag ?? []), { tagKey: LINEAGE_TAGS.key, tagValue: w.key }] },
          } as EcsSnapshot);
    byDevice.set(w.device, [...(byDevice.get(w.device) ?? []), tagged]);
  }
  return byDevice;
}

/**
 * Reads what an ECS image plan needs: the source image (owned or shared), its disks'
 * snapshots where the caller can read them, and the earlier copies of each disk's lineage in
 * the destination (snapcopy's snapshot copies of the same disk, and the disks of earlier
 * snapcopy copies of the same image), and with the snapshot plans' reader the key each
 * disk's copy is encrypted under (KMS DescribeKey in the destination, each key once). Read
 * calls only.
 */
export async function readAlibabaImagePlanFacts(
  readers: AlibabaPlanReaders,
  images: EcsImageCalls,
  request: NormalizedImageCopyRequest,
  signal?: AbortSignal,
): Promise<AlibabaImagePlanFacts> {
  const { ecs: calls, maxLineagePages } = readers;
  const { source: src } = request;
  // The source image and whether the caller owns it: first among the caller's own images,
  // then among those shared with it (or published).
  const { found: image, ownership } = await findOwnedOrShared(
    { id: src.imageId, account: src.account },
    {
      read: (own) =>
        images.describeImages(
          src.region,
          { imageIds: [src.imageId], ...(own ? { ownerAlias: 'self' } : {}) },
          signal,
        ),
      idOf: (i) => i.imageId,
      ownerOf: (i) => (i.imageOwnerId === undefined ? undefined : String(i.imageOwnerId)),
      notFound: (why) =>
        new SnapcopyError('NOT_FOUND', `image ${src.imageId} ${why} in ${src.region}`, {
          provider: ALIBABA_PROVIDER,
          providerCode: 'InvalidImageId.NotFound',
        }),
    },
  );
  const region = request.source.region;
  const mappings = imageDisks(image);
  const ids = mappings.flatMap((d) => (d.snapshotId ? [d.snapshotId] : []));
  const readable =
    ids.length === 0 ? [] : (await calls.describeSnapshots(region, { snapshotIds: ids }, signal)).snapshots;
  const earlierByDevice = await readEarlierImageCopies(calls, images, request, signal);
  // Every disk's lineage in one listing where that is cheaper, as snapshot plans read them.
  const lineageDisks = [...new Set(readable.flatMap((s) => (s.sourceDiskId ? [s.sourceDiskId] : [])))];
  const lineages =
    lineageDisks.length === 0
      ? new Map<string, EcsSnapshot[]>()
      : await listByTagValues(
          calls,
          request.destination.region,
          LINEAGE_TAGS.sourceVolume,
          lineageDisks,
          { status: 'accomplished', maxPages: maxLineagePages },
          signal,
        );
  const disks: AlibabaBackingDisk[] = [];
  for (const [i, d] of mappings.entries()) {
    const deviceName = d.device ?? `disk-${i}`;
    const snapshot = readable.find((s) => s.snapshotId !== undefined && s.snapshotId === d.snapshotId);
    const read = snapshot
      ? sourceFacts({ source: { region, snapshotId: snapshot.snapshotId! } }, snapshot)
      : undefined;
    const { source, notes } = read
      ? { source: read.facts, notes: read.notes }
      : factsFromMapping(region, d.snapshotId ?? '', diskSize(d), d.encrypted === true);
    const byLineage = snapshot?.sourceDiskId ? (lineages.get(snapshot.sourceDiskId) ?? []) : [];
    disks.push({
      deviceName,
      ...(d.snapshotId ? { snapshotId: d.snapshotId } : {}),
      ...(snapshot ? { snapshot } : {}),
      source: { ...source, ownership },
      notes,
      earlierCopies: [...byLineage, ...(earlierByDevice.get(deviceName) ?? [])],
    });
  }
  const keys = await describeCopyKeysOnce(
    readers.kms,
    disks.map((d) => copyKeyOf(request, ownership, d.source)),
    signal,
  );
  return {
    image,
    ownership,
    disks: disks.map((d, i) => {
      const key = keys[i];
      return key === undefined ? d : { ...d, key };
    }),
  };
}
