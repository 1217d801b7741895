import { randomBytes } from 'node:crypto';
import { ec2Errors } from './errors.js';
import type { QueryParams } from './query-params.js';

export interface Listing {
  readonly owner: string;
  /** The query the listing answers; a token is only valid for the same query. */
  readonly query: string;
  readonly ids: readonly string[];
}

export interface PageCursor {
  readonly listing: Listing;
  readonly offset: number;
}

/**
 * Opaque `NextToken`s for Describe calls. The first page of a listing fixes the matching
 * ids; later pages slice that list (re-reading each snapshot's current state), so paging
 * through 100,000 snapshots costs one scan, not one per page. Tokens are bounded in
 * number; an evicted or foreign token is `InvalidNextToken`, as an expired one is on EC2.
 */
export class PageTokenCache {
  readonly #cursors = new Map<string, PageCursor>();

  constructor(readonly maxTokens = 10_000) {}

  /** The cursor of the first page of a new listing. */
  start(owner: string, query: string, ids: readonly string[]): PageCursor {
    return { listing: { owner, query, ids }, offset: 0 };
  }

  /** Issues a token for the page that starts at `offset` of `listing`. */
  issue(listing: Listing, offset: number): string {
    const token = randomBytes(24).toString('base64url');
    if (this.#cursors.size >= this.maxTokens) {
      const oldest = this.#cursors.keys().next().value;
      if (oldest !== undefined) this.#cursors.delete(oldest);
    }
    this.#cursors.set(token, { listing, offset });
    return token;
  }

  /** The cursor behind a token; throws `InvalidNextToken` for unknown or foreign tokens. */
  resolve(token: string, owner: string, query: string): PageCursor {
    const cursor = this.#cursors.get(token);
    if (!cursor || cursor.listing.owner !== owner || cursor.listing.query !== query) {
      throw ec2Errors.invalidNextToken();
    }
    return cursor;
  }

  /**
   * The page of a listing that `token` names, or, without a token, its first page of at most
   * `size` ids; `ids()` lists the matches only when a new listing starts.
   */
  next(
    token: string | undefined,
    owner: string,
    query: string,
    size: number,
    ids: () => readonly string[],
  ): { ids: readonly string[]; nextToken?: string } {
    const cursor = token !== undefined ? this.resolve(token, owner, query) : this.start(owner, query, ids());
    return this.page(cursor, size);
  }

  /**
   * One page: the ids in `[offset, offset + size)` plus the token of the next page, or
   * `undefined` on the last page.
   */
  page(cursor: PageCursor, size: number): { ids: readonly string[]; nextToken?: string } {
    const { listing, offset } = cursor;
    const ids = listing.ids.slice(offset, offset + size);
    const next = offset + size;
    if (next >= listing.ids.length) return { ids };
    return { ids, nextToken: this.issue(listing, next) };
  }
}

/**
 * `MaxResults` and `NextToken` of a Describe call that also takes ids (named `idsParam` in
 * EC2's messages): never together with ids, and at least `min` results a page.
 */
export function readPaging(
  p: QueryParams,
  idsParam: string,
  hasIds: boolean,
  min: number,
): { readonly maxResults: number | undefined; readonly nextToken: string | undefined } {
  const maxResults = p.int('MaxResults');
  const nextToken = p.get('NextToken');
  if (hasIds && (maxResults !== undefined || nextToken !== undefined)) {
    throw ec2Errors.invalidParameterCombination(
      `The parameter ${idsParam} cannot be used with the parameter MaxResults or NextToken`,
    );
  }
  if (maxResults !== undefined && maxResults < min) {
    throw ec2Errors.invalidParameterValue(
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value greater than ${min - 1}.`,
    );
  }
  return { maxResults, nextToken };
}
