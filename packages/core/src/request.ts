import type { z } from 'zod';
import { lazySchema } from './lazy-zod.js';
import { buildKindRequestSchema, parseUntrusted, RESERVED_TAG_PREFIX, TAG_LIMITS } from './request-fields.js';

export {
  FORBIDDEN_TAG_KEYS,
  REGION_ID,
  REGION_ID_MESSAGE,
  RESERVED_TAG_PREFIX,
  TAG_LIMITS,
} from './request-fields.js';

function buildCopyRequestSchema(z: typeof import('zod').z) {
  return buildKindRequestSchema(z, 'snapshotId', () => ({
    /**
     * Tags under snapcopy's own prefix that a snapcopy component writes on the copy (a
     * copy policy's id, group and expiry): every key starts with `snapcopy:` (and is not
     * one of the lineage or state tags). They count against the provider's tag limit.
     */
    snapcopyTags: z
      .record(z.string(), z.string())
      .superRefine((record, ctx) => {
        for (const [key, value] of Object.entries(record)) {
          if (!key.startsWith(RESERVED_TAG_PREFIX) || key.length > TAG_LIMITS.maxKeyLength) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `key must start with "${RESERVED_TAG_PREFIX}" and be at most ${TAG_LIMITS.maxKeyLength} characters`,
            });
          }
          if (value.length > TAG_LIMITS.maxValueLength) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `value must be at most ${TAG_LIMITS.maxValueLength} characters`,
            });
          }
        }
      })
      .optional(),
    /**
     * Days until the copy is released (providers with `retentionPeriod`); the range is
     * the provider's (`capabilities.retentionDaysRange`), checked before any call.
     */
    retentionDays: z.number().int().min(1).optional(),
  }));
}

/**
 * A provider-neutral request to copy one snapshot (a zod schema, built on first use).
 * Parse it with {@link parseCopyRequest}: cross-field rules are part of the schema.
 */
export const CopyRequestSchema = lazySchema(buildCopyRequestSchema);

/** What a caller passes (before defaults). */
export type CopyRequestInput = z.input<ReturnType<typeof buildCopyRequestSchema>>;
/** A parsed, checked copy request. */
export type CopyRequest = z.output<ReturnType<typeof buildCopyRequestSchema>>;

/**
 * Parses an untrusted request. Never throws anything but a `SnapcopyError` with code
 * `INVALID_REQUEST` whose message names each bad field.
 */
export function parseCopyRequest(input: unknown): CopyRequest {
  return parseUntrusted(CopyRequestSchema, input);
}

/** Region, account and id of one snapshot. */
export interface SnapshotRef {
  readonly region: string;
  readonly snapshotId: string;
}
