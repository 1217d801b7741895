import { LINEAGE_TAGS } from './lineage.js';
import { RESERVED_TAG_PREFIX } from './request.js';
import type { CopyState } from './status.js';

/**
 * Tags snapcopy writes on a copy after making it, to tell any process what happened to
 * it. They are not part of the lineage (not written at creation).
 */
export const STATE_TAGS = Object.freeze({
  /** `true` on a copy snapcopy is cancelling (deleting): it reads `cancelled` until gone. */
  cancelled: `${RESERVED_TAG_PREFIX}cancelled`,
  /**
   * On a duplicate copy made for a client token that already had one (two runners raced):
   * the id of the copy kept instead. The duplicate is being deleted.
   */
  supersededBy: `${RESERVED_TAG_PREFIX}superseded-by`,
  /**
   * On a copy that was the most recent of its lineage in its region when a later copy was
   * made there: the later copy's client token. When no copy carries that token any more,
   * the most recent copy was deleted (EBS then makes the next copy a full one), which the
   * cloud itself no longer shows.
   */
  nextCopy: `${RESERVED_TAG_PREFIX}next-copy`,
});

/**
 * One copy (a snapshot, an image) as a driver reads it from the provider, in neutral
 * words: the shape the copy protocol decides on, whatever the resource.
 */
export interface ObservedCopy {
  readonly region: string;
  readonly id: string;
  /** The provider's state mapped onto the neutral states (cancellation not applied yet). */
  readonly state: CopyState;
  /** The provider's own state word. */
  readonly rawState: string;
  /** 0-100. */
  readonly progress: number;
  /** The provider's explanation, e.g. why the copy failed. */
  readonly message?: string;
  /** Every tag on the copy. */
  readonly tags: Readonly<Record<string, string>>;
  /** Epoch ms the copy was started, when the provider says: orders duplicates (the oldest wins). */
  readonly createdAt?: number;
  readonly encrypted?: boolean;
  readonly kmsKeyId?: string;
  /** Size in GiB, when the provider says (named when a completed copy is refused deletion). */
  readonly sizeGiB?: number;
  /** Epoch ms the copy completed, when the provider says. */
  readonly completedAt?: number;
  /** Anything else the kind reports in its status (e.g. an image's backing snapshots). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** True when `copy` carries snapcopy's client-token tag, i.e. snapcopy made it. */
export function madeBySnapcopy(copy: ObservedCopy): boolean {
  return copy.tags[LINEAGE_TAGS.clientToken] !== undefined;
}

/**
 * Orders copies made for one client token so that every runner picks the same one to
 * keep: the oldest, then the smallest id (a deterministic tie-break).
 */
export function compareForKeeping(a: ObservedCopy, b: ObservedCopy): number {
  const at = a.createdAt ?? Number.POSITIVE_INFINITY;
  const bt = b.createdAt ?? Number.POSITIVE_INFINITY;
  if (at !== bt) return at < bt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The copy every runner keeps among those carrying one token (see {@link compareForKeeping}). */
export function copyToKeep(copies: readonly ObservedCopy[]): ObservedCopy | undefined {
  let best: ObservedCopy | undefined;
  for (const c of copies) if (best === undefined || compareForKeeping(c, best) < 0) best = c;
  return best;
}
