import type { CallOptions } from './copier.js';
import { invalidRequest, throwIfIssues } from './errors.js';
import type { FieldIssue } from './errors.js';
import { LINEAGE_TAGS } from './lineage.js';
import type { ObservedCopy } from './observed-copy.js';
import type { ResponseMetadata } from './provider-calls.js';
import { REGION_ID, REGION_ID_MESSAGE, RESERVED_TAG_PREFIX } from './request.js';
import type { CopyState } from './status.js';

/**
 * Tags `listCopies` can find copies by besides the lineage tags: a copy made by a copy
 * policy carries the policy's name under `snapcopy:policy`.
 */
export const LISTING_TAGS = Object.freeze({
  policy: `${RESERVED_TAG_PREFIX}policy`,
});

/** What {@link CopyFacade.listCopies} looks for: copies snapcopy made in one region. */
export interface CopyListQuery {
  /** The region the copies are in (their destination region). */
  readonly region: string;
  /** Copies of this source (a snapshot id; an image id for an image copier). */
  readonly sourceId?: string;
  /** Copies of sources in this region. */
  readonly sourceRegion?: string;
  /** The copy made with this client token. */
  readonly clientToken?: string;
  /**
   * Copies made by this batch of the orchestrator: client tokens `<batchId>.<index>`. A
   * batch id too long for that form gets hashed tokens, which only its journal can name.
   */
  readonly batchId?: string;
  /** Copies made by this copy policy (the `snapcopy:policy` tag). */
  readonly policy?: string;
}

/** Options of a listing. */
export interface ListCopiesOptions extends CallOptions {
  /** Stop after this many pages (a bound for huge accounts). Default: no bound. */
  readonly maxPages?: number;
}

/** One copy a listing found. */
export interface ListedCopy<Ref = { readonly region: string }> {
  readonly provider: string;
  /** The copy, as status, wait and cancel take it. */
  readonly ref: Ref;
  readonly state: CopyState;
  /** 0-100. */
  readonly progress: number;
  /** The client token it was made with. */
  readonly clientToken: string;
  /** What it is a copy of, as its lineage tags say. */
  readonly source: { readonly region?: string; readonly id?: string };
  /** The orchestrator batch that made it, when its token says. */
  readonly batchId?: string;
  /** The policy that made it, when tagged. */
  readonly policy?: string;
  /** ISO time it was started, when the provider says. */
  readonly startedAt?: string;
  readonly sizeGiB?: number;
  readonly encrypted?: boolean;
  readonly kmsKeyId?: string;
}

/** One page of a listing: the copies of one provider call, and its `$metadata`. */
export interface CopyListPage<Ref = { readonly region: string }> {
  readonly copies: readonly ListedCopy<Ref>[];
  readonly $metadata: ResponseMetadata;
}

/**
 * What a driver's `_listCopies` filters on: tags that must carry these exact values, and
 * tag keys that must be present. Every filter is an AND.
 */
export interface CopyListFilter {
  readonly tags: Readonly<Record<string, string>>;
  readonly tagKeys: readonly string[];
}

/** One page a driver returned. */
export interface DriverCopyPage {
  readonly copies: readonly ObservedCopy[];
  /** Set when there are more pages. */
  readonly nextToken?: string;
}

const TOKEN_SUFFIX = /^\.(\d+)$/;

/** The batch a client token names (`<batchId>.<index>`), if it has that form. */
export function batchIdOfToken(token: string): string | undefined {
  const dot = token.lastIndexOf('.');
  if (dot <= 0 || !TOKEN_SUFFIX.test(token.slice(dot))) return undefined;
  return token.slice(0, dot);
}

/** Checks a query; `INVALID_REQUEST` naming each bad field. */
export function checkCopyListQuery(query: unknown, provider: string): CopyListQuery {
  if (typeof query !== 'object' || query === null) {
    throw invalidRequest([{ path: 'query', message: 'must be an object with a region' }], provider);
  }
  const q = query as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  if (typeof q.region !== 'string' || !REGION_ID.test(q.region)) {
    issues.push({ path: 'region', message: REGION_ID_MESSAGE });
  }
  if (
    q.sourceRegion !== undefined &&
    (typeof q.sourceRegion !== 'string' || !REGION_ID.test(q.sourceRegion))
  ) {
    issues.push({ path: 'sourceRegion', message: REGION_ID_MESSAGE });
  }
  for (const name of ['sourceId', 'clientToken', 'batchId', 'policy'] as const) {
    const v = q[name];
    if (v !== undefined && (typeof v !== 'string' || v === '' || v.length > 256)) {
      issues.push({ path: name, message: 'must be a non-empty string of at most 256 characters' });
    }
  }
  throwIfIssues(issues, provider);
  return q as unknown as CopyListQuery;
}

/**
 * The provider-side filter for a query: exact tags where the query names a value, and
 * always the client-token tag key (only snapcopy's copies). A batch is matched on the
 * token's prefix afterwards, since neither cloud filters tags by prefix everywhere.
 * `sourceTag` is the lineage tag naming the source of this kind of copy (a snapshot's, by
 * default; an image's for image copies).
 */
export function copyListFilter(
  query: CopyListQuery,
  sourceTag: string = LINEAGE_TAGS.sourceSnapshot,
): CopyListFilter {
  const tags: Record<string, string> = {};
  if (query.clientToken !== undefined) tags[LINEAGE_TAGS.clientToken] = query.clientToken;
  if (query.sourceId !== undefined) tags[sourceTag] = query.sourceId;
  if (query.sourceRegion !== undefined) tags[LINEAGE_TAGS.sourceRegion] = query.sourceRegion;
  if (query.policy !== undefined) tags[LISTING_TAGS.policy] = query.policy;
  return { tags, tagKeys: query.clientToken === undefined ? [LINEAGE_TAGS.clientToken] : [] };
}

/** True when a copy the provider returned matches the whole query (the checks it cannot filter). */
export function matchesCopyListQuery(
  copy: ObservedCopy,
  query: CopyListQuery,
  sourceTag: string = LINEAGE_TAGS.sourceSnapshot,
): boolean {
  const token = copy.tags[LINEAGE_TAGS.clientToken];
  if (token === undefined) return false;
  const filter = copyListFilter(query, sourceTag);
  for (const [k, v] of Object.entries(filter.tags)) if (copy.tags[k] !== v) return false;
  if (query.batchId !== undefined && batchIdOfToken(token) !== query.batchId) return false;
  return true;
}
