import { LISTING_TAGS, RESERVED_TAG_PREFIX } from '@snapcopy/core';

/**
 * Tags a policy writes on each copy, under snapcopy's prefix (beside the lineage tags
 * every copy carries): which policy made it, which multi-volume set it belongs to, and
 * when it expires where the provider keeps no retention itself. The sweep deletes only
 * copies whose policy tag is its own and whose expiry has passed. The policy tag is the one
 * core's `listCopies({ policy })` finds copies by.
 */
export const POLICY_TAGS = Object.freeze({
  policy: LISTING_TAGS.policy,
  group: `${RESERVED_TAG_PREFIX}group`,
  expiresAt: `${RESERVED_TAG_PREFIX}expires-at`,
});

/** The most tags a policy adds to one copy. */
export const POLICY_TAG_COUNT = Object.keys(POLICY_TAGS).length;

/** A source's user tags a copy may carry: none under snapcopy's prefix. */
export function copyableSourceTags(tags: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(tags)
    .filter(([k]) => !k.startsWith(RESERVED_TAG_PREFIX))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
