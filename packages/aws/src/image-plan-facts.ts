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
import { AWS_PLAN_DECIDER } from './plan.js';
import {
  type AwsPlanFacts,
  type AwsPlanReaders,
  type DestinationEncryptionDefaults,
  deltaBaseOf,
  describeKeysOnce,
  encryptionInput,
  encryptionSettingsNeeded,
  lineageMatters,
  readDefaultsOnce,
  readDeltasOnce,
} from './plan-facts.js';
import { type AwsDeltaRead, type AwsLineageCopy, resolveAwsEncryption } from './rules/index.js';
import { lineageCopyOf, lineageVolumeOf, sourceFacts, tagRecord } from './snapshot-view.js';

/** One backing snapshot of the source AMI, as far as the caller can read it. */
export interface AwsBackingSnapshotFacts extends AwsBackingDevice {
  /** The snapshot as DescribeSnapshots returned it; undefined when the caller cannot see it. */
  readonly snapshot?: Snapshot;
  /** What the snapshot rules need, when it could be read. */
  readonly source?: SourceSnapshotFacts;
  /**
   * KMS DescribeKey of the key its copy uses (in the destination) and of its own key (in the
   * source region), each when encrypted; absent when the encryption rule refuses its copy.
   */
  readonly keys?: AwsPlanFacts['keys'];
  /** Earlier copies of its lineage in the destination, in every state; absent when not looked up. */
  readonly lineage?: readonly AwsLineageCopy[];
  /** The change since the most recent copy's source, when its copy is incremental. */
  readonly delta?: AwsDeltaRead;
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
  // lineage tag), for when KMS cannot be read (DescribeSnapshots names the key by its ARN,
  // an unresolved plan by what it was given). An AMI is immutable, so the earlier copy's
  // snapshot on a device was made from this AMI's snapshot on that device: the base its
  // changed blocks are counted against.
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
        const tags = tagRecord(s);
        const extra = [
          ...(e.key === undefined || tags[LINEAGE_TAGS.key] !== undefined
            ? []
            : [{ Key: LINEAGE_TAGS.key, Value: e.key }]),
          ...(tags[LINEAGE_TAGS.sourceSnapshot] === undefined
            ? [
                { Key: LINEAGE_TAGS.sourceSnapshot, Value: w.device.snapshotId },
                { Key: LINEAGE_TAGS.sourceRegion, Value: request.source.region },
              ]
            : []),
        ];
        add(w.device.deviceName, { ...s, Tags: [...(s.Tags ?? []), ...extra] });
      }
    }
  }
  return byDevice;
}

/**
 * Reads what an AMI plan needs: the source AMI (owned or shared), its backing snapshots,
 * the destination's encryption settings (only those that decide an outcome), with the
 * snapshot plans' readers the keys each backing snapshot's copy depends on (KMS DescribeKey,
 * each key once per region), the lineage of earlier copies (only for snapshots whose copy
 * could be incremental), then the changed blocks of each incremental one (ListChangedBlocks,
 * each pair once). Read calls only.
 */
export async function readAwsImagePlanFacts(
  readers: AwsPlanReaders,
  request: NormalizedImageCopyRequest,
  signal?: AbortSignal,
): Promise<AwsImagePlanFacts> {
  const { ec2: calls } = readers;
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
  // A snapshot the encryption rule refuses costs no further read; the rest name their keys,
  // and only a copy that can be incremental needs the lineage.
  const live = readable.flatMap((r) => {
    try {
      resolveAwsEncryption(encryptionInput(request, r.source, defaults));
    } catch {
      return [];
    }
    const facts = { snapshot: r.snapshot, source: r.source, ownership, defaults };
    return [{ ...r, facts, keys: AWS_PLAN_DECIDER.keysToRead(request, facts) }];
  });
  const [keys, lineages] = await Promise.all([
    describeKeysOnce(
      readers.kms,
      live.map((r) => r.keys),
      signal,
    ),
    readLineages(
      calls,
      request,
      live.filter((r) => lineageMatters(r.source, destinationRegion)),
      signal,
    ),
  ]);
  const decided = live.map((r, i) => {
    const lineage = lineageMatters(r.source, destinationRegion)
      ? (lineages.get(r.device.deviceName) ?? []).map(lineageCopyOf)
      : undefined;
    const facts: Omit<AwsPlanFacts, 'delta'> = {
      ...r.facts,
      keys: keys[i]!,
      ...(lineage === undefined ? {} : { lineage }),
    };
    return { device: r.device, facts };
  });
  const deltas = await readDeltasOnce(
    readers,
    decided.map((d) => ({
      region: request.source.region,
      snapshotId: d.device.snapshotId,
      base: deltaBaseOf(AWS_PLAN_DECIDER, request, d.facts),
    })),
    signal,
  );
  return {
    image,
    ownership,
    defaults,
    snapshots: devices.map((device) => {
      const r = readable.find((x) => x.device === device);
      if (!r) return device;
      const i = decided.findIndex((d) => d.device === device);
      if (i < 0) return { ...device, snapshot: r.snapshot, source: r.source };
      const { keys: k, lineage } = decided[i]!.facts;
      const delta = deltas[i];
      return {
        ...device,
        snapshot: r.snapshot,
        source: r.source,
        keys: k,
        ...(lineage === undefined ? {} : { lineage }),
        ...(delta === undefined ? {} : { delta }),
      };
    }),
  };
}
