import type { Image, Snapshot } from '@aws-sdk/client-ec2';
import { SnapcopyError, type SourceSnapshotFacts } from '@snapcopy/core';
import {
  findOwnedOrShared,
  IMAGE_LINEAGE_TAGS,
  keyOfImageKeyTag,
  LINEAGE_TAGS,
  type NormalizedImageCopyRequest,
} from '@snapcopy/core/driver';
import type { Ec2Calls } from './calls.js';
import { type AwsBackingDevice, backingDevices } from './image-view.js';
import {
  type DestinationEncryptionDefaults,
  encryptionInput,
  encryptionSettingsNeeded,
  lineageMatters,
  readDefaultsOnce,
} from './plan-facts.js';
import { type AwsDestinationLineage, resolveAwsEncryption } from './rules/index.js';
import {
  destinationLineage,
  lineageCopyOf,
  lineageVolumeOf,
  sourceFacts,
  tagRecord,
} from './snapshot-view.js';

/** One backing snapshot of the source AMI, as far as the caller can read it. */
export interface AwsBackingSnapshotFacts extends AwsBackingDevice {
  /** The snapshot as DescribeSnapshots returned it; undefined when the caller cannot see it. */
  readonly snapshot?: Snapshot;
  /** What the snapshot rules need, when it could be read. */
  readonly source?: SourceSnapshotFacts;
  /** Earlier copies of its lineage in the destination, when looked up and found. */
  readonly lineage?: AwsDestinationLineage;
}

/** Everything an AMI plan decides from, read before any rule is applied. */
export interface AwsImagePlanFacts {
  /** The source AMI as DescribeImages returned it. */
  readonly image: Image;
  readonly ownership: 'owned' | 'shared';
  readonly snapshots: readonly AwsBackingSnapshotFacts[];
  /** The destination's encryption settings that decide the outcome of some backing snapshot. */
  readonly defaults: DestinationEncryptionDefaults;
}

function notFound(region: string, imageId: string, why: string): SnapcopyError {
  return new SnapcopyError('NOT_FOUND', `aws: source AMI ${imageId} ${why} in ${region}`, {
    provider: 'aws',
    details: { imageId, region },
  });
}

/** The backing snapshots the caller can see, by id (a `snapshot-id` filter leaves the others out). */
async function readBackingSnapshots(
  calls: Ec2Calls,
  region: string,
  devices: readonly AwsBackingDevice[],
  signal?: AbortSignal,
): Promise<Map<string, Snapshot>> {
  if (devices.length === 0) return new Map();
  const found = await calls.describe(
    'DescribeSnapshots',
    region,
    { Filters: [{ Name: 'snapshot-id', Values: devices.map((d) => d.snapshotId) }] },
    signal,
  );
  return new Map(found.flatMap((s) => (s.SnapshotId ? [[s.SnapshotId, s] as const] : [])));
}

/** The union of the destination settings each backing snapshot's outcome depends on. */
function settingsNeeded(
  request: NormalizedImageCopyRequest,
  sources: readonly SourceSnapshotFacts[],
): ReturnType<typeof encryptionSettingsNeeded> {
  const needs = sources.map((s) =>
    encryptionSettingsNeeded(request.encryption, s, request.destination.region),
  );
  const defaultKey = needs.some((n) => n.defaultKey === 'always')
    ? 'always'
    : needs.some((n) => n.defaultKey === 'if-encryption-by-default')
      ? 'if-encryption-by-default'
      : 'never';
  return { encryptionByDefault: needs.some((n) => n.encryptionByDefault), defaultKey };
}

/**
 * Earlier copies in the destination of each backing snapshot's lineage, found two ways:
 * snapshot copies snapcopy made of the same volume (its `snapcopy:source-volume` tag), and
 * the backing snapshots, device by device, of earlier snapcopy copies of the same AMI (the
 * guide: "Subsequent copy operations of an AMI result in incremental copies of the backing
 * snapshots"). Read calls only; none when no snapshot could be incremental.
 */
async function readLineages(
  calls: Ec2Calls,
  request: NormalizedImageCopyRequest,
  wanted: readonly { device: AwsBackingDevice; source: SourceSnapshotFacts }[],
  signal?: AbortSignal,
): Promise<Map<string, Snapshot[]>> {
  const region = request.destination.region;
  const byDevice = new Map<string, Snapshot[]>();
  if (wanted.length === 0) return byDevice;
  const add = (device: string, s: Snapshot) => byDevice.set(device, [...(byDevice.get(device) ?? []), s]);
  const volumes = [...new Set(wanted.flatMap((w) => (w.source.volumeId ? [w.source.volumeId] : [])))];
  const [byVolume, earlierImages] = await Promise.all([
    volumes.length === 0
      ? Promise.resolve([] as Snapshot[])
      : calls.describe(
          'DescribeSnapshots',
          region,
          { OwnerIds: ['self'], Filters: [{ Name: `tag:${LINEAGE_TAGS.sourceVolume}`, Values: volumes }] },
          signal,
        ),
    calls.describe(
      'DescribeImages',
      region,
      {
        Owners: ['self'],
        Filters: [
          { Name: `tag:${IMAGE_LINEAGE_TAGS.sourceImage}`, Values: [request.source.imageId] },
          { Name: `tag:${IMAGE_LINEAGE_TAGS.sourceRegion}`, Values: [request.source.region] },
          { Name: 'state', Values: ['available'] },
        ],
      },
      signal,
    ),
  ]);
  for (const w of wanted) {
    for (const s of byVolume) if (lineageVolumeOf(s) === w.source.volumeId) add(w.device.deviceName, s);
  }
  // The key of an earlier copy's encrypted snapshots, as its plan spelled it (the image's
  // lineage tag), so that it compares equal with this plan's key (DescribeSnapshots names
  // the key by its ARN, a plan may name it by alias).
  const earlierByDevice = new Map<string, { snapshotId: string; key?: string }[]>();
  for (const image of earlierImages) {
    const key = keyOfImageKeyTag(tagRecord(image)[IMAGE_LINEAGE_TAGS.key]);
    for (const d of backingDevices(image)) {
      const list = earlierByDevice.get(d.deviceName) ?? [];
      if (list.length === 0) earlierByDevice.set(d.deviceName, list);
      list.push({ snapshotId: d.snapshotId, ...(key === undefined ? {} : { key }) });
    }
  }
  const earlierIds = wanted.flatMap((w) =>
    (earlierByDevice.get(w.device.deviceName) ?? []).map((e) => e.snapshotId),
  );
  if (earlierIds.length > 0) {
    const copies = await calls.describe(
      'DescribeSnapshots',
      region,
      { OwnerIds: ['self'], Filters: [{ Name: 'snapshot-id', Values: earlierIds }] },
      signal,
    );
    for (const w of wanted) {
      for (const e of earlierByDevice.get(w.device.deviceName) ?? []) {
        const s = copies.find((c) => c.SnapshotId === e.snapshotId);
        if (!s) continue;
        add(
          w.device.deviceName,
          e.key === undefined
            ? s
            : { ...s, Tags: [...(s.Tags ?? []), { Key: LINEAGE_TAGS.key, Value: e.key }] },
        );
      }
    }
  }
  return byDevice;
}

/**
 * Reads what an AMI plan needs: the source AMI (owned or shared), its backing snapshots,
 * the destination's encryption settings (only those that decide an outcome) and the
 * lineage of earlier copies (only for snapshots whose copy could be incremental). Read
 * calls only.
 */
export async function readAwsImagePlanFacts(
  calls: Ec2Calls,
  request: NormalizedImageCopyRequest,
  signal?: AbortSignal,
): Promise<AwsImagePlanFacts> {
  const { source: src } = request;
  // The source AMI and whether the caller owns it, without STS: first among the caller's own
  // AMIs (`Owners: ['self']`), then among those it may launch (shared with it, or public).
  const { found: image, ownership } = await findOwnedOrShared(
    { id: src.imageId, account: src.account },
    {
      read: (own) =>
        calls.describe(
          'DescribeImages',
          src.region,
          { ImageIds: [src.imageId], ...(own ? { Owners: ['self'] } : {}) },
          signal,
        ),
      idOf: (i) => i.ImageId,
      ownerOf: (i) => i.OwnerId,
      notFound: (why) => notFound(src.region, src.imageId, why),
    },
  );
  const devices = backingDevices(image);
  const read = await readBackingSnapshots(calls, request.source.region, devices, signal);
  const readable = devices.flatMap((device) => {
    const snapshot = read.get(device.snapshotId);
    if (!snapshot) return [];
    const ref = { region: request.source.region, snapshotId: device.snapshotId };
    return [{ device, snapshot, source: sourceFacts(ref, snapshot, ownership) }];
  });
  const destinationRegion = request.destination.region;
  const defaults =
    readable.length === 0
      ? { encryptionByDefault: false }
      : (
          await readDefaultsOnce(
            calls,
            destinationRegion,
            [
              settingsNeeded(
                request,
                readable.map((r) => r.source),
              ),
            ],
            signal,
          )
        )[0]!;
  // Only a copy that can be incremental needs the lineage; a refused one costs no lookup.
  const wanted = readable.filter((r) => {
    try {
      resolveAwsEncryption(encryptionInput(request, r.source, defaults));
      return lineageMatters(r.source, destinationRegion);
    } catch {
      return false;
    }
  });
  const lineages = await readLineages(calls, request, wanted, signal);
  return {
    image,
    ownership,
    defaults,
    snapshots: devices.map((device) => {
      const r = readable.find((x) => x.device === device);
      if (!r) return device;
      const copies = lineages.get(device.deviceName);
      // Keys as the plans that made the copies spelled them (no KMS read here): the lineage
      // tag's spelling first, as a snapshot plan does when it could not read KMS.
      const lineage = copies === undefined ? undefined : destinationLineage(copies.map(lineageCopyOf), false);
      return { ...device, snapshot: r.snapshot, source: r.source, ...(lineage ? { lineage } : {}) };
    }),
  };
}
