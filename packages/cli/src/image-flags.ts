import { readFileSync } from 'node:fs';
import { SnapcopyError } from '@snapcopy/core';
import type { CopyRefFlags, RequestFlags } from './cli-flags.js';

/**
 * Whether a request command (`plan`, `copy`) copies an image: exactly one of `--snapshot`
 * and `--image` names the source (with neither, the snapshot command reports what is missing).
 */
export function requestIsForImage(flags: RequestFlags): boolean {
  if (flags.image !== undefined && flags.snapshot !== undefined) {
    throw new SnapcopyError('INVALID_REQUEST', 'give either --snapshot or --image, not both');
  }
  return flags.image !== undefined;
}

/** The handle a `copy --json` file holds (or a bare handle), when it is readable. */
export function readHandleFile(path: string): Record<string, unknown> | undefined {
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    const handle = typeof doc === 'object' && doc !== null && 'handle' in doc ? doc.handle : doc;
    return typeof handle === 'object' && handle !== null ? (handle as Record<string, unknown>) : undefined;
  } catch {
    // Unreadable: the snapshot path reports it with its own words.
    return undefined;
  }
}

/**
 * Whether a command about existing copies (`status`, `wait`, `cancel`) is about image copies:
 * `--image`, or a handle file written by `copy --image … --json`. `--snapshot` and `--image`
 * do not mix.
 */
export function refsAreImages(flags: CopyRefFlags): boolean {
  const images = flags.image ?? [];
  if (images.length > 0 && (flags.snapshot ?? []).length > 0) {
    throw new SnapcopyError('INVALID_REQUEST', 'give either --snapshot or --image, not both');
  }
  if (images.length > 0) return true;
  if (flags.handle === undefined || (flags.snapshot ?? []).length > 0) return false;
  return typeof readHandleFile(flags.handle)?.imageId === 'string';
}
