import type { z } from 'zod';
import { lazySchema } from './lazy-zod.js';

/**
 * Static facts about what a provider can do. Every flag is always present (false by
 * default); the object is frozen, JSON-cloneable and never changes after construction.
 */
const buildCapabilitiesSchema = (z: typeof import('zod').z) =>
  z
    .object({
      /** Copy to another region. */
      crossRegionCopy: z.boolean(),
      /** Unencrypted copy with the same key in the same region. */
      sameRegionStandardCopy: z.boolean(),
      /** Encrypted copy (new or changed key) in the same region. */
      sameRegionEncryptedCopy: z.boolean(),
      /** Encrypt a copy of an unencrypted snapshot. */
      encryptOnCopy: z.boolean(),
      /** Re-encrypt under another key while copying. */
      changeKeyOnCopy: z.boolean(),
      /** Make an unencrypted copy of an encrypted snapshot. */
      decryptOnCopy: z.boolean(),
      /** Enable instant access on the copy. */
      instantAccess: z.boolean(),
      /** Give the copy a retention period after which it is released. */
      retentionPeriod: z.boolean(),
      /** Cancel a running copy by deleting the destination snapshot. */
      cancelByDelete: z.boolean(),
      /** Whether a cancel takes effect at once (`immediate`) or when the copy completes. */
      cancelTakesEffect: z.enum(['immediate', 'on-completion', 'never']),
      /** Ask for completion within a duration (time-based copy). */
      timeBasedCopy: z.boolean(),
      /** Tag the copy as it is made. */
      tagsOnCopy: z.boolean(),
      /** Copy a snapshot that another account shared with you. */
      crossAccountCopy: z.boolean(),
      /** The provider has a native idempotency token on copy (otherwise it is emulated). */
      nativeIdempotencyToken: z.boolean(),
      /** Copies already in progress that one destination region accepts (0 = unknown). */
      maxConcurrentCopiesPerRegion: z.number().int().min(0),
      /** Snapshot ids one status call can ask about. */
      maxIdsPerStatusCall: z.number().int().min(1),
      /** Retention range when `retentionPeriod` is true. */
      retentionDaysRange: z.tuple([z.number().int(), z.number().int()]).nullable(),
      /** Completion-duration range and step (minutes) when `timeBasedCopy` is true. */
      completionDurationMinutes: z
        .object({ min: z.number().int(), max: z.number().int(), step: z.number().int() })
        .nullable(),
      /** Tags a caller may set on one copy (after the SDK's own lineage tags). */
      maxUserTags: z.number().int().min(0),
      /**
       * How long (ms) a copy just made may still be missing from the provider's describe
       * and lookup answers (eventual consistency). Until this long after the last copy call
       * that may have been applied, "no copy carries the token" proves nothing, and a copy
       * seen before that reads absent is not yet known to be gone.
       */
      consistencyWindowMs: z.number().int().min(0),
      /** `list(query)`: page through the snapshots the caller can see in a region. */
      listSnapshots: z.boolean(),
      /** A listing can ask for snapshots other accounts shared with the caller, by owner account. */
      listSharedWithCaller: z.boolean(),
      /** A listing can ask for the snapshots of a provider's own multi-volume group, by its id. */
      listByGroup: z.boolean(),
      /** Where a description regex is applied: by the provider, by snapcopy on each page, or not at all. */
      listDescriptionRegex: z.enum(['server', 'client', 'none']),
      /** Snapshots one listing call returns at most (0 without `listSnapshots`). */
      listMaxPageSize: z.number().int().min(0),
      /** `share(ref, accounts)`: let other accounts use (and copy) one of the caller's snapshots. */
      shareSnapshot: z.boolean(),
      /** `keyAccess(region, key)`: tell whether the caller may use a KMS key (e.g. a shared source's). */
      keyAccessCheck: z.boolean(),
    })
    .strict();

/** The zod schema of a manifest (built on first use). */
export const CapabilitiesSchema = lazySchema(buildCapabilitiesSchema);

/** The capability manifest of one provider. */
export type Capabilities = Readonly<z.infer<ReturnType<typeof buildCapabilitiesSchema>>>;
type CapabilitiesData = z.infer<ReturnType<typeof buildCapabilitiesSchema>>;

/**
 * The consistency window assumed when a provider declares none: five minutes, the longest
 * back-off the Amazon EC2 API guide asks for before trusting a describe after a create
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
 */
export const DEFAULT_CONSISTENCY_WINDOW_MS = 300_000;

const DEFAULTS: CapabilitiesData = {
  crossRegionCopy: false,
  sameRegionStandardCopy: false,
  sameRegionEncryptedCopy: false,
  encryptOnCopy: false,
  changeKeyOnCopy: false,
  decryptOnCopy: false,
  instantAccess: false,
  retentionPeriod: false,
  cancelByDelete: false,
  cancelTakesEffect: 'never',
  timeBasedCopy: false,
  tagsOnCopy: false,
  crossAccountCopy: false,
  nativeIdempotencyToken: false,
  maxConcurrentCopiesPerRegion: 0,
  maxIdsPerStatusCall: 1,
  retentionDaysRange: null,
  completionDurationMinutes: null,
  maxUserTags: 0,
  // Unknown providers get the longest delay the EC2 documentation asks callers to allow.
  consistencyWindowMs: DEFAULT_CONSISTENCY_WINDOW_MS,
  listSnapshots: false,
  listSharedWithCaller: false,
  listByGroup: false,
  listDescriptionRegex: 'none',
  listMaxPageSize: 0,
  shareSnapshot: false,
  keyAccessCheck: false,
};

/** The names of every capability flag/limit, in manifest order. */
export const CAPABILITY_KEYS = Object.freeze(Object.keys(DEFAULTS)) as readonly (keyof Capabilities)[];

/** Freezes `value` and everything it holds. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Builds a capability manifest: fills every missing flag with its default (false),
 * checks the result and freezes it. Unknown keys are rejected.
 */
export function defineCapabilities(partial: Partial<CapabilitiesData>): Capabilities {
  const parsed = CapabilitiesSchema.parse({ ...DEFAULTS, ...partial });
  if (parsed.retentionPeriod && parsed.retentionDaysRange === null) {
    throw new TypeError('defineCapabilities: retentionPeriod needs retentionDaysRange');
  }
  if (parsed.timeBasedCopy && parsed.completionDurationMinutes === null) {
    throw new TypeError('defineCapabilities: timeBasedCopy needs completionDurationMinutes');
  }
  if (parsed.cancelByDelete !== (parsed.cancelTakesEffect !== 'never')) {
    throw new TypeError('defineCapabilities: cancelByDelete and cancelTakesEffect disagree');
  }
  if (parsed.listSnapshots !== parsed.listMaxPageSize > 0) {
    throw new TypeError('defineCapabilities: listSnapshots needs listMaxPageSize (and only it)');
  }
  if (
    !parsed.listSnapshots &&
    (parsed.listSharedWithCaller || parsed.listByGroup || parsed.listDescriptionRegex !== 'none')
  ) {
    throw new TypeError('defineCapabilities: listing flags need listSnapshots');
  }
  return deepFreeze(parsed);
}
