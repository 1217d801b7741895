import { RESERVED_TAG_PREFIX } from '@snapcopy/core';

/**
 * Set (`true`) on a copy before snapcopy deletes it. AWS keeps a pending copy until it
 * completes, so the tag lets any process read that copy as `cancelled` meanwhile.
 */
export const CANCELLED_TAG = `${RESERVED_TAG_PREFIX}cancelled`;
