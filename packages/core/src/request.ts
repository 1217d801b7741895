import type { z } from 'zod';
import { lazySchema } from './lazy-zod.js';
import { buildRequestFields, parseUntrusted, refineKeyNeedsEncryption } from './request-fields.js';

export { RESERVED_TAG_PREFIX, TAG_LIMITS } from './request-fields.js';

function buildCopyRequestSchema(z: typeof import('zod').z) {
  const f = buildRequestFields(z);

  /** Where the snapshot to copy is; `account` names the owner when it was shared with you. */
  const sourceLocation = z
    .object({ region: f.regionId, snapshotId: z.string().min(1).max(128), account: f.accountId.optional() })
    .strict();

  return z
    .object({
      source: sourceLocation,
      destination: f.destination,
      encryption: f.encryption.optional(),
      name: f.name.optional(),
      description: f.description.optional(),
      tags: f.tags.optional(),
      /**
       * Days until the copy is released (providers with `retentionPeriod`); the range is
       * the provider's (`capabilities.retentionDaysRange`), checked before any call.
       */
      retentionDays: z.number().int().min(1).optional(),
      completionDurationMinutes: f.completionDurationMinutes.optional(),
      clientToken: f.clientToken.optional(),
    })
    .strict()
    .superRefine(refineKeyNeedsEncryption);
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
