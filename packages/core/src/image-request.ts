import type { z } from 'zod';
import { lazySchema } from './lazy-zod.js';
import { buildRequestFields, parseUntrusted, refineKeyNeedsEncryption } from './request-fields.js';

function buildImageCopyRequestSchema(z: typeof import('zod').z) {
  const f = buildRequestFields(z);

  /** Where the image to copy is; `account` names the owner when it was shared with you. */
  const sourceLocation = z
    .object({ region: f.regionId, imageId: z.string().min(1).max(128), account: f.accountId.optional() })
    .strict();

  return z
    .object({
      source: sourceLocation,
      destination: f.destination,
      /** The encryption of every backing snapshot copy (the image has none of its own). */
      encryption: f.encryption.optional(),
      /** Name of the new image (providers that need one get a default derived from the token). */
      name: f.name.optional(),
      description: f.description.optional(),
      /** Tags for the new image. */
      tags: f.tags.optional(),
      /** Tags for the copies of the backing snapshots (providers with `snapshotTagsOnCopy`). */
      snapshotTags: f.tags.optional(),
      /** Carry the source image's own user tags to the copy (providers with `copySourceTags`). */
      copySourceTags: z.boolean().optional(),
      /** Time-based copy: every backing snapshot is copied within this many minutes. */
      completionDurationMinutes: f.completionDurationMinutes.optional(),
      clientToken: f.clientToken.optional(),
    })
    .strict()
    .superRefine(refineKeyNeedsEncryption);
}

/**
 * A provider-neutral request to copy one machine image (a zod schema, built on first use).
 * Parse it with {@link parseImageCopyRequest}: cross-field rules are part of the schema.
 */
export const ImageCopyRequestSchema = lazySchema(buildImageCopyRequestSchema);

/** What a caller passes (before defaults). */
export type ImageCopyRequestInput = z.input<ReturnType<typeof buildImageCopyRequestSchema>>;
/** A parsed, checked image copy request. */
export type ImageCopyRequest = z.output<ReturnType<typeof buildImageCopyRequestSchema>>;

/**
 * Parses an untrusted image copy request. Never throws anything but a `SnapcopyError` with
 * code `INVALID_REQUEST` whose message names each bad field.
 */
export function parseImageCopyRequest(input: unknown): ImageCopyRequest {
  return parseUntrusted(ImageCopyRequestSchema, input, ['tags', 'snapshotTags']);
}

/** Region and id of one image. */
export interface ImageRef {
  readonly region: string;
  readonly imageId: string;
}
