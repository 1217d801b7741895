import { LINEAGE_TAGS } from './lineage.js';
import { RESERVED_TAG_PREFIX } from './request-fields.js';

/**
 * Tags snapcopy writes on every image copy it makes: the client token (the same key as on
 * snapshot copies, so that the cancel guard and token lookups read both alike), the source
 * image and region, and the key of the backing snapshot copies.
 */
export const IMAGE_LINEAGE_TAGS = Object.freeze({
  clientToken: LINEAGE_TAGS.clientToken,
  sourceImage: `${RESERVED_TAG_PREFIX}source-image`,
  sourceRegion: LINEAGE_TAGS.sourceRegion,
  key: LINEAGE_TAGS.key,
});

/** How many tags snapcopy itself adds to an image copy. */
export const IMAGE_LINEAGE_TAG_COUNT = Object.keys(IMAGE_LINEAGE_TAGS).length;

/**
 * Tags snapcopy writes on the backing snapshot copies of an image copy, where the provider
 * tags them: which image and region they were copied from. Not the client token: a backing
 * snapshot is part of the image, never a snapshot copy of its own to look up or cancel.
 */
export const IMAGE_SNAPSHOT_LINEAGE_TAGS = Object.freeze({
  sourceImage: IMAGE_LINEAGE_TAGS.sourceImage,
  sourceRegion: IMAGE_LINEAGE_TAGS.sourceRegion,
});

/** How many tags snapcopy itself adds to each backing snapshot copy. */
export const IMAGE_SNAPSHOT_LINEAGE_TAG_COUNT = Object.keys(IMAGE_SNAPSHOT_LINEAGE_TAGS).length;

/**
 * The key tag of an image copy: the key of its encrypted backing snapshot copies when they
 * share one (`unknown` when it is unnamed), `none` when none is encrypted, `mixed` when they
 * use several. Unencrypted snapshots do not count: a plan that later reads the tag to learn
 * the key of an earlier copy's encrypted snapshot takes their encryption from the snapshot.
 */
export function imageKeyTag(
  snapshots: readonly { readonly encrypted: boolean; readonly kmsKeyId?: string }[],
): string {
  const keys = new Set(snapshots.flatMap((s) => (s.encrypted ? [s.kmsKeyId ?? 'unknown'] : [])));
  if (keys.size === 0) return 'none';
  return keys.size === 1 ? [...keys][0]! : 'mixed';
}

/**
 * The key an image copy's lineage tag names for its encrypted backing snapshots, or
 * undefined when the tag names none (`none`, `mixed`, `unknown`, or no tag).
 */
export function keyOfImageKeyTag(tag: string | undefined): string | undefined {
  return tag === undefined || tag === 'none' || tag === 'mixed' || tag === 'unknown' ? undefined : tag;
}

/** What an image copy's lineage is read from: its request's client token and source image. */
export interface ImageLineageRequest {
  readonly clientToken: string;
  readonly source: { readonly imageId: string; readonly region: string };
}

/**
 * The lineage tags of the image copy `request` asks for, whose backing snapshot copies get the
 * encryption of `snapshots` (their plan entries): the key tag is {@link imageKeyTag} of them.
 */
export function imageLineageTags(
  request: ImageLineageRequest,
  snapshots: readonly { readonly encryption: { readonly encrypted: boolean; readonly kmsKeyId?: string } }[],
): Record<string, string> {
  return {
    [IMAGE_LINEAGE_TAGS.clientToken]: request.clientToken,
    ...imageSnapshotLineageTags(request),
    [IMAGE_LINEAGE_TAGS.key]: imageKeyTag(snapshots.map((s) => s.encryption)),
  };
}

/** The lineage tags of each backing snapshot copy of the image copy `request` asks for. */
export function imageSnapshotLineageTags(
  request: Pick<ImageLineageRequest, 'source'>,
): Record<string, string> {
  return {
    [IMAGE_SNAPSHOT_LINEAGE_TAGS.sourceImage]: request.source.imageId,
    [IMAGE_SNAPSHOT_LINEAGE_TAGS.sourceRegion]: request.source.region,
  };
}
