import type { z } from 'zod';
import { lazySchema } from './lazy-zod.js';
import { buildKindRequestSchema, parseUntrusted } from './request-fields.js';

function buildImageCopyRequestSchema(z: typeof import('zod').z) {
  return buildKindRequestSchema(z, 'imageId', (f) => ({
    /** Tags for the copies of the backing snapshots (providers with `snapshotTagsOnCopy`). */
    snapshotTags: f.tags.optional(),
    /** Carry the source image's own user tags to the copy (providers with `copySourceTags`). */
    copySourceTags: z.boolean().optional(),
  }));
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
