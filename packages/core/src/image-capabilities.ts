import type { z } from 'zod';
import { type Capabilities, DEFAULT_CONSISTENCY_WINDOW_MS, deepFreeze } from './capabilities.js';
import { lazySchema } from './lazy-zod.js';

/**
 * Static facts about what a provider can do with machine images (EC2 AMIs, ECS custom
 * images). Every flag is always present (false by default); the object is frozen,
 * JSON-cloneable and never changes after construction. The entries the copy protocol
 * reads (`cancelByDelete`, `cancelTakesEffect`, `nativeIdempotencyToken`,
 * `maxIdsPerStatusCall`, `consistencyWindowMs`) mean what they mean in the snapshot manifest.
 */
const buildImageCapabilitiesSchema = (z: typeof import('zod').z) =>
  z
    .object({
      /** Copy an image to another region. */
      crossRegionCopy: z.boolean(),
      /** Copy an image within its own region (e.g. to encrypt it). */
      sameRegionCopy: z.boolean(),
      /** Copy an image another account shared with you (it becomes yours). */
      crossAccountCopy: z.boolean(),
      /** ...into another region than the shared image's (false: within its region only). */
      crossAccountCopyAcrossRegions: z.boolean(),
      /** Encrypt the copies of unencrypted backing snapshots. */
      encryptOnCopy: z.boolean(),
      /** Re-encrypt the copies of encrypted backing snapshots under another key. */
      changeKeyOnCopy: z.boolean(),
      /** Make unencrypted copies of encrypted backing snapshots. */
      decryptOnCopy: z.boolean(),
      /** Carry the source image's own user tags to the copy (AWS `CopyImageTags`). */
      copySourceTags: z.boolean(),
      /** Tag the new image as it is made. */
      tagsOnCopy: z.boolean(),
      /** Tag the copies of the backing snapshots, separately from the image. */
      snapshotTagsOnCopy: z.boolean(),
      /** Ask for the backing snapshots to be copied within a duration (time-based copy). */
      timeBasedCopy: z.boolean(),
      /** Completion-duration range and step (minutes) when `timeBasedCopy` is true. */
      completionDurationMinutes: z
        .object({ min: z.number().int(), max: z.number().int(), step: z.number().int() })
        .nullable(),
      /** A copy can be cancelled: the copy (image and snapshots) is removed. */
      cancelByDelete: z.boolean(),
      /** How a copy still in progress is stopped. */
      cancelMethod: z.enum(['deregister', 'cancel-copy', 'delete', 'none']),
      /** When a cancelled image is gone (deregistered or removed). */
      cancelTakesEffect: z.enum(['immediate', 'on-completion', 'never']),
      /** What becomes of the backing snapshot copies of a cancelled copy. */
      snapshotsOnCancel: z.enum(['removed', 'removed-on-completion', 'kept']),
      /** The image can be deleted (or deregistered) while it is being copied. */
      deleteWhileCopying: z.boolean(),
      /** The provider has a native idempotency token on copy (otherwise it is emulated). */
      nativeIdempotencyToken: z.boolean(),
      /** Image copies one destination region runs at once (0 = unknown). */
      maxConcurrentCopiesPerRegion: z.number().int().min(0),
      /** Beyond that limit the provider queues copies (true) or refuses them (false). */
      queuesBeyondConcurrency: z.boolean(),
      /** Image ids one status call can ask about. */
      maxIdsPerStatusCall: z.number().int().min(1),
      /** Tags a caller may set on the new image (after the SDK's own lineage tags). */
      maxUserTags: z.number().int().min(0),
      /** Tags a caller may set on the backing snapshot copies (after the SDK's own). */
      maxSnapshotTags: z.number().int().min(0),
      /**
       * How long (ms) an image copy just made may still be missing from the provider's
       * describe and lookup answers (eventual consistency); as in the snapshot manifest.
       */
      consistencyWindowMs: z.number().int().min(0),
    })
    .strict();

/** The zod schema of an image manifest (built on first use). */
export const ImageCapabilitiesSchema = lazySchema(buildImageCapabilitiesSchema);

/** The image capability manifest of one provider. */
export type ImageCapabilities = Readonly<z.infer<ReturnType<typeof buildImageCapabilitiesSchema>>>;
type ImageCapabilitiesData = z.infer<ReturnType<typeof buildImageCapabilitiesSchema>>;

const DEFAULTS: ImageCapabilitiesData = {
  crossRegionCopy: false,
  sameRegionCopy: false,
  crossAccountCopy: false,
  crossAccountCopyAcrossRegions: false,
  encryptOnCopy: false,
  changeKeyOnCopy: false,
  decryptOnCopy: false,
  copySourceTags: false,
  tagsOnCopy: false,
  snapshotTagsOnCopy: false,
  timeBasedCopy: false,
  completionDurationMinutes: null,
  cancelByDelete: false,
  cancelMethod: 'none',
  cancelTakesEffect: 'never',
  snapshotsOnCancel: 'kept',
  deleteWhileCopying: false,
  nativeIdempotencyToken: false,
  maxConcurrentCopiesPerRegion: 0,
  queuesBeyondConcurrency: false,
  maxIdsPerStatusCall: 1,
  maxUserTags: 0,
  maxSnapshotTags: 0,
  // Unknown providers get the longest delay the EC2 documentation asks callers to allow.
  consistencyWindowMs: DEFAULT_CONSISTENCY_WINDOW_MS,
};

/** The names of every image capability flag/limit, in manifest order. */
export const IMAGE_CAPABILITY_KEYS = Object.freeze(
  Object.keys(DEFAULTS),
) as readonly (keyof ImageCapabilities)[];

/**
 * Builds an image capability manifest: fills every missing flag with its default (false),
 * checks the result and freezes it. Unknown keys are rejected.
 */
export function defineImageCapabilities(partial: Partial<ImageCapabilitiesData>): ImageCapabilities {
  const parsed = ImageCapabilitiesSchema.parse({ ...DEFAULTS, ...partial });
  const fail = (why: string): never => {
    throw new TypeError(`defineImageCapabilities: ${why}`);
  };
  if (parsed.timeBasedCopy && parsed.completionDurationMinutes === null) {
    fail('timeBasedCopy needs completionDurationMinutes');
  }
  if (parsed.cancelByDelete !== (parsed.cancelTakesEffect !== 'never')) {
    fail('cancelByDelete and cancelTakesEffect disagree');
  }
  if (parsed.cancelByDelete !== (parsed.cancelMethod !== 'none')) {
    fail('cancelByDelete and cancelMethod disagree');
  }
  if (parsed.crossAccountCopyAcrossRegions && !parsed.crossAccountCopy) {
    fail('crossAccountCopyAcrossRegions needs crossAccountCopy');
  }
  if (parsed.deleteWhileCopying && parsed.cancelMethod === 'cancel-copy') {
    fail('a provider that stops copies with a cancel call refuses deletes while copying');
  }
  return deepFreeze(parsed);
}

/** The entries an image manifest has in common with the snapshot manifest. */
export type SharedCapabilityKey = keyof Capabilities & keyof ImageCapabilities;

/**
 * The image entries that are the snapshot copy's own where a provider copies each backing
 * snapshot by its snapshot-copy rules: what encryption a copy may ask for, and the time-based
 * copy with its duration range.
 */
export const BACKING_SNAPSHOT_COPY_KEYS = Object.freeze([
  'encryptOnCopy',
  'changeKeyOnCopy',
  'decryptOnCopy',
  'timeBasedCopy',
  'completionDurationMinutes',
] as const);

/**
 * The entries `keys` of a provider's snapshot manifest, for its image manifest where the
 * provider applies the same rule to an image copy as to a snapshot copy (each backing
 * snapshot is copied as a snapshot is): the image manifest names them and the value keeps
 * one home, the snapshot manifest.
 */
export function fromSnapshotCapabilities<K extends SharedCapabilityKey>(
  snapshot: Capabilities,
  keys: readonly K[],
): Pick<Capabilities, K> {
  return Object.fromEntries(keys.map((key) => [key, snapshot[key]])) as Pick<Capabilities, K>;
}
